"""The per-process room fan-out and each socket's outbox (messaging.rooms).

A process joins a room's group once, however many of its sockets follow the
room, and hands every event to them in memory; a socket that cannot keep up is
closed with a reason instead of holding up the room. The consumer-level tests
(test_consumers.py) show the same path end to end: access re-checked per event,
catch-up after a reconnect.
"""

import asyncio
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from messaging.naming import conversation_group
from messaging.rooms import CLOSE_FELL_BEHIND, OUTBOX_LIMIT, Outbox, RoomFanout, shared_frame
from muster.websocket_frames import text_frame
from notices import live

ROOM = 7
SCOPE = {"conversation_id": ROOM, "community_id": 1, "marking_id": 1, "community_marking_id": 1}


class Page:
    """A socket as a page sees it: the frames written to it, in order, through its outbox."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.written: list[dict[str, Any]] = []
        self.unblocked = asyncio.Event()
        if not stalled:
            self.unblocked.set()
        self.outbox = Outbox(self._write)

    async def _write(self, message: dict[str, Any]) -> None:
        await self.unblocked.wait()  # a page that stopped reading: the server's send never returns
        self.written.append(message)

    def room_event(self, event: dict[str, Any]) -> None:
        self.outbox.put(shared_frame(event, lambda: str(event["frame"])))

    @property
    def texts(self) -> list[str]:
        return [message["text"] for message in self.written if message["type"] == "websocket.send"]


def message_event(number: int) -> dict[str, Any]:
    return {"type": "message.changed", "scope": SCOPE, "frame": f'{{"n": {number}}}'}


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_process_joins_a_room_once_however_many_of_its_sockets_follow_it() -> None:
    layer = InMemoryChannelLayer()
    fanout = RoomFanout()
    pages = [Page() for _ in range(40)]

    await asyncio.gather(*(fanout.join(layer, ROOM, page) for page in pages))

    assert list(layer.groups[conversation_group(ROOM)]) == [fanout.channel]
    await layer.group_send(conversation_group(ROOM), message_event(1))
    await asyncio.sleep(0.05)
    assert all(page.texts == ['{"n": 1}'] for page in pages)
    # One ASGI message for the whole room: encoded once, shared.
    assert len({id(page.written[0]) for page in pages}) == 1

    for page in pages[:-1]:
        await fanout.leave(layer, ROOM, page)
    await settle()
    assert list(layer.groups[conversation_group(ROOM)]) == [fanout.channel]
    await fanout.leave(layer, ROOM, pages[-1])
    await settle()
    assert conversation_group(ROOM) not in layer.groups
    for task in fanout._tasks:
        task.cancel()


async def test_a_room_left_and_joined_again_at_once_stays_subscribed() -> None:
    layer = InMemoryChannelLayer()
    fanout = RoomFanout()
    first, second = Page(), Page()
    await fanout.join(layer, ROOM, first)

    await fanout.leave(layer, ROOM, first)
    await fanout.join(layer, ROOM, second)
    await settle()

    assert list(layer.groups[conversation_group(ROOM)]) == [fanout.channel]
    await layer.group_send(conversation_group(ROOM), message_event(1))
    await asyncio.sleep(0.05)
    assert second.texts == ['{"n": 1}']
    assert first.texts == []
    for task in fanout._tasks:
        task.cancel()


async def test_each_socket_gets_every_event_in_order() -> None:
    layer = InMemoryChannelLayer()
    fanout = RoomFanout()
    pages = [Page() for _ in range(5)]
    for page in pages:
        await fanout.join(layer, ROOM, page)

    for number in range(200):
        await layer.group_send(conversation_group(ROOM), message_event(number))
    await asyncio.sleep(0.2)

    expected = [f'{{"n": {number}}}' for number in range(200)]
    assert all(page.texts == expected for page in pages)
    for task in fanout._tasks:
        task.cancel()


async def test_a_socket_that_stops_reading_is_closed_with_a_reason_and_holds_up_nobody() -> None:
    stalled, keeping_up = Page(stalled=True), Page()
    event_count = OUTBOX_LIMIT + 10

    for number in range(event_count):
        event = message_event(number)
        stalled.room_event(event)
        keeping_up.room_event(event)
        await asyncio.sleep(0)

    assert len(keeping_up.texts) == event_count
    assert stalled.written == []
    stalled.unblocked.set()  # the page reads again (or the server gives up on it): what reaches it?
    await settle()
    # The one frame that was on its way, then the close: the backlog was dropped, not kept in memory.
    assert stalled.texts == ['{"n": 0}']
    assert stalled.written[-1]["type"] == "websocket.close"
    assert stalled.written[-1]["code"] == CLOSE_FELL_BEHIND
    assert "catch up" in stalled.written[-1]["reason"]
    assert stalled.outbox.closed
    stalled.room_event(message_event(event_count))
    await settle()
    assert stalled.written[-1]["type"] == "websocket.close"


async def test_a_socket_just_behind_catches_up_without_being_closed() -> None:
    slow = Page(stalled=True)
    for number in range(OUTBOX_LIMIT):
        slow.room_event(message_event(number))
        await asyncio.sleep(0)

    slow.unblocked.set()
    await asyncio.sleep(0.05)

    assert slow.texts == [f'{{"n": {number}}}' for number in range(OUTBOX_LIMIT)]
    assert not slow.outbox.closed


@pytest.mark.parametrize("failure", [ConnectionResetError, RuntimeError])
async def test_a_socket_that_went_away_mid_write_drops_what_waited(failure: type[Exception]) -> None:
    async def gone(message: dict[str, Any]) -> None:
        raise failure("the connection is gone")

    outbox = Outbox(gone)
    outbox.put({"type": "websocket.send", "text": "1"})
    outbox.put({"type": "websocket.send", "text": "2"})
    await settle()

    assert outbox.closed
    outbox.put({"type": "websocket.send", "text": "3"})  # ignored, no error


class ForeignAwaitable:
    """An awaitable as Granian's send returns (made in Rust): ``await`` works, but its iterator only
    knows ``__next__``, so it cannot be stepped with ``send`` the way a coroutine can."""

    def __init__(self, done: asyncio.Future[None]) -> None:
        self.steps = done.__await__()

    def __await__(self) -> "ForeignAwaitable":
        return self

    def __iter__(self) -> "ForeignAwaitable":
        return self

    def __next__(self) -> Any:
        return next(self.steps)


async def test_a_server_whose_send_is_not_a_coroutine_still_gets_every_frame_in_order() -> None:
    written: list[str] = []
    loop = asyncio.get_running_loop()

    def send(message: dict[str, Any]) -> ForeignAwaitable:
        done: asyncio.Future[None] = loop.create_future()

        def write() -> None:
            written.append(message["text"])
            done.set_result(None)

        loop.call_soon(write)
        return ForeignAwaitable(done)

    outbox = Outbox(send)  # type: ignore[arg-type]
    for number in range(5):
        outbox.put({"type": "websocket.send", "text": str(number)})
    await asyncio.sleep(0.05)

    assert written == ["0", "1", "2", "3", "4"]
    assert not outbox.closed


async def test_a_socket_that_fails_on_an_event_does_not_keep_it_from_the_rest_of_the_room() -> None:
    class Broken(Page):
        def room_event(self, event: dict[str, Any]) -> None:
            raise ValueError("a bug in one socket")

    fanout = RoomFanout()
    fanout.rooms[ROOM] = {Broken(), (fine := Page())}

    fanout.deliver(message_event(1))
    await settle()

    assert fine.texts == ['{"n": 1}']


async def test_a_socket_that_fails_on_one_event_of_a_batch_still_gets_the_others() -> None:
    class FailsOnTwo(Page):
        def room_event(self, event: dict[str, Any]) -> None:
            if event["frame"] == '{"n": 2}':
                raise ValueError("a bug in one socket")
            super().room_event(event)

    fanout = RoomFanout()
    fanout.rooms[ROOM] = {(failing := FailsOnTwo()), (fine := Page())}

    fanout.deliver_together([message_event(number) for number in (1, 2, 3)])
    await settle()

    assert failing.texts == ['{"n": 1}', '{"n": 3}']
    assert fine.texts == ['{"n": 1}', '{"n": 2}', '{"n": 3}']


class FramedPage:
    """A socket on a server that offers ``write_frame``: frames it could write at once, and the sends it left
    to the server's send (its buffer was full)."""

    def __init__(self) -> None:
        self.room_for_frames = True
        self.frames: list[bytes] = []
        self.sent: list[str] = []
        self.unblocked = asyncio.Event()
        self.unblocked.set()
        self.outbox = Outbox(self._send, self._write_frame)

    def _write_frame(self, frame: bytes) -> bool:
        if self.room_for_frames:
            self.frames.append(frame)
        return self.room_for_frames

    async def _send(self, message: dict[str, Any]) -> None:
        await self.unblocked.wait()
        self.sent.append(message["text"])

    def room_event(self, event: dict[str, Any]) -> None:
        self.outbox.put(shared_frame(event, lambda: str(event["frame"])))


