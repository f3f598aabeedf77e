"""Idle sockets: what the servers hold for N signed-in pages that say nothing (issue 19).

The bench process creates N verified members, every one distinct (with the
MD5 hasher a member, its membership and its session take about 15 ms, so
10,000 take about two and a half minutes; sockets sharing a member would
share its groups and presence, and weigh less than N members do). They join
open communities of ``ROOM_SIZE`` members. One room of N would measure
presence instead of sockets at rest: every member who opens a room is news to
everyone in it, so a room of 10,000 filling up sends each socket a frame or
two a second for as long as the joins last.

Two processes of one server (``--idle-server``, default uvicorn as production runs it, ``uvicorn-frames``)
serve the Muster application as in the chat benchmark (``DJANGO_DEBUG=false``,
the Redis channel layer). Client processes of ``SOCKETS_PER_CLIENT`` sockets
each (the chat benchmark's client) open the sockets round-robin over the two,
each with its member's session cookie and an allowed ``Origin``, wait for
``session.ready`` and subscribe to the member's room. Then:

- **accept seconds**: from the first client process starting until every
  socket is subscribed;
- **RSS** of each server (process tree, ``VmRSS``) when it answers
  ``/healthz`` with no socket open, and again once every socket is subscribed
  and no frame has arrived for ``QUIET_SECONDS``; the difference divided by
  the sockets open is the **KiB per socket**; the peak (``VmHWM``) beside it;
- **goal**: both processes together under 1 GiB with every socket open.
"""

import asyncio
import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.asgi_servers import PRODUCTION_SERVER, SERVERS, raise_file_limit, servers, tree_memory_kib
from bench.chat_fanout import DEFAULT_REDIS_URL, ClientProcess, flush_redis, redis_unreachable, server_env, session_for

SOCKETS = 10_000
SERVER_PROCESSES = 2
ROOM_SIZE = 100
SOCKETS_PER_CLIENT = 2_500
QUIET_SECONDS = 1.0
CONNECT_TIMEOUT = 1_800.0
QUIET_TIMEOUT = 240.0
GOAL_MIB = 1_024
APPLICATION = "muster.asgi:application"


def build_rooms(count: int) -> list[tuple[int, int, str]]:
    """``count`` verified members in communities of ``ROOM_SIZE``: (room, its version, session key) each,
    in room order, so that a client process fills a few rooms at a time."""
    from django.test import override_settings

    from communities.services import community_create, membership_join
    from messaging.models import Conversation
    from tests.verification.factories import make_verified_member
    from verification.models import Marking

    sockets: list[tuple[int, int, str]] = []
    # A fast hasher: the members never sign in with a password.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        owner = make_verified_member()
        unmarked = Marking.objects.get(rank=0)
        for number, first in enumerate(range(0, count, ROOM_SIZE)):
            community = community_create(creator=owner, name=f"Idle {number}", slug=f"idle-{number}", marking=unmarked)
            members = [make_verified_member() for _ in range(min(ROOM_SIZE, count - first))]
            for member in members:
                membership_join(community=community, member=member)
            room = Conversation.objects.get(community=community, is_default_room=True)
            sockets += [(room.pk, room.last_version, session_for(member)) for member in members]
            if len(sockets) % 1_000 < ROOM_SIZE:
                print(f"idle sockets: {len(sockets)} members and sessions", flush=True)
    return sockets


