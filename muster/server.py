"""Daphne, refusing a body that is too large while it is still reading the request's headers.

Only Daphne needs this. uvicorn (production's server) hands the application
each request as soon as its headers are in, so ``muster.asgi.BodyLimit``
refuses a body from its ``Content-Length`` before any of it is read, and
uvicorn then drops the rest of it as it arrives.

Twisted (under Daphne) receives a whole request body before the application
sees the request, and by default parses a multipart or urlencoded body into
memory a second time, for nobody: Django parses forms itself. So a 200 MB POST
cost the server gigabytes before Django could say no. ``LimitedWebRequest``
answers 413 from the ``Content-Length`` alone when it is over
``MUSTER_REQUEST_MAX_BYTES`` (the largest body any page accepts), drops the body
as it arrives (keeping none of it, in memory or on disk) and closes the
connection once it has passed, so the client reads the answer; it never parses
forms. Smaller limits per
page are ``muster.asgi.BodyLimit``'s.

Daphne builds each request from ``daphne.http_protocol.WebRequest``; ``install()``
(called by ``muster.asgi``, which Daphne imports before it serves) puts this
class there. Under any other server it does nothing, so Twisted (about 22 MB
a process) is never loaded there.
"""

import io
from typing import Any

from daphne import http_protocol
from django.conf import settings

from muster.request_limits import too_large_message


class LimitedWebRequest(http_protocol.WebRequest):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parsePOSTFormSubmission = False
        self.refused = False

    def gotLength(self, length: int | None) -> None:  # noqa: N802 - Twisted's name
        limit = settings.MUSTER_REQUEST_MAX_BYTES
        if length is None or length <= limit:
            super().gotLength(length)
            return
        self.refused = True
        self.content = io.BytesIO()
        message = too_large_message(length, limit).encode()
        self.channel.transport.write(
            b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + f"Content-Length: {len(message)}\r\nConnection: close\r\n\r\n".encode()
            + message
        )

    def handleContentChunk(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        if not self.refused:
            super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:  # noqa: N802 - Twisted's name
        if self.refused:
            self.channel.loseConnection()  # only now: closing while the client sends would lose it the answer
        else:
            super().requestReceived(command, path, version)


def install() -> None:
    http_protocol.WebRequest = LimitedWebRequest
