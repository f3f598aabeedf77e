"""Real processes for live-update tests: a private Redis that can be stopped and started again, and
ASGI server processes (uvicorn, as in production, or Daphne) serving the project on the test's own database.

pytest-django's ``live_server`` speaks WSGI only, so tests that need websockets
start a server themselves. Tests using these fixtures need
``@pytest.mark.django_db(transaction=True)``: the processes read what the test
wrote only once it is committed.
"""

import asyncio
import contextlib
import http.client
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets
import yaml
from django.db import connection
from django.test import Client
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from verification.models import Member

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30.0
# No persistence: an outage in a test is a process stopping, and nothing should outlive it.
SERVER_OPTIONS = ("--save", "", "--appendonly", "no", "--daemonize", "no")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- Redis ---------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, on a fixed port, so it can go down and come back at the same address."""

    binary: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "this Redis is already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, *("--port", str(self.port), "--bind", "127.0.0.1"), *SERVER_OPTIONS],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while not _accepts_connections(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Take Redis away, as an outage would: every connection to it drops."""
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own; skips (fails in CI) when ``redis-server`` is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis(binary=binary, port=free_port(), log=tmp_path / "redis.log")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


# --- ASGI servers ----------------------------------------------------------------------

PRODUCTION_SERVER = "uvicorn"
SERVERS = ("uvicorn", "daphne")
# Both channel layers on the production server, Daphne on the default layer: the layer and the server
# are independent, and every pair would double these slow tests for no case of its own.
SERVERS_AND_LAYERS = (("uvicorn", "pubsub"), ("uvicorn", "core"), ("daphne", "pubsub"))
APPLICATION = "muster.asgi:application"


def production_uvicorn_options() -> list[str]:
    """docker-compose.yml's web command without its program, address and application, so the tests run
    uvicorn with the options production runs it with."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    options: list[str] = []
    arguments = iter(shlex.split(command)[1:-1])  # "uvicorn" and the application: tests/muster/test_compose.py
    for argument in arguments:
        if argument in ("--host", "--port"):
            next(arguments)
        else:
            options.append(argument)
    return options


def graceful_shutdown_seconds() -> float:
    """How long production's uvicorn lets requests in flight finish after SIGTERM."""
    options = production_uvicorn_options()
    return float(options[options.index("--timeout-graceful-shutdown") + 1])


def server_command(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        address = ("--host", "127.0.0.1", "--port", str(port))
        return [sys.executable, "-m", "uvicorn", *production_uvicorn_options(), *address, APPLICATION]
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), APPLICATION]
    raise ValueError(f"no such server: {server}")


@dataclass
class AsgiServer:
    """One server process (uvicorn or Daphne) serving the project on one port."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}/ws/live/"

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


def database_url_of_the_test_database() -> str:
    """The test database as a ``DATABASE_URL``, for processes that must see what the test wrote."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = urllib.parse.quote(settings_dict.get("USER") or "")
    password = urllib.parse.quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def _answers_http(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        conn.getresponse().read()  # 503 is an answer too: the process is up
    except OSError:
        return False
    finally:
        conn.close()
    return True


class ServerLauncher:
    """Starts server processes (one per port) on the test database and terminates them all at ``stop_all()``."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[AsgiServer] = []

    def start(
        self,
        count: int = 1,
        *,
        server: str = PRODUCTION_SERVER,
        redis_url: str = "",
        layer: str = "pubsub",
        environment: Mapping[str, str] | None = None,
    ) -> list[AsgiServer]:
        """``environment`` adds to (or overrides) what every process is given."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PYTEST_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
        }
        env.update(
            {
                "DATABASE_URL": database_url_of_the_test_database(),
                "REDIS_URL": redis_url,
                "MUSTER_CHANNEL_LAYER": layer,
                "DJANGO_DEBUG": "true",
                "DJANGO_STATIC_MANIFEST": "false",
                "CELERY_TASK_ALWAYS_EAGER": "true",
                "PYTHONUNBUFFERED": "1",
                **(environment or {}),
            }
        )
        batch = []
        for _ in range(count):
            port = free_port()
            log = self.log_dir / f"{server}-{port}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    server_command(server, port), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                )
            started = AsgiServer(name=server, port=port, process=process, log=log)
            self.started.append(started)
            batch.append(started)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for started in batch:
            while not _answers_http(started.port):
                if started.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{server} did not start on port {started.port}:\n{started.log_tail()}")
                time.sleep(0.1)
        return batch

    def stop_all(self) -> None:
        for started in self.started:
            started.process.terminate()
        for started in self.started:
            try:
                started.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                started.process.kill()
                started.process.wait(timeout=5)


