"""Muster on a real ASGI server: uvicorn, run as production runs it, and Daphne, which stays supported.

One process of each serves the test database to this module's tests. What a member (or an attacker)
notices: pages, static files and the health check answer; the live socket refuses a stranger and a foreign
page; a body over its page's limit is refused at once, from its length, while the server keeps none of it;
under uvicorn a body sent without a length is cut off once it passes the limit; a form within its limit is
served; and uvicorn believes ``X-Forwarded-For`` only from the proxy it was told to trust.
"""

import http.client
import json
import re
import select
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.typing import Origin

from messaging.consumers import CLOSE_UNAUTHENTICATED
from tests.messaging.conftest import CSRF_FIELD, SERVERS, AsgiServer, HttpAnswer, ServerLauncher, http_request
from verification.models import AuditEvent

# The servers read the test database, which exists only for a session with a test marked so.
pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024
CHUNK = b"x" * (64 * 1024)


@pytest.fixture(scope="module", params=SERVERS)
def server(
    request: pytest.FixtureRequest, django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsgiServer]:
    launcher = ServerLauncher(tmp_path_factory.mktemp(request.param))
    try:
        (started,) = launcher.start(1, server=request.param)
        yield started
    finally:
        launcher.stop_all()


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        return int(response.status), response.read().decode()


def peak_memory_kb(server: AsgiServer) -> int:
    """The most resident memory the server process has had (Linux's VmHWM)."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB$", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def raw_request(server: AsgiServer, head: str, body: bytes = b"") -> str:
    """Send a request's head (and maybe part of its body) and read what the server answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 40:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode(errors="replace")


def post_head(server: AsgiServer, path: str, length: int | None) -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"{framing}\r\n\r\n"
    )


def read_answer(connection: socket.socket) -> tuple[int, str]:
    """The status and body of the answer waiting on ``connection``, however much of the request was sent."""
    response = http.client.HTTPResponse(connection)
    response.begin()
    return response.status, response.read().decode()


def test_serves_pages_static_files_and_health(server: AsgiServer) -> None:
    landing_status, landing = fetch(f"{server.http_url}/")
    css_status, css = fetch(f"{server.http_url}/static/css/muster.css")
    health_status, health = fetch(f"{server.http_url}/healthz")

    assert landing_status == 200
    assert "How to join" in landing
    assert css_status == 200
    assert "skip-link" in css
    assert health_status == 200
    assert json.loads(health)["status"] == "ok"


async def test_closes_an_anonymous_websocket_and_refuses_a_foreign_origin(server: AsgiServer) -> None:
    async with websockets.connect(server.ws_url, origin=Origin(server.http_url)) as anonymous:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await anonymous.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_UNAUTHENTICATED

    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(server.ws_url, origin=Origin("https://evil.example.com"))
    assert refused.value.response.status_code == 403


def test_refuses_a_body_over_every_limit_from_its_length_before_any_of_it_arrives(server: AsgiServer) -> None:
    """An anonymous 200 MB POST is answered 413 while its body has not been sent at all."""
    answer = raw_request(server, post_head(server, "/accounts/login/", 200 * MB))

    assert answer.startswith("HTTP/1.1 413")
    assert "This request is 200.0 MB; the most this page accepts is" in answer
    assert fetch(f"{server.http_url}/healthz")[0] == 200  # nothing else closed


def test_a_refused_body_is_answered_before_the_rest_is_sent_and_the_server_keeps_none_of_it(
    server: AsgiServer,
) -> None:
    """200 MB declared: the answer is there after 8 MB, and the 64 MB sent after it do not raise the server's
    peak memory (a server holding them would grow by as much)."""
    peak_before = peak_memory_kb(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(post_head(server, "/accounts/login/", 200 * MB).encode() + CHUNK * 128)
        status, _ = read_answer(connection)
        for _ in range(1024):
            connection.sendall(CHUNK)
    grown_kb = peak_memory_kb(server) - peak_before

    assert status == 413
    assert grown_kb < 8 * 1024, f"the server's peak memory grew by {grown_kb} kB"


@pytest.mark.parametrize("server", ["uvicorn"], indirect=True)
def test_a_body_without_a_length_is_cut_off_once_it_passes_the_page_limit(server: AsgiServer) -> None:
    """A chunked sign-in POST (the page takes 2.5 MB) that would go on for 32 MB: uvicorn answers 413 once
    2.5 MB have passed, and drops the rest. (Daphne reads such a body whole before the application sees
    it, so there only its end is refused.)"""
    peak_before = peak_memory_kb(server)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(post_head(server, "/accounts/login/", None).encode())
        while sent < 32 * MB and not select.select([connection], [], [], 0)[0]:
            connection.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            sent += len(CHUNK)
        status, answer = read_answer(connection)
    grown_kb = peak_memory_kb(server) - peak_before

    assert status == 413
    assert "This request is over 2.5 MB, the most this page accepts." in answer
    assert sent < 32 * MB, "the whole body was taken before any answer"
    assert grown_kb < 8 * 1024, f"the server's peak memory grew by {grown_kb} kB"


def test_refuses_a_body_over_its_page_limit_and_serves_one_under_it(server: AsgiServer) -> None:
    """A sign-in page takes form fields (2.5 MB at most), not 3 MB; a small sign-in POST reaches Django."""
    over = 3 * MB
    refused = raw_request(server, post_head(server, "/accounts/login/", over), b"x" * over)
    small = b"login=nobody%40example.org&password=wrong"
    served = raw_request(server, post_head(server, "/accounts/login/", len(small)), small)

    assert refused.startswith("HTTP/1.1 413")
    assert "the most this page accepts is 2.5 MB" in refused
    assert served.startswith("HTTP/1.1 403")  # Django's own answer: no CSRF token


def sign_in_wrongly(server: AsgiServer, headers: dict[str, str] | None = None) -> HttpAnswer:
    page = http_request(server, "GET", "/accounts/login/", cookies={})
    token = CSRF_FIELD.search(page.body)
    assert token is not None
    return http_request(
        server,
        "POST",
        "/accounts/login/",
        cookies={"csrftoken": page.cookies["csrftoken"]},
        form={"csrfmiddlewaretoken": token.group(1), "login": "nobody@example.org", "password": "wrong"},
        headers=headers,
    )


def test_a_sign_in_form_within_its_limit_is_read_and_answered(server: AsgiServer) -> None:
    answer = sign_in_wrongly(server)

    assert answer.status == 200
    assert "The email address and/or password you specified are not correct." in answer.body


@pytest.mark.parametrize(
    ("trusted_proxies", "recorded"),
    [("127.0.0.1", "203.0.113.9"), ("192.0.2.1", "127.0.0.1")],
    ids=["from-the-proxy", "from-anyone-else"],
)
def test_uvicorn_takes_the_members_address_from_x_forwarded_for_only_when_its_proxy_sent_it(
    trusted_proxies: str, recorded: str, tmp_path: Path
) -> None:
    """Rate limits and the audit log count the address uvicorn gives Django: behind the proxy named in
    ``FORWARDED_ALLOW_IPS`` (as production runs it, with ``--proxy-headers``) the member's, and from
    anywhere else the connection's own, whatever ``X-Forwarded-For`` claims."""
    launcher = ServerLauncher(tmp_path)
    try:
        (proxied,) = launcher.start(1, environment={"FORWARDED_ALLOW_IPS": trusted_proxies})
        sign_in_wrongly(proxied, headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        launcher.stop_all()

    failed = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert list(failed.values_list("ip_address", flat=True)) == [recorded]
