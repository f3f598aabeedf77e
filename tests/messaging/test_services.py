import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communities.services import membership_join, membership_leave
from messaging import selectors, services
from messaging.models import Conversation, Message, Participant
from tests.messaging.factories import make_room, saved
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db


def test_messages_get_increasing_ids_and_every_change_a_newer_version() -> None:
    room = make_room()
    alice, bob = room.members

    first = services.message_send(conversation=room.conversation, author=alice, body="Shelter at the school is open")
    second = services.message_send(conversation=room.conversation, author=bob, body="Copy, **sending** cots")
    edited = services.message_edit(message=first, editor=alice, body="Shelter at the high school is open")
    deleted = services.message_delete(message=second, actor=bob)

    assert (first.sequence, second.sequence) == (1, 2)
    assert [first.version, second.version, edited.version, deleted.version] == [1, 2, 3, 4]
    assert deleted.body == ""
    assert deleted.is_deleted
    changed = selectors.messages_changed_since(alice, room.conversation, 2)
    assert [(m.sequence, m.version) for m in changed] == [(1, 3), (2, 4)]
    room.conversation.refresh_from_db()
    assert (room.conversation.last_sequence, room.conversation.last_version) == (2, 4)


def test_markdown_in_a_message_is_sanitised() -> None:
    room = make_room()

    message = services.message_send(
        conversation=room.conversation, author=room.members[0], body="<script>alert(1)</script> *ok*"
    )

    assert "<script>" not in message.body_html
    assert "<em>ok</em>" in message.body_html


def test_only_the_author_edits_a_message_and_only_the_author_or_a_moderator_deletes_it() -> None:
    room = make_room()
    alice, bob = room.members
    message = services.message_send(conversation=room.conversation, author=alice, body="Road closed at mile 4")

    with pytest.raises(ValidationError, match="your own"):
        services.message_edit(message=message, editor=bob, body="changed")
    with pytest.raises(ValidationError, match="your own"):
        services.message_delete(message=message, actor=bob)
    services.message_delete(message=message, actor=room.owner)

    assert Message.objects.get(pk=message.pk).is_deleted


def test_a_member_outside_the_community_cannot_send_to_its_room_and_nothing_is_stored() -> None:
    room = make_room()
    outsider = make_verified_member()

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=room.conversation, author=outsider, body="hello")

    assert not Message.objects.exists()


def test_a_member_who_left_the_community_can_no_longer_send_to_its_room() -> None:
    room = make_room()
    alice = room.members[0]
    services.message_send(conversation=room.conversation, author=alice, body="before")
    membership_leave(community=room.community, member=alice)

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=room.conversation, author=alice, body="after")

    assert list(Message.objects.values_list("body", flat=True)) == ["before"]


def test_an_over_long_or_empty_message_is_refused_with_a_clear_error_and_not_stored(settings) -> None:
    settings.MUSTER_MESSAGE_MAX_CHARS = 10
    room = make_room()

    with pytest.raises(ValidationError, match="at most 10 characters; this one has 11"):
        services.message_send(conversation=room.conversation, author=room.members[0], body="x" * 11)
    with pytest.raises(ValidationError, match="Write a message"):
        services.message_send(conversation=room.conversation, author=room.members[0], body="   ")

    assert not Message.objects.exists()
    assert services.message_send(conversation=room.conversation, author=room.members[0], body="x" * 10)


def test_sending_faster_than_the_rate_limit_is_refused_with_the_wait_and_not_stored(settings) -> None:
    settings.MUSTER_CHAT_RATE = (3, 60)
    room = make_room()
    alice, bob = room.members
    for number in range(3):
        services.message_send(conversation=room.conversation, author=alice, body=f"update {number}")

    with pytest.raises(services.RateLimitedError) as limited:
        services.message_send(conversation=room.conversation, author=alice, body="one too many")

    assert 1 <= limited.value.retry_after <= 60
    assert "Wait" in str(limited.value)
    assert Message.objects.count() == 3
    assert services.message_send(conversation=room.conversation, author=bob, body="others still can")


def test_a_message_sent_again_while_rate_limited_still_answers_with_the_saved_one(settings) -> None:
    """The acknowledgement was lost and the page resends: it gets its message back, not a refusal."""
    settings.MUSTER_CHAT_RATE = (2, 60)
    room = make_room()
    alice = room.members[0]
    saved = services.message_send(conversation=room.conversation, author=alice, body="Road closed", client_id="c-1")
    services.message_send(conversation=room.conversation, author=alice, body="Detour north", client_id="c-2")

    again = services.message_send(conversation=room.conversation, author=alice, body="Road closed", client_id="c-1")

    assert again.pk == saved.pk
    assert Message.objects.filter(author=alice).count() == 2
    with pytest.raises(services.RateLimitedError):
        services.message_send(conversation=room.conversation, author=alice, body="New news", client_id="c-3")
    # Once out of the room, resending gives nothing back, not even her own message.
    membership_leave(community=room.community, member=alice)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=room.conversation, author=alice, body="Road closed", client_id="c-1")


