"""The member's start page (`/`): what is new since their last visit, unread conversations and mentions,
their communities as links, and communities to join for a member in none; nothing they may not see."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import ActivityEvent, Community, JoinRequest, Membership, Role
from communities.services import community_create, membership_join, membership_set_role
from discussions import services as discussions
from home.visits import start_page_seen
from messaging.services import direct_conversation_open, message_send
from tests.feed import document_posted
from tests.verification.factories import ProfileFactory, make_verified_member
from verification import services as vetting
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db

NEW_BADGE = 'class="badge badge-new">New<span'  # an item's, not a community card's count
WHATS_NEW = "What\N{RIGHT SINGLE QUOTATION MARK}s new"


def community(
    owner: Member, name: str, *, marking: str = "unmarked", tags: tuple[str, ...] = (), **fields: Any
) -> Community:
    slug = name.lower().replace(" ", "-")
    return community_create(
        creator=owner, name=name, slug=slug, marking=Marking.objects.get(slug=marking), tags=list(tags), **fields
    )


def page_for(member: Member) -> str:
    client = Client()
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def aged(event: ActivityEvent, age: timedelta) -> None:
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)


# --- What is new ------------------------------------------------------------------------------------------


def test_whats_new_shows_items_from_the_members_communities_newest_first_and_marks_those_since_the_last_visit() -> None:
    author = make_verified_member()
    member = make_verified_member()
    gulf, ems, elsewhere = (community(author, name) for name in ("Gulf Response", "EMS Practice", "Elsewhere"))
    membership_join(community=gulf, member=member)
    membership_join(community=ems, member=member)
    ActivityEvent.objects.update(created_at=timezone.now() - timedelta(days=2))  # the communities were created
    aged(document_posted(gulf, author, "Old shelter list"), timedelta(hours=5))
    aged(document_posted(ems, author, "Triage cards"), timedelta(hours=1))
    document_posted(gulf, author, "Evacuation map")
    document_posted(elsewhere, author, "Not for this member")
    # The member's last visit ended three hours ago.
    start_page_seen(member.pk, now=timezone.now() - timedelta(hours=3))

    body = page_for(member)

    assert "Not for this member" not in body
    assert body.index("Evacuation map") < body.index("Triage cards") < body.index("Old shelter list")
    since = body.index("Since your last visit")
    earlier = body.index('id="earlier-heading"')
    assert since < body.index("Evacuation map") < body.index("Triage cards") < earlier < body.index("Old shelter list")
    assert body.count('class="badge badge-new">New<span class="visually-hidden"> since your last visit') == 2
    # Each item links to the item and names its community with a link.
    assert reverse("communities:detail", args=[ems.slug]) in body


def test_reloading_the_start_page_keeps_the_same_items_new_within_one_visit() -> None:
    author = make_verified_member()
    member = make_verified_member()
    gulf = community(author, "Gulf Response")
    membership_join(community=gulf, member=member)
    ActivityEvent.objects.update(created_at=timezone.now() - timedelta(days=2))
    document_posted(gulf, author, "Evacuation map")
    start_page_seen(member.pk, now=timezone.now() - timedelta(hours=3))

    page_for(member)
    again = page_for(member)

    assert "Since your last visit" in again
    assert again.count(NEW_BADGE) == 1


def test_on_the_first_visit_the_last_week_is_new() -> None:
    author = make_verified_member()
    member = make_verified_member()
    gulf = community(author, "Gulf Response")
    membership_join(community=gulf, member=member)
    aged(document_posted(gulf, author, "Last month's plan"), timedelta(days=30))
    ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CREATED_COMMUNITY).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    document_posted(gulf, author, "Evacuation map")

    body = page_for(member)

    assert "New this week" in body
    assert "Since your last visit" not in body
    assert body.count(NEW_BADGE) == 1
    assert body.index("New this week") < body.index("Evacuation map") < body.index("Earlier") < body.index("Last month")


def test_whats_new_filters_by_community_and_by_kind_of_item(client: Client) -> None:
    author = make_verified_member()
    discussions_member = make_verified_member()
    gulf, ems = community(author, "Gulf Response"), community(author, "EMS Practice")
    for place in (gulf, ems):
        membership_join(community=place, member=discussions_member)
    document_posted(gulf, author, "Evacuation map")
    document_posted(ems, author, "Triage cards")
    board = discussions.board_create(community=gulf, actor=author, name="General")
    discussions.thread_start(
        author=author, community=gulf, board=board, title="Shelter cots", body="How many?", marking=gulf.marking
    )
    client.force_login(discussions_member)

    by_community = client.get("/", {"community": ems.slug}).content.decode()
    by_kind = client.get("/", {"type": "library.document"}).content.decode()

    assert "Triage cards" in by_community
    assert "Evacuation map" not in by_community
    assert "Shelter cots" not in by_community
    assert "Evacuation map" in by_kind
    assert "Triage cards" in by_kind
    assert "Shelter cots" not in by_kind


def test_a_fouo_item_is_hidden_from_a_member_without_fouo_and_shown_to_a_cleared_one() -> None:
    author = make_verified_member(markings=["fouo"])
    uncleared = make_verified_member()
    cleared = make_verified_member(markings=["fouo"])
    gulf = community(author, "Gulf Response")
    for member in (uncleared, cleared):
        membership_join(community=gulf, member=member)
    document_posted(gulf, author, "Shelter roster", marking="fouo")
    document_posted(gulf, author, "Public map")

    hidden = page_for(uncleared)
    shown = page_for(cleared)

    assert "Public map" in hidden
    assert "Shelter roster" not in hidden
    assert "FOUO" not in hidden
    assert "Shelter roster" in shown
    assert "marking-fouo" in shown  # the item's tag and the page's banner


def test_private_community_content_and_suggestion_are_hidden_from_a_non_member_and_shown_to_a_member() -> None:
    owner = make_verified_member()
    insider = make_verified_member()
    outsider_with_a_community = make_verified_member()
    newcomer = make_verified_member()
    ProfileFactory.create(member=newcomer, discipline="ems", jurisdiction_local="Galveston County")
    private = community(
        owner,
        "Galveston EMS Pilot",
        tags=("ems",),
        visibility=Community.Visibility.PRIVATE,
    )
    membership_set_role(community=private, member=insider, role=Role.MEMBER)
    open_one = community(owner, "Gulf Response")
    membership_join(community=open_one, member=outsider_with_a_community)
    document_posted(private, owner, "Pilot staffing plan")
    document_posted(open_one, owner, "Evacuation map")

    insider_page = page_for(insider)
    outsider_page = page_for(outsider_with_a_community)
    newcomer_page = page_for(newcomer)

    assert "Pilot staffing plan" in insider_page
    assert "Galveston EMS Pilot" in insider_page
    assert "Evacuation map" in outsider_page
    for page in (outsider_page, newcomer_page):
        assert "Pilot staffing plan" not in page
        assert "Galveston EMS Pilot" not in page
        assert private.slug not in page
    assert "Gulf Response" in newcomer_page  # suggested instead


# --- Suggestions --------------------------------------------------------------------------------------------


def test_suggestions_are_ranked_by_the_members_discipline_and_jurisdiction() -> None:
    owner = make_verified_member(markings=["fouo"])
    member = make_verified_member()
    ProfileFactory.create(
        member=member, discipline="ems", jurisdiction_state="Texas", jurisdiction_local="Galveston County"
    )
    community(owner, "Quilting Circle", description="Patterns and fabric.")
    community(owner, "Texas Logistics", description="Moving supplies across Texas.")
    community(owner, "Triage Practice", tags=("ems",), description="Mass-casualty triage.")
    community(owner, "Galveston Medics", tags=("EMS",), description="Galveston County ambulance crews.")
    community(owner, "FOUO Galveston EMS", tags=("ems",), marking="fouo")
    community(owner, "Invited Galveston EMS", tags=("ems",), join_policy=Community.JoinPolicy.INVITATION)

    body = page_for(member)

    order = [body.index(name) for name in ("Galveston Medics", "Triage Practice", "Texas Logistics", "Quilting Circle")]
    assert order == sorted(order)
    assert "FOUO Galveston EMS" not in body
    assert "Invited Galveston EMS" not in body
    assert reverse("communities:directory") in body


def test_a_new_member_joins_a_suggested_open_community_and_asks_to_join_a_restricted_one(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    ProfileFactory.create(member=member, discipline="ems")
    open_one = community(owner, "EMS Practice", tags=("ems",))
    restricted = community(
        owner,
        "Port Partnership",
        visibility=Community.Visibility.RESTRICTED,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    client.force_login(member)

    body = client.get("/").content.decode()
    join_url = reverse("communities:join", args=[open_one.slug])
    ask_url = reverse("communities:request", args=[restricted.slug])
    assert f'action="{join_url}"' in body
    assert f'action="{ask_url}"' in body
    assert "Ask to join<span" in body

    joined = client.post(join_url, follow=True)
    asked = client.post(ask_url, {"message": ""})

    assert joined.status_code == 200
    assert Membership.objects.filter(community=open_one, member=member).exists()
    assert JoinRequest.objects.filter(community=restricted, member=member, status=JoinRequest.Status.PENDING).exists()
    after = client.get("/").content.decode()
    assert asked.status_code == 302
    assert "Communities for you" not in after
    card_link = reverse("communities:detail", args=[open_one.slug])
    assert f'<a class="card-link" href="{card_link}">EMS Practice</a>' in after


def test_a_members_communities_are_cards_with_one_link_each() -> None:
    owner = make_verified_member()
    member = make_verified_member()
    gulf = community(owner, "Gulf Response")
    membership_join(community=gulf, member=member)

    body = page_for(member)

    assert body.count(f'class="card-link" href="{reverse("communities:detail", args=[gulf.slug])}"') == 1
    assert "You have not joined a community yet" not in body


def test_a_community_cards_new_count_leaves_out_what_the_member_may_not_see() -> None:
    author = make_verified_member(markings=["fouo"])
    uncleared = make_verified_member()
    cleared = make_verified_member(markings=["fouo"])
    gulf = community(author, "Gulf Response")
    for member in (uncleared, cleared):
        membership_join(community=gulf, member=member)
    ActivityEvent.objects.update(created_at=timezone.now() - timedelta(days=30))
    document_posted(gulf, author, "Shelter roster", marking="fouo")
    document_posted(gulf, author, "Public map")
    document_posted(gulf, author, "Staging areas", marking="fouo")

    assert '<span class="badge badge-new" data-new-count>1 new</span>' in page_for(uncleared)
    assert '<span class="badge badge-new" data-new-count>3 new</span>' in page_for(cleared)


# --- Conversations and mentions ----------------------------------------------------------------------------


def test_unread_conversations_and_mentions_appear_with_links() -> None:
    owner = make_verified_member()
    member = make_verified_member(first_name="Dana", last_name="Reyes")
    other = make_verified_member(first_name="Marcus", last_name="Bell")
    vetting.member_handle_ensure(member=member)
    member.refresh_from_db()
    gulf = community(owner, "Gulf Response")
    membership_join(community=gulf, member=member)
    membership_join(community=gulf, member=other)
    conversation = direct_conversation_open(member=other, other=member)
    message_send(conversation=conversation, author=other, body="Are the cots there?")
    message_send(conversation=conversation, author=other, body="Call me.")
    board = discussions.board_create(community=gulf, actor=owner, name="General")
    thread = discussions.thread_start(
        author=owner, community=gulf, board=board, title="Shelter cots", body="How many?", marking=gulf.marking
    )
    reply = discussions.post_reply(author=other, thread=thread, body=f"@{member.handle} can you check?")

    body = page_for(member)

    assert f'href="{reverse("messaging:conversation", args=[conversation.pk])}">Marcus Bell</a>' in body
    assert '2<span class="visually-hidden"> unread</span>' in body
    assert "Marcus Bell mentioned you in “Shelter cots”" in body
    assert discussions.post_url(reply) in body


def test_a_mention_in_a_private_community_the_member_left_is_not_shown() -> None:
    owner = make_verified_member()
    member = make_verified_member()
    vetting.member_handle_ensure(member=member)
    member.refresh_from_db()
    private = community(owner, "Quiet Room", visibility=Community.Visibility.PRIVATE)
    membership_set_role(community=private, member=member, role=Role.MEMBER)
    board = discussions.board_create(community=private, actor=owner, name="General")
    thread = discussions.thread_start(
        author=owner, community=private, board=board, title="Secret plan", body="Hi", marking=private.marking
    )
    discussions.post_reply(author=owner, thread=thread, body=f"@{member.handle} look")
    assert "Secret plan" in page_for(member)

    Membership.objects.filter(community=private, member=member).delete()
    private.member_group.user_set.remove(member)
    from verification.policy import forget_member_access

    forget_member_access(member)
    body = page_for(Member.objects.get(pk=member.pk))

    assert "Secret plan" not in body
    assert "No unread mentions." in body


# --- The landing page and the cost of the page -----------------------------------------------------------------


def test_the_landing_page_is_the_start_page_for_a_member_and_the_public_page_for_a_visitor(client: Client) -> None:
    member = make_verified_member()

    visitor_page = client.get("/")
    client.force_login(member)
    member_page = client.get("/")

    assert visitor_page.status_code == 200
    assert WHATS_NEW not in visitor_page.content.decode()
    assert WHATS_NEW in member_page.content.decode()
    assert "Communities for you" in member_page.content.decode()


def busy_member(size: int) -> Member:
    """A member with ``size`` communities, feed items of two kinds, conversations and mentions."""
    owner = make_verified_member()
    member = make_verified_member()
    vetting.member_handle_ensure(member=member)
    member.refresh_from_db()
    for i in range(size):
        place = community(owner, f"Place {size} {i}", tags=(f"tag{i}", "shared"), marking="unmarked")
        membership_join(community=place, member=member)
        document_posted(place, owner, f"Document {i}")
        board = discussions.board_create(community=place, actor=owner, name="General")
        thread = discussions.thread_start(
            author=owner, community=place, board=board, title=f"Thread {i}", body="Hi", marking=place.marking
        )
        discussions.post_reply(author=owner, thread=thread, body=f"@{member.handle} see this")
        talker = make_verified_member()
        conversation = direct_conversation_open(member=talker, other=member)
        message_send(conversation=conversation, author=talker, body="Hello")
    start_page_seen(member.pk, now=timezone.now() - timedelta(hours=1))
    return member


def test_the_start_page_runs_the_same_number_of_queries_for_one_and_for_many_rows(django_assert_num_queries) -> None:
    def queries_for(member: Member) -> int:
        client = Client()
        client.force_login(member)
        client.get("/")  # warm the content-type cache
        with CaptureQueriesContext(connection) as context:
            assert client.get("/").status_code == 200
        return len(context)

    few = queries_for(busy_member(1))
    many = busy_member(6)
    client = Client()
    client.force_login(many)
    client.get("/")
    with django_assert_num_queries(few):
        body = client.get("/").content.decode()
    assert body.count(NEW_BADGE) >= 12
    assert "Thread 5" in body
    assert "Document 5" in body


def test_a_new_member_with_no_communities_costs_a_fixed_number_of_queries_however_many_suggestions(
    django_assert_num_queries,
) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    ProfileFactory.create(member=member, discipline="ems")
    community(owner, "EMS One", tags=("ems",))
    client = Client()
    client.force_login(member)
    client.get("/")
    with CaptureQueriesContext(connection) as context:
        client.get("/")
    for i in range(5):
        community(owner, f"EMS More {i}", tags=("ems", f"t{i}"))

    with django_assert_num_queries(len(context)):
        body = client.get("/").content.decode()
    assert body.count("data-community=") == 6


def test_a_member_not_yet_verified_is_sent_on_from_the_landing_page_and_never_sees_the_start_page(
    client: Client,
) -> None:
    owner = make_verified_member()
    waiting = make_verified_member(verified_until=None)
    gulf = community(owner, "Gulf Response")
    document_posted(gulf, owner, "Evacuation map")
    client.force_login(waiting)

    response = client.get("/", follow=True)

    body = response.content.decode()
    assert response.redirect_chain
    assert "Evacuation map" not in body
    assert "Gulf Response" not in body
    assert WHATS_NEW not in body
