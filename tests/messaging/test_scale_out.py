"""Several server processes behind one Redis: a member sees a message wherever it was sent from.

Two real processes of one ASGI server share a real (private) Redis channel
layer: uvicorn (production's) with both layer types the settings offer, and
Daphne with the default one. What a member notices: a message sent through a socket on one process,
or posted as a form on the other, appears once on the other's sockets; a member
who is not in the room hears nothing on either.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from tests.messaging.conftest import (
    SERVERS_AND_LAYERS,
    AsgiServer,
    PrivateRedis,
    StartServers,
    frames_within,
    next_frame,
    open_socket,
    post_message,
    session_cookie,
    subscribe,
)
from tests.messaging.factories import make_room
from tests.verification.factories import make_verified_member

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@dataclass
class Cast:
    room: int
    alice: str
    bob: str
    outsider: str
    alice_id: int


def make_cast() -> Cast:
    room = make_room(members=2)
    alice, bob = room.members
    outsider = make_verified_member()
    return Cast(room.conversation.pk, session_cookie(alice), session_cookie(bob), session_cookie(outsider), alice.pk)


@pytest.fixture(params=SERVERS_AND_LAYERS, ids="-".join)
def two_processes(
    request: pytest.FixtureRequest, private_redis: PrivateRedis, asgi_servers: StartServers
) -> list[AsgiServer]:
    """Process A and process B of the server of the parameter on the same Redis, with its channel layer type."""
    server, layer = request.param
    return asgi_servers(2, server=server, redis_url=private_redis.url, layer=layer)


def messages_in(frames: list[dict[str, Any]], body: str) -> list[dict[str, Any]]:
    return [frame["message"] for frame in frames if frame["type"] == "message" and frame["message"]["body"] == body]


async def test_a_message_sent_on_one_process_reaches_a_member_subscribed_on_the_other_exactly_once(
    two_processes: list[AsgiServer],
) -> None:
    process_a, process_b = two_processes
    cast = await sync_to_async(make_cast)()
    async with await open_socket(process_a, cast.alice) as alice, await open_socket(process_b, cast.bob) as bob:
        for socket_ in (alice, bob):
            await next_frame(socket_, "session.ready")
            assert await subscribe(socket_, cast.room) == []

        await alice.send(
            json.dumps({"type": "send", "conversation": cast.room, "body": "Shelter 4 is full", "nonce": "n1"})
        )
        ack = await next_frame(alice, "message.ack")
        seen_by_bob = await frames_within(bob, 1.5, types={"message"})

    assert ack["nonce"] == "n1"
    received = messages_in(seen_by_bob, "Shelter 4 is full")
    assert len(received) == 1, seen_by_bob
    assert received[0]["id"] == ack["message"]["id"]
    assert received[0]["author"]["id"] == cast.alice_id
    assert received[0]["conversation"] == cast.room


async def test_a_message_posted_as_a_form_on_one_process_reaches_a_socket_on_the_other_exactly_once(
    two_processes: list[AsgiServer],
) -> None:
    process_a, process_b = two_processes
    cast = await sync_to_async(make_cast)()
    async with await open_socket(process_a, cast.alice) as alice:
        await next_frame(alice, "session.ready")
        await subscribe(alice, cast.room)

        posted = await asyncio.to_thread(post_message, process_b, cast.room, cast.bob, "Road to Bolivar closed")
        seen_by_alice = await frames_within(alice, 1.5, types={"message"})

    assert posted.status == 302, posted.body[:500]
    received = messages_in(seen_by_alice, "Road to Bolivar closed")
    assert len(received) == 1, seen_by_alice
    assert received[0]["author"]["id"] != cast.alice_id


async def test_a_member_outside_the_room_hears_nothing_on_either_process_while_members_do(
    two_processes: list[AsgiServer],
) -> None:
    process_a, process_b = two_processes
    cast = await sync_to_async(make_cast)()
    async with (
        await open_socket(process_a, cast.alice) as alice,
        await open_socket(process_b, cast.bob) as bob,
        await open_socket(process_a, cast.outsider) as outsider_on_a,
        await open_socket(process_b, cast.outsider) as outsider_on_b,
    ):
        refusals = []
        for socket_ in (alice, bob, outsider_on_a, outsider_on_b):
            await next_frame(socket_, "session.ready")
        for socket_ in (outsider_on_a, outsider_on_b):
            await socket_.send(json.dumps({"type": "subscribe", "conversation": cast.room, "since": 0}))
            refusals.append(await next_frame(socket_, "error"))
        await subscribe(bob, cast.room)

        await alice.send(
            json.dumps({"type": "send", "conversation": cast.room, "body": "Staging at pier 21", "nonce": "x"})
        )
        await next_frame(alice, "message.ack")
        heard = await asyncio.gather(
            frames_within(bob, 1.5),
            frames_within(outsider_on_a, 1.5),
            frames_within(outsider_on_b, 1.5),
        )

    seen_by_bob, seen_by_outsider_on_a, seen_by_outsider_on_b = heard
    assert [refusal["error"] for refusal in refusals] == ["not_found", "not_found"]
    assert len(messages_in(seen_by_bob, "Staging at pier 21")) == 1
    assert "Staging at pier 21" not in json.dumps(seen_by_outsider_on_a + seen_by_outsider_on_b)
    assert not [
        frame
        for frame in seen_by_outsider_on_a + seen_by_outsider_on_b
        if frame["type"] in {"message", "typing", "presence"}
    ]
