"""Every community list page pages by 25 and runs the same number of SQL queries at 1 row and at 50 rows."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import services
from communities.models import Community, Role
from tests.feed import document_posted
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def unmarked() -> Marking:
    return Marking.objects.get(slug="unmarked")


def make_community(owner: Member, slug: str, **fields: Any) -> Community:
    return services.community_create(
        creator=owner, name=slug.title(), slug=slug, marking=unmarked(), tags=["hurricanes", slug], **fields
    )


def queries_for(client: Client, url: str, **query: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, url: str, add_rows: Callable[[int], None], **query: Any) -> tuple[int, int]:
    """The page's query count with one row, then again after adding 49 more.

    A first request warms the process-wide caches (content types), as any running server has.
    """
    queries_for(client, url, **query)
    one = queries_for(client, url, **query)
    add_rows(49)
    return one, queries_for(client, url, **query)


def test_the_directory_runs_the_same_queries_for_one_and_fifty_communities(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()

    def add(count: int) -> None:
        """Communities of every join policy, where the member is in, has asked, or is invited."""
        for i in range(count):
            join_policy = list(Community.JoinPolicy)[i % 3]
            community = make_community(owner, f"more-{i}", join_policy=join_policy)
            if join_policy == Community.JoinPolicy.OPEN and i % 2:
                services.membership_join(community=community, member=member)
            elif join_policy == Community.JoinPolicy.REQUEST:
                services.join_request_create(community=community, member=member)
            elif join_policy == Community.JoinPolicy.INVITATION and i % 2:
                services.invitation_create(community=community, inviter=owner, email=member.email)

    make_community(owner, "first")
    client.force_login(member)

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:directory"), add)

    assert one == fifty
    assert queries_for(client, reverse("communities:directory"), mine="on", tag="hurricanes", q="o") == fifty


def test_the_community_feed_runs_the_same_queries_for_one_and_fifty_events(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "gulf")

    def add(count: int) -> None:
        for i in range(count):
            event = document_posted(community, owner, f"Item {i}")
            if i % 10 == 0:
                services.activity_pin(event=event, moderator=owner, pinned=True)

    add(1)  # one event about an item (a pinned one): the feed reads its title through the registry
    client.force_login(owner)

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:detail", kwargs={"slug": "gulf"}), add)

    assert one == fifty


def test_the_member_list_and_bans_run_the_same_queries_for_one_and_fifty_members(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "gulf")
    banned = make_verified_member()
    services.membership_set_role(community=community, member=banned, role=Role.MEMBER)
    services.membership_remove(community=community, actor=owner, member=banned, ban_reason="Spam")

    def add(count: int) -> None:
        for i in range(count):
            member = make_verified_member()
            services.membership_set_role(community=community, member=member, role=[Role.MEMBER, Role.MODERATOR][i % 2])
            if i % 7 == 0:
                services.membership_remove(community=community, actor=owner, member=member, ban_reason="Spam")

    client.force_login(owner)

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:members", kwargs={"slug": "gulf"}), add)

    assert one == fifty


def test_the_request_queue_runs_the_same_queries_for_one_and_fifty_requests(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "gulf", join_policy=Community.JoinPolicy.REQUEST)
    services.join_request_create(community=community, member=make_verified_member())

    def add(count: int) -> None:
        for _ in range(count):
            services.join_request_create(community=community, member=make_verified_member(), message="Please")

    client.force_login(owner)

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:requests", kwargs={"slug": "gulf"}), add)

    assert one == fifty


def test_my_invitations_run_the_same_queries_for_one_and_fifty_invitations(client: Client) -> None:
    owner = make_verified_member()
    invited = make_verified_member()
    first = make_community(owner, "first")
    services.invitation_create(community=first, inviter=owner, email=invited.email)

    def add(count: int) -> None:
        for i in range(count):
            community = make_community(owner, f"more-{i}")
            services.invitation_create(community=community, inviter=owner, email=invited.email, message="Join")

    client.force_login(invited)

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:invitations"), add)

    assert one == fifty


def test_the_pending_list_runs_the_same_queries_for_one_and_fifty_communities(client: Client, settings: Any) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    make_community(creator, "first")

    def add(count: int) -> None:
        for i in range(count):
            make_community(creator, f"more-{i}")

    client.force_login(make_verified_member(is_staff=True, mfa=True))

    one, fifty = counts_at_one_and_fifty(client, reverse("communities:pending"), add)

    assert one == fifty
