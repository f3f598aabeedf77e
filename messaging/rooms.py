"""Room events fanned out once per process, and each socket's bounded outbox.

Through the channel layer alone, every socket in a room is a member of the
room's group: the layer queues a copy of each event for every socket, each
socket decodes its copy and dispatches it through Channels (two tasks and an
``asyncio.wait`` per event). With a thousand sockets that per-socket dispatch,
not Redis and not the frame itself, is what a process spends its time on
(docs/performance.md). Here a process joins each room's group once, on a
channel of its own; each event it receives is handed, in memory, to the room's
local sockets, which re-check it against their member's standing and put the
frame, encoded once for all of them, in their outbox.

An ``Outbox`` keeps the order of everything one socket sends and lets a slow
socket fall behind without holding up the others: a frame is written at once
while the socket keeps up; once the server's send has to wait, what follows
waits in a bounded queue that a task of the socket's own writes out. Past
``OUTBOX_LIMIT`` frames the socket is closed (``CLOSE_FELL_BEHIND``); the page
reconnects and catches up by version, so nothing is lost.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import CoroutineType
from typing import Any, Protocol, TypeVar

from messaging.naming import conversation_group
from muster.websocket_frames import FRAME_KEY, FrameWriter, text_frame
from notices import live

logger = logging.getLogger(__name__)

# Frames one socket may have waiting: a room of a thousand in a busy minute stays far below it,
# a socket that stopped reading reaches it (each waiting frame is shared with the room, so the
# cost is a reference, not a copy).
OUTBOX_LIMIT = 1_000
# An application close code (4000-4999): the socket fell behind and is closed to catch up on reconnect.
CLOSE_FELL_BEHIND = 4008
FELL_BEHIND_REASON = "This connection fell behind; reconnect to catch up."
# How long the process waits before listening again after the channel layer failed, and how long a
# subscription change may take before it counts as failed (a layer that lost Redis may retry for ever).
RETRY_SECONDS = 1.0
LAYER_TIMEOUT_SECONDS = 5.0

# What a server's send raises for a socket that has gone (uvicorn's ClientDisconnected is an OSError;
# servers and asgiref raise RuntimeError for a send after the close).
SOCKET_GONE = (OSError, RuntimeError)
AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]
T = TypeVar("T")


def shared(event: dict[str, Any], key: str, make: Callable[[], T]) -> T:
    """What every socket of the room needs from ``event`` (its frame, its scope, the time): made by the
    first socket that asks and kept in the event, which the room's sockets share and only read.

    ``key`` starts with "_" (no layer event has such a key). Asked once per socket per event, so it
    costs one dictionary lookup once made.
    """
    try:
        made: T = event[key]
    except KeyError:
        made = event[key] = make()
    return made


def shared_frame(event: dict[str, Any], encode: Callable[[], str]) -> dict[str, Any]:
    """The ASGI message carrying ``event``'s browser frame, encoded once for the room."""

    def message() -> dict[str, Any]:
        text = encode()
        return {"type": "websocket.send", "text": text, FRAME_KEY: text_frame(text)}

    return shared(event, "_frame", message)


async def _resumed(sending: Coroutine[Any, None, None], waiting_on: Any) -> None:
    """Drive a send that was started outside any task, and stopped at ``waiting_on``, to its end, as a
    task would have."""
    while True:
        try:
            if waiting_on is None:  # a bare yield: give the loop one turn
                await asyncio.sleep(0)
            else:
                # As a task does with the future its coroutine yields: clear the flag that says
                # "yielded, not yet taken", then wait for it.
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as error:  # noqa: BLE001 - handed to the send, which decides
            try:
                waiting_on = sending.throw(error)
            except StopIteration:
                return
        else:
            try:
                waiting_on = sending.send(None)
            except StopIteration:
                return