def test_an_outsider_cannot_send_and_the_refusal_is_audited() -> None:
    room = make_room()
    outsider = make_verified_member()

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=room.conversation, author=outsider, body="Let me in")

    assert not Message.objects.exists()
    assert Conversation.objects.get(pk=room.conversation.pk).last_sequence == 0
    denial = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_DENIED, actor=outsider)
    assert denial.target_label == str(room.conversation)
    # A socket passes only the conversation's id: the audit log still names it as stored.
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=Conversation(pk=room.conversation.pk), author=outsider, body="Again")
    assert AuditEvent.objects.filter(actor=outsider, target_label=str(room.conversation)).count() == 2
    allowed = services.message_send(conversation=room.conversation, author=room.members[0], body="Members may")
    assert allowed.sequence == 1


def test_a_marked_room_admits_only_members_cleared_for_its_marking() -> None:
    room = make_room()
    fouo = Marking.objects.get(slug="fouo")
    moderator = make_verified_member(markings=["fouo"])
    from communities.services import membership_join, membership_set_role

    membership_join(community=room.community, member=moderator)
    membership_set_role(community=room.community, member=moderator, role="moderator")
    secure = services.room_create(community=room.community, actor=moderator, title="Ops", marking=fouo)
    uncleared = room.members[0]

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=secure, author=uncleared, body="let me in")
    assert services.message_send(conversation=secure, author=moderator, body="FOUO traffic")
    assert secure not in selectors.visible_conversations(uncleared)
    assert secure in selectors.visible_conversations(moderator)


def test_only_moderators_add_rooms_and_names_are_unique_in_a_community() -> None:
    room = make_room()

    with pytest.raises(ValidationError, match="moderators"):
        services.room_create(community=room.community, actor=room.members[0], title="Logistics")
    services.room_create(community=room.community, actor=room.owner, title="Logistics")
    with pytest.raises(ValidationError):
        services.room_create(community=room.community, actor=room.owner, title="logistics")


def test_a_direct_conversation_is_opened_once_per_pair_whoever_starts_it() -> None:
    alice, bob = make_verified_member(), make_verified_member()

    first = services.direct_conversation_open(member=alice, other=bob)
    second = services.direct_conversation_open(member=bob, other=alice)

    assert first.pk == second.pk
    assert set(first.participants.values_list("member_id", flat=True)) == {alice.pk, bob.pk}
    with pytest.raises(ValidationError):
        services.direct_conversation_open(member=alice, other=alice)


def test_a_direct_message_to_a_suspended_member_is_refused() -> None:
    alice = make_verified_member()
    suspended = make_verified_member()
    suspended.suspended_at = suspended.date_joined
    suspended.save()

    with pytest.raises(ValidationError):
        services.direct_conversation_open(member=alice, other=suspended)

    assert not Conversation.objects.filter(kind=Conversation.Kind.DIRECT).exists()


def test_a_group_conversation_holds_at_most_twenty_people() -> None:
    creator = make_verified_member()
    others = [make_verified_member() for _ in range(20)]

    with pytest.raises(ValidationError, match="at most 20"):
        services.group_conversation_create(creator=creator, title="Too many", participants=others)
    group = services.group_conversation_create(creator=creator, title="Shift leads", participants=others[:19])

    assert group.participants.count() == 20
    with pytest.raises(ValidationError, match="at most 20"):
        services.group_participants_add(conversation=group, actor=creator, members=[others[19]])


def test_a_marked_group_refuses_people_not_cleared_for_its_marking() -> None:
    creator = make_verified_member(markings=["fouo"])
    cleared = make_verified_member(markings=["fouo"])
    uncleared = make_verified_member()
    fouo = Marking.objects.get(slug="fouo")

    with pytest.raises(ValidationError, match="Not everyone can take part") as refused:
        services.group_conversation_create(creator=creator, title="x", participants=[cleared, uncleared], marking=fouo)
    assert uncleared.display_name in str(refused.value)
    group = services.group_conversation_create(creator=creator, title="x", participants=[cleared], marking=fouo)

    assert not Conversation.objects.exclude(pk=group.pk).filter(kind=Conversation.Kind.GROUP).exists()


