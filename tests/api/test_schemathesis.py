"""Schemathesis against a live server: every operation of the schema, called by two members, answers
without a server error, as the schema says, and never shows the second member an item of a private
community they are not in.

The first member is cleared for FOUO (with MFA) and belongs to the private community; the second is
cleared for nothing and belongs to no community. Each generated case is sent as both, once as generated
and once with addresses and filters pointing at real communities and items (a random slug or id only
ever finds nothing).

The world is built once for the module and each operation's examples run in a transaction rolled back at
the operation's end, so every operation starts from the same world (as when each built its own). The
calls go through Django's WSGI application in-process (schemathesis' WSGI transport): the same handler,
middleware and views a live server runs, sharing the test's transaction instead of needing a flush.
Callbacks deferred to the commit run after each call, as they would after the request's commit.
"""

import random
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from communities.models import Community
from communities.services import community_create, membership_set_role
from discussions.services import board_create, thread_start
from library.services import document_upload
from tests.api.conftest import ApiClient, make_token
from tests.conftest import FAST_PASSWORD_HASHERS
from tests.verification.factories import make_verified_member
from verification.models import Marking
from verification.registry import content_registry
from wiki.services import page_create

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
EXAMPLES = 6


class World:
    """What the test server holds: two callers' tokens, the communities, and which items are private."""

    def __init__(self) -> None:
        unmarked, fouo = Marking.objects.get(slug="unmarked"), Marking.objects.get(slug="fouo")
        owner = make_verified_member(first_name="Owen", last_name="Owner", markings=["fouo"])
        cleared = make_verified_member(first_name="Dana", last_name="Reyes", markings=["fouo"])
        plain = make_verified_member(first_name="Sam", last_name="Ortiz")
        assert hasattr(cleared, "totp_secret"), "the cleared member has MFA"
        self.open = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=unmarked)
        self.private = community_create(
            creator=owner,
            name="Galveston pilot",
            slug="pilot",
            marking=fouo,
            visibility=Community.Visibility.PRIVATE,
            join_policy=Community.JoinPolicy.INVITATION,
        )
        membership_set_role(community=self.private, member=cleared, role="member")
        for community in (self.open, self.private):
            board = board_create(community=community, actor=owner, name="General")
            markings = [unmarked, fouo] if community == self.open else [fouo]
            for marking in markings:
                label = f"{community.name} {marking.slug}"
                tags = ["shelters"]
                thread_start(
                    author=owner, community=community, board=board, title=f"{label} thread", body="Cots?",
                    marking=marking,
                )  # fmt: skip
                page_create(
                    author=owner, community=community, title=f"{label} page", body="Plan.", marking=marking, tags=tags
                )
                document_upload(
                    author=owner,
                    community=community,
                    title=f"{label} document",
                    file=SimpleUploadedFile("roster.csv", b"name,role\nDana,planner\n", content_type="text/csv"),
                    marking=marking,
                )
        self.private_items = {("community", self.private.pk)} | {
            (registration.label, pk)
            for registration in content_registry
            if registration.community
            for pk in registration.model._default_manager.filter(**{registration.community: self.private}).values_list(
                "pk", flat=True
            )
        }
        assert {label for label, _pk in self.private_items} >= {
            "discussions.thread",
            "wiki.wikipage",
            "library.document",
        }
        self.item_ids = sorted(
            {pk for _label, pk in self.private_items}
            | {
                pk
                for registration in content_registry
                if registration.community
                for pk in registration.model._default_manager.filter(**{registration.community: self.open}).values_list(
                    "pk", flat=True
                )
            }
        )
        self.slugs = [self.open.slug, self.private.slug]
        self.tokens = {
            "cleared": make_token(cleared)[1],
            "plain": make_token(plain)[1],
        }


def shown_items(data: Any) -> set[tuple[str, int]]:
    """Every (type, id) an answer shows: items carry their type; communities have a slug and a visibility."""
    found: set[tuple[str, int]] = set()
    if isinstance(data, list):
        for value in data:
            found |= shown_items(value)
    elif isinstance(data, dict):
        if isinstance(data.get("id"), int):
            if isinstance(data.get("type"), str) and "." in data["type"]:
                found.add((data["type"], data["id"]))
            elif "slug" in data:
                found.add(("community", data["id"]))
        for value in data.values():
            found |= shown_items(value)
    return found


