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
        self.open = asyncio.Event()
        self.failing = False

    async def group_send(self, group: str, event: dict[str, Any]) -> None:
        await self.open.wait()
        if self.failing:
            raise ConnectionError("Redis went away")
        self.sent.append((group, event))


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> HeldLayer:
    held = HeldLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: held)
    return held


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
    for _ in range(50):
        if len(layer.sent) == 6:
            break
        await asyncio.sleep(0.01)

    assert layer.sent == [("room", {"n": number}) for number in range(1, 7)]


async def test_a_layer_that_fails_is_logged_and_the_next_events_still_go_out(
    layer: HeldLayer, caplog: pytest.LogCaptureFixture
) -> None:
    layer.failing = True
    layer.open.set()
    with caplog.at_level(logging.WARNING, logger="notices.live"):
        await socket_database_sync_to_async(publish_three)(1)
        for _ in range(50):
            if len(caplog.records) == 3:
                break
            await asyncio.sleep(0.01)
    assert [record.getMessage() for record in caplog.records] == [
        "Live updates paused: could not publish None to room"
    ] * 3

    layer.failing = False
    await socket_database_sync_to_async(publish_three)(4)
    for _ in range(50):
        if len(layer.sent) == 3:
            break
        await asyncio.sleep(0.01)
    assert layer.sent == [("room", {"n": number}) for number in range(4, 7)]


def test_outside_a_socket_call_publishing_sends_before_it_returns(layer: HeldLayer) -> None:
    layer.open.set()

    assert publish_three(1) == [True, True, True]

    assert layer.sent == [("room", {"n": number}) for number in range(1, 4)]
