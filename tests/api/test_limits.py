"""The API's limits and refusals: rates per token and per member, body size, page size, cursors, unknown
fields, unknown types and malformed JSON each answer with their own code, and nothing is changed."""

import json
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from communities.models import Community, Membership
from communities.services import community_create
from discussions.models import Thread
from discussions.services import board_create, thread_start
from muster.asgi import application
from tests.api.conftest import ApiClient, api_as, make_token
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def rates(settings: Any, *, token: str = "600/min", member: str = "1200/min") -> None:  # noqa: S107
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": token, "member": member}}


@pytest.fixture
def owner() -> Member:
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def gulf(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=Marking.objects.get(slug="unmarked"))


@pytest.fixture
def threads(owner: Member, gulf: Community) -> list[Thread]:
    board = board_create(community=gulf, actor=owner, name="General")
    unmarked = Marking.objects.get(slug="unmarked")
    return [
        thread_start(author=owner, community=gulf, board=board, title=f"Shelter {n}", body="Cots?", marking=unmarked)
        for n in range(7)
    ]


# Rate limits


def test_a_token_over_its_rate_is_refused_with_retry_after_and_the_rate_limit_headers(
    settings: Any, owner: Member
) -> None:
    rates(settings, token="3/min")
    api = api_as(owner)

    answers = [api.get("/api/v1/me/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["RateLimit"].split(";t=")[0] for answer in answers[:3]] == [
        '"token";r=2',
        '"token";r=1',
        '"token";r=0',
    ]
    assert all(1 <= int(answer["RateLimit"].split(";t=")[1]) <= 60 for answer in answers)
    refused = answers[3]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit-Policy"] == '"token";q=3;w=60'
    assert refused["RateLimit"].startswith('"token";r=0;t=')


def test_another_token_of_the_same_member_has_its_own_token_budget(settings: Any, owner: Member) -> None:
    rates(settings, token="2/min")
    first, second = api_as(owner), api_as(owner)

    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/me/").status_code == 200


def test_a_members_tokens_share_the_member_budget_and_another_member_is_unaffected(
    settings: Any, owner: Member
) -> None:
    rates(settings, token="100/min", member="4/min")
    first, second = api_as(owner), api_as(owner)
    other = api_as(make_verified_member(first_name="Sam", last_name="Ortiz"))

    shared = [first.get("/api/v1/me/").status_code for _ in range(2)] + [
        second.get("/api/v1/me/").status_code for _ in range(3)
    ]
    refused = second.get("/api/v1/me/")

    assert shared == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["RateLimit-Policy"] == '"member";q=4;w=60'
    assert int(refused["Retry-After"]) >= 1
    assert other.get("/api/v1/me/").status_code == 200


def test_a_members_session_shares_the_member_budget_with_their_tokens(settings: Any, owner: Member) -> None:
    rates(settings, token="100/min", member="2/min")
    api = api_as(owner)
    api.get("/api/v1/me/")
    api.get("/api/v1/me/")
    api.client.force_login(owner)

    answer = api.client.get("/api/v1/me/")

    assert answer.status_code == 429


# Body size


def test_a_body_over_the_api_limit_is_refused_413_and_nothing_is_changed(
    settings: Any, owner: Member, gulf: Community
) -> None:
    settings.MUSTER_API_MAX_BODY_BYTES = 100
    joiner = make_verified_member(first_name="Sam", last_name="Ortiz")
    api = api_as(joiner)

    answer = api.post(f"/api/v1/communities/{gulf.slug}/join/", {"message": "x" * 200})

    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert not Membership.objects.filter(community=gulf, member=joiner).exists()


async def asgi_post(path: str, declared: int, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(declared).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(timeout=10)
    answer = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        answer += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return int(start["status"]), headers, answer


# The ASGI layer answers these before any data is read: the module's ``django_db`` is enough (a transactional
# test's flush would cost seconds each).
async def test_the_asgi_layer_refuses_an_api_body_over_the_api_limit_as_json_before_django_reads_it(
    settings: Any,
) -> None:
    settings.MUSTER_API_MAX_BODY_BYTES = 1000

    status, headers, answer = await asgi_post("/api/v1/communities/gulf/join/", 5000)

    assert status == 413
    assert headers["content-type"] == "application/json"
    error = json.loads(answer)["error"]
    assert error["code"] == "body_too_large"
    assert "Nothing was saved" in error["message"]


async def test_the_asgi_layer_lets_an_api_body_within_the_api_limit_reach_the_api(settings: Any) -> None:
    """Within the limit, the request reaches DRF: with no token it is refused there, in JSON (401)."""
    settings.MUSTER_API_MAX_BODY_BYTES = 1000

    status, _headers, answer = await asgi_post("/api/v1/communities/gulf/join/", 2, b"{}")

    assert status == 401
    assert json.loads(answer)["error"]["code"] == "not_authenticated"


async def test_the_asgi_layer_refuses_a_site_page_body_as_text_not_json() -> None:
    status, headers, answer = await asgi_post("/accounts/login/", 3 * 1024 * 1024)

    assert status == 413
    assert headers["content-type"].startswith("text/plain")
    assert b"body_too_large" not in answer


# Pages and cursors


def ids(answer: Any) -> list[int]:
    return [item["id"] for item in answer.json()["results"]]


def test_a_page_size_over_the_maximum_is_refused(settings: Any, owner: Member, threads: list[Thread]) -> None:
    settings.MUSTER_API_MAX_PAGE_SIZE = 5
    api = api_as(owner)

    over = api.get("/api/v1/content/discussions.thread/", {"page_size": 6})
    zero = api.get("/api/v1/content/discussions.thread/", {"page_size": 0})
    words = api.get("/api/v1/content/discussions.thread/", {"page_size": "many"})
    most = api.get("/api/v1/content/discussions.thread/", {"page_size": 5})

    for refused in (over, zero, words):
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_page_size"
    assert most.status_code == 200
    assert len(ids(most)) == 5


def test_following_next_gives_every_item_once_in_order(owner: Member, threads: list[Thread]) -> None:
    api = api_as(owner)
    seen: list[int] = []
    answer = api.get("/api/v1/content/discussions.thread/", {"page_size": 3})
    pages = 1
    assert answer.json()["previous"] is None
    while answer.json()["next"]:
        seen += ids(answer)
        answer = api.get(answer.json()["next"])
        assert answer.status_code == 200
        pages += 1
    seen += ids(answer)

    assert pages == 3
    assert seen == sorted((thread.pk for thread in threads), reverse=True)
    assert len(set(seen)) == len(seen)


def test_following_previous_goes_back_to_the_same_items(owner: Member, threads: list[Thread]) -> None:
    api = api_as(owner)
    first = api.get("/api/v1/content/discussions.thread/", {"page_size": 3})
    second = api.get(first.json()["next"])

    back = api.get(second.json()["previous"])

    assert ids(back) == ids(first)


def test_a_new_item_does_not_repeat_an_item_on_the_following_page(
    owner: Member, gulf: Community, threads: list[Thread]
) -> None:
    api = api_as(owner)
    first = api.get("/api/v1/content/discussions.thread/", {"page_size": 3, "order": "oldest"})
    board = gulf.boards.first()
    assert board is not None
    thread_start(
        author=owner, community=gulf, board=board, title="Late", body="…", marking=Marking.objects.get(slug="unmarked")
    )

    second = api.get(first.json()["next"])

    assert not set(ids(first)) & set(ids(second))
    assert ids(second) == [thread.pk for thread in threads[3:6]]


def test_a_cursor_from_another_query_is_refused(owner: Member, threads: list[Thread]) -> None:
    api = api_as(owner)
    first = api.get("/api/v1/content/discussions.thread/", {"page_size": 3})
    cursor = first.json()["next"].split("cursor=")[1].split("&")[0]

    other_filter = api.get(f"/api/v1/content/discussions.thread/?community=gulf&cursor={cursor}")
    other_type = api.get(f"/api/v1/content/wiki.wikipage/?cursor={cursor}")
    other_size = api.get(f"/api/v1/content/discussions.thread/?page_size=2&cursor={cursor}")

    for refused in (other_filter, other_type):
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "cursor_mismatch"
    assert other_size.status_code == 200  # the page size may change between pages


@pytest.mark.parametrize(
    "tamper",
    [
        lambda cursor: cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        lambda cursor: "x" + cursor,
        lambda cursor: "not-a-cursor",
        lambda cursor: "",
    ],
)
def test_a_tampered_cursor_is_refused(owner: Member, threads: list[Thread], tamper: Any) -> None:
    api = api_as(owner)
    first = api.get("/api/v1/content/discussions.thread/", {"page_size": 3})
    cursor = first.json()["next"].split("cursor=")[1].split("&")[0]

    answer = api.get("/api/v1/content/discussions.thread/", {"page_size": 3, "cursor": tamper(cursor)})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "cursor_invalid"


# Bodies and addresses


def test_an_unknown_field_in_a_body_is_refused_and_the_member_is_not_joined(owner: Member, gulf: Community) -> None:
    joiner = make_verified_member(first_name="Sam", last_name="Ortiz")

    answer = api_as(joiner).post(f"/api/v1/communities/{gulf.slug}/join/", {"mesage": "Please let me in"})

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "unknown_field"
    assert list(error["fields"]) == ["mesage"]
    assert not Membership.objects.filter(community=gulf, member=joiner).exists()


def test_an_unknown_filter_is_refused_as_an_unknown_field(owner: Member) -> None:
    answer = api_as(owner).get("/api/v1/content/discussions.thread/", {"comunity": "gulf"})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_field"


@pytest.mark.parametrize("label", ["discussions.nothing", "auth.user", "api.accesstoken", "verification.member"])
def test_an_unknown_content_type_is_not_found(owner: Member, label: str) -> None:
    api = api_as(owner)

    listed = api.get(f"/api/v1/content/{label}/")
    one = api.get(f"/api/v1/content/{label}/{owner.pk}/")

    for answer in (listed, one):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", ['{"message": ', "not json", '{"message": "a"}}', "\xff"])
def test_a_malformed_json_body_is_refused_and_nothing_is_changed(owner: Member, gulf: Community, body: str) -> None:
    joiner = make_verified_member(first_name="Sam", last_name="Ortiz")
    _token, secret = make_token(joiner)
    api = ApiClient(secret)

    answer = api.client.post(
        f"/api/v1/communities/{gulf.slug}/join/",
        body.encode("latin-1"),
        content_type="application/json",
        headers=api.headers,
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed_body"
    assert not Membership.objects.filter(community=gulf, member=joiner).exists()
