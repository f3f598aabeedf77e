"""The notifications chat sends: mentions in any conversation, and direct and group messages
folded into one unread row per conversation."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from messaging.models import Conversation, Message, Participant
from messaging.naming import conversation_title, conversation_url, message_url
from muster.mentions import mentioned_handles
from notices import live
from notices.models import Notification
from notices.notifications import notify
from verification import policy
from verification.models import Member

CHAT_MENTION = "chat_mention"
DIRECT_MESSAGE = "direct_message"


def describe_chat_notification(notification: Notification, viewer: Member) -> str:
    actor = notification.actor.display_name if notification.actor else "Someone"
    if notification.kind == DIRECT_MESSAGE:
        count = notification.count
        return f"{count} new message{'' if count == 1 else 's'} from {actor}"
    target = notification.target
    where = conversation_title(target.conversation, viewer) if isinstance(target, Message) else "a conversation"
    return f"{actor} mentioned you in {where}"


def chat_targets() -> list[QuerySet[Any]]:
    people = Participant.objects.filter(left_at=None).select_related("member")
    return [
        Message.objects.select_related("conversation__community").prefetch_related(
            Prefetch("conversation__participants", queryset=people, to_attr="people")
        ),
        Conversation.objects.all(),
    ]


def notify_chat_message(*, conversation: Conversation, message: Message) -> None:
    """Mentions in any conversation; every message of a direct or group conversation, folded per conversation."""
    author = message.author
    if author is None:
        return
    mentioned: set[int] = set()
    handles = mentioned_handles(message.body)
    if handles:
        # notify() keeps only the candidates who may read the message (the conversation's audience).
        rows = notify(
            Member.objects.filter(handle__in=handles).exclude(pk=author.pk),
            kind_key=CHAT_MENTION,
            actor=message.author,
            target=message,
            url=message_url(message),
            community=conversation.community,
            marking=policy.effective_marking(conversation),
        )
        mentioned = {row.recipient_id for row in rows}
    if conversation.is_room:
        return
    recipients = conversation.participants.filter(left_at=None).exclude(member_id=author.pk)
    conversation_type = ContentType.objects.get_for_model(Conversation)
    folded: list[int] = []
    unfolded: list[int] = []
    for recipient_id in recipients.exclude(member_id__in=mentioned).values_list("member_id", flat=True):
        added_to_unread = Notification.objects.filter(
            recipient_id=recipient_id,
            kind=DIRECT_MESSAGE,
            target_type=conversation_type,
            target_id=conversation.pk,
            read_at=None,
        ).update(count=F("count") + 1, actor=message.author, created_at=timezone.now(), emailed_at=None)
        (folded if added_to_unread else unfolded).append(recipient_id)
    live.announce_notifications_changed(folded)
    if unfolded:
        notify(
            Member.objects.filter(pk__in=unfolded),
            kind_key=DIRECT_MESSAGE,
            actor=message.author,
            target=conversation,
            url=conversation_url(conversation),
            marking=conversation.marking,
        )


def notifications_mark_read_for_conversation(*, member: Member, conversation: Conversation, up_to: int) -> None:
    """Reading a conversation reads its direct-message and mention notifications up to that point."""
    read_messages = Message.objects.filter(conversation=conversation, sequence__lte=up_to).values("pk")
    unread = Notification.objects.filter(recipient=member, read_at=None)
    about_conversation = unread.filter(
        target_type=ContentType.objects.get_for_model(Conversation), target_id=conversation.pk
    )
    if conversation.last_sequence > up_to:
        about_conversation = about_conversation.none()
    mentions = unread.filter(target_type=ContentType.objects.get_for_model(Message), target_id__in=read_messages)
    now = timezone.now()
    if about_conversation.update(read_at=now) + mentions.update(read_at=now):
        live.announce_notifications_changed([member.pk])
