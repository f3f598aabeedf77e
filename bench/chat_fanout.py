"""Chat fan-out: one sender, N real websocket clients in one room, through Daphne and Redis.

The bench process (Django, on the throw-away test database) creates a
community of verified members and a session per member, then for each
configuration starts the servers as subprocesses and measures them with
client subprocesses (``python -m bench.chat_fanout client``) that it drives
over their stdin and stdout:

- one process holds the sender's socket, one or more hold the receivers';
- every receiver connects with its member's session cookie and an allowed
  ``Origin``, subscribes to the room and waits for ``subscribed``; then the
  presence frames the joins set off are drained (the room is quiet for
  ``QUIET_SECONDS``);
- **latency**: ``LATENCY_MESSAGES`` messages at a fixed spacing
  (``SPACING``, by room size), each carrying ``time.time()`` at the moment of
  sending; every delivery gives receive time minus send time (one machine,
  one clock) → p50 and p99;
- **throughput**: ``BURST_MESSAGES`` messages sent back to back; deliveries
  per second = deliveries / (last receive - first send);
- **delivered / expected** = frames received / (messages x receivers), after
  waiting (up to ``COLLECT_TIMEOUT``) for all of them; the sender's own copy
  is not counted.

The baseline is ``bench.ws_baseline``, a bare ``websockets`` broadcast server,
measured by the same clients in the same run. The Daphne processes run
production-like: ``DJANGO_DEBUG=false``, the Redis channel layer and cache,
and a send rate limit high enough for the one sender.
"""

import asyncio
import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"

SIZES = (100, 500, 1_000)
# The chosen layer; ``--layers pubsub,core`` compares both (docs/performance.md has the comparison).
LAYERS = ("pubsub",)
DAPHNE_PROCESSES = (1, 2)
# Receivers per client process: one asyncio process keeps up with 1,000 sockets (see docs/performance.md).
CLIENT_PROCESSES = 1
LATENCY_MESSAGES = 20
# Seconds between latency messages: wide enough that one Daphne process is not saturated at that room
# size (it delivers about 2,000-3,000 frames a second here; see docs/performance.md).
SPACING = {100: 0.2, 500: 0.5, 1_000: 1.0}
BURST_MESSAGES = 30
QUIET_SECONDS = 1.0
CONNECT_CONCURRENCY = 32
CONNECT_TIMEOUT = 240.0
QUIET_TIMEOUT = 240.0
COLLECT_TIMEOUT = 60.0
# The application Daphne serves; another module may be named to measure a variant (see docs/performance.md).
ASGI_APPLICATION = os.environ.get("MUSTER_BENCH_ASGI", "muster.asgi:application")
# Goals on the 2-core machine (issue 7): p99 by room size, and a share of the baseline's deliveries per second.
P99_GOAL_MS = {100: 50.0, 1_000: 250.0}
THROUGHPUT_GOAL = 0.25


# --- The client process ---------------------------------------------------------------
#
# Reads one JSON spec line, connects, prints {"event": "ready"}, then answers one JSON
# command per line. Imports nothing from Django, so it starts fast and stays light.


@dataclass
class Phase:
    latencies: list[float]
    count: int = 0
    first_received: float = math.inf
    last_received: float = 0.0


class ClientState:
    def __init__(self) -> None:
        self.phases: dict[str, Phase] = {}
        self.other_frames = 0
        self.last_frame = time.time()
        self.changed = asyncio.Event()
        self.acks = 0
        self.errors: list[dict[str, Any]] = []
        # Why sockets closed or failed to open ("4013", "timeout", ...): any at all is a failed run.
        self.closed: dict[str, int] = {}

    def lost(self, error: BaseException) -> None:
        from websockets.exceptions import ConnectionClosed

        if isinstance(error, ConnectionClosed):
            reason = f"closed {error.rcvd.code}" if error.rcvd is not None else "closed without a code"
        else:
            reason = type(error).__name__
        self.closed[reason] = self.closed.get(reason, 0) + 1
        self.changed.set()

    def phase(self, name: str) -> Phase:
        if name not in self.phases:
            self.phases[name] = Phase(latencies=[])
        return self.phases[name]

    def frame(self, raw: str | bytes, is_sender: bool) -> str | None:
        """Account for one frame; returns its type."""
        now = time.time()
        self.last_frame = now
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "message" and not is_sender:
            body = str(frame["message"].get("body", ""))
            if body.startswith("bench:"):
                _, name, _, sent = body.split(":", 3)
                phase = self.phase(name)
                phase.count += 1
                phase.latencies.append((now - float(sent)) * 1000)
                phase.first_received = min(phase.first_received, now)
                phase.last_received = now
                self.changed.set()
                return "message"
        elif kind == "message.ack":
            self.acks += 1
            self.changed.set()
        elif kind == "error":
            self.errors.append(frame)
            self.changed.set()
        self.other_frames += 1
        return str(kind)