StartServers = Callable[..., list[AsgiServer]]


@pytest.fixture
def asgi_servers(tmp_path: Path) -> Iterator[StartServers]:
    """Start server processes on the test database: ``asgi_servers(2, server="daphne", redis_url=..., layer="core")``.

    ``server`` is one of ``SERVERS``, the production one (uvicorn) by default. ``redis_url=""`` gives each
    process its own in-memory channel layer (and cache). They are terminated when the test ends.
    """
    launcher = ServerLauncher(tmp_path)
    try:
        yield launcher.start
    finally:
        launcher.stop_all()


# --- Signing in and talking to a server ----------------------------------------------


def session_cookie(member: Member) -> str:
    """The session id a browser would hold after ``member`` signed in (synchronous: wrap it in async tests)."""
    client = Client()
    client.force_login(member)
    return str(client.cookies["sessionid"].value)


async def open_socket(server: AsgiServer, session: str | None, *, origin: str | None = None) -> ClientConnection:
    """A websocket to ``/ws/live/`` as a page on ``server`` opens it: the session cookie and the page's origin."""
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    return await websockets.connect(
        server.ws_url,
        origin=Origin(origin or server.http_url),
        additional_headers=headers,
        open_timeout=10,
        max_size=2**20,
    )


async def next_frame(socket_: ClientConnection, frame_type: str, *, timeout: float = 5.0) -> dict[str, Any]:
    """The next frame of ``frame_type``, skipping the others (presence, typing ...) on the way."""
    async with asyncio.timeout(timeout):
        while True:
            frame: dict[str, Any] = json.loads(await socket_.recv())
            if frame["type"] == frame_type:
                return frame


async def frames_within(socket_: ClientConnection, seconds: float, *, types: set[str] | None = None) -> list[Any]:
    """Every frame (of ``types``, if given) that arrives within ``seconds``; stops early if the socket closes."""
    frames = []
    with contextlib.suppress(TimeoutError, websockets.ConnectionClosed):
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await socket_.recv())
                if types is None or frame["type"] in types:
                    frames.append(frame)
    return frames


async def subscribe(socket_: ClientConnection, conversation: int, since: int = 0) -> list[dict[str, Any]]:
    """Subscribe and return the replayed messages; the ``subscribed`` frame must follow them."""
    await socket_.send(json.dumps({"type": "subscribe", "conversation": conversation, "since": since}))
    replayed = []
    async with asyncio.timeout(5):
        while True:
            frame = json.loads(await socket_.recv())
            if frame["type"] == "message":
                replayed.append(frame["message"])
            elif frame["type"] == "subscribed":
                assert frame["conversation"] == conversation
                return replayed
            elif frame["type"] == "error":
                raise AssertionError(f"subscribe refused: {frame}")


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: str
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def http_request(
    server: AsgiServer,
    method: str,
    path: str,
    *,
    cookies: dict[str, str],
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    """One request, redirects not followed (a POST that worked answers 302)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    all_headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()), **(headers or {})}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        set_cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                set_cookies[cookie_name.strip()] = rest.split(";", 1)[0]
        return HttpAnswer(response.status, dict(response.getheaders()), text, set_cookies)
    finally:
        conn.close()


@dataclass
class ComposerForm:
    """What a loaded conversation page gives a browser for posting: the CSRF cookie and form token."""

    csrf_cookie: str
    token: str


def open_composer(server: AsgiServer, conversation: int, session: str) -> ComposerForm:
    """Load the conversation page as a browser does, for its CSRF token (synchronous)."""
    page = http_request(server, "GET", f"/inbox/{conversation}/", cookies={"sessionid": session})
    assert page.status == 200, f"the conversation page answered {page.status}"
    token = CSRF_FIELD.search(page.body)
    assert token is not None, "the conversation page has no CSRF token (no composer form?)"
    return ComposerForm(page.cookies.get("csrftoken", ""), token.group(1))


def post_message(
    server: AsgiServer,
    conversation: int,
    session: str,
    body: str,
    *,
    composer: ComposerForm | None = None,
    accept_json: bool = False,
) -> HttpAnswer:
    """Post a message through the conversation page's form, as a browser without scripts does
    (synchronous: use ``asyncio.to_thread``). Loads the page first unless given its ``composer``."""
    composer = composer or open_composer(server, conversation, session)
    headers = {"Accept": "application/json"} if accept_json else {}
    return http_request(
        server,
        "POST",
        f"/inbox/{conversation}/",
        cookies={"sessionid": session, "csrftoken": composer.csrf_cookie},
        form={"csrfmiddlewaretoken": composer.token, "body": body},
        headers=headers,
    )
