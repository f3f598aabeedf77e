"""What the live sockets of one process share: a watch on the channel layer, presence gathered per room,
the rooms' events fanned out once (``messaging.rooms``) and the periodic re-read of every socket's standing.

One of each per event loop (one per server process; one per test in the test suite).
"""

import asyncio
import logging
import random
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from messaging.access import LiveAccess, live_accesses
from messaging.events import PresenceChange, PresenceEvent, ScopeData
from messaging.naming import conversation_group
from messaging.rooms import RoomFanout
from muster.socket_db import socket_database_sync_to_async
from notices import live

logger = logging.getLogger(__name__)

# How often each process checks that the channel layer still answers, and how many
# missed answers in a row mean it is gone.
LAYER_CHECK_SECONDS = 1.0
LAYER_MISSED_BEATS = 3
PRESENCE_BATCH_SECONDS = 1.0


class Pausable(Protocol):
    channel_layer: Any

    async def pause(self) -> None: ...


class LayerWatch:
    """One per process (per event loop): notices the channel layer going away and pauses every socket.

    A socket whose layer is gone would stay open and silently miss messages
    (channels-redis's publish/subscribe layer keeps retrying in the background),
    so each socket is told ``live.paused`` and closed; the page reconnects and
    catches up by version once Redis answers again. A busy process can miss one
    beat, so it takes ``LAYER_MISSED_BEATS`` in a row.
    """

    HEARTBEAT_GROUP = "muster.heartbeat"

    def __init__(self) -> None:
        self.consumers: weakref.WeakSet[Pausable] = weakref.WeakSet()
        self.task: asyncio.Task[None] | None = None

    def watch(self, consumer: "Pausable") -> None:
        self.consumers.add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(consumer.channel_layer))

    async def _run(self, layer: Any) -> None:
        missed = 0
        while self.consumers:
            await asyncio.sleep(LAYER_CHECK_SECONDS)
            try:
                # A group nobody joins: one cheap Redis command that fails when Redis is away.
                await asyncio.wait_for(layer.group_send(self.HEARTBEAT_GROUP, {"type": "live.heartbeat"}), 5)
                missed = 0
            except live.LAYER_ERRORS:
                missed += 1
                if missed < LAYER_MISSED_BEATS:
                    continue
                logger.warning("Live updates paused: the channel layer stopped answering")
                for consumer in list(self.consumers):
                    await consumer.pause()


class Refreshable(Protocol):
    member: Any
    access: LiveAccess

    async def apply_access(self, access: LiveAccess | None) -> None: ...

    async def refresh_access(self) -> None: ...


class AccessRefresh:
    """One per process: every socket's standing re-read together, and expiry watched for all of them.

    Services announce what takes access away (``access.changed`` to the
    member's sockets); this is the backstop for a change that went unannounced.
    Every ``MUSTER_LIVE_ACCESS_REFRESH_SECONDS`` it reads the standing of all
    the process's members in one batch (a fixed number of queries, however many
    sockets are open) and hands each socket its new standing. Between batches
    it looks, in memory, once a second for a verification that has just
    expired, and has that socket re-read its own (renewed, or refused).
    """

    EXPIRY_CHECK_SECONDS = 1.0

    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[Refreshable] = weakref.WeakSet()
        self.task: asyncio.Task[None] | None = None

    def watch(self, socket: Refreshable) -> None:
        self.sockets.add(socket)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = settings.MUSTER_LIVE_ACCESS_REFRESH_SECONDS
        # Processes started together spread their batches.
        next_batch = loop.time() + period * random.uniform(0.8, 1.0)  # noqa: S311 - spreads load, not a secret
        while self.sockets:
            await asyncio.sleep(min(self.EXPIRY_CHECK_SECONDS, max(next_batch - loop.time(), 0.0)))
            try:
                if loop.time() >= next_batch:
                    next_batch = loop.time() + period
                    await self.refresh_all()
                else:
                    await self._refresh_expired()
            except DatabaseError:
                # The database is away for a moment: the sockets keep their standing until the next try.
                logger.warning("Live access not refreshed: the database is unreachable", exc_info=True)

    async def _refresh_expired(self) -> None:
        now = timezone.now()
        for socket in list(self.sockets):
            expires_at = socket.access.expires_at
            if expires_at is not None and expires_at <= now and socket.access.access.may_see_content:
                await socket.refresh_access()

    async def refresh_all(self) -> None:
        sockets = list(self.sockets)
        if not sockets:
            return
        # One object per member: the batch refreshes them in place, and sockets of one member share it.
        members = list({socket.member.pk: socket.member for socket in sockets}.values())
        accesses = await socket_database_sync_to_async(live_accesses)(members)
        for socket in sockets:
            await socket.apply_access(accesses.get(socket.member.pk))


class PresenceBatch:
    """One per process: presence changes gathered for ``PRESENCE_BATCH_SECONDS``, then one event per conversation.

    Every member joining a room is news to everyone in it; sent one by one, a
    room of a thousand filling up would cost half a million frames.
    """

    def __init__(self) -> None:
        self.pending: dict[int, tuple[ScopeData, dict[int, PresenceChange]]] = {}
        self.task: asyncio.Task[None] | None = None

    def add(self, layer: Any, scope: ScopeData, change: PresenceChange) -> None:
        _, changes = self.pending.setdefault(scope["conversation_id"], (scope, {}))
        changes[change["member"]["id"]] = change
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._flush_soon(layer))

    async def _flush_soon(self, layer: Any) -> None:
        await asyncio.sleep(PRESENCE_BATCH_SECONDS)
        pending, self.pending = self.pending, {}
        for conversation_id, (scope, changes) in pending.items():
            event: PresenceEvent = {"type": "member.presence", "scope": scope, "changes": list(changes.values())}
            try:
                await layer.group_send(conversation_group(conversation_id), event)
            except live.LAYER_ERRORS:
                logger.warning("Presence not sent: the channel layer is unreachable")


@dataclass
class ProcessLive:
    """What the sockets of one process share."""

    watch: LayerWatch = field(default_factory=LayerWatch)
    presence: PresenceBatch = field(default_factory=PresenceBatch)
    rooms: RoomFanout = field(default_factory=RoomFanout)
    access: AccessRefresh = field(default_factory=AccessRefresh)


_per_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessLive]" = weakref.WeakKeyDictionary()


def process_live() -> ProcessLive:
    loop = asyncio.get_running_loop()
    if loop not in _per_loop:
        _per_loop[loop] = ProcessLive()
    return _per_loop[loop]
