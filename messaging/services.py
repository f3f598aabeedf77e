"""Every change to conversations and messages: one door, used by pages, sockets, the API and seed data.

Each write checks the access policy, runs in one transaction and publishes
its live event only after that transaction commits.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from messaging import access, notifications
from messaging.events import MessageChangedEvent, MessageFrame, ReadEvent
from messaging.models import REACTIONS, Conversation, Message, Participant, Reaction
from messaging.naming import conversation_group
from messaging.serialise import message_data, scope_data
from muster.cache import count_in_window
from muster.markdown import render_markdown
from muster.mentions import link_mentions, mentioned_in_html
from notices import live
from verification import policy
from verification.models import Marking, Member

logger = logging.getLogger(__name__)

GROUP_CONVERSATION_MAX = 20
DEFAULT_ROOM_TITLE = "General"


@dataclass
class RateLimitedError(Exception):
    """The member sent more messages than ``MUSTER_CHAT_RATE`` allows; try again after ``retry_after`` seconds."""

    retry_after: int

    def __str__(self) -> str:
        return f"You are sending messages too quickly. Wait {self.retry_after} seconds and try again."


# --- Conversations -------------------------------------------------------------


def room_ensure_default(*, community: Community) -> Conversation:
    """The room every community has from the start."""
    unmarked = Marking.objects.get(rank=0)
    room, _ = Conversation.objects.get_or_create(
        community=community,
        is_default_room=True,
        defaults={"kind": Conversation.Kind.ROOM, "title": DEFAULT_ROOM_TITLE, "marking": unmarked},
    )
    return room


@transaction.atomic
def room_create(
    *, community: Community, actor: Member, title: str, topic: str = "", marking: Marking | None = None
) -> Conversation:
    """Moderators add rooms beyond the default one, at a marking they are cleared for."""
    if not policy.can_moderate(actor, community):
        raise ValidationError("Only the community's moderators add rooms.")
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the room a name."})
    if community.rooms.filter(title__iexact=title).exists():
        raise ValidationError({"title": "This community already has a room of that name."})
    marking = marking or Marking.objects.get(rank=0)
    if marking.pk not in policy.member_access(actor).visible_marking_ids:
        raise ValidationError({"marking": "You are not cleared for that marking."})
    return Conversation.objects.create(
        kind=Conversation.Kind.ROOM,
        community=community,
        title=title,
        topic=topic.strip(),
        marking=marking,
        created_by=actor,
    )


def _check_may_converse(marking: Marking, members: Iterable[Member]) -> None:
    members = list(members)
    cleared = set(
        access.filter_members_who_may_converse(
            marking, Member.objects.filter(pk__in=[m.pk for m in members])
        ).values_list("pk", flat=True)
    )
    refused = [member for member in members if member.pk not in cleared]
    if refused:
        names = ", ".join(member.display_name for member in refused)
        raise ValidationError(f"Not everyone can take part at {marking.name}: {names}.")


@transaction.atomic
def direct_conversation_open(*, member: Member, other: Member) -> Conversation:
    """The one direct conversation between two members, created on first use."""
    if other.pk == member.pk:
        raise ValidationError("You cannot send a direct message to yourself.")
    if not policy.can_view_member(member, other):
        raise ValidationError("That member cannot receive messages.")
    unmarked = Marking.objects.get(rank=0)
    _check_may_converse(unmarked, [member, other])
    low, high = sorted((member.pk, other.pk))
    try:
        with transaction.atomic():
            conversation, created = Conversation.objects.get_or_create(
                direct_key=f"{low}-{high}",
                defaults={"kind": Conversation.Kind.DIRECT, "marking": unmarked, "created_by": member},
            )
    except IntegrityError:  # the other member opened it at the same moment
        conversation, created = Conversation.objects.get(direct_key=f"{low}-{high}"), False
    if created:
        Participant.objects.bulk_create([Participant(conversation=conversation, member=m) for m in (member, other)])
        live.announce_access_changed([member.pk, other.pk])
    return conversation


@transaction.atomic
def group_conversation_create(
    *, creator: Member, title: str, participants: Iterable[Member], marking: Marking | None = None
) -> Conversation:
    """A small conversation (up to 20 people, the creator included) at a marking everyone holds."""
    marking = marking or Marking.objects.get(rank=0)
    others = {member.pk: member for member in participants if member.pk != creator.pk}
    if not others:
        raise ValidationError({"participants": "Add at least one other member."})
    if len(others) + 1 > GROUP_CONVERSATION_MAX:
        raise ValidationError({"participants": f"A group conversation has at most {GROUP_CONVERSATION_MAX} people."})
    _check_may_converse(marking, [creator, *others.values()])
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.GROUP, title=title.strip(), marking=marking, created_by=creator
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, member=member) for member in (creator, *others.values())]
    )
    live.announce_access_changed([creator.pk, *others])
    return conversation


@transaction.atomic
def group_participants_add(*, conversation: Conversation, actor: Member, members: Iterable[Member]) -> int:
    """Participants bring others in, up to the limit; returns how many joined."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.kind != Conversation.Kind.GROUP:
        raise ValidationError("People are added to group conversations only.")
    access.check_view_conversation_permission(actor, conversation)
    rows = {row.member_id: row for row in conversation.participants.all()}
    active = {member_id for member_id, row in rows.items() if row.left_at is None}
    joining = [member for member in members if member.pk not in active]
    if len(active) + len(joining) > GROUP_CONVERSATION_MAX:
        raise ValidationError(f"A group conversation has at most {GROUP_CONVERSATION_MAX} people.")
    _check_may_converse(conversation.marking, joining)
    for member in joining:
        if member.pk in rows:
            Participant.objects.filter(pk=rows[member.pk].pk).update(left_at=None, joined_at=timezone.now())
        else:
            Participant.objects.create(conversation=conversation, member=member)
    live.announce_access_changed(member.pk for member in joining)
    return len(joining)


