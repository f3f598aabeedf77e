"""When Redis goes down and comes back: chat keeps saving, says live updates are paused, and nothing is lost.

A real server process (uvicorn, as in production, with both channel layers;
Daphne with the default one) runs on a private Redis that the test stops and
starts again on the same port, without restarting the server. What a member notices:
posting still works and the message is kept; a page opening its socket is told
live updates are paused (and closed with "try again later"); once Redis is
back, a page that reconnects from the last version it saw gets what was posted
during the outage exactly once, and new messages arrive live again.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
import websockets
from asgiref.sync import sync_to_async
from websockets.asyncio.client import ClientConnection

from messaging import services
from messaging.consumers import CLOSE_TRY_AGAIN_LATER
from messaging.models import Conversation, Message
from tests.messaging.conftest import (
    SERVERS,
    SERVERS_AND_LAYERS,
    AsgiServer,
    PrivateRedis,
    StartServers,
    frames_within,
    http_request,
    next_frame,
    open_composer,
    open_socket,
    post_message,
    session_cookie,
    subscribe,
)
from tests.messaging.factories import make_room
from verification.models import Member

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@dataclass
class Room:
    pk: int
    alice: str
    bob: str
    bob_id: int


def make_chat_room() -> Room:
    room = make_room(members=2)
    alice, bob = room.members
    return Room(room.conversation.pk, session_cookie(alice), session_cookie(bob), bob.pk)


def save_message_without_live_delivery(room: Room, body: str) -> None:
    """A message saved while the layer was down: in the database, never published on the private Redis."""
    services.message_send(
        conversation=Conversation.objects.get(pk=room.pk), author=Member.objects.get(pk=room.bob_id), body=body
    )


def saved_bodies(room: Room) -> list[str]:
    return list(Message.objects.filter(conversation_id=room.pk).order_by("sequence").values_list("body", flat=True))


async def send(socket_: ClientConnection, room: Room, body: str) -> dict[str, Any]:
    await socket_.send(json.dumps({"type": "send", "conversation": room.pk, "body": body, "nonce": body}))
    ack = await next_frame(socket_, "message.ack")
    return dict(ack["message"])


async def reconnect_and_subscribe(
    server: AsgiServer, session: str, conversation: int, since: int, *, within: float = 10.0
) -> tuple[ClientConnection, list[dict[str, Any]]]:
    """Reconnect and subscribe from ``since`` until it works, as live.js retries after "paused" or a close;
    returns the socket and what the successful subscription replayed. Fails after ``within`` seconds."""
    deadline = time.monotonic() + within
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            socket_ = await open_socket(server, session)
        except (OSError, websockets.InvalidStatus) as refused:
            seen.append(f"refused: {refused}")
        else:
            try:
                first = json.loads(await asyncio.wait_for(socket_.recv(), 5))
                if first["type"] == "session.ready":
                    return socket_, await subscribe(socket_, conversation, since)
                seen.append(f"first frame {first}")
            except (TimeoutError, websockets.ConnectionClosed) as closed:
                seen.append(f"closed: {closed}")
            await socket_.close()
        await asyncio.sleep(0.3)
    raise AssertionError(f"could not reconnect and subscribe within {within} s after Redis returned; saw: {seen[-5:]}")


def body_of(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["message"]["body"] for frame in frames if frame["type"] == "message"]


@pytest.fixture(params=SERVERS)
def one_server(request: pytest.FixtureRequest, private_redis: PrivateRedis, asgi_servers: StartServers) -> AsgiServer:
    (server,) = asgi_servers(1, server=request.param, redis_url=private_redis.url)
    return server


async def test_while_redis_is_down_a_posted_message_is_saved_and_the_conversation_page_still_opens(
    private_redis: PrivateRedis, one_server: AsgiServer
) -> None:
    room = await sync_to_async(make_chat_room)()
    composer = await asyncio.to_thread(open_composer, one_server, room.pk, room.alice)  # the page was open already

    private_redis.stop()
    as_form = await asyncio.to_thread(
        post_message, one_server, room.pk, room.alice, "Generator 2 is down", composer=composer
    )
    as_json = await asyncio.to_thread(
        post_message, one_server, room.pk, room.alice, "Send fuel to Ball High", composer=composer, accept_json=True
    )
    reopened = await asyncio.to_thread(
        http_request, one_server, "GET", f"/inbox/{room.pk}/", cookies={"sessionid": room.bob}
    )

    assert as_form.status == 302, f"posting a form during the outage answered {as_form.status}"
    assert as_json.status == 201, f"posting JSON during the outage answered {as_json.status}"
    assert as_json.json()["message"]["body"] == "Send fuel to Ball High"
    assert await sync_to_async(saved_bodies)(room) == ["Generator 2 is down", "Send fuel to Ball High"]
    assert reopened.status == 200, f"the conversation page answered {reopened.status} during the outage"
    assert "Generator 2 is down" in reopened.body


@pytest.mark.parametrize(("server_name", "layer"), SERVERS_AND_LAYERS)
async def test_while_redis_is_down_a_page_opening_its_socket_is_told_live_updates_are_paused(
    server_name: str, layer: str, private_redis: PrivateRedis, asgi_servers: StartServers
) -> None:
    (server,) = asgi_servers(1, server=server_name, redis_url=private_redis.url, layer=layer)
    room = await sync_to_async(make_chat_room)()

    private_redis.stop()
    try:
        socket_ = await open_socket(server, room.alice)
    except websockets.InvalidStatus as refused:
        pytest.fail(
            f"the socket handshake was refused with HTTP {refused.response.status_code} instead of a paused frame"
        )
    frames = await frames_within(socket_, 5)

    assert [frame["type"] for frame in frames] == ["live.paused"]
    assert frames[0]["reason"]
    assert socket_.close_code == CLOSE_TRY_AGAIN_LATER, f"closed with {socket_.close_code} {socket_.close_reason!r}"


@pytest.mark.parametrize(("server_name", "layer"), SERVERS_AND_LAYERS)
async def test_after_redis_returns_a_reconnecting_page_gets_what_was_posted_in_the_outage_once_and_live_again(
    server_name: str, layer: str, private_redis: PrivateRedis, asgi_servers: StartServers
) -> None:
    (server,) = asgi_servers(1, server=server_name, redis_url=private_redis.url, layer=layer)
    room = await sync_to_async(make_chat_room)()
    async with await open_socket(server, room.alice) as before:
        await next_frame(before, "session.ready")
        await subscribe(before, room.pk)
        last_seen = (await send(before, room, "Shelters open at noon"))["version"]
    composer = await asyncio.to_thread(open_composer, server, room.pk, room.bob)

    private_redis.stop()
    posted = await asyncio.to_thread(post_message, server, room.pk, room.bob, "Causeway closed", composer=composer)
    private_redis.start()  # the server keeps running
    socket_, replayed = await reconnect_and_subscribe(server, room.alice, room.pk, last_seen)
    async with socket_:
        async with await open_socket(server, room.bob) as bob:
            await next_frame(bob, "session.ready")
            await send(bob, room, "Causeway open again")
        live = await frames_within(socket_, 1.5, types={"message"})

    assert posted.status == 302, f"posting during the outage answered {posted.status}"
    assert [message["body"] for message in replayed] == ["Causeway closed"]
    assert body_of(live) == ["Causeway open again"]


@pytest.mark.parametrize(("server_name", "layer"), SERVERS_AND_LAYERS)
async def test_a_socket_open_when_redis_stops_does_not_leave_its_page_silently_missing_messages(
    server_name: str, layer: str, private_redis: PrivateRedis, asgi_servers: StartServers
) -> None:
    """The socket is closed (told live updates are paused, or dropped), so the page reconnects from
    the last version it saw and catches up: it never stays open while silently missing messages."""
    (server,) = asgi_servers(1, server=server_name, redis_url=private_redis.url, layer=layer)
    room = await sync_to_async(make_chat_room)()
    socket_ = await open_socket(server, room.alice)
    await next_frame(socket_, "session.ready")
    await subscribe(socket_, room.pk)
    async with await open_socket(server, room.bob) as bob:
        await next_frame(bob, "session.ready")
        last_seen = (await send(bob, room, "Water rising on Seawall Blvd"))["version"]
    await next_frame(socket_, "message")

    private_redis.stop()
    during = await frames_within(socket_, 3)
    await sync_to_async(save_message_without_live_delivery)(room, "Evacuate zone A")
    private_redis.start()
    after = await frames_within(socket_, 3)
    closed_with = socket_.close_code
    again, replayed = await reconnect_and_subscribe(server, room.alice, room.pk, last_seen)
    await again.close()

    # Told by the process's layer watch, or by the consumer when the layer failed under it: either way
    # "try again later", and the page reconnects.
    assert closed_with == CLOSE_TRY_AGAIN_LATER, f"closed with {closed_with}; frames {during} then {after}"
    assert [message["body"] for message in replayed] == ["Evacuate zone A"]
