"""A uvicorn process stopping (a deploy, a scale-down): its pages are told at once and catch up on another.

On SIGTERM uvicorn, run as production runs it, closes every live socket with 1012 ("service restart") and
gives requests in flight its graceful-shutdown time. A page reconnects after any close but a refusal
(live.js), here to the process that stays, from the last version it saw, and gets what was said while it
was away, once.
"""

import asyncio
import contextlib
import json
import signal
import subprocess
import time

import pytest
from asgiref.sync import sync_to_async

from tests.messaging.conftest import (
    PrivateRedis,
    StartServers,
    graceful_shutdown_seconds,
    next_frame,
    open_socket,
    session_cookie,
    subscribe,
)
from tests.messaging.factories import make_room

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CLOSE_SERVICE_RESTART = 1012


def make_cast() -> tuple[int, str, str]:
    room = make_room(members=2)
    alice, bob = room.members
    return room.conversation.pk, session_cookie(alice), session_cookie(bob)


async def test_a_stopping_uvicorn_closes_its_sockets_as_a_restart_and_the_page_catches_up_on_another_process(
    private_redis: PrivateRedis, asgi_servers: StartServers
) -> None:
    stopping, staying = asgi_servers(2, redis_url=private_redis.url)
    graceful = graceful_shutdown_seconds()
    room, alice_session, bob_session = await sync_to_async(make_cast)()
    alice = await open_socket(stopping, alice_session)
    await next_frame(alice, "session.ready")
    await subscribe(alice, room)
    async with await open_socket(staying, bob_session) as bob:
        await next_frame(bob, "session.ready")
        await bob.send(json.dumps({"type": "send", "conversation": room, "body": "Shelter 4 is full", "nonce": "1"}))
        last_seen = (await next_frame(alice, "message"))["message"]["version"]

        stopping.process.send_signal(signal.SIGTERM)
        asked_at = time.monotonic()
        await asyncio.wait_for(alice.wait_closed(), graceful)
        closed_after = time.monotonic() - asked_at
        await bob.send(json.dumps({"type": "send", "conversation": room, "body": "Shelter 5 opens", "nonce": "2"}))
        await next_frame(bob, "message.ack")
    async with await open_socket(staying, alice_session) as again:
        await next_frame(again, "session.ready")
        replayed = await subscribe(again, room, since=last_seen)
    with contextlib.suppress(subprocess.TimeoutExpired):
        await asyncio.to_thread(stopping.process.wait, graceful)

    assert alice.close_code == CLOSE_SERVICE_RESTART, f"closed with {alice.close_code} {alice.close_reason!r}"
    assert closed_after < graceful
    assert [message["body"] for message in replayed] == ["Shelter 5 opens"]
    assert stopping.process.returncode is not None, "the process outlived its graceful-shutdown time"
