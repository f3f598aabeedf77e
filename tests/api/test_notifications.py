"""Notifications through the API: the list the notification page shows (only what the member, within the
token's ceiling, may see), marking one or all read; someone else's notification is 404; a token without
``write`` marks nothing; constant queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from communities.services import community_create
from discussions import services
from discussions.models import Board, Thread
from notices.models import Notification
from tests.api.conftest import api_as
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return services.board_create(community=community, actor=owner, name="General")


@pytest.fixture
def member(community: Community) -> Member:
    return joined(community, "Dana", "Reyes", markings=["fouo"])


def replies(thread: Thread, author: Member, count: int) -> None:
    for number in range(count):
        services.post_reply(author=author, thread=thread, body=f"Reply {number}")


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_the_list_shows_the_members_notifications_newest_first_as_the_page_words_them(
    owner: Member, member: Member, board: Board
) -> None:
    thread = start(owner, board)
    replies(thread, member, 2)
    newest = Notification.objects.filter(recipient=owner).order_by("-created_at", "-pk").first()
    assert newest is not None
    client = api_as(owner, scopes=["read"])

    first = client.get("/api/v1/notifications/", {"page_size": 1}).json()
    second = client.client.get(first["next"], headers=client.headers).json()

    assert [row["id"] for row in first["results"]] == [newest.pk]
    row = first["results"][0]
    assert (row["kind"], row["read"], row["actor"]["id"]) == ("reply", False, member.pk)
    assert row["text"] == "Dana Reyes replied to “Shelter capacity”"
    assert row["url"].startswith("http://testserver/communities/gulf/")
    assert len(second["results"]) == 1
    assert second["results"][0]["id"] != newest.pk
    assert api_as(member).get("/api/v1/notifications/").json()["results"] == []


def test_a_fouo_notification_is_hidden_from_a_token_capped_at_unmarked_and_cannot_be_marked_through_it(
    owner: Member, member: Member, board: Board
) -> None:
    thread = start(owner, board, marking=marking("fouo"))
    replies(thread, member, 1)
    notification = Notification.objects.get(recipient=owner)
    capped = api_as(owner, ceiling="unmarked")

    listed = capped.get("/api/v1/notifications/").json()["results"]
    marked = capped.post(f"/api/v1/notifications/{notification.pk}/read/")
    shown = api_as(owner).get("/api/v1/notifications/").json()["results"]

    assert listed == []
    assert (marked.status_code, error_code(marked)) == (404, "not_found")
    assert [row["id"] for row in shown] == [notification.pk]
    assert shown[0]["marking"]["slug"] == "fouo"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_one_read_changes_what_the_list_shows_and_someone_elses_is_404(
    owner: Member, member: Member, board: Board
) -> None:
    thread = start(owner, board)
    replies(thread, member, 2)
    first, second = Notification.objects.filter(recipient=owner).order_by("pk")

    done = api_as(owner).post(f"/api/v1/notifications/{first.pk}/read/")
    not_theirs = api_as(member).post(f"/api/v1/notifications/{second.pk}/read/")
    no_scope = api_as(owner, scopes=["read"]).post(f"/api/v1/notifications/{second.pk}/read/")

    assert done.status_code == 204
    assert (not_theirs.status_code, error_code(not_theirs)) == (404, "not_found")
    assert (no_scope.status_code, error_code(no_scope)) == (403, "scope_missing")
    rows = api_as(owner).get("/api/v1/notifications/").json()["results"]
    assert {row["id"]: row["read"] for row in rows} == {first.pk: True, second.pk: False}


def test_marking_all_read_reads_every_one_and_a_token_without_write_reads_none(
    owner: Member, member: Member, board: Board
) -> None:
    thread = start(owner, board)
    replies(thread, member, 3)

    refused = api_as(owner, scopes=["read"]).post("/api/v1/notifications/read-all/")
    assert (refused.status_code, error_code(refused)) == (403, "scope_missing")
    assert Notification.objects.filter(recipient=owner, read_at=None).count() == 3

    done = api_as(owner).post("/api/v1/notifications/read-all/")

    assert (done.status_code, done.json()) == (200, {"marked": 3})
    assert not Notification.objects.filter(recipient=owner, read_at=None).exists()


def test_the_list_reads_in_the_same_number_of_queries_for_2_and_6_notifications(
    owner: Member, member: Member, board: Board
) -> None:
    thread = start(owner, board)
    client = api_as(owner, scopes=["read"])
    client.get("/api/v1/notifications/")  # the token's first use notes its time: not counted

    def count_with(total: int) -> int:
        replies(thread, member, total - Notification.objects.filter(recipient=owner).count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/notifications/")
        assert len(response.json()["results"]) == total
        return len(queries)

    assert count_with(2) == count_with(6)