@transaction.atomic
def conversation_leave(*, conversation: Conversation, member: Member, removed_by: Member | None = None) -> None:
    """A participant leaves a group, or its creator removes them. The history stays with those who remain."""
    if conversation.kind != Conversation.Kind.GROUP:
        raise ValidationError("Only group conversations can be left.")
    if (
        removed_by is not None
        and removed_by.pk != member.pk
        and not access.can_moderate_conversation(removed_by, conversation)
    ):
        raise ValidationError("Only the conversation's creator removes people.")
    left = Participant.objects.filter(conversation=conversation, member=member, left_at=None).update(
        left_at=timezone.now()
    )
    if not left:
        raise ValidationError("That member is not in this conversation.")
    live.announce_access_changed([member.pk])


# --- Messages --------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError("Write a message first.")
    limit = settings.MUSTER_MESSAGE_MAX_CHARS
    if len(body) > limit:
        raise ValidationError(f"A message can be at most {limit:,} characters; this one has {len(body):,}.")
    return body


def _rate_allowance(member: Member, wanted: int, kind: str = "send") -> int:
    """How many of ``wanted`` writes the member may make now: a fixed window per member and kind of write
    (sends, reactions), shared by every process through the cache. Each is counted, allowed or not, as it
    would be if the writes came one at a time."""
    limit, window = settings.MUSTER_CHAT_RATE
    key = f"chat-rate:{kind}:{member.pk}:{int(timezone.now().timestamp() // window)}"
    try:
        count = count_in_window(key, window * 2, amount=wanted)
    except live.LAYER_ERRORS:
        # Redis is down: a message saved unthrottled beats a message lost.
        logger.warning("Chat rate limit not applied: the cache is unreachable", exc_info=True)
        return wanted
    return max(0, min(wanted, int(limit) - (count - wanted)))


def _rate_limited() -> RateLimitedError:
    window = settings.MUSTER_CHAT_RATE[1]
    return RateLimitedError(retry_after=max(1, int(window - timezone.now().timestamp() % window + 0.999)))


def _check_rate(member: Member, kind: str = "send") -> None:
    if not _rate_allowance(member, 1, kind):
        raise _rate_limited()


