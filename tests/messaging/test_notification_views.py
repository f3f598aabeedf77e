"""The notifications page: each kind in words, only what the member may still see, read marks,
constant queries, and members not yet cleared seeing only decisions about their vetting."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services as community_services
from communities.models import Community
from discussions import services as discussion_services
from discussions.models import Thread
from messaging import services
from notices import notifications
from notices.models import Notification
from tests.verification.factories import make_verified_member
from verification import notifications as vetting_notifications
from verification.models import Marking, Member, VerificationApplication

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("messaging:notifications")


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def handle_of(member: Member) -> str:
    if not member.handle:
        member.handle = f"member-{member.pk}"
        member.save()
    return member.handle


def unmarked() -> Marking:
    return Marking.objects.get(slug="unmarked")


def community_with_thread(owner: Member, slug: str, title: str, **fields: Any) -> tuple[Community, Thread]:
    community = community_services.community_create(
        creator=owner, name=slug.title(), slug=slug, marking=unmarked(), **fields
    )
    board = discussion_services.board_create(community=community, actor=owner, name="General")
    thread = discussion_services.thread_start(
        author=owner, community=community, board=board, title=title, body="Opening post", marking=unmarked()
    )
    return community, thread


def application_decided(member: Member, status: str) -> VerificationApplication:
    application = VerificationApplication.objects.create(
        member=member, sponsor_name="S", sponsor_email="s@example.gov", status=status, decided_at=timezone.now()
    )
    vetting_notifications.notify_vetting_decided(application=application)
    return application


def test_each_kind_of_notification_reads_as_a_sentence() -> None:
    owner, alice, bob = make_verified_member(), make_verified_member(), make_verified_member()
    community, thread = community_with_thread(alice, "gulf", "Shelter capacity")
    community_services.membership_join(community=community, member=bob)
    discussion_services.post_reply(author=bob, thread=thread, body="We have 40 cots")
    discussion_services.post_reply(author=bob, thread=thread, body=f"@{handle_of(alice)} can you confirm?")
    direct = services.direct_conversation_open(member=bob, other=alice)
    for body in ("one", "two", "three"):
        services.message_send(conversation=direct, author=bob, body=body)
    request_community = community_services.community_create(
        creator=owner, name="Delta", slug="delta", marking=unmarked(), join_policy=Community.JoinPolicy.REQUEST
    )
    join_request = community_services.join_request_create(community=request_community, member=alice)
    community_services.join_request_decide(join_request=join_request, moderator=owner, approve=True)
    application_decided(alice, VerificationApplication.Status.APPROVED)

    page = signed_in(alice).get(NOTIFICATIONS).content.decode()

    assert f"{bob.display_name} replied to “Shelter capacity”" in page
    assert f"{bob.display_name} mentioned you in “Shelter capacity”" in page
    assert f"3 new messages from {bob.display_name}" in page
    assert "Your request to join Delta was approved" in page
    assert "Your verification application was approved" in page
    assert "Mark all read" in page


def test_a_mention_in_a_room_names_the_room() -> None:
    owner, alice, bob = make_verified_member(), make_verified_member(), make_verified_member()
    community = community_services.community_create(creator=owner, name="Gulf", slug="gulf", marking=unmarked())
    for member in (alice, bob):
        community_services.membership_join(community=community, member=member)
    room = services.room_ensure_default(community=community)
    services.message_send(conversation=room, author=bob, body=f"@{handle_of(alice)} status?")

    page = signed_in(alice).get(NOTIFICATIONS).content.decode()

    assert f"{bob.display_name} mentioned you in Gulf · General" in page


def test_a_notification_about_something_no_longer_visible_disappears() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    group = services.group_conversation_create(creator=bob, title="Pair", participants=[alice])
    services.message_send(conversation=group, author=bob, body="hello")
    services.conversation_leave(conversation=group, member=alice)

    page = signed_in(alice).get(NOTIFICATIONS).content.decode()

    assert "new message" not in page
    assert "Nothing new" in page


def test_a_member_not_yet_cleared_sees_only_vetting_decisions() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="hello")
    application_decided(alice, VerificationApplication.Status.MORE_INFO)
    alice.verified_until = timezone.now() - timedelta(days=1)
    alice.save()

    response = signed_in(alice).get(NOTIFICATIONS)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your verification application needs more information" in page
    assert "new message" not in page


def test_a_declined_vetting_application_is_told_as_declined() -> None:
    member = make_verified_member(verified_until=None)
    application_decided(member, VerificationApplication.Status.REJECTED)

    page = signed_in(member).get(NOTIFICATIONS).content.decode()

    assert "Your verification application was declined" in page


def test_a_notification_is_marked_read_and_unread_ones_stand_out() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="hello")
    notification = Notification.objects.get(recipient=alice)
    client = signed_in(alice)

    before = client.get(NOTIFICATIONS).content.decode()
    response = client.post(reverse("messaging:notification_read", args=[notification.pk]))
    after = client.get(NOTIFICATIONS).content.decode()

    assert "notification-unread" in before
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.is_read
    assert "notification-unread" not in after


def test_open_marks_read_and_goes_to_the_item() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="hello")
    notification = Notification.objects.get(recipient=alice)

    response = signed_in(alice).post(reverse("messaging:notification_read", args=[notification.pk]), {"open": "1"})

    assert response["Location"] == reverse("messaging:conversation", args=[direct.pk])
    notification.refresh_from_db()
    assert notification.is_read


def test_a_member_cannot_mark_someone_elses_notification() -> None:
    alice, bob, carol = make_verified_member(), make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="hello")
    notification = Notification.objects.get(recipient=alice)

    response = signed_in(carol).post(reverse("messaging:notification_read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_read_clears_the_bell() -> None:
    alice = make_verified_member()
    for _ in range(3):
        other = make_verified_member()
        services.message_send(
            conversation=services.direct_conversation_open(member=other, other=alice), author=other, body="hi"
        )
    client = signed_in(alice)

    before = client.get(NOTIFICATIONS).content.decode()
    client.post(reverse("messaging:notifications_read_all"))
    after = client.get(NOTIFICATIONS).content.decode()

    assert "<span data-unread-number>3</span>" in before
    assert notifications.unread_notification_count(alice) == 0
    assert "<span data-unread-number>0</span>" in after


def test_the_bell_count_costs_one_query() -> None:
    alice = make_verified_member()
    client = signed_in(alice)
    client.get(reverse("messaging:inbox"))

    with CaptureQueriesContext(connection) as with_bell:
        client.get(reverse("messaging:inbox"))

    counts = [q["sql"] for q in with_bell.captured_queries if "messaging_notification" in q["sql"]]
    assert len(counts) == 1


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_notifications_page_runs_the_same_queries_for_one_and_fifty_notifications() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    community, thread = community_with_thread(alice, "gulf", "Shelter capacity")
    community_services.membership_join(community=community, member=bob)
    discussion_services.post_reply(author=bob, thread=thread, body="first reply")
    client = signed_in(alice)
    queries_for(client, NOTIFICATIONS)
    one = queries_for(client, NOTIFICATIONS)

    for i in range(49):
        mention = f"@{handle_of(alice)} " if i % 2 else ""
        discussion_services.post_reply(author=bob, thread=thread, body=f"{mention}reply {i}")

    assert Notification.objects.filter(recipient=alice).count() == 50
    assert queries_for(client, NOTIFICATIONS) == one


def test_the_notifications_page_costs_the_same_for_one_of_each_kind_and_fifty_of_them() -> None:
    """Each kind of target is one more prefetch query, whatever the number of rows."""
    alice, bob = make_verified_member(), make_verified_member()
    community, thread = community_with_thread(alice, "gulf", "Shelter capacity")
    community_services.membership_join(community=community, member=bob)
    room = services.room_ensure_default(community=community)

    def one_of_each(i: int) -> None:
        discussion_services.post_reply(author=bob, thread=thread, body=f"reply {i}")
        discussion_services.post_reply(author=bob, thread=thread, body=f"@{handle_of(alice)} look {i}")
        services.message_send(conversation=room, author=bob, body=f"@{handle_of(alice)} room {i}")
        other = make_verified_member()
        direct = services.direct_conversation_open(member=other, other=alice)
        services.message_send(conversation=direct, author=other, body=f"direct {i}")

    one_of_each(0)
    client = signed_in(alice)
    queries_for(client, NOTIFICATIONS)
    few = queries_for(client, NOTIFICATIONS)
    for i in range(1, 13):
        one_of_each(i)

    assert Notification.objects.filter(recipient=alice).count() >= 50
    assert queries_for(client, NOTIFICATIONS) == few


def test_the_marking_banner_is_the_highest_marking_among_the_notifications_shown() -> None:
    owner = make_verified_member(markings=["fouo"])
    alice = make_verified_member(markings=["fouo"])
    community = community_services.community_create(creator=owner, name="Gulf", slug="gulf", marking=unmarked())
    community_services.membership_join(community=community, member=alice)
    marked = services.room_create(
        community=community, actor=owner, title="Ops", marking=Marking.objects.get(slug="fouo")
    )
    group = services.group_conversation_create(
        creator=owner, title="Ops pair", participants=[alice], marking=Marking.objects.get(slug="fouo")
    )
    services.message_send(conversation=group, author=owner, body="marked hello")
    del marked

    response = signed_in(alice).get(NOTIFICATIONS)

    assert response.context["marking"].slug == "fouo"