def test_a_member_who_leaves_a_group_loses_it_and_the_others_keep_it() -> None:
    creator, alice, bob = make_verified_member(), make_verified_member(), make_verified_member()
    group = services.group_conversation_create(creator=creator, title="x", participants=[alice, bob])

    services.conversation_leave(conversation=group, member=alice)

    assert group not in selectors.visible_conversations(alice)
    assert group in selectors.visible_conversations(bob)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=group, author=alice, body="still here?")
    with pytest.raises(ValidationError, match="creator"):
        services.conversation_leave(conversation=group, member=bob, removed_by=alice)


def test_the_read_position_only_moves_forward_and_sets_the_unread_count() -> None:
    room = make_room()
    alice, bob = room.members
    for number in range(4):
        services.message_send(conversation=room.conversation, author=alice, body=f"update {number}")

    assert selectors.inbox(bob).get(pk=room.conversation.pk).unread == 4  # type: ignore[attr-defined]
    services.conversation_mark_read(conversation=room.conversation, member=bob, up_to=3)
    services.conversation_mark_read(conversation=room.conversation, member=bob, up_to=1)

    assert selectors.inbox(bob).get(pk=room.conversation.pk).unread == 1  # type: ignore[attr-defined]
    assert selectors.inbox(alice).get(pk=room.conversation.pk).unread == 0  # type: ignore[attr-defined]
    assert Participant.objects.get(conversation=room.conversation, member=bob).last_read_sequence == 3


def test_the_inbox_costs_the_same_queries_for_one_conversation_or_fifty() -> None:
    member = make_verified_member()

    def queries_to_show_the_inbox() -> int:
        viewer = Member.objects.get(pk=member.pk)
        with CaptureQueriesContext(connection) as queries:
            rows = [(c.unread, c.last_message, [p.member for p in c.people]) for c in selectors.inbox(viewer)]  # type: ignore[attr-defined]
        assert rows
        return len(queries)

    for _ in range(50):
        other = make_verified_member()
        conversation = services.direct_conversation_open(member=other, other=member)
        services.message_send(conversation=conversation, author=other, body="hello")
        if _ == 0:
            one = queries_to_show_the_inbox()

    assert queries_to_show_the_inbox() == one
    assert sum(c.unread for c in selectors.inbox(member)) == 50  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
async def test_a_message_is_broadcast_only_after_it_is_committed_and_never_when_rolled_back() -> None:
    room = await sync_to_async(make_room)()
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(f"conversation.{room.conversation.pk}", channel)

    def send_and_roll_back() -> None:
        with transaction.atomic():
            services.message_send(conversation=room.conversation, author=room.members[0], body="rolled back")
            transaction.set_rollback(True)

    await sync_to_async(send_and_roll_back)()
    await asyncio.sleep(0.5)  # time enough for a wrongly published event to arrive first
    await sync_to_async(services.message_send)(conversation=room.conversation, author=room.members[0], body="committed")
    event = await asyncio.wait_for(layer.receive(channel), 2)

    assert event["type"] == "message.changed"
    assert json.loads(event["frame"])["message"]["body"] == "committed"
    assert json.loads(event["frame"])["message"]["id"] == 1
    assert not await sync_to_async(Message.objects.filter(body="rolled back").exists)()


@pytest.mark.parametrize("members", [2, 30])
def test_sending_a_room_message_costs_the_same_queries_in_a_room_of_any_size(members: int, settings) -> None:
    """The send path every chat message takes (the live frame and the search index come after it)."""
    settings.MUSTER_CHAT_RATE = (1000, 60)
    room = make_room(members=members)
    author = room.members[0]
    services.message_send(conversation=room.conversation, author=author, body="first")
    conversation = Conversation.objects.get(pk=room.conversation.pk)

    with CaptureQueriesContext(connection) as queries:
        message = services.message_send(conversation=conversation, author=author, body="second")

    # Savepoint, the locked row (only if the author may write in it), insert, conversation, read position, release.
    assert len(queries) == 6, [query["sql"][:80] for query in queries.captured_queries]
    assert message.sequence == 2


# Sends read together from one socket (``messages_send``): one transaction, each draft answered as alone.


def drafts(*bodies: str, client_ids: tuple[str, ...] = ()) -> list[services.Draft]:
    ids = client_ids or ("",) * len(bodies)
    return [services.Draft(body, client_id) for body, client_id in zip(bodies, ids, strict=True)]


