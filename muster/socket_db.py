"""The websockets' database thread: every database call a socket makes runs on one long-lived thread per
process, which keeps its connection open between calls.

Channels' ``database_sync_to_async`` closes the connection after each call unless ``CONN_MAX_AGE`` is set,
and under ASGI it must not be: each HTTP request runs on a thread of its own, and a connection kept open
there outlives the thread unclosed (400 requests left 75 SQLite connections open). So every socket call
opened a new connection: 1.6 ms on SQLite (reading the schema again), 3 to 5 ms on PostgreSQL. This thread
belongs to the process, so its connection can stay open: it is closed when it fails, and renewed every
``MUSTER_SOCKET_CONN_MAX_AGE`` seconds, by Django's own rules for persistent connections. A pooled database
(PostgreSQL with ``OPTIONS["pool"]``) already hands out open connections, so there the thread uses the pool.
"""

import asyncio
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

P = ParamSpec("P")
R = TypeVar("R")


# The thread shares the GIL with the event loop. After each query or Redis call it needs the GIL back,
# and while the loop fans a message out to hundreds of sockets it waits for it up to the interpreter's
# switch interval, 5 ms by default: saving one chat message (about ten such calls) took 8-9 ms for 3 ms of
# work. A shorter interval bounds each wait (docs/performance.md, "Fifth round").
SWITCH_INTERVAL_SECONDS = 0.0002


def _start_thread() -> None:
    """Bound the thread's waits for the GIL (for the whole process: the interval is the interpreter's),
    and keep its database connections open."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    _keep_connections_open()


def _keep_connections_open() -> None:
    """Give the thread's connections a lifetime (its own copy of the settings: HTTP threads keep theirs)."""
    for connection in connections.all():
        settings_dict = connection.settings_dict
        if settings_dict["CONN_MAX_AGE"] == 0 and not settings_dict.get("OPTIONS", {}).get("pool"):
            connection.settings_dict = {**settings_dict, "CONN_MAX_AGE": settings.MUSTER_SOCKET_CONN_MAX_AGE}


_running = threading.local()


def socket_event_loop() -> asyncio.AbstractEventLoop | None:
    """While this thread runs a socket's database call, the event loop that awaits it; None otherwise."""
    loop: asyncio.AbstractEventLoop | None = getattr(_running, "loop", None)
    return loop


SOCKET_DATABASE_THREAD = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="socket-database", initializer=_start_thread
)


class SocketDatabaseSyncToAsync(SyncToAsync[P, R]):
    """``database_sync_to_async`` for websockets: the call runs on the sockets' database thread."""

    def __init__(self, func: Callable[P, R]) -> None:
        super().__init__(func, thread_sensitive=False, executor=SOCKET_DATABASE_THREAD)

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections()  # a connection that failed, or outlived its age, is closed here
        _running.loop = loop
        try:
            return super().thread_handler(loop, *args, **kwargs)  # type: ignore[no-untyped-call]
        finally:
            _running.loop = None
            close_old_connections()


socket_database_sync_to_async = SocketDatabaseSyncToAsync
