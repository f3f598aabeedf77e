"""The OpenAPI schema and its reference page: for signed-in verified members only, OpenAPI 3.1, every
operation described and uniquely named, lists shown with their pages, and the reference page served from
the site itself under the site's strict CSP (no inline script, no other origin)."""

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.api.conftest import api_as
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

ADDRESSES = ["/api/schema/", "/api/schema/?format=json", "/api/reference/"]


@pytest.fixture
def member() -> Member:
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def schema(member: Member) -> dict[str, Any]:
    answer = api_as(member, ["read"]).get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    loaded: dict[str, Any] = answer.json()
    return loaded


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


# Who may read them


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_anonymous_visitor_gets_neither_the_schema_nor_the_reference(client: Client, address: str) -> None:
    answer = client.get(address)

    assert answer.status_code in {401, 403} or (answer.status_code == 302 and "/accounts/login/" in answer["Location"])
    assert b"openapi" not in answer.content
    assert b"swagger" not in answer.content.lower()


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_unverified_member_gets_neither(address: str) -> None:
    pending = make_verified_member(first_name="Pat", last_name="Lee", verified_until=None)
    client = Client()
    client.force_login(pending)

    answer = client.get(address)

    assert answer.status_code in {401, 403} or answer.status_code == 302
    assert b"openapi" not in answer.content


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_verified_member_reads_both_with_a_token_or_a_session(member: Member, address: str) -> None:
    by_token = api_as(member, ["read"]).get(address)
    session = Client()
    session.force_login(member)
    by_session = session.get(address)

    assert by_token.status_code == 200
    assert by_session.status_code == 200


def test_an_invalid_token_gets_no_schema(client: Client) -> None:
    answer = client.get("/api/schema/", headers={"Authorization": "Bearer mst_nothing"})

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_invalid"


# What the schema says


def test_the_schema_is_openapi_3_1_with_the_bearer_token_scheme(schema: dict[str, Any]) -> None:
    assert schema["openapi"] == "3.1.0"
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerToken"]["description"],
    }
    assert schema["paths"], "the schema lists no path"


def test_every_operation_has_its_own_description_and_summary(schema: dict[str, Any]) -> None:
    described = {f"{method} {path}": operation.get("description", "") for method, path, operation in operations(schema)}
    missing = [name for name, text in described.items() if not text.strip()]
    unsummarised = [
        f"{method} {path}" for method, path, operation in operations(schema) if not operation.get("summary")
    ]
    texts = list(described.values())
    shared = {text for text in texts if texts.count(text) > 1}

    assert not missing, f"operations without a description: {missing}"
    assert not unsummarised, f"operations without a summary: {unsummarised}"
    assert not shared, f"descriptions copied from a base class, not the operation's own: {shared}"


def test_every_operation_id_is_unique_and_none_is_numbered(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _method, _path, operation in operations(schema)]

    assert len(ids) == len(set(ids)), sorted(ids)
    assert not [name for name in ids if re.search(r"_\d+$", name)], "collisions resolved with numerals"


def test_every_operation_documents_the_error_answers(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        for status in ("401", "403", "429"):
            assert status in operation["responses"], f"{method} {path} lacks {status}"


def test_lists_answer_pages_of_next_previous_and_results(schema: dict[str, Any]) -> None:
    lists = {
        path: operation
        for method, path, operation in operations(schema)
        if method == "GET" and any(parameter["name"] == "cursor" for parameter in operation.get("parameters", []))
    }
    assert {"/api/v1/communities/", "/api/v1/content/{type}/"} <= set(lists)
    components = schema["components"]["schemas"]
    for path, operation in lists.items():
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = components[reference.rsplit("/", 1)[1]]
        assert set(page["properties"]) >= {"next", "previous", "results"}, path
        assert page["properties"]["results"]["type"] == "array", path
        names = [parameter["name"] for parameter in operation["parameters"]]
        assert len(names) == len(set(names)), f"{path} repeats a parameter: {names}"


def test_details_answer_one_item_not_a_page(schema: dict[str, Any]) -> None:
    detail = schema["paths"]["/api/v1/communities/{slug}/"]["get"]["responses"]["200"]
    item = schema["paths"]["/api/v1/content/{type}/{id}/"]["get"]["responses"]["200"]

    assert detail["content"]["application/json"]["schema"]["$ref"].endswith("/Community")
    assert item["content"]["application/json"]["schema"]["$ref"].endswith("/Item")


def test_the_main_operations_carry_examples(schema: dict[str, Any]) -> None:
    def has_example(operation: dict[str, Any]) -> bool:
        bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
        return any(
            "examples" in content or "example" in content
            for body in bodies
            for content in body.get("content", {}).values()
        )

    for path, method in [
        ("/api/v1/communities/", "get"),
        ("/api/v1/communities/{slug}/join/", "post"),
        ("/api/v1/content/{type}/", "get"),
        ("/api/v1/content/{type}/{id}/", "get"),
        ("/api/v1/me/", "get"),
    ]:
        assert has_example(schema["paths"][path][method]), f"{method.upper()} {path} has no example"


# The reference page under the site's CSP


def test_the_reference_page_has_no_inline_script_and_loads_only_the_sites_own_files(member: Member) -> None:
    client = Client()
    client.force_login(member)

    page = client.get("/api/reference/")

    html = page.content.decode()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        assert 'src="' in attributes, "a script without src"
        assert not body.strip(), "an inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(source.startswith("/") and not source.startswith("//") for source in sources), sources


def test_every_file_the_reference_page_loads_answers(member: Member) -> None:
    client = Client()
    client.force_login(member)
    html = client.get("/api/reference/").content.decode()
    sources = [source.replace("&amp;", "&") for source in re.findall(r'(?:src|href)="([^"]+)"', html)]
    static = [source for source in sources if source.startswith("/static/")]
    assert any(source.endswith("swagger-ui-bundle.js") for source in static)

    for source in static:
        name = source.removeprefix("/static/")
        assert finders.find(name), f"{name} is not among the static files"
        assert client.get(source).status_code == 200, source
    for source in set(sources) - set(static):
        answer = client.get(source)
        assert answer.status_code == 200, source
        if "script" in source:
            assert answer["Content-Type"].startswith("application/javascript")
            assert "/api/schema/" in answer.content.decode()
