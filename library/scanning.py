"""Virus scanning through ClamAV's clamd (INSTREAM), when configured.

``MUSTER_CLAMAV_ADDRESS`` is ``host:port`` or the path of clamd's Unix socket.
Without it uploads are recorded as "not scanned". When the scanner is
configured but does not answer, uploads are refused rather than let through.
"""

import socket
import struct
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def seek(self, offset: int, whence: int = ..., /) -> int: ...


@dataclass(frozen=True)
class ScanResult:
    scanned: bool
    infected: bool
    detail: str


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)


def scan(stream: Readable) -> ScanResult:
    address = settings.MUSTER_CLAMAV_ADDRESS
    if not address:
        return ScanResult(scanned=False, infected=False, detail="")
    try:
        with _connect(address) as sock:
            sock.sendall(b"zINSTREAM\0")
            stream.seek(0)
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ValidationError(
            {"file": "The virus scanner is not answering, so the file was not accepted. Try again in a few minutes."}
        ) from error
    finally:
        stream.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    if answer.endswith("OK"):
        return ScanResult(scanned=True, infected=False, detail="")
    if answer.endswith("FOUND"):
        return ScanResult(scanned=True, infected=True, detail=answer.split(":", 1)[-1].strip()[:300])
    raise ValidationError({"file": "The virus scanner could not check this file, so it was not accepted."})