class Outbox:
    """What one socket sends, in order: written at once while the socket keeps up, closed when it cannot.

    A message with nothing queued ahead of it is written at once, in the
    caller's turn of the event loop: the server's send runs until it must wait,
    and it almost never must (it writes to the socket's buffer and returns). So
    a room event costs each socket a write, not a task. Only a send that does
    wait (the socket's buffer is full) is handed to a task, which finishes it
    and writes what queued behind it meanwhile. With the server's
    ``write_frame`` (``muster.websocket_frames``), a message that carries its
    frame is written without even a coroutine.
    """

    __slots__ = ("_corked", "_send", "_waiting", "_write_frame", "_writer", "closed")

    def __init__(self, send: AsgiSend, write_frame: FrameWriter | None = None) -> None:
        self._send = send
        self._write_frame = write_frame
        self._waiting: deque[dict[str, Any]] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._corked: list[dict[str, Any]] | None = None
        self.closed = False

    @contextmanager
    def corked(self) -> Iterator[None]:
        """Room frames put meanwhile are written together when the block ends: one write, not one each."""
        self._corked = []
        try:
            yield
        finally:
            corked, self._corked = self._corked, None
            self._put_together(corked)

    def put(self, message: dict[str, Any]) -> None:
        """Send one ASGI message (shared between sockets: it is only read); never waits."""
        if self._corked is not None:
            if FRAME_KEY in message:
                self._corked.append(message)
                return
            corked, self._corked = self._corked, []
            self._put_together(corked)
        self._put_one(message)

    def _put_together(self, messages: list[dict[str, Any]]) -> None:
        if (
            len(messages) > 1
            and self._writer is None
            and not self.closed
            and self._write_frame is not None
            and self._write_frame(b"".join(message[FRAME_KEY] for message in messages))
        ):
            return
        for message in messages:
            self._put_one(message)

    def _put_one(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if message["type"] == "websocket.close":
            self.closed = True
        if self._writer is None:
            self._start(message)
        elif len(self._waiting) >= OUTBOX_LIMIT:
            self._fell_behind()
        else:
            self._waiting.append(message)

    async def send(self, message: dict[str, Any]) -> None:
        """``put``, as the awaitable a Channels consumer sends through."""
        self.put(message)

    def _start(self, message: dict[str, Any]) -> None:
        if self._write_frame is not None and FRAME_KEY in message and self._write_frame(message[FRAME_KEY]):
            return
        sending = self._send(message)
        if type(sending) is not CoroutineType and not isinstance(sending, Coroutine):
            # A server's own awaitable (Granian's comes from Rust) cannot be run a step at a time.
            self._writer = asyncio.ensure_future(self._finish(sending))
            return
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return
        except SOCKET_GONE:
            self._gone()
            return
        self._writer = asyncio.ensure_future(self._finish(_resumed(sending, waiting_on)))

    async def _finish(self, sending: Awaitable[None]) -> None:
        """Finish the send that had to wait, then write what queued behind it meanwhile."""
        try:
            await sending
            while self._waiting:
                await self._send(self._waiting.popleft())
        except SOCKET_GONE:
            self._gone()
        finally:
            self._writer = None

    def _fell_behind(self) -> None:
        logger.info("Closing a live socket that fell %s frames behind", OUTBOX_LIMIT)
        self._waiting.clear()
        self._waiting.append({"type": "websocket.close", "code": CLOSE_FELL_BEHIND, "reason": FELL_BEHIND_REASON})
        self.closed = True

    def _gone(self) -> None:
        """The socket went away mid-write: what waited is dropped; its disconnect tidies up the rest."""
        logger.debug("A live socket closed while frames were waiting", exc_info=True)
        self._waiting.clear()
        self.closed = True
        self._writer = None


class RoomSocket(Protocol):
    outbox: Outbox

    def room_event(self, event: dict[str, Any]) -> None:
        """Take one event of a room the socket joined: re-check it in memory and queue its frame. Never waits."""


def _hand(socket: RoomSocket, event: dict[str, Any]) -> None:
    """One event to one socket: a socket that fails on it does not keep it from the rest of the room."""
    try:
        socket.room_event(event)
    except Exception:
        logger.exception("A room event could not be delivered to a socket: %s", event.get("type"))


class RoomFanout:
    """One per process (event loop): one channel-layer subscription per room with local sockets.

    Subscriptions follow the rooms: a worker task adds the process's channel to
    a room's group when its first socket joins and discards it when the last
    leaves, one change at a time, so a join and a leave of the same room never
    race. ``join`` returns once the group is joined: a socket reads its backlog
    only after that, so no message falls between the two.
    """

    def __init__(self) -> None:
        self.rooms: dict[int, set[RoomSocket]] = {}
        self.subscribed: set[int] = set()
        self.layer: Any = None
        self.channel = ""
        self._changes: asyncio.Queue[int] = asyncio.Queue()
        self._pending: dict[int, asyncio.Future[BaseException | None]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def join(self, layer: Any, conversation_id: int, socket: RoomSocket) -> None:
        """Deliver the room's events to ``socket`` from now on; raises the layer's error if it cannot."""
        self.rooms.setdefault(conversation_id, set()).add(socket)
        if conversation_id not in self.subscribed:
            await self._settle(layer, conversation_id)

    async def leave(self, layer: Any, conversation_id: int, socket: RoomSocket) -> None:
        room = self.rooms.get(conversation_id)
        if room is None or socket not in room:
            return
        room.discard(socket)
        if not room:
            del self.rooms[conversation_id]
            self._request(conversation_id)

    def deliver(self, event: dict[str, Any]) -> None:
        """Hand one room event to the room's local sockets; one that fails does not keep it from the rest."""
        room = self.rooms.get(event["scope"]["conversation_id"])
        if room:
            for socket in tuple(room):
                _hand(socket, event)

    def deliver_together(self, events: list[dict[str, Any]]) -> None:
        """Hand events published together (one room's, in order) to its local sockets, each socket's
        frames written in one go."""
        room = self.rooms.get(events[0]["scope"]["conversation_id"])
        if room:
            for socket in tuple(room):
                with socket.outbox.corked():
                    for event in events:
                        _hand(socket, event)

    async def _settle(self, layer: Any, conversation_id: int) -> None:
        """Have the worker bring the room's subscription in line with its sockets; wait until it has."""
        if self.layer is None:
            self.layer = layer
            self.channel = await layer.new_channel()
            self._tasks = [asyncio.create_task(self._subscribe()), asyncio.create_task(self._receive())]
        error = await asyncio.shield(self._request(conversation_id))
        if error is not None:
            raise error

    def _request(self, conversation_id: int) -> "asyncio.Future[BaseException | None]":
        waiting = self._pending.get(conversation_id)
        if waiting is None:
            waiting = self._pending[conversation_id] = asyncio.get_running_loop().create_future()
            self._changes.put_nowait(conversation_id)
        return waiting

    async def _subscribe(self) -> None:
        while True:
            conversation_id = await self._changes.get()
            waiting = self._pending.pop(conversation_id)
            group = conversation_group(conversation_id)
            try:
                if conversation_id in self.rooms and conversation_id not in self.subscribed:
                    await asyncio.wait_for(self.layer.group_add(group, self.channel), LAYER_TIMEOUT_SECONDS)
                    self.subscribed.add(conversation_id)
                elif conversation_id not in self.rooms and conversation_id in self.subscribed:
                    # Forgotten first: if the layer is down, the group expires on its own and the next
                    # join subscribes afresh.
                    self.subscribed.discard(conversation_id)
                    await asyncio.wait_for(self.layer.group_discard(group, self.channel), LAYER_TIMEOUT_SECONDS)
            except live.LAYER_ERRORS as error:
                waiting.set_result(error)
            else:
                waiting.set_result(None)

    async def _receive(self) -> None:
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except live.LAYER_ERRORS:
                # The sockets are told by the layer watch (process_live.LayerWatch) and reconnect; the
                # process keeps listening so that it hears the rooms again once Redis is back.
                logger.warning("Room events paused: the channel layer is unreachable", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                if event.get("type") == live.BATCH:
                    self.deliver_together(live.unbatched(event))
                else:
                    self.deliver(event)
            except Exception:  # a malformed event: the next one is heard all the same
                logger.exception("A room event could not be delivered: %s", event.get("type"))