def test_drafts_sent_together_are_saved_in_order_and_the_conversation_moves_to_the_last() -> None:
    room = make_room()
    alice, bob = room.members
    services.message_send(conversation=room.conversation, author=bob, body="Shelter open")

    answers = saved(
        services.messages_send(
            conversation=Conversation(pk=room.conversation.pk), author=alice, drafts=drafts("One", "**Two**", "Three")
        )
    )

    assert [(m.sequence, m.version, m.body) for m in answers] == [(2, 2, "One"), (3, 3, "**Two**"), (4, 4, "Three")]
    assert "<strong>Two</strong>" in answers[1].body_html
    conversation = Conversation.objects.get(pk=room.conversation.pk)
    assert (conversation.last_sequence, conversation.last_message_id) == (4, answers[2].pk)
    assert Participant.objects.get(conversation=conversation, member=alice).last_read_sequence == 4
    assert [m.body for m in selectors.messages_changed_since(bob, conversation, 1)] == ["One", "**Two**", "Three"]


@pytest.mark.parametrize("count", [2, 10])
def test_drafts_sent_together_cost_one_insert_each_and_the_rest_once(count: int, settings) -> None:
    settings.MUSTER_CHAT_RATE = (1000, 60)
    room = make_room()
    author = room.members[0]
    services.message_send(conversation=room.conversation, author=author, body="first")

    with CaptureQueriesContext(connection) as queries:
        answers = services.messages_send(
            conversation=room.conversation, author=author, drafts=drafts(*(f"update {n}" for n in range(count)))
        )

    # Savepoint, the locked row (only if the author may write in it), the inserts, conversation, read position,
    # release.
    assert len(queries) == 5 + count, [query["sql"][:80] for query in queries.captured_queries]
    assert [message.sequence for message in saved(answers)] == list(range(2, count + 2))


def test_each_draft_sent_together_is_refused_or_saved_as_if_sent_alone(settings) -> None:
    settings.MUSTER_CHAT_RATE = (3, 60)
    room = make_room()
    alice = room.members[0]
    services.message_send(conversation=room.conversation, author=alice, body="Road closed", client_id="c-1")

    answers = services.messages_send(
        conversation=room.conversation,
        author=alice,
        drafts=drafts(
            *("  ", "Road closed", "Detour north", "Bridge out", "Ferry running"),
            client_ids=("", "c-1", "c-2", "c-3", "c-4"),
        ),
    )

    empty, resent, second, third, over = answers
    assert isinstance(empty, ValidationError)
    assert "Write a message first." in empty.messages
    assert isinstance(resent, Message)
    assert (resent.client_id, resent.sequence) == ("c-1", 1)
    assert [second.sequence, third.sequence] == [2, 3]  # type: ignore[union-attr]
    assert isinstance(over, services.RateLimitedError)
    assert over.retry_after >= 1
    assert list(Message.objects.order_by("sequence").values_list("body", flat=True)) == [
        "Road closed",
        "Detour north",
        "Bridge out",
    ]
    # The window counted every draft that was not a resend, as sends one at a time would have.
    with pytest.raises(services.RateLimitedError):
        services.message_send(conversation=room.conversation, author=alice, body="Still too fast")


def test_drafts_repeating_a_client_id_are_saved_once_and_both_answered_with_it() -> None:
    room = make_room()
    alice = room.members[0]

    same = drafts("Road closed", "Road closed", "Detour", client_ids=("c-1", "c-1", "c-2"))
    first, again, _ = saved(services.messages_send(conversation=room.conversation, author=alice, drafts=same))

    assert again.pk == first.pk
    assert Message.objects.filter(author=alice).count() == 2
    elsewhere = make_room(slug="bayou")
    membership_join(community=elsewhere.community, member=alice)
    (reused,) = services.messages_send(
        conversation=elsewhere.conversation, author=alice, drafts=drafts("Road closed", client_ids=("c-1",))
    )
    assert isinstance(reused, ValidationError)
    assert "already used for another message" in reused.messages[0]


def test_drafts_sent_together_by_an_outsider_are_all_refused_and_audited() -> None:
    room = make_room()
    outsider = make_verified_member()

    answers = services.messages_send(
        conversation=Conversation(pk=room.conversation.pk), author=outsider, drafts=drafts("Let me in", "", "Please")
    )

    assert [type(answer) for answer in answers] == [PermissionDenied, ValidationError, PermissionDenied]
    assert not Message.objects.exists()
    assert Conversation.objects.get(pk=room.conversation.pk).last_sequence == 0
    denial = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_DENIED, actor=outsider)
    assert denial.target_label == str(room.conversation)
    member_answers = services.messages_send(
        conversation=room.conversation, author=room.members[0], drafts=drafts("Members may", "Twice")
    )
    assert [message.sequence for message in saved(member_answers)] == [1, 2]
