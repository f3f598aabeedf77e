"""ASGI entry point: HTTP through Django, websockets through Channels.

``get_asgi_application()`` must run before anything imports models, so the
websocket routes are imported after it. A request body over its page's limit
is refused before it is read, by ``BodyLimit`` from its ``Content-Length``.
uvicorn (production's server) calls the application as soon as the headers
are in and holds about 64 KB of a body nobody reads, then drops what is
left of a refused body as it arrives, so ``BodyLimit`` is all it needs.
Daphne reads a whole body before it calls the application, so under Daphne a
body over every page's limit is refused by Daphne itself (``muster.server``).
"""

import gc
import json
import os
import sys
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import auth  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from muster.request_limits import limit_of, too_large_message  # noqa: E402
from muster.routing import websocket_urlpatterns  # noqa: E402
from muster.socket_db import socket_database_sync_to_async  # noqa: E402

if "daphne.server" in sys.modules:
    # Served by Daphne, which imported its server before this module: refuse what is too large while Twisted
    # still reads the headers. Under any other server Twisted is never loaded (about 22 MB a process).
    from muster import server

    server.install()


class BodyLimit:
    """Answers 413 when a request's ``Content-Length`` is over its view's limit (``accepts_body``), before
    Django reads the body. A body sent without a length is cut off once it passes the limit: Django, told
    the client left, answers nothing, so this answers 413. The server drops the rest as it arrives; closing
    the connection instead would reset it under a client still sending, which then loses the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            view = resolve(scope["path"]).func
        except Resolver404:
            view = None
        limit = limit_of(view)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, declared, limit, as_json=scope["path"].startswith("/api/"))
            return
        received = 0
        cut_off = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, cut_off
            message: dict[str, Any] = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                cut_off = True
                return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited_receive, send)
        if cut_off:  # only while Django reads the body, before it answers
            await _refuse(send, None, limit, as_json=scope["path"].startswith("/api/"))


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Any, size: int | None, limit: int, *, as_json: bool = False) -> None:
    message = too_large_message(size, limit)
    if as_json:  # the API's own error shape (api.errors)
        body = json.dumps({"error": {"code": "body_too_large", "message": message}}).encode()
        kind = b"application/json"
    else:
        body, kind = message.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SocketMember:
    """The session and the member a websocket was opened with, read together in one call on the sockets'
    database thread (``muster.socket_db``), as Django reads them for a request (``auth.get_user``).

    Channels' ``SessionMiddleware`` and ``AuthMiddleware`` would read them in a call each on another thread,
    and the first also wraps every frame the socket sends, to save a changed session and set its cookie on an
    HTTP answer; a socket never changes its session and has no answer to carry a cookie.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        session = self.session_store(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        user = await socket_database_sync_to_async(auth.get_user)(SimpleNamespace(session=session))  # type: ignore[arg-type]
        await self.inner({**scope, "session": session, "user": user}, receive, send)


application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(CookieMiddleware(SocketMember(URLRouter(websocket_urlpatterns)))),
    }
)


# Everything loaded so far (Django, the apps, the URL configuration) lives as long as the process. Frozen, the
# garbage collector's full passes no longer walk it: with 1,000 sockets open those passes stopped the event
# loop for 70 to 190 ms, and for 15 to 110 ms once it was frozen (docs/performance.md).
gc.freeze()