def _publish_change(conversation: Conversation, message: Message) -> None:
    frame: MessageFrame = {"type": "message", "message": message_data(message)}
    event: MessageChangedEvent = {
        "type": "message.changed",
        "scope": scope_data(conversation),
        "frame": json.dumps(frame),
    }
    live.publish_on_commit(conversation_group(conversation.pk), event)


def _locked(conversation_id: int, *, visible_to: Member | None = None) -> Conversation:
    """The conversation row, locked until commit: sequence and version numbers are handed out one at a time.

    With ``visible_to``, only if that member may write in it (the policy's check and the lock in one query);
    raises ``Conversation.DoesNotExist`` otherwise.
    """
    # ``of=("self",)``: PostgreSQL cannot lock the nullable side of the join to the community.
    locking = Conversation.objects.select_for_update(of=("self",)).select_related("community", "marking")
    if visible_to is not None:
        locking = access.filter_visible_conversations(visible_to, locking)
    return locking.get(pk=conversation_id)


def _next_version(conversation: Conversation) -> int:
    conversation.last_version += 1
    return conversation.last_version


CLIENT_ID_MAX = 64


def _clean_client_id(client_id: str) -> str:
    client_id = client_id.strip()
    if len(client_id) > CLIENT_ID_MAX:
        raise ValidationError(f"A message's client id has at most {CLIENT_ID_MAX} characters.")
    return client_id


def _already_sent(author: Member, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author", "reply_to", "reply_to__author")
        .filter(author=author, client_id=client_id)
        .first()
    )


def _all_already_sent(author: Member, client_ids: Iterable[str]) -> dict[str, Message]:
    sent = Message.objects.select_related("author", "reply_to", "reply_to__author")
    return {message.client_id: message for message in sent.filter(author=author, client_id__in=client_ids)}


def _add_message(
    locked: Conversation, author: Member, body: str, *, client_id: str, reply_to: Message | None = None
) -> Message:
    """One new message in the locked conversation, to be delivered live after commit."""
    locked.last_sequence += 1
    message = Message.objects.create(
        conversation=locked,
        sequence=locked.last_sequence,
        version=_next_version(locked),
        author=author,
        body=body,
        body_html=message_html(locked, body),
        reply_to=reply_to,
        client_id=client_id,
    )
    # A message just written has no reactions: its live frame and the sender's acknowledgement
    # need not ask the database, nor build a query that finds nothing (what
    # ``prefetch_related("reactions")`` leaves when it found none).
    no_reactions = Reaction.objects.none()
    no_reactions._result_cache, no_reactions._prefetch_done = [], True  # type: ignore[attr-defined]
    message._prefetched_objects_cache = {"reactions": no_reactions}  # type: ignore[attr-defined]
    notifications.notify_chat_message(conversation=locked, message=message)
    _publish_change(locked, message)
    return message


def _conversation_moved_on(locked: Conversation, author: Member, last: Message) -> None:
    """The conversation's counters and latest message, and the author's read position, after new messages."""
    locked.last_message = last
    locked.last_message_at = last.created_at
    locked.save(update_fields=["last_sequence", "last_version", "last_message", "last_message_at"])
    _read_up_to(locked, author, last.sequence)


def _denied(author: Member, conversation: Conversation) -> PermissionDenied:
    # The audit log names the conversation as stored (a socket passes only its id).
    stored = Conversation.objects.filter(pk=conversation.pk).first()
    return policy.deny(author, "view", stored or conversation, None)


