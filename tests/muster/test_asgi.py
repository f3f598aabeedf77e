import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.typing import Origin

from messaging.consumers import CLOSE_NOT_CLEARED, CLOSE_UNAUTHENTICATED
from muster.asgi import application
from tests.verification.factories import MemberFactory, make_verified_member

ROOT = Path(__file__).resolve().parents[2]


def session_headers(client: Client, origin: str = "http://127.0.0.1:8000") -> list[tuple[bytes, bytes]]:
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return [(b"origin", origin.encode()), (b"cookie", cookie.encode()), (b"host", b"127.0.0.1:8000")]


@pytest.mark.django_db(transaction=True)
async def test_websocket_knows_the_signed_in_member_from_the_session_cookie() -> None:
    client = Client()
    member = await sync_to_async(make_verified_member)()
    await sync_to_async(client.force_login)(member)
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(client))

    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_json_from() == {
        "type": "session.ready",
        "member": member.pk,
        "handle": member.handle or "",
    }
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("markings", "mfa", "reason"), [([], False, "unverified"), (["fouo"], False, "mfa")])
async def test_websocket_refuses_members_who_may_not_see_content_and_says_why(markings, mfa, reason) -> None:
    def make_member():
        if reason == "unverified":
            return MemberFactory.create()
        return make_verified_member(markings=markings, mfa=mfa)

    client = Client()
    await sync_to_async(client.force_login)(await sync_to_async(make_member)())
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(client))

    connected, _ = await communicator.connect()

    assert connected
    refused = await communicator.receive_json_from()
    assert refused["type"] == "session.refused"
    assert refused["reason"] == reason
    assert refused["detail"]
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_NOT_CLEARED}


@pytest.mark.django_db(transaction=True)
async def test_websocket_without_a_session_is_closed_as_unauthenticated() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    )

    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused_even_with_a_valid_session() -> None:
    client = Client()
    await sync_to_async(client.force_login)(await sync_to_async(MemberFactory.create)())
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=session_headers(client, origin=Origin("https://evil.example.com"))
    )

    connected, _ = await communicator.connect()

    assert not connected


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def daphne_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Daphne process serving the project on its own SQLite database (one for this module's tests)."""
    tmp_path = tmp_path_factory.mktemp("daphne")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "", "DJANGO_DEBUG": "true"})
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "muster.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{base}/healthz", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        return int(response.status), response.read().decode()


def test_daphne_serves_pages_static_files_and_health(daphne_server: str) -> None:
    landing_status, landing = fetch(f"http://{daphne_server}/")
    css_status, css = fetch(f"http://{daphne_server}/static/css/muster.css")
    health_status, health = fetch(f"http://{daphne_server}/healthz")

    assert landing_status == 200
    assert "How to join" in landing
    assert css_status == 200
    assert "skip-link" in css
    assert health_status == 200
    assert json.loads(health)["status"] == "ok"


async def test_daphne_closes_an_anonymous_websocket_and_refuses_a_foreign_origin(daphne_server: str) -> None:
    url = f"ws://{daphne_server}/ws/live/"

    async with websockets.connect(url, origin=Origin(f"http://{daphne_server}")) as anonymous:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await anonymous.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_UNAUTHENTICATED

    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, origin=Origin("https://evil.example.com"))
    assert refused.value.response.status_code == 403


def raw_request(server: str, head: str, body: bytes = b"") -> str:
    """Send a request's head (and maybe part of its body) and read what the server answers."""
    host, port = server.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 40:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode(errors="replace")


def post_head(server: str, path: str, length: int) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


def test_daphne_refuses_a_body_over_every_limit_from_its_length_before_any_of_it_arrives(daphne_server: str) -> None:
    """An anonymous 200 MB POST is answered 413 while its body has not been sent at all."""
    answer = raw_request(daphne_server, post_head(daphne_server, "/accounts/login/", 200 * 1024 * 1024))

    assert answer.startswith("HTTP/1.1 413")
    assert "This request is 200.0 MB; the most this page accepts is 26.0 MB." in answer
    assert fetch(f"http://{daphne_server}/healthz")[0] == 200  # nothing else closed


def test_daphne_refuses_a_body_over_its_page_limit_and_serves_one_under_it(daphne_server: str) -> None:
    """A sign-in page takes form fields (2.5 MB at most), not 3 MB; a small sign-in POST reaches Django."""
    over = 3 * 1024 * 1024
    refused = raw_request(daphne_server, post_head(daphne_server, "/accounts/login/", over), b"x" * over)
    small = b"login=nobody%40example.org&password=wrong"
    served = raw_request(daphne_server, post_head(daphne_server, "/accounts/login/", len(small)), small)

    assert refused.startswith("HTTP/1.1 413")
    assert "the most this page accepts is 2.5 MB" in refused
    assert served.startswith("HTTP/1.1 403")  # Django's own answer: no CSRF token