async def hold(
    urls: list[str], rooms: list[tuple[int, int, str]], weigh: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Open every socket, wait until all are subscribed and quiet, and weigh the servers while they are open."""
    sockets = [(urls[i % len(urls)], cookie, room, since) for i, (room, since, cookie) in enumerate(rooms)]
    chunks = [sockets[i : i + SOCKETS_PER_CLIENT] for i in range(0, len(sockets), SOCKETS_PER_CLIENT)]
    started = time.monotonic()
    clients = [await ClientProcess.start({"sender": False, "sockets": chunk}) for chunk in chunks]
    try:
        ready = await asyncio.gather(*(client.read(CONNECT_TIMEOUT) for client in clients))
        accept_seconds = time.monotonic() - started
        quiet = await asyncio.gather(
            *(
                client.ask({"cmd": "quiet", "seconds": QUIET_SECONDS, "timeout": QUIET_TIMEOUT}, QUIET_TIMEOUT + 10)
                for client in clients
            )
        )
        closed: dict[str, int] = {}
        for report in ready:
            for reason, count in report["closed"].items():
                closed[reason] = closed.get(reason, 0) + count
        return {
            "open": sum(report["sockets"] for report in ready),
            "accept_seconds": round(accept_seconds, 1),
            "drain_seconds": round(max(q["seconds"] for q in quiet), 1),
            "presence_frames_drained": sum(q["frames"] for q in quiet),
            "drained": all(q["quiet"] for q in quiet),
            "closed": closed,
            "client_processes": len(clients),
            "client_rss_mib": [round(tree_memory_kib(c.process.pid, "VmRSS") / 1024) for c in clients],
            **weigh(),
        }
    finally:
        await asyncio.gather(*(client.stop() for client in clients))


def run(sockets: int = SOCKETS, server: str = PRODUCTION_SERVER) -> dict[str, Any]:
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if unreachable := redis_unreachable(redis_url):
        print(f"idle sockets: skipped, {unreachable}")
        return {"skipped": unreachable}
    limit = raise_file_limit()
    needed = sockets // SERVER_PROCESSES + 1_000
    if limit < max(needed, SOCKETS_PER_CLIENT + 1_000):
        reason = f"{sockets} sockets need {needed} open files a server process; the hard limit is {limit}"
        print(f"idle sockets: skipped, {reason} (raise it with ulimit -Hn)")
        return {"skipped": reason}

    started = time.monotonic()
    rooms = build_rooms(sockets)
    setup_seconds = time.monotonic() - started
    print(f"idle sockets: {sockets} members in {math.ceil(sockets / ROOM_SIZE)} rooms in {setup_seconds:.0f} s")
    flush_redis(redis_url)
    command = [part.replace("{app}", APPLICATION) for part in SERVERS[server]]
    env = server_env("pubsub", redis_url)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="idle-sockets-") as logs,
            servers([command] * SERVER_PROCESSES, env, Path(logs), True) as running,
        ):
            before = running.memory_kib("VmRSS")

            def weigh() -> dict[str, Any]:
                return {"rss_after_kib": running.memory_kib("VmRSS"), "peak_rss_kib": running.memory_kib("VmHWM")}

            result = asyncio.run(hold(running.urls, rooms, weigh))
    except Exception as error:  # noqa: BLE001 - reported, and the other benchmarks' results are still written
        print(f"idle sockets: failed, {type(error).__name__}: {' '.join(str(error).split())[-500:]}")
        return {"error": f"{type(error).__name__}: {str(error)[-2000:]}", "server": server, "sockets": sockets}
    after = result["rss_after_kib"]
    grown = sum(after) - sum(before)
    per_socket = grown / result["open"] if result["open"] else float("nan")
    result |= {
        "server": server,
        "processes": SERVER_PROCESSES,
        "sockets": sockets,
        "rooms": math.ceil(sockets / ROOM_SIZE),
        "rss_before_kib": before,
        "rss_after_mib": round(sum(after) / 1024, 1),
        "rss_grown_mib": round(grown / 1024, 1),
        "kib_per_socket": round(per_socket, 1),
        "goal_mib": GOAL_MIB,
        "passed": result["open"] == sockets and sum(after) / 1024 < GOAL_MIB,
        "setup_seconds": round(setup_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "method": {
            "server": " ".join(["python", *command[1:]]),
            "room_size": ROOM_SIZE,
            "sockets_per_client_process": SOCKETS_PER_CLIENT,
            "members": "one distinct verified member and session per socket",
            "file_limit": limit,
        },
    }
    print(
        f"idle sockets: {result['open']}/{sockets} open on {SERVER_PROCESSES} {server} "
        f"in {result['accept_seconds']} s; "
        f"RSS {sum(before) / 1024:.0f} -> {result['rss_after_mib']:.0f} MiB "
        f"(+{result['rss_grown_mib']:.0f} MiB, {result['kib_per_socket']:.1f} KiB a socket), "
        f"peak {sum(result['peak_rss_kib']) / 1024:.0f} MiB; goal under {GOAL_MIB} MiB: "
        f"{'pass' if result['passed'] else 'FAIL'}",
        flush=True,
    )
    return result
