"""Putting live events on the channel layer: only after the database commit, and never at the cost of the write.

When the layer (Redis) is down, publishing logs and gives up: the change is
already saved, and sockets that reconnect ask for what they missed.
"""

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from redis.exceptions import RedisError

from muster.socket_db import socket_event_loop
from notices.events import AccessChangedEvent, ItemReplyEvent, NotificationsChangedEvent
from verification.policy import ItemScope

logger = logging.getLogger(__name__)

# Every socket joins this group, for changes that concern every member at once (new Rules of Behavior).
EVERYONE = "members"
LAYER_ERRORS = (OSError, RedisError, asyncio.TimeoutError)
# Events for one group that queued up in a loop's publisher go out together, as one layer message of
# this type (``unbatched`` takes it apart), at most ``BATCH_LIMIT`` at a time.
BATCH = "live.batch"
BATCH_LIMIT = 50


def unbatched(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The events a layer message carries: itself, or those of a batch, in the order they were published."""
    if event.get("type") == BATCH:
        events: list[dict[str, Any]] = event["events"]
        return events
    return [event]


def member_group(member_id: int) -> str:
    return f"member.{member_id}"


def item_group(content_label: str, item_id: int) -> str:
    """The group of the sockets following one content item (``discussions.thread`` 5: a thread's page)."""
    return f"item.{content_label}.{item_id}"


def publish(group: str, event: Mapping[str, Any]) -> bool:
    """Send now; False (and a warning in the log) when the channel layer cannot be reached.

    On a socket's database thread the event is handed to that socket's event loop, which publishes it
    in turn (``_LoopPublisher``), and True means handed over: the thread does not wait for the loop.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    if (loop := socket_event_loop()) is not None:
        try:
            _LoopPublisher.of(loop).put(layer, group, dict(event))
        except RuntimeError:  # the loop has closed: the server is stopping
            _warn(group, event)
            return False
        return True
    try:
        _run_sync(layer.group_send, group, dict(event))
    except LAYER_ERRORS:
        _warn(group, event)
        return False
    return True


def _warn(group: str, event: Mapping[str, Any]) -> None:
    logger.warning("Live updates paused: could not publish %s to %s", event.get("type"), group, exc_info=True)


class _LoopPublisher:
    """Publishes, from its event loop and in the order they were handed over, the events of the sockets'
    database thread.

    That thread would otherwise give each event to the loop and wait for it to be sent: while the loop
    fans the last message out to a thousand sockets, the next message's commit would wait too. One
    thread hands events over in commit order, and one task per loop sends them in that order.

    Each send waits for Redis's answer, which the loop reads only once it is done with what it is doing
    (fanning the last message out): sent one at a time, a burst of messages queued up ten deep behind
    it. What queued for the same group meanwhile goes out in one send (``BATCH``).
    """

    _of_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPublisher]" = weakref.WeakKeyDictionary()
    _creating = threading.Lock()

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: deque[tuple[Any, str, dict[str, Any]]] = deque()
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> "_LoopPublisher":
        with cls._creating:
            publisher = cls._of_loop.get(loop)
            if publisher is None:
                publisher = cls._of_loop[loop] = cls(loop)
            return publisher

    def put(self, layer: Any, group: str, event: dict[str, Any]) -> None:
        """From any thread."""
        self.loop.call_soon_threadsafe(self._take, layer, group, event)

    def _take(self, layer: Any, group: str, event: dict[str, Any]) -> None:
        self.waiting.append((layer, group, event))
        if self.task is None:
            self.task = self.loop.create_task(self._send_waiting())

    async def _send_waiting(self) -> None:
        try:
            while self.waiting:
                layer, group, event = self.waiting.popleft()
                events = [event]
                while self.waiting and len(events) < BATCH_LIMIT and self.waiting[0][:2] == (layer, group):
                    events.append(self.waiting.popleft()[2])
                message = event if len(events) == 1 else {"type": BATCH, "events": events}
                try:
                    await layer.group_send(group, message)
                except LAYER_ERRORS:
                    _warn(group, message)
        finally:
            self.task = None


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
