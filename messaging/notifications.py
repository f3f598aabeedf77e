"""Notifications: created by the services of every app, shown through the access policy.

Rows record what happened and point at the item; nothing here copies item
text, so a notification can never outlive or outgrow the item's visibility.
Each write tells the recipient's open pages to refresh their bell (after commit).
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from messaging import live
from messaging.models import Conversation, Message, Notification
from verification import policy
from verification.models import Marking, Member, VerificationApplication

if TYPE_CHECKING:
    from communities.models import Community, JoinRequest
    from discussions.models import Post

Kind = Notification.Kind


def _create(
    recipients: Iterable[Member],
    *,
    kind: str,
    actor: Member | None,
    target: models.Model,
    url: str,
    community: "Community | None" = None,
    marking: Marking | None = None,
    outcome: str = "",
) -> list[Notification]:
    """``marking`` is the item's effective marking: the notification page's banner, and what a digest may say."""
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                kind=kind,
                actor=actor,
                community=community,
                marking=marking,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                outcome=outcome,
                url=url,
            )
            for recipient in recipients
        ]
    )
    live.announce_notifications_changed(row.recipient_id for row in rows)
    return rows


def notify_post_mentions(*, post: "Post", mentioned: Iterable[Member], url: str) -> None:
    """Members mentioned in a post (already narrowed to those who may see it)."""
    thread = post.thread
    marking = policy.effective_marking(thread)
    _create(
        mentioned,
        kind=Kind.MENTION,
        actor=post.author,
        target=post,
        url=url,
        community=thread.community,
        marking=marking,
    )


def notify_thread_reply(*, post: "Post", url: str, already_told: Iterable[Member] = ()) -> None:
    """The thread's author hears of replies by others, while they may still see the thread."""
    thread = post.thread
    told = {member.pk for member in already_told}
    if thread.author_id is None or thread.author_id in (post.author_id, *told):
        return
    author = policy.filter_members_who_may_view(thread, Member.objects.filter(pk=thread.author_id))
    marking = policy.effective_marking(thread)
    _create(
        author, kind=Kind.REPLY, actor=post.author, target=post, url=url, community=thread.community, marking=marking
    )


def notify_chat_message(*, conversation: Conversation, message: Message) -> None:
    """Mentions in any conversation; every message of a direct or group conversation, folded per conversation."""
    from discussions.services import MENTION

    url = reverse("messaging:conversation", args=[conversation.pk])
    author = message.author
    if author is None:
        return
    mentioned: list[Member] = []
    handles = {handle.lower() for handle in MENTION.findall(message.body)}
    if handles:
        candidates = Member.objects.filter(handle__in=handles).exclude(pk=author.pk)
        mentioned = list(policy.filter_members_who_may_view_conversation(conversation, candidates))
        _create(
            mentioned,
            kind=Kind.MENTION,
            actor=message.author,
            target=message,
            url=f"{url}#m{message.sequence}",
            community=conversation.community,
            marking=policy.effective_marking(conversation),
        )
    if conversation.is_room:
        return
    recipients = conversation.participants.filter(left_at=None).exclude(member_id=author.pk)
    recipients = recipients.exclude(member_id__in=[member.pk for member in mentioned])
    conversation_type = ContentType.objects.get_for_model(Conversation)
    for recipient_id in recipients.values_list("member_id", flat=True):
        folded = Notification.objects.filter(
            recipient_id=recipient_id,
            kind=Kind.DIRECT_MESSAGE,
            target_type=conversation_type,
            target_id=conversation.pk,
            read_at=None,
        ).update(count=F("count") + 1, actor=message.author, created_at=timezone.now())
        if not folded:
            _create(
                [Member(pk=recipient_id)],
                kind=Kind.DIRECT_MESSAGE,
                actor=message.author,
                target=conversation,
                url=url,
                marking=conversation.marking,
            )
        else:
            live.announce_notifications_changed([recipient_id])


def notify_join_request_decided(*, join_request: "JoinRequest") -> None:
    community = join_request.community
    _create(
        [join_request.member],
        kind=Kind.JOIN_REQUEST_DECISION,
        actor=join_request.decided_by,
        target=join_request,
        url=reverse("communities:detail", args=[community.slug]),
        community=community,
        outcome=join_request.status,
    )


def notify_vetting_decided(*, application: VerificationApplication) -> None:
    _create(
        [application.member],
        kind=Kind.VETTING_DECISION,
        actor=None,
        target=application,
        url=reverse("verification:status"),
        outcome=application.status,
    )


def notifications_visible_to(member: Member) -> QuerySet[Notification]:
    return policy.filter_visible_notifications(member, Notification.objects.all())


def unread_notification_count(member: Member) -> int:
    return notifications_visible_to(member).filter(read_at=None).count()


@transaction.atomic
def notification_mark_read(*, notification: Notification, member: Member) -> None:
    if notification.recipient_id != member.pk:
        raise PermissionDenied("Not your notification.")
    if Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now()):
        live.announce_notifications_changed([member.pk])


@transaction.atomic
def notifications_mark_all_read(*, member: Member) -> int:
    marked = Notification.objects.filter(recipient=member, read_at=None).update(read_at=timezone.now())
    if marked:
        live.announce_notifications_changed([member.pk])
    return marked


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
