"""What large request bodies cost the server: its peak memory while it refuses a 200 MB POST and while it
accepts a 25 MB upload, beside a small sign-in POST (the baseline), all in one run, under production's server
(uvicorn, as the Dockerfile runs it) and under Daphne.

A real server serves the embedded default (SQLite, seeded demo) in a subprocess; requests come from this
process over loopback. Before each request the server's peak resident memory is reset
(``/proc/<pid>/clear_refs``), so each figure is the peak of that request alone (Linux only).

    python -m bench bodies

The server runs the embedded default whatever ``DATABASE_URL`` says: what is measured is the server's and
Django's handling of bodies, which does not touch the database before the limit is decided.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.asgi_servers import PRODUCTION_SERVER, SERVERS

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MB = 1024 * 1024
CHUNK = b"x" * MB
MEMBER = "marcus.bell@charlestonfire.gov"
COMMUNITY = "gulf-coast-hurricane-response"
# Production's server first (bench.asgi_servers has the command lines).
BODY_SERVERS = {"uvicorn": PRODUCTION_SERVER, "daphne": "daphne"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _body(size: int, head: bytes = b"", tail: bytes = b"") -> Iterator[bytes]:
    yield head
    left = size
    while left > 0:
        yield CHUNK[: min(MB, left)]
        left -= MB
    yield tail


class Client:
    """A browser-like client: cookies and the CSRF token carried along."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = response.read()
        except (BrokenPipeError, ConnectionResetError) as refused:
            return 0, str(refused).encode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, answer

    def csrf(self, path: str) -> str:
        _, page = self.request("GET", path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()  # type: ignore[union-attr]

    def sign_in(self, password: str) -> None:
        token = self.csrf("/accounts/login/")
        form = f"csrfmiddlewaretoken={token}&login={MEMBER}&password={password}".encode()
        status, _ = self.request(
            "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")


def _multipart(token: str, marking_id: int, size: int) -> tuple[Iterator[bytes], int, str]:
    boundary = "muster-bench-boundary"
    fields = {"csrfmiddlewaretoken": token, "title": "Large plan", "marking": str(marking_id), "description": ""}
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return _body(size, head, tail), len(head) + size + len(tail), boundary


def measure(server: str) -> dict[str, Any]:
    scratch = tempfile.TemporaryDirectory(prefix="muster-bodies-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch.name}/bodies.sqlite3",
        "DJANGO_DEBUG": "true",
        "MUSTER_MEDIA_ROOT": f"{scratch.name}/media",
        "REDIS_URL": "",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    seeded = subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    password = re.search(r"password for all: (\S+)\)", seeded.stdout).group(1)  # type: ignore[union-attr]
    unmarked = "from verification.models import Marking; print(Marking.objects.get(slug='unmarked').pk)"
    shell = subprocess.run(
        [*manage, "shell", "-c", unmarked], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    marking_id = int(shell.stdout.strip().splitlines()[-1])
    port = _free_port()
    command = [part.format(port=port, app="muster.asgi:application") for part in SERVERS[BODY_SERVERS[server]]]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = Client(port)
        for _ in range(100):
            try:
                client.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        figures: dict[str, Any] = {"rest_kib": _peak_kib(process.pid)}

        def peak(label: str, method: str, path: str, body: Any, headers: dict[str, str]) -> None:
            _reset_peak(process.pid)
            before = _peak_kib(process.pid)
            started = time.perf_counter()
            status, answer = client.request(method, path, body, headers)
            figures[label] = {
                "status": status,
                "peak_kib": _peak_kib(process.pid),
                "peak_over_rest_kib": _peak_kib(process.pid) - before,
                "seconds": round(time.perf_counter() - started, 2),
                "answer": answer[:160].decode(errors="replace"),
            }

        token = client.csrf("/accounts/login/")
        small = f"csrfmiddlewaretoken={token}&login=nobody@example.org&password=wrong".encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        peak("small_sign_in_post", "POST", "/accounts/login/", small, form)
        huge = 200 * MB
        peak(
            "anonymous_200mb_post",
            "POST",
            "/accounts/login/",
            _body(huge),
            {**form, "Content-Length": str(huge)},
        )
        client.sign_in(password)
        upload_path = f"/communities/{COMMUNITY}/library/upload/"
        body, length, boundary = _multipart(client.csrf(upload_path), marking_id, 25 * MB - 64 * 1024)
        peak(
            "upload_25mb",
            "POST",
            upload_path,
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)},
        )
        body, length, boundary = _multipart(client.csrf(upload_path), marking_id, 120 * MB)
        peak(
            "upload_120mb",
            "POST",
            upload_path,
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)},
        )
        return figures
    finally:
        process.terminate()
        process.wait(10)
        scratch.cleanup()


def report(server: str, figures: dict[str, Any]) -> list[str]:
    baseline = figures["small_sign_in_post"]["peak_over_rest_kib"] or 1
    lines = [f"{server} at rest: {figures['rest_kib'] / 1024:.0f} MiB resident"]
    for label in ("small_sign_in_post", "anonymous_200mb_post", "upload_25mb", "upload_120mb"):
        found = figures[label]
        lines.append(
            f"{label:<22} status {found['status']:<3} peak {found['peak_kib'] / 1024:7.1f} MiB"
            f"  (+{found['peak_over_rest_kib'] / 1024:6.1f} MiB, x{found['peak_over_rest_kib'] / baseline:5.1f}"
            f" the small POST)  {found['seconds']:6.2f} s"
        )
    return lines


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for server in BODY_SERVERS:
        results[server] = measure(server)
        print("\n".join(report(server, results[server])), flush=True)
    return results


if __name__ == "__main__":
    run()