async def open_socket(url: str, cookie: str, spec: dict[str, Any], state: ClientState, is_sender: bool) -> Any:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    host = url.split("/")[2]
    socket_ = await connect(
        url,
        origin=Origin(f"http://{host}"),
        additional_headers={"Cookie": f"sessionid={cookie}"},
        compression=None,
        ping_interval=None,
        open_timeout=CONNECT_TIMEOUT,
        close_timeout=1,
        max_size=None,
    )
    ready = json.loads(await socket_.recv())
    if ready.get("type") != "session.ready":
        raise RuntimeError(f"expected session.ready, got {ready}")
    # From the room's current version, as a page that has just loaded it: nothing to replay.
    await socket_.send(json.dumps({"type": "subscribe", "conversation": spec["conversation"], "since": spec["since"]}))
    while True:
        frame = await socket_.recv()
        if state.frame(frame, is_sender) == "subscribed":
            return socket_


async def read_forever(socket_: Any, state: ClientState, is_sender: bool) -> None:
    try:
        async for frame in socket_:
            state.frame(frame, is_sender)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 - counted, and the run reports it
        state.lost(error)
        return
    if socket_.close_code is not None and socket_.close_code != 1000:
        state.closed[f"closed {socket_.close_code}"] = state.closed.get(f"closed {socket_.close_code}", 0) + 1


async def wait_for(state: ClientState, done: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        state.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.changed.wait(), min(remaining, 0.2))
    return True


async def send_phase(socket_: Any, state: ClientState, command: dict[str, Any]) -> dict[str, Any]:
    conversation, name, count, spacing = command["conversation"], command["phase"], command["count"], command["spacing"]
    acks_before = state.acks
    start = time.monotonic()
    first_sent = time.time()
    for i in range(count):
        if spacing:
            await asyncio.sleep(max(0.0, start + i * spacing - time.monotonic()))
        sent = time.time()
        body = f"bench:{name}:{i}:{sent:.6f}"
        await socket_.send(json.dumps({"type": "send", "conversation": conversation, "body": body, "nonce": f"{i}"}))
    last_sent = time.time()
    acked = await wait_for(state, lambda: state.acks - acks_before >= count or state.errors, COLLECT_TIMEOUT)
    return {
        "event": "sent",
        "first_sent": first_sent,
        "last_sent": last_sent,
        "acks": state.acks - acks_before,
        "all_acked": acked and not state.errors,
        "errors": state.errors[:3],
    }


