"""The notifications discussions send: mentions in posts and replies to a member's thread."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from discussions.models import Post, Thread
from notices import live
from notices.models import Notification
from notices.notifications import notify
from verification import policy
from verification.models import Member

MENTION = "mention"
REPLY = "reply"


def describe_post_notification(notification: Notification, viewer: Member) -> str:
    actor = notification.actor.display_name if notification.actor else "Someone"
    target = notification.target
    where = f"“{target.thread.title}”" if isinstance(target, Post) else "a discussion"
    verb = "mentioned you in" if notification.kind == MENTION else "replied to"
    return f"{actor} {verb} {where}"


def post_targets() -> list[QuerySet[Any]]:
    return [Post.objects.select_related("thread")]


def notify_post_mentions(*, post: Post, mentioned: Iterable[Member], url: str) -> None:
    """Members mentioned in a post (already narrowed to those who may see it)."""
    thread = post.thread
    notify(
        mentioned,
        kind_key=MENTION,
        actor=post.author,
        target=post,
        url=url,
        community=thread.community,
        marking=policy.effective_marking(thread),
    )


def notify_thread_reply(*, post: Post, url: str, already_told: Iterable[Member] = ()) -> None:
    """The thread's author hears of replies by others, while they may still see the thread."""
    thread = post.thread
    told = {member.pk for member in already_told}
    if thread.author_id is None or thread.author_id in (post.author_id, *told):
        return
    notify(
        Member.objects.filter(pk=thread.author_id),  # notify() keeps them only while they may see the post
        kind_key=REPLY,
        actor=post.author,
        target=post,
        url=url,
        community=thread.community,
        marking=policy.effective_marking(thread),
    )


def notifications_mark_read_for_thread(*, member: Member, thread: Thread, up_to: datetime) -> None:
    """Reading a thread reads the mentions and replies in it up to there (so no e-mail follows them)."""
    read_posts = Post.objects.filter(thread=thread, created_at__lte=up_to).values("pk")
    read = Notification.objects.filter(
        recipient=member,
        read_at=None,
        target_type=ContentType.objects.get_for_model(Post),
        target_id__in=read_posts,
    ).update(read_at=timezone.now())
    if read:
        live.announce_notifications_changed([member.pk])
