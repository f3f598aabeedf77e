import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from communities import notifications as community_notifications
from communities.services import join_request_create, join_request_decide, membership_remove
from discussions import notifications as discussion_notifications
from discussions.models import Thread
from discussions.services import board_create, post_reply, thread_start
from messaging import notifications as chat_notifications
from messaging import services
from notices import notifications
from notices.models import Notification
from tests.messaging.factories import Room, make_room
from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import notifications as vetting_notifications
from verification.models import Marking, Member
from verification.services import application_reject, application_submit

pytestmark = pytest.mark.django_db


class Kind:
    MENTION = discussion_notifications.MENTION
    REPLY = discussion_notifications.REPLY
    CHAT_MENTION = chat_notifications.CHAT_MENTION
    DIRECT_MESSAGE = chat_notifications.DIRECT_MESSAGE
    JOIN_REQUEST_DECISION = community_notifications.JOIN_REQUEST_DECISION
    VETTING_DECISION = vetting_notifications.VETTING_DECISION


def visible(member: Member) -> list[tuple[str, int]]:
    fresh = Member.objects.get(pk=member.pk)
    return [(n.kind, n.count) for n in notifications.notifications_visible_to(fresh)]


def start_thread(room: Room, author: Member, body: str = "Where are the sandbags?") -> Thread:
    board = board_create(community=room.community, actor=room.owner, name="General")
    return thread_start(
        author=author,
        community=room.community,
        board=board,
        title="Sandbags",
        body=body,
        marking=Marking.objects.get(slug="unmarked"),
    )


def test_a_reply_notifies_the_threads_author_but_not_for_their_own_reply() -> None:
    room = make_room()
    alice, bob = room.members
    thread = start_thread(room, alice)

    post_reply(author=alice, thread=thread, body="Bump")
    post_reply(author=bob, thread=thread, body="At the depot")

    assert visible(alice) == [(Kind.REPLY, 1)]
    assert visible(bob) == []


def test_a_mention_notifies_members_who_may_see_the_thread_once_and_no_one_else() -> None:
    room = make_room(visibility="private", join_policy="invitation", members=0)
    insider = make_verified_member(handle="insider")
    from communities.services import membership_set_role

    membership_set_role(community=room.community, member=insider, role="member")
    outsider = make_verified_member(handle="outsider")

    thread = start_thread(room, room.owner, body="@insider and @outsider: status?")
    post_reply(author=room.owner, thread=thread, body="@insider again")

    assert visible(insider) == [(Kind.MENTION, 1), (Kind.MENTION, 1)]
    assert visible(outsider) == []
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_mentioned_thread_author_gets_one_notification_for_a_reply_not_two() -> None:
    room = make_room()
    alice, bob = room.members
    alice.handle = "alice"
    alice.save()
    thread = start_thread(room, alice)

    post_reply(author=bob, thread=thread, body="@alice on it")

    assert visible(alice) == [(Kind.MENTION, 1)]


def test_direct_messages_fold_into_one_unread_notification_per_conversation_until_read() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    conversation = services.direct_conversation_open(member=alice, other=bob)

    services.message_send(conversation=conversation, author=alice, body="Call me")
    services.message_send(conversation=conversation, author=alice, body="Urgent")
    folded = visible(bob)
    services.conversation_mark_read(conversation=conversation, member=bob, up_to=2)
    services.message_send(conversation=conversation, author=alice, body="Thanks")

    assert folded == [(Kind.DIRECT_MESSAGE, 2)]
    assert visible(alice) == []
    assert notifications.unread_notification_count(Member.objects.get(pk=bob.pk)) == 1
    assert Notification.objects.filter(recipient=bob).count() == 2


def test_a_mention_in_a_room_notifies_a_member_of_the_room_and_not_an_outsider() -> None:
    room = make_room()
    alice, bob = room.members
    bob.handle = "bob"
    bob.save()
    make_verified_member(handle="stranger")

    message = services.message_send(conversation=room.conversation, author=alice, body="@bob @stranger check in")

    mention = Notification.objects.get(kind=Kind.CHAT_MENTION)
    assert mention.recipient_id == bob.pk
    assert mention.url.endswith(f"#m{message.sequence}")


def test_a_notification_disappears_when_its_item_stops_being_visible() -> None:
    room = make_room(visibility="private", join_policy="invitation", members=0)
    from communities.services import membership_set_role

    author = make_verified_member()
    membership_set_role(community=room.community, member=author, role="member")
    thread = start_thread(room, author)
    post_reply(author=room.owner, thread=thread, body="Reply")
    assert visible(author) == [(Kind.REPLY, 1)]

    membership_remove(community=room.community, actor=room.owner, member=author)

    assert visible(author) == []
    assert notifications.unread_notification_count(Member.objects.get(pk=author.pk)) == 0


def test_a_join_request_decision_is_notified_to_the_requester() -> None:
    room = make_room(join_policy="request", members=0)
    applicant = make_verified_member()
    request = join_request_create(community=room.community, member=applicant)

    join_request_decide(join_request=request, moderator=room.owner, approve=False)

    notice = notifications.notifications_visible_to(Member.objects.get(pk=applicant.pk)).get()
    assert (notice.kind, notice.outcome, notice.community_id) == (
        Kind.JOIN_REQUEST_DECISION,
        "declined",
        room.community.pk,
    )


def test_a_vetting_decision_reaches_an_applicant_who_cannot_see_anything_else_yet() -> None:
    applicant = MemberFactory.create()
    ProfileFactory.create(member=applicant)
    application = application_submit(member=applicant, sponsor_name="Chief Lee", sponsor_email="lee@county.example.org")
    verifier = make_verified_member(mfa=True)
    verifier.groups.add(Group.objects.get(name="Verifiers"))
    room = make_room(slug="other")
    Notification.objects.create(
        recipient=applicant, kind=Kind.REPLY, target=room.conversation, url="/x/"
    )  # a stray content notification must stay hidden while they are not cleared

    application_reject(application=application, verifier=verifier, reason="Sponsor could not confirm")

    assert visible(applicant) == [(Kind.VETTING_DECISION, 1)]


def test_members_mark_their_own_notifications_read_one_or_all_and_no_one_elses() -> None:
    room = make_room()
    alice, bob = room.members
    thread = start_thread(room, alice)
    for body in ("one", "two", "three"):
        post_reply(author=bob, thread=thread, body=body)
    first = Notification.objects.filter(recipient=alice).first()
    assert first is not None

    with pytest.raises(PermissionDenied):
        notifications.notification_mark_read(notification=first, member=bob)
    notifications.notification_mark_read(notification=first, member=alice)
    assert notifications.unread_notification_count(Member.objects.get(pk=alice.pk)) == 2
    assert notifications.notifications_mark_all_read(member=alice) == 2

    assert notifications.unread_notification_count(Member.objects.get(pk=alice.pk)) == 0


def test_a_notification_about_a_marked_thread_carries_its_marking_for_the_page_banner() -> None:
    room = make_room(marking="fouo")
    alice, bob = room.members
    board = board_create(community=room.community, actor=room.owner, name="General")
    thread = thread_start(
        author=alice,
        community=room.community,
        board=board,
        title="Staging areas",
        body="Which lots?",
        marking=Marking.objects.get(slug="unmarked"),
    )

    post_reply(author=bob, thread=thread, body="Lot C")

    assert Notification.objects.get(recipient=alice).marking == Marking.objects.get(slug="fouo")