def message_send(
    *,
    conversation: Conversation,
    author: Member,
    body: str,
    reply_to: Message | None = None,
    client_id: str = "",
) -> Message:
    """Save a message, then (after commit) deliver it live. Raises ``RateLimitedError``,
    ``ValidationError`` (empty, too long, a reply to a message elsewhere) or ``PermissionDenied``
    (not in the conversation).

    Only ``conversation``'s id is read before its row is locked and read again, in the query that checks
    the author may write in it. ``client_id`` is the sending browser's id for the message: sending it
    again (the acknowledgement was lost, the socket dropped) returns the message already saved instead of
    a second copy; the unique index on (author, client id) finds it, so a first send does not look.
    """
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
    if reply_to is not None and reply_to.conversation_id != conversation.pk:
        raise ValidationError("You can only reply to a message of the same conversation.")
    if reply_to is not None and reply_to.is_deleted:
        raise ValidationError("That message was deleted; there is nothing to reply to.")
    try:
        with transaction.atomic():
            locked = _locked(conversation.pk, visible_to=author)
            _check_rate(author)
            message = _add_message(locked, author, body, client_id=client_id, reply_to=reply_to)
            _conversation_moved_on(locked, author, message)
    except Conversation.DoesNotExist:
        raise _denied(author, conversation) from None
    except (IntegrityError, RateLimitedError):
        # Sent before (or by another process at the same moment): the saved message is the answer. Both
        # are raised only once the author was found to be allowed in the conversation.
        sent = _already_sent(author, client_id)
        if sent is None:
            raise
        answer = _resent_answer(sent, conversation)
        if isinstance(answer, ValidationError):
            raise answer from None
        return answer
    return message


@dataclass(frozen=True)
class Draft:
    """A message to send: its words and the sending browser's id for it."""

    body: str
    client_id: str = ""


SendAnswer = Message | RateLimitedError | ValidationError | PermissionDenied


def messages_send(*, conversation: Conversation, author: Member, drafts: Sequence[Draft]) -> list[SendAnswer]:
    """Messages one author sent to one conversation back to back (a socket's queued sends), saved in one
    transaction: one locking query with the policy's check, one count against the rate limit, one update
    of the conversation and of the author's read position. Each draft's answer is what ``message_send``
    would have given it: its message, the one already saved under its client id, or the error that
    refused it."""
    answers: dict[int, SendAnswer] = {}
    cleaned: dict[int, tuple[str, str]] = {}
    for number, draft in enumerate(drafts):
        try:
            cleaned[number] = (_clean_body(draft.body), _clean_client_id(draft.client_id))
        except ValidationError as invalid:
            answers[number] = invalid
    try:
        with transaction.atomic():
            locked = _locked(conversation.pk, visible_to=author)
            client_ids = {client_id for _, client_id in cleaned.values() if client_id}
            sent_before = _all_already_sent(author, client_ids) if client_ids else {}
            fresh: list[int] = []
            for number, (_, client_id) in cleaned.items():
                if client_id in sent_before:
                    answers[number] = _resent_answer(sent_before[client_id], conversation)
                else:
                    fresh.append(number)
            allowed = _rate_allowance(author, len(fresh)) if fresh else 0
            added = []
            for number in fresh[:allowed]:
                body, client_id = cleaned[number]
                answers[number] = message = _add_message(locked, author, body, client_id=client_id)
                added.append(message)
            for number in fresh[allowed:]:
                answers[number] = _rate_limited()
            if added:
                _conversation_moved_on(locked, author, added[-1])
    except Conversation.DoesNotExist:
        denied = _denied(author, conversation)
        return [answers.get(number, denied) for number in range(len(drafts))]
    except IntegrityError:
        # A client id saved by another process at the same moment (or twice among the drafts): one at
        # a time, each finds what was saved before it.
        return [_answer_alone(conversation, author, draft) for draft in drafts]
    return [answers[number] for number in range(len(drafts))]


def _resent_answer(sent: Message, conversation: Conversation) -> Message | ValidationError:
    """The answer to a client id sent again: the message saved under it, if it is in this conversation."""
    if sent.conversation_id != conversation.pk:
        return ValidationError("That client id was already used for another message.")
    return sent


def _answer_alone(conversation: Conversation, author: Member, draft: Draft) -> SendAnswer:
    try:
        return message_send(conversation=conversation, author=author, body=draft.body, client_id=draft.client_id)
    except (RateLimitedError, ValidationError, PermissionDenied) as refused:
        return refused