async def client_main() -> None:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def reply(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    spec = json.loads(await stdin.readline())
    state = ClientState()
    is_sender = bool(spec["sender"])
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    started = time.monotonic()

    readers: list[asyncio.Task[None]] = []

    async def connect_one(url: str, cookie: str) -> Any:
        async with gate:
            try:
                socket_ = await open_socket(url, cookie, spec, state, is_sender)
            except Exception as error:  # noqa: BLE001 - counted, and the run reports it
                state.lost(error)
                return None
        # Read from the moment it has joined, as a page does: a socket left unread while the
        # others join stops answering the server's pings once its queue fills, and is dropped.
        readers.append(asyncio.create_task(read_forever(socket_, state, is_sender)))
        return socket_

    opened = await asyncio.gather(*(connect_one(url, cookie) for url, cookie in spec["sockets"]))
    sockets = [socket_ for socket_ in opened if socket_ is not None]
    expected_sockets = len(spec["sockets"])
    reply({"event": "ready", "sockets": len(sockets), "seconds": time.monotonic() - started, "closed": state.closed})

    while line := await stdin.readline():
        command = json.loads(line)
        if command["cmd"] == "quiet":
            started = time.monotonic()
            frames_before = state.other_frames
            quiet = await wait_for(
                state, lambda seconds=command["seconds"]: time.time() - state.last_frame >= seconds, command["timeout"]
            )
            reply(
                {
                    "event": "quiet",
                    "quiet": quiet,
                    "frames": state.other_frames - frames_before,
                    "seconds": time.monotonic() - started,
                }
            )
        elif command["cmd"] == "send":
            try:
                reply(await send_phase(sockets[0], state, command))
            except Exception as error:  # noqa: BLE001 - reported as a failed send
                reply({"event": "sent", "failed": repr(error), "first_sent": time.time(), "acks": 0, "errors": []})
        elif command["cmd"] == "collect":
            phase = state.phase(command["phase"])
            expected = command["count"] * expected_sockets
            await wait_for(state, lambda phase=phase, expected=expected: phase.count >= expected, command["timeout"])
            reply(
                {
                    "event": "collected",
                    "delivered": phase.count,
                    "expected": expected,
                    "latencies": [round(latency, 3) for latency in phase.latencies],
                    "first_received": phase.first_received if phase.count else None,
                    "last_received": phase.last_received if phase.count else None,
                    "closed": state.closed,
                }
            )
        elif command["cmd"] == "exit":
            break
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(socket_.close() for socket_ in sockets), return_exceptions=True)


# --- Driving the client processes ------------------------------------------------------


class ClientProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, spec: dict[str, Any]) -> "ClientProcess":
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.chat_fanout",
            "client",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        client = cls(process)
        await client.write(spec)
        return client

    async def write(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        await self.process.stdin.drain()

    async def read(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"client process exited ({await self.process.wait()})")
        return dict(json.loads(line))

    async def ask(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        await self.write(message)
        return await self.read(timeout)

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.write({"cmd": "exit"})
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def measure(
    *, urls: list[str], sender: tuple[str, str], receivers: list[str], conversation: int, since: int
) -> dict[str, Any]:
    """One configuration: the sender on ``urls[0]``, receivers round-robin over ``urls``."""
    n = len(receivers)
    sockets = [(urls[i % len(urls)], cookie) for i, cookie in enumerate(receivers)]
    chunks = [sockets[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    started = time.monotonic()
    sending = await ClientProcess.start(
        {"sender": True, "sockets": [sender], "conversation": conversation, "since": since}
    )
    groups = [
        await ClientProcess.start({"sender": False, "sockets": chunk, "conversation": conversation, "since": since})
        for chunk in chunks
    ]
    everyone = [sending, *groups]
    try:
        ready = [await client.read(CONNECT_TIMEOUT) for client in everyone]
        connect_seconds = time.monotonic() - started
        quiet = await asyncio.gather(
            *(
                client.ask({"cmd": "quiet", "seconds": QUIET_SECONDS, "timeout": QUIET_TIMEOUT}, QUIET_TIMEOUT + 10)
                for client in everyone
            )
        )
        result: dict[str, Any] = {
            "clients": n,
            "connect_seconds": round(connect_seconds, 2),
            "presence_frames_drained": sum(q["frames"] for q in quiet[1:]),
            "drain_seconds": round(max(q["seconds"] for q in quiet), 2),
            "drained": all(q["quiet"] for q in quiet),
            "ready": ready[1:],
        }
        for name, count, spacing in (("latency", LATENCY_MESSAGES, SPACING[n]), ("burst", BURST_MESSAGES, 0.0)):
            sent = await sending.ask(
                {"cmd": "send", "phase": name, "count": count, "spacing": spacing, "conversation": conversation},
                COLLECT_TIMEOUT + count * spacing + 10,
            )
            collected = await asyncio.gather(
                *(
                    client.ask(
                        {"cmd": "collect", "phase": name, "count": count, "timeout": COLLECT_TIMEOUT},
                        COLLECT_TIMEOUT + 10,
                    )
                    for client in groups
                )
            )
            latencies = sorted(latency for c in collected for latency in c["latencies"])
            delivered = sum(c["delivered"] for c in collected)
            lasts = [c["last_received"] for c in collected if c["last_received"] is not None]
            elapsed = (max(lasts) - sent["first_sent"]) if lasts else math.nan
            result[name] = {
                "messages": count,
                "spacing_ms": round(spacing * 1000),
                "p50_ms": round(percentile(latencies, 0.50), 2),
                "p99_ms": round(percentile(latencies, 0.99), 2),
                "max_ms": round(latencies[-1], 2) if latencies else math.nan,
                "delivered": delivered,
                "expected": count * n,
                "delivered_ratio": delivered / (count * n),
                "deliveries_per_second": round(delivered / elapsed, 1) if elapsed > 0 else math.nan,
                "send_seconds": round(sent.get("last_sent", math.nan) - sent["first_sent"], 3),
                "send_failed": sent.get("failed"),
                "acks": sent["acks"],
                "errors": sent["errors"],
            }
        closed: dict[str, int] = {}
        for report in collected:  # each receiver process's running count, after the last phase
            for reason, count in report["closed"].items():
                closed[reason] = closed.get(reason, 0) + count
        result["closed"] = closed
        return result
    finally:
        await asyncio.gather(*(client.stop() for client in everyone))


# --- Servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path, health: bool) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            if health:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            else:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def servers(commands: list[list[str]], env: dict[str, str], logs: Path, health: bool) -> Iterator[list[str]]:
    """Start each command (with ``{port}`` filled in); yield their websocket URLs; stop them."""
    started: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    try:
        for i, command in enumerate(commands):
            port = free_port()
            log = logs / f"server-{i}-{port}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [part.format(port=port) for part in command],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, port, log))
        for process, port, log in started:
            wait_until_listening(port, process, log, health)
        yield [f"ws://127.0.0.1:{port}/ws/live/" for _, port, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- The world and the run ---------------------------------------------------------------


@dataclass
class World:
    conversation: int
    sender: str
    receivers: list[str]


def session_for(member: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


def build_world(size: int) -> World:
    """One open community; its owner sends, ``size`` verified members receive in its default room."""
    from django.test import override_settings

    from communities.services import community_create, membership_join
    from messaging.models import Conversation
    from tests.verification.factories import make_verified_member
    from verification.models import Marking

    # A fast hasher: the members never sign in with a password, and PBKDF2 for 1,000 of them takes minutes.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        owner = make_verified_member()
        community = community_create(
            creator=owner, name="Chat fan-out", slug="chat-fanout", marking=Marking.objects.get(rank=0)
        )
        members = [make_verified_member() for _ in range(size)]
        for member in members:
            membership_join(community=community, member=member)
        room = Conversation.objects.get(community=community, is_default_room=True)
        return World(room.pk, session_for(owner), [session_for(member) for member in members])


def database_url() -> str:
    """The test database as a URL, for the Daphne processes."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        return f"postgres://{credentials}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
    raise RuntimeError(f"the chat benchmark does not know how to share a {connection.vendor} database")


def daphne_env(layer: str, redis_url: str) -> dict[str, str]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MUSTER_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "muster.settings",
            "DJANGO_DEBUG": "false",
            # The sessions were signed with the bench process's key.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "MUSTER_CHANNEL_LAYER": layer,
            "MUSTER_CHAT_RATE_COUNT": "100000",
            "MUSTER_LOG_LEVEL": "WARNING",
        }
    )
    return env


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def row(label: str, result: dict[str, Any], baseline: dict[int, float]) -> dict[str, Any]:
    n = result["clients"]
    latency, burst = result["latency"], result["burst"]
    base = baseline.get(n)
    share = burst["deliveries_per_second"] / base if base else None
    goal = P99_GOAL_MS.get(n)
    complete = latency["delivered_ratio"] == 1.0 and burst["delivered_ratio"] == 1.0
    passed = complete and (goal is None or latency["p99_ms"] < goal) and (share is None or share >= THROUGHPUT_GOAL)
    return {
        "config": label,
        "clients": n,
        "p50_ms": latency["p50_ms"],
        "p99_ms": latency["p99_ms"],
        "delivered_ratio": min(latency["delivered_ratio"], burst["delivered_ratio"]),
        "deliveries_per_second": burst["deliveries_per_second"],
        "share_of_baseline": round(share, 3) if share is not None else None,
        "p99_goal_ms": goal,
        "passed": passed if label != "baseline" else None,
        "closed": result["closed"],
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'config':<16} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} {'deliv/exp':>9} {'deliv/s':>9} {'/base':>6}  goal"
    )
    for r in rows:
        share = f"{r['share_of_baseline']:.2f}" if r["share_of_baseline"] is not None else "—"
        verdict = {True: "pass", False: "FAIL", None: ""}[r["passed"]]
        print(
            f"{r['config']:<16} {r['clients']:>7} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['delivered_ratio']:>9.4f} {r['deliveries_per_second']:>9.0f} {share:>6}  {verdict}"
        )


def run(sizes: tuple[int, ...] = SIZES, layers: tuple[str, ...] = LAYERS) -> dict[str, Any]:
    import redis

    from messaging.models import Conversation

    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        print(f"chat fan-out: skipped, Redis at {redis_url} is unreachable ({error})")
        return {"skipped": f"Redis at {redis_url} is unreachable: {error}"}

    started = time.monotonic()
    world = build_world(max(sizes))
    setup_seconds = time.monotonic() - started
    print(f"chat fan-out: {max(sizes)} members and sessions in {setup_seconds:.1f} s")
    runs: list[dict[str, Any]] = []
    baseline: dict[int, float] = {}
    rows: list[dict[str, Any]] = []
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", ASGI_APPLICATION]
    bare = [sys.executable, "-m", "bench.ws_baseline", "--port", "{port}"]
    configs = [("baseline", [bare], False, "")]
    configs += [(f"{layer} x{count}", [daphne] * count, True, layer) for layer in layers for count in DAPHNE_PROCESSES]
    with tempfile.TemporaryDirectory(prefix="chat-fanout-") as logs:
        for label, commands, is_daphne, layer in configs:
            for size in sizes:
                flush_redis(redis_url)
                env = daphne_env(layer, redis_url) if is_daphne else dict(os.environ)
                began = time.monotonic()
                with servers(commands, env, Path(logs), health=is_daphne) as urls:
                    result = asyncio.run(
                        measure(
                            urls=urls,
                            sender=(urls[0], world.sender),
                            receivers=world.receivers[:size],
                            conversation=world.conversation,
                            since=Conversation.objects.get(pk=world.conversation).last_version,
                        )
                    )
                result.update({"config": label, "seconds": round(time.monotonic() - began, 1)})
                runs.append(result)
                if label == "baseline":
                    baseline[size] = result["burst"]["deliveries_per_second"]
                rows.append(row(label, result, baseline))
                r = rows[-1]
                print(
                    f"chat fan-out: {label} {size}: p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                    f"delivered {r['delivered_ratio']:.4f}, {r['deliveries_per_second']:.0f}/s "
                    f"({result['seconds']} s, {result['presence_frames_drained']} presence frames drained)",
                    flush=True,
                )
    print_table(rows)
    return {
        "method": {
            "latency_messages": LATENCY_MESSAGES,
            "spacing_ms": {str(n): round(s * 1000) for n, s in SPACING.items()},
            "burst_messages": BURST_MESSAGES,
            "client_processes": CLIENT_PROCESSES,
            "daphne": "DJANGO_DEBUG=false, Redis channel layer and cache",
            "redis_url": redis_url,
        },
        "setup_seconds": round(setup_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "table": rows,
        "runs": runs,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["client"]:
        asyncio.run(client_main())
    else:
        sys.exit("usage: python -m bench.chat_fanout client  (started by python -m bench chat)")