async def test_a_room_frame_is_written_directly_where_the_server_offers_it_and_sent_otherwise() -> None:
    page = FramedPage()

    page.room_event(message_event(1))
    page.outbox.put({"type": "websocket.send", "text": "an acknowledgement"})  # no frame of its own: sent

    assert page.frames == [text_frame('{"n": 1}')]
    await settle()
    assert page.sent == ["an acknowledgement"]

    page.room_for_frames = False  # the socket's buffer is full: the server's send waits, or raises
    page.room_event(message_event(2))
    await settle()
    assert page.sent == ["an acknowledgement", '{"n": 2}']


async def test_while_a_send_waits_room_frames_queue_behind_it_and_keep_their_order() -> None:
    page = FramedPage()
    page.unblocked.clear()
    page.outbox.put({"type": "websocket.send", "text": "waits"})
    await settle()

    page.room_event(message_event(1))  # the socket could take it, but "waits" is ahead of it
    page.room_event(message_event(2))
    page.unblocked.set()
    await settle()

    assert page.frames == []
    assert page.sent == ["waits", '{"n": 1}', '{"n": 2}']


def batch_of(*numbers: int) -> dict[str, Any]:
    """Room events published together (``notices.live.BATCH``)."""
    return {"type": live.BATCH, "events": [message_event(number) for number in numbers]}