def no_private_items(world: World) -> Any:
    """A check for the second member's answers: nothing of the private community, in any shape."""

    def check(ctx: Any, response: Any, case: Any) -> bool:
        try:
            data = response.json()
        except ValueError:
            return True
        leaked = shown_items(data) & world.private_items
        if leaked:
            raise AssertionError(f"{case.method} {case.formatted_path} showed private items {sorted(leaked)}")
        return True

    no_private_items_check = check
    no_private_items_check.__name__ = "no_private_items"
    return no_private_items_check


@pytest.fixture(scope="module")
def module_world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[tuple[World, Any]]:
    """The world, built once for the module in a transaction rolled back at its end."""
    media = tmp_path_factory.mktemp("media")
    quick = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), quick, transaction.atomic():
        yield World(), media
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world: tuple[World, Any], db: None, settings: Any) -> World:
    """The module's world, each test's changes to it rolled back (``db``); its documents' files where they are."""
    built, media = module_world
    settings.MEDIA_ROOT = media
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/min", "member": "100000/min"},
    }
    return built


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, keeping the test's connection (and transaction) open across requests,
    as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def pointed(case: Any, world: World) -> Any:
    """The same case, its addresses and community filter on real communities and items."""
    variant = case.operation.Case(
        method=case.method,
        path_parameters=dict(case.path_parameters or {}),
        query=dict(case.query or {}),
        body=case.body,
        media_type=case.media_type,
    )
    if "slug" in variant.path_parameters:
        variant.path_parameters["slug"] = random.choice(world.slugs)  # noqa: S311 - hypothesis seeds it
    if "id" in variant.path_parameters:
        variant.path_parameters["id"] = random.choice(world.item_ids)  # noqa: S311
    if "community" in variant.query or case.operation.path.endswith("{type}/"):
        variant.query = {key: value for key, value in variant.query.items() if key not in {"cursor", "page_size"}}
        variant.query["community"] = random.choice(world.slugs)  # noqa: S311
    return variant


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema_and_to_the_access_rule(case: Any, world: World, app: WSGIHandler) -> None:
    leak_check = no_private_items(world)
    for variant in (case, pointed(case, world)):
        for caller, secret in world.tokens.items():
            headers = {"Authorization": f"Bearer {secret}"}
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = variant.call(app=app, headers=headers)
            checks = [not_a_server_error, response_schema_conformance]
            if caller == "plain":
                checks.append(leak_check)
            variant.validate_response(response, checks=checks, headers=headers)


def test_the_leak_check_finds_a_private_item_in_an_answer() -> None:
    """The custom check itself: it finds items in a page, in one item, and a community in a list."""
    page = {"next": None, "previous": None, "results": [{"id": 4, "type": "wiki.wikipage", "title": "x"}]}
    communities = [{"id": 9, "slug": "pilot", "name": "Galveston pilot", "marking": {"slug": "fouo"}}]

    assert shown_items(page) == {("wiki.wikipage", 4)}
    assert shown_items({"id": 7, "type": "discussions.thread", "community": {"id": 9, "slug": "p"}}) == {
        ("discussions.thread", 7),
        ("community", 9),
    }
    assert shown_items(communities) == {("community", 9)}
    assert shown_items({"error": {"code": "not_found"}}) == set()


def test_the_first_member_sees_the_private_items_the_second_may_not(world: World) -> None:
    """The premise of the leak check: the private community's items are there to be leaked, and the first
    member's answers show them."""
    cleared = ApiClient(world.tokens["cleared"])
    plain = ApiClient(world.tokens["plain"])

    def listed(api: ApiClient, label: str) -> set[tuple[str, int]]:
        answer = api.get(f"/api/v1/content/{label}/", {"page_size": 100})
        assert answer.status_code == 200
        return shown_items(answer.json())

    for label in ("discussions.thread", "wiki.wikipage", "library.document"):
        assert listed(cleared, label) & world.private_items
        assert not listed(plain, label) & world.private_items
        assert listed(plain, label), f"the second member sees no {label} at all"
