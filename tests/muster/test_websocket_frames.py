"""The frame built once for a room (``muster.websocket_frames``), written by a real uvicorn as production runs it.

A room event's frame is framed once and the same bytes go to every socket; these tests read what a client
receives from them, of every length the framing distinguishes, and check that a framed send is refused
where uvicorn refuses any send.
"""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from muster.websocket_frames import text_frame

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = "muster.websocket_frames:FramesWSProtocol"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not listen on {port}: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp("frames")
    port, outcomes, log = free_port(), directory / "outcomes.txt", directory / "uvicorn.log"
    command = [sys.executable, "-m", "uvicorn", "--ws", PROTOCOL, "--ws-per-message-deflate", "false"]
    command += ["--lifespan", "off", "--host", "127.0.0.1", "--port", str(port), "tests.muster.frames_app:app"]
    environment = {"PATH": "/usr/bin:/bin", "FRAMES_LOG": str(outcomes), "DJANGO_SETTINGS_MODULE": "muster.settings"}
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield f"ws://127.0.0.1:{port}/", outcomes
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_frame_is_the_bytes_wsproto_frames_a_server_message_with() -> None:
    assert text_frame("hi") == b"\x81\x02hi"
    assert text_frame("é" * 100)[:4] == b"\x81\x7e\x00\xc8"  # 200 bytes of UTF-8: a two-byte length
    assert text_frame("x" * 70_000)[:10] == b"\x81\x7f" + (70_000).to_bytes(8, "big")


def replies(url: str, text: str, count: int) -> list[str]:
    """What the app answers ``text`` with, after its opening message."""
    with connect(url) as client:
        client.recv(timeout=5)
        client.send(text)
        return [str(client.recv(timeout=5)) for _ in range(count)]


def test_the_server_writes_the_frame_it_was_given_not_a_frame_of_its_own(server: tuple[str, Path]) -> None:
    assert replies(server[0], "which?", 1) == ["the frame"]


def test_the_scope_offers_a_write_of_a_frame_without_a_coroutine(server: tuple[str, Path]) -> None:
    written, reported = replies(server[0], "directly", 2)
    assert written == "written directly"
    assert json.loads(reported) == {"written": True}


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65_535, 65_536, 200_000])
def test_a_client_reads_each_framed_message_as_the_text_it_carries(server: tuple[str, Path], length: int) -> None:
    url, _ = server
    text = ("é🚒a" * length)[:length]
    with connect(url, max_size=None) as client:
        client.recv(timeout=5)  # what the app saw before it accepted
        client.send(text)
        client.send("and the next")
        assert client.recv(timeout=5) == text
        assert client.recv(timeout=5) == "and the next"


def test_a_framed_send_before_the_socket_is_accepted_is_refused_as_any_send_is(server: tuple[str, Path]) -> None:
    url, _ = server
    with connect(url) as client:
        before_accept = json.loads(client.recv(timeout=5))
    assert before_accept["framed"] == before_accept["plain"]
    assert before_accept["written"] is False
    assert "Expected ASGI message 'websocket.accept'" in before_accept["framed"]


def test_a_framed_send_after_the_client_went_raises_what_a_sender_catches(server: tuple[str, Path]) -> None:
    url, outcomes = server
    before = outcomes.read_text().count("\n") if outcomes.exists() else 0
    with connect(url) as client:
        client.recv(timeout=5)
        client.send("hello")
        assert client.recv(timeout=5) == "hello"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (not outcomes.exists() or outcomes.read_text().count("\n") == before):
        time.sleep(0.05)
    written, framed, plain = outcomes.read_text().splitlines()[before].split(" / ")
    assert (written, framed, plain) == ("written False", "OSError ClientDisconnected", "OSError ClientDisconnected")
