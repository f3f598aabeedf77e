"""The ASGI servers the websocket benchmarks compare, and how they are started, weighed and stopped.

Each server is a command template with ``{port}`` and ``{app}`` (an ASGI
``module:attribute``); one process serves one port, so "two processes" is two
commands on two ports, whatever the server's own process model. All of them
run with their access log off, log level warning, and no per-message
compression (the benchmark's clients do not offer it either), on uvloop where
the server can use it. ``NOTES`` says, per server, how each of those holds.
"""

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def uvicorn(protocol: str) -> list[str]:
    return [
        *(PYTHON, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"),
        *("--loop", "uvloop", "--http", "httptools", "--ws", protocol, "--ws-per-message-deflate", "false"),
        *("--lifespan", "off", "--no-access-log", "--log-level", "warning", "{app}"),
    ]


# What the Dockerfile, the compose file and the README's production steps run.
PRODUCTION_SERVER = "uvicorn-frames"

SERVERS: dict[str, list[str]] = {
    # Verbosity 0 is log level warning, and Daphne writes no access log below verbosity 1.
    "daphne": [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "--verbosity", "0", "{app}"],
    "uvicorn-websockets": uvicorn("websockets"),
    "uvicorn-sansio": uvicorn("websockets-sansio"),
    "uvicorn-wsproto": uvicorn("wsproto"),
    "uvicorn-frames": uvicorn("muster.websocket_frames:FramesWSProtocol"),
    # Zero workers: Hypercorn serves from its own process instead of spawning one worker under it.
    "hypercorn": [
        *(PYTHON, "-m", "hypercorn", "--bind", "127.0.0.1:{port}", "--worker-class", "uvloop"),
        *("--workers", "0", "--log-level", "warning", "{app}"),
    ],
    # asginl is Granian's ASGI without lifespan, which Channels' router does not speak (uvicorn: --lifespan off).
    "granian": [
        *(PYTHON, "-m", "granian", "--interface", "asginl", "--host", "127.0.0.1", "--port", "{port}"),
        *("--workers", "1", "--loop", "uvloop", "--ws", "--no-access-log", "--log-level", "warning", "{app}"),
    ],
}

NOTES = {
    "daphne": "Twisted's asyncio reactor on the stock asyncio loop (Daphne has no uvloop option); autobahn "
    "accepts per-message compression only when configured to, and Daphne does not",
    "uvicorn-websockets": "uvloop, httptools, the websockets (asyncio) protocol, --ws-per-message-deflate false",
    "uvicorn-sansio": "uvloop, httptools, websockets' sans-I/O protocol, --ws-per-message-deflate false",
    "uvicorn-wsproto": "uvloop, httptools, wsproto, --ws-per-message-deflate false",
    "uvicorn-frames": "as uvicorn-wsproto, through muster.websocket_frames.FramesWSProtocol: a room event's "
    "frame is built once and written as it is to every socket",
    "hypercorn": "uvloop worker class, in the main process (--workers 0); it offers permessage-deflate "
    "(no switch to turn it off) only to clients that ask, and these do not",
    "granian": "one worker process under Granian's main process (RSS is the sum of both), --loop uvloop, "
    "ASGI without lifespan; its websockets (tungstenite) have no compression",
}


def raise_file_limit() -> int:
    """Every socket is a file descriptor; the soft limit is raised to the hard one, which children inherit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Granian serves from a child of the process it was started as)."""
    found = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in children.read_text().split():
                found += process_tree(int(child))
    return found


def tree_memory_kib(pid: int, field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process and its descendants, in KiB."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time a process and its live descendants have used, in seconds."""
    ticks = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


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


@dataclass
class Running:
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{port}/ws/live/" for port in self.ports]

    def memory_kib(self, field: str) -> list[int]:
        """Per server (one per port), over its whole process tree."""
        return [tree_memory_kib(process.pid, field) for process in self.processes]

    def cpu_seconds(self) -> list[float]:
        """Per server, CPU time used so far by its whole process tree."""
        return [tree_cpu_seconds(process.pid) for process in self.processes]


@contextlib.contextmanager
def servers(commands: list[list[str]], env: dict[str, str], logs: Path, health: bool) -> Iterator[Running]:
    """Start each command (with ``{port}`` filled in) and wait until all answer; stop them afterwards."""
    running = Running()
    try:
        for i, command in enumerate(commands):
            port = free_port()
            log = logs / f"server-{i}-{port}.log"
            with log.open("wb") as output:
                running.processes.append(
                    subprocess.Popen(
                        [part.format(port=port) for part in command],
                        cwd=ROOT,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
            running.ports.append(port)
            running.logs.append(log)
        for process, port, log in zip(running.processes, running.ports, running.logs, strict=True):
            wait_until_listening(port, process, log, health)
        yield running
    finally:
        descendants = [pid for process in running.processes for pid in process_tree(process.pid)[1:]]
        for process in running.processes:
            process.terminate()
        for process in running.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid in descendants:  # a worker its server failed to stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