def message_html(conversation: Conversation, body: str) -> str:
    """A message's HTML, each ``@handle`` of a member who may read the conversation a link to their profile.

    Linked when the message is written, so every reader (and every live frame) gets the same HTML; the
    reader's own mentions are highlighted by the page (``a.mention[data-member-id]``).
    """
    html = render_markdown(body)
    handles = mentioned_in_html(html)
    if not handles:
        return html
    readers = access.filter_members_who_may_view_conversation(
        conversation, Member.objects.filter(handle__in=sorted(handles))
    )
    members = {handle: pk for handle, pk in readers.values_list("handle", "pk") if handle}
    return link_mentions(html, members, viewer_id=None, url=lambda pk: reverse("members:profile", args=[pk]))


def _lock_for_change(message: Message, actor: Member) -> tuple[Conversation, Message]:
    conversation = _locked(message.conversation_id)
    message = Message.objects.select_related("author", "reply_to", "reply_to__author").get(pk=message.pk)
    access.check_view_conversation_permission(actor, conversation)
    if message.is_deleted:
        raise ValidationError("This message was deleted.")
    return conversation, message


def _save_change(conversation: Conversation, message: Message, fields: list[str]) -> Message:
    """Give an edited or deleted message the conversation's next version, save both, announce it."""
    message.version = _next_version(conversation)
    message.save(update_fields=[*fields, "version"])
    conversation.save(update_fields=["last_version"])
    _publish_change(conversation, message)
    return message


@transaction.atomic
def message_edit(*, message: Message, editor: Member, body: str) -> Message:
    """Authors correct their own messages; everyone watching sees the new text."""
    body = _clean_body(body)
    conversation, message = _lock_for_change(message, editor)
    if message.author_id != editor.pk:
        raise ValidationError("You can only edit your own messages.")
    message.body = body
    message.body_html = message_html(conversation, body)
    message.edited_at = timezone.now()
    return _save_change(conversation, message, ["body", "body_html", "edited_at"])


@transaction.atomic
def message_delete(*, message: Message, actor: Member) -> Message:
    """Authors delete their messages (room moderators too); the place in the history stays, the text goes."""
    conversation, message = _lock_for_change(message, actor)
    if message.author_id != actor.pk and not (
        conversation.is_room and access.can_moderate_conversation(actor, conversation)
    ):
        raise ValidationError("You can only delete your own messages.")
    message.body = ""
    message.body_html = ""
    message.deleted_at = timezone.now()
    return _save_change(conversation, message, ["body", "body_html", "deleted_at"])


def reaction_toggle(*, message: Message, member: Member, emoji: str) -> bool:
    """Add the member's ``emoji`` to a message, or take it away if it is there; True when added.

    The message gets the conversation's next version and goes out again, so everyone watching (and
    every socket catching up) sees the new counts through the same checked path as a send.
    """
    if emoji not in REACTIONS:
        raise ValidationError("Pick one of the offered reactions.")
    access.check_view_conversation_permission(member, message.conversation)
    _check_rate(member, "react")
    with transaction.atomic():
        conversation, message = _lock_for_change(message, member)
        removed, _ = Reaction.objects.filter(message=message, member=member, emoji=emoji).delete()
        if not removed:
            Reaction.objects.create(message=message, member=member, emoji=emoji)
        _save_change(conversation, message, [])
    return not removed


def _read_up_to(conversation: Conversation, member: Member, sequence: int) -> bool:
    """Move the read position forward; one UPDATE when the member has read here before."""
    moved = Participant.objects.filter(
        conversation=conversation, member=member, last_read_sequence__lt=sequence
    ).update(last_read_sequence=sequence)
    if moved:
        return True
    _, created = Participant.objects.get_or_create(
        conversation=conversation, member=member, defaults={"last_read_sequence": sequence}
    )
    return created


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, member: Member, up_to: int) -> bool:
    """Move the member's read position forward (never back); their other pages hear of it live."""
    access.check_view_conversation_permission(member, conversation)
    conversation = Conversation.objects.get(pk=conversation.pk)
    up_to = min(up_to, conversation.last_sequence)
    if not _read_up_to(conversation, member, up_to):
        return False
    notifications.notifications_mark_read_for_conversation(member=member, conversation=conversation, up_to=up_to)
    event: ReadEvent = {"type": "conversation.read", "conversation": conversation.pk, "up_to": up_to}
    live.publish_on_commit(live.member_group(member.pk), event)
    return True
