"""Django's Redis cache with one client, and so one connection pool, per process.

Django keeps a cache backend per async context, and each backend builds its
own Redis client: every open websocket (each its own context) held a Redis
connection of its own. Ten thousand sockets meant ten thousand connections,
and Redis refuses clients past its limit (10,000 by default), so sockets
failed to open. redis-py's connection pool is thread-safe and resets itself
in a forked child, so one per process serves every context.
"""

import re
import threading
from typing import Any, ClassVar

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis import Redis


class ProcessRedisCache(RedisCache):
    _clients: ClassVar[dict[str, RedisCacheClient]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._servers_and_options = (server, params.get("OPTIONS", {}))

    @cached_property
    def _cache(self) -> RedisCacheClient:
        servers, options = self._servers_and_options
        key = repr((servers, sorted(options.items())))
        with self._lock:
            if key not in self._clients:
                # As Django's RedisCache reads its LOCATION: one or more servers, split on ";" or ",".
                locations = re.split("[;,]", servers) if isinstance(servers, str) else servers
                self._clients[key] = RedisCacheClient(locations, **options)
            return self._clients[key]


def redis_client() -> Redis | None:
    """The default cache's Redis client (on its process-wide pool), or None when the cache is not Redis
    (the embedded default)."""
    backend = caches["default"]
    if isinstance(backend, ProcessRedisCache):
        client: Redis = backend._cache.get_client(write=True)
        return client
    return None


def cache_key(name: str) -> str:
    """``name`` as the default cache stores it (with its prefix and version), for use with ``redis_client``."""
    return caches["default"].make_and_validate_key(name)


def count_in_window(name: str, seconds: int, amount: int = 1) -> int:
    """Add ``amount`` to the counter ``name``, which lives ``seconds`` from its first count; returns the new count.

    On Redis that is one round trip (INCRBY, then EXPIRE only if it has no expiry yet); Django's ``incr``
    would ask first whether the key exists.
    """
    client = redis_client()
    if client is not None:
        key = cache_key(name)
        pipe = client.pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)
    backend = caches["default"]
    if backend.add(name, amount, seconds):
        return amount
    try:
        return backend.incr(name, amount)
    except ValueError:  # expired between the two
        backend.add(name, amount, seconds)
        return amount
