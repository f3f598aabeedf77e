"""Live events published from a socket's database call: handed to the socket's event loop, which sends them
in the order they were published (the order of the commits), without the database thread waiting for it."""

import asyncio
import logging
from typing import Any

import pytest

from muster.socket_db import socket_database_sync_to_async
from notices import live

# The socket's database thread tidies its connections around each call.
pytestmark = pytest.mark.django_db


class HeldLayer:
    """A channel layer whose sends wait until the test lets them through, and which records their order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.failed: list[dict[str, Any]] = []
        self.open = asyncio.Event()
        self.failing = False

    async def group_send(self, group: str, event: dict[str, Any]) -> None:
        await self.open.wait()
        if self.failing:
            self.failed.append(event)
            raise ConnectionError("Redis went away")
        self.sent.append((group, event))


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> HeldLayer:
    held = HeldLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: held)
    return held


def published(layer: HeldLayer) -> list[tuple[str, dict[str, Any]]]:
    """What the layer carried, each batch taken apart as its receivers do."""
    return [(group, event) for group, message in layer.sent for event in live.unbatched(message)]


async def sent_count(layer: HeldLayer, count: int) -> None:
    for _ in range(50):
        if len(layer.sent) == count:
            return
        await asyncio.sleep(0.01)


def publish_three(first: int) -> list[bool]:
    """What a socket's database call does as each of its changes commits."""
    return [live.publish("room", {"n": number}) for number in range(first, first + 3)]


async def test_a_socket_call_returns_before_its_events_are_sent_and_they_go_out_in_commit_order(
    layer: HeldLayer,
) -> None:
    # The layer holds every send: a call that waited for its publish would not return.
    handed_over = await asyncio.wait_for(socket_database_sync_to_async(publish_three)(1), 5)
    handed_over += await asyncio.wait_for(socket_database_sync_to_async(publish_three)(4), 5)
    assert handed_over == [True] * 6
    assert layer.sent == []

    layer.open.set()
    await sent_count(layer, 2)

    assert published(layer) == [("room", {"n": number}) for number in range(1, 7)]
    # The first send waited for the layer; everything handed over meanwhile went out in one more.
    assert len(layer.sent) <= 2


async def test_events_that_queue_up_go_out_in_batches_of_at_most_the_limit(layer: HeldLayer) -> None:
    def publish_many() -> None:
        for number in range(1, live.BATCH_LIMIT + 11):
            live.publish("room", {"n": number})
        live.publish("another room", {"n": 0})

    await socket_database_sync_to_async(lambda: live.publish("room", {"n": 0}))()
    await asyncio.sleep(0.05)  # its send has started, and waits for the layer
    await socket_database_sync_to_async(publish_many)()
    layer.open.set()
    await sent_count(layer, 4)

    assert [(group, len(live.unbatched(message))) for group, message in layer.sent] == [
        ("room", 1),
        ("room", live.BATCH_LIMIT),
        ("room", 10),
        ("another room", 1),
    ]
    assert layer.sent[-1] == ("another room", {"n": 0})  # one event alone is sent as itself
    assert published(layer)[: live.BATCH_LIMIT + 11] == [("room", {"n": n}) for n in range(live.BATCH_LIMIT + 11)]


async def test_a_layer_that_fails_is_logged_and_the_next_events_still_go_out(
    layer: HeldLayer, caplog: pytest.LogCaptureFixture
) -> None:
    layer.failing = True
    layer.open.set()
    with caplog.at_level(logging.WARNING, logger="notices.live"):
        await socket_database_sync_to_async(publish_three)(1)
        for _ in range(50):
            if sum(len(live.unbatched(message)) for message in layer.failed) == 3:
                break
            await asyncio.sleep(0.01)
    # Each send that failed is logged once, whether it carried one event or several.
    assert [event for message in layer.failed for event in live.unbatched(message)] == [{"n": n} for n in (1, 2, 3)]
    assert [record.getMessage() for record in caplog.records] == [
        f"Live updates paused: could not publish {message.get('type')} to room" for message in layer.failed
    ]

    layer.failing = False
    await socket_database_sync_to_async(publish_three)(4)
    for _ in range(50):
        if len(published(layer)) == 3:
            break
        await asyncio.sleep(0.01)
    assert published(layer) == [("room", {"n": number}) for number in range(4, 7)]


def test_outside_a_socket_call_publishing_sends_before_it_returns(layer: HeldLayer) -> None:
    layer.open.set()

    assert publish_three(1) == [True, True, True]

    assert layer.sent == [("room", {"n": number}) for number in range(1, 4)]
