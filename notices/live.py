"""Putting live events on the channel layer: only after the database commit, and never at the cost of the write.

When the layer (Redis) is down, publishing logs and gives up: the change is
already saved, and sockets that reconnect ask for what they missed.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from redis.exceptions import RedisError

from notices.events import AccessChangedEvent, ItemReplyEvent, NotificationsChangedEvent
from verification.policy import ItemScope

logger = logging.getLogger(__name__)

# Every socket joins this group, for changes that concern every member at once (new Rules of Behavior).
EVERYONE = "members"
LAYER_ERRORS = (OSError, RedisError, asyncio.TimeoutError)


def member_group(member_id: int) -> str:
    return f"member.{member_id}"


def item_group(content_label: str, item_id: int) -> str:
    """The group of the sockets following one content item (``discussions.thread`` 5: a thread's page)."""
    return f"item.{content_label}.{item_id}"


def publish(group: str, event: Mapping[str, Any]) -> bool:
    """Send now; False (and a warning in the log) when the channel layer cannot be reached."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        _run_sync(layer.group_send, group, dict(event))
    except LAYER_ERRORS:
        logger.warning("Live updates paused: could not publish %s to %s", event.get("type"), group, exc_info=True)
        return False
    return True


def _run_sync(send: Callable[..., Awaitable[None]], *args: Any) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(send)(*args)
        return
    # This thread runs an event loop of its own (a browser test driving Playwright), where
    # async_to_sync refuses to run: send from a short-lived worker thread instead.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(async_to_sync(send), *args).result()


def publish_on_commit(group: str, event: Mapping[str, Any]) -> None:
    """Publish once the surrounding transaction commits (at once outside one); never a rolled-back change."""
    transaction.on_commit(lambda: publish(group, event))


def announce_access_changed(member_ids: Iterable[int]) -> None:
    """Tell the members' open sockets to re-read their access; they close what the member lost."""
    event: AccessChangedEvent = {"type": "access.changed"}
    for member_id in set(member_ids):
        publish_on_commit(member_group(member_id), event)


def announce_access_changed_for_everyone() -> None:
    event: AccessChangedEvent = {"type": "access.changed"}
    publish_on_commit(EVERYONE, event)


def announce_notifications_changed(member_ids: Iterable[int]) -> None:
    event: NotificationsChangedEvent = {"type": "notifications.changed"}
    for member_id in set(member_ids):
        publish_on_commit(member_group(member_id), event)


def announce_reply(scope: ItemScope, reply_id: int) -> None:
    """Tell the sockets following an item that a reply was added; the event carries the item's scope."""
    event: ItemReplyEvent = {"type": "item.reply", "scope": scope, "reply": reply_id}
    publish_on_commit(item_group(scope["type"], scope["id"]), event)
