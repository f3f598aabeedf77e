"""Subscriptions through the API: following a community, a thread, a wiki page or a tag through the Follow
control's service, listing them as the subscriptions page does, changing how often they tell; something the
member may not see is 404 and nothing is written; someone else's subscription is 404; constant queries."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from communities.models import Community
from communities.services import community_create
from discussions import services
from discussions.models import Board, Thread
from notices import follow
from notices.models import Delivery, Level, Subscription
from tests.api.conftest import api_as
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import make_verified_member
from verification.models import Member
from wiki.services import page_create

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
    return joined(community, "Dana", "Reyes")


@pytest.fixture
def private(owner: Member) -> Community:
    return community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def subscription_to(member: Member, target: Any) -> Subscription | None:
    return Subscription.objects.filter(
        member=member, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).first()


@pytest.mark.parametrize("kind", ["community", "thread", "wiki page", "tag"])
def test_a_member_follows_something_they_see_and_the_subscriptions_list_shows_it(
    kind: str, member: Member, owner: Member, community: Community, board: Board
) -> None:
    thread = start(owner, board, tags=["generators"])
    targets: dict[str, Any] = {
        "community": community,
        "thread": thread,
        "wiki page": page_create(author=owner, community=community, title="Shelters", body="List", marking=marking()),
        "tag": Tag.objects.get(name="generators"),
    }
    target = targets[kind]
    Subscription.objects.filter(member=member).delete()  # joining followed the community: start from none

    response = api_as(member).post(
        "/api/v1/subscriptions/",
        {"target_type": target._meta.label_lower, "target_id": target.pk, "frequency": "daily"},
    )

    assert response.status_code == 201, response.content
    subscription = subscription_to(member, target)
    assert subscription is not None
    assert subscription.delivery == Delivery.DAILY
    expected_level = Level.WATCHING if kind in ("thread", "wiki page") else Level.NEW_ITEMS
    assert subscription.level == expected_level
    listed = api_as(member, scopes=["read"]).get("/api/v1/subscriptions/").json()["results"]
    assert [(row["id"], row["target"]["kind"], row["frequency"]) for row in listed] == [
        (subscription.pk, kind, "daily")
    ]


def test_something_out_of_sight_is_404_and_nothing_is_followed(
    member: Member, owner: Member, private: Community, board: Board
) -> None:
    hidden = start(owner, services.board_create(community=private, actor=owner, name="Ops"))
    marked = start(owner, board, title="FOUO plan", marking=marking("fouo"))
    before = Subscription.objects.filter(member=member).count()

    answers = [
        api_as(member).post("/api/v1/subscriptions/", {"target_type": target._meta.label_lower, "target_id": target.pk})
        for target in (hidden, marked, private)
    ]
    capped = api_as(owner, ceiling="unmarked").post(
        "/api/v1/subscriptions/", {"target_type": "discussions.thread", "target_id": marked.pk}
    )

    assert [(r.status_code, error_code(r)) for r in [*answers, capped]] == [(404, "not_found")] * 4
    assert Subscription.objects.filter(member=member).count() == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"target_type": "verification.member_secrets", "target_id": 1}, "invalid"),
        ({"target_type": "communities.community", "target_id": 1, "frequency": "hourly"}, "invalid"),
        ({"target_type": "communities.community", "target_id": 1, "colour": "red"}, "unknown_field"),
        ({"target_type": "communities.community"}, "invalid"),
    ],
)
def test_bad_input_to_follow_is_400_and_nothing_is_followed(
    member: Member, community: Community, fields: dict[str, Any], code: str
) -> None:
    Subscription.objects.filter(member=member).delete()

    response = api_as(member).post("/api/v1/subscriptions/", fields)

    assert response.status_code == 400
    assert error_code(response) == code
    assert not Subscription.objects.filter(member=member).exists()


def test_a_token_without_write_follows_nothing(member: Member, community: Community) -> None:
    Subscription.objects.filter(member=member).delete()

    response = api_as(member, scopes=["read"]).post(
        "/api/v1/subscriptions/", {"target_type": "communities.community", "target_id": community.pk}
    )

    assert (response.status_code, error_code(response)) == (403, "scope_missing")
    assert not Subscription.objects.filter(member=member).exists()


def test_changing_the_frequency_to_off_keeps_it_on_the_site_only(member: Member, community: Community) -> None:
    subscription = follow.follow(member=member, target=community, level=Level.NEW_ITEMS, delivery=Delivery.WEEKLY)

    response = api_as(member).patch(f"/api/v1/subscriptions/{subscription.pk}/", {"frequency": "off"})

    assert response.status_code == 200, response.content
    assert (response.json()["frequency"], response.json()["level"]) == ("off", "new_items")
    subscription.refresh_from_db()
    assert (subscription.delivery, subscription.level) == (Delivery.SITE, Level.NEW_ITEMS)


def test_someone_elses_subscription_or_one_out_of_sight_is_404_and_unchanged(
    member: Member, owner: Member, community: Community, board: Board
) -> None:
    theirs = follow.follow(member=owner, target=community, level=Level.NEW_ITEMS, delivery=Delivery.WEEKLY)
    marked = start(owner, board, title="FOUO plan", marking=marking("fouo"))
    watched = subscription_to(owner, marked)
    assert watched is not None
    delivery = watched.delivery

    not_mine = api_as(member).patch(f"/api/v1/subscriptions/{theirs.pk}/", {"frequency": "immediate"})
    capped = api_as(owner, ceiling="unmarked").patch(f"/api/v1/subscriptions/{watched.pk}/", {"frequency": "daily"})
    listed = api_as(owner, ceiling="unmarked").get("/api/v1/subscriptions/").json()["results"]

    assert [(r.status_code, error_code(r)) for r in (not_mine, capped)] == [(404, "not_found")] * 2
    assert watched.pk not in [row["id"] for row in listed]
    theirs.refresh_from_db()
    watched.refresh_from_db()
    assert (theirs.delivery, watched.delivery) == (Delivery.WEEKLY, delivery)


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [({}, 400, "invalid"), ({"frequency": "hourly"}, 400, "invalid"), ({"muted": True}, 400, "unknown_field")],
)
def test_bad_input_or_a_missing_scope_changes_no_subscription(
    member: Member, community: Community, fields: dict[str, Any], status: int, code: str
) -> None:
    subscription = follow.follow(member=member, target=community, level=Level.NEW_ITEMS, delivery=Delivery.WEEKLY)

    response = api_as(member).patch(f"/api/v1/subscriptions/{subscription.pk}/", fields)
    no_scope = api_as(member, scopes=["read"]).patch(f"/api/v1/subscriptions/{subscription.pk}/", {"frequency": "off"})

    assert (response.status_code, error_code(response)) == (status, code)
    assert (no_scope.status_code, error_code(no_scope)) == (403, "scope_missing")
    subscription.refresh_from_db()
    assert subscription.delivery == Delivery.WEEKLY


def test_the_list_reads_in_the_same_number_of_queries_for_2_and_6_subscriptions(
    member: Member, owner: Member, board: Board
) -> None:
    Subscription.objects.filter(member=member).delete()
    client = api_as(member, scopes=["read"])
    client.get("/api/v1/subscriptions/")  # the token's first use notes its time: not counted

    def count_with(total: int) -> int:
        while Subscription.objects.filter(member=member).count() < total:
            thread = start(owner, board, title=f"Thread {Thread.objects.count()}")
            follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.DAILY)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/subscriptions/")
        assert len(response.json()["results"]) == total
        return len(queries)

    assert count_with(2) == count_with(6)


def test_a_followed_wiki_page_shows_under_its_title(member: Member, owner: Member, community: Community) -> None:
    page = page_create(author=owner, community=community, title="Shelters", body="List", marking=marking())
    follow.follow(member=member, target=page, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)

    rows = api_as(member).get("/api/v1/subscriptions/").json()["results"]

    row = next(row for row in rows if row["target"]["type"] == "wiki.wikipage")
    assert (row["target"]["id"], row["target"]["title"], row["frequency"]) == (page.pk, "Shelters", "immediate")