async def test_events_published_together_reach_each_socket_in_one_write_in_order() -> None:
    layer = InMemoryChannelLayer()
    fanout = RoomFanout()
    framed, plain = FramedPage(), Page()
    await fanout.join(layer, ROOM, framed)
    await fanout.join(layer, ROOM, plain)

    await layer.group_send(conversation_group(ROOM), batch_of(1, 2, 3))
    await layer.group_send(conversation_group(ROOM), message_event(4))
    await asyncio.sleep(0.05)

    # Where the server offers it, the three frames are one write; the next event is a write of its own.
    assert framed.frames == [
        text_frame('{"n": 1}') + text_frame('{"n": 2}') + text_frame('{"n": 3}'),
        text_frame('{"n": 4}'),
    ]
    # Elsewhere, each frame is sent on its own, in order.
    assert plain.texts == ['{"n": 1}', '{"n": 2}', '{"n": 3}', '{"n": 4}']
    for task in fanout._tasks:
        task.cancel()


async def test_frames_held_together_keep_their_order_with_what_is_put_meanwhile_and_with_a_full_buffer() -> None:
    page = FramedPage()

    with page.outbox.corked():
        page.room_event(message_event(1))
        page.room_event(message_event(2))
        page.outbox.put({"type": "websocket.send", "text": "a presence frame of its own"})  # no shared frame
        page.room_event(message_event(3))
    await settle()

    assert page.frames == [text_frame('{"n": 1}') + text_frame('{"n": 2}'), text_frame('{"n": 3}')]
    assert page.sent == ["a presence frame of its own"]

    page.room_for_frames = False  # the buffer is full: the held frames go through the server's send, in order
    with page.outbox.corked():
        page.room_event(message_event(4))
        page.room_event(message_event(5))
    await settle()
    assert page.sent == ["a presence frame of its own", '{"n": 4}', '{"n": 5}']
