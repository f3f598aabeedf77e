"""One Redis connection pool per process: ten thousand sockets must not mean ten thousand Redis clients."""

import asyncio

import pytest
import redis
from channels.db import database_sync_to_async
from django.core.cache import caches

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def redis_clients(redis_url: str) -> int:
    return len(redis.Redis.from_url(redis_url).client_list())


async def test_many_sockets_of_one_process_share_its_redis_connections(redis_url: str, settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "muster.cache.ProcessRedisCache", "LOCATION": redis_url}}
    before = await asyncio.to_thread(redis_clients, redis_url)

    async def socket_touches_the_cache(number: int) -> bool:
        # Each task is its own async context, as each open websocket is: Django gives it its own backend.
        added: bool = await database_sync_to_async(caches["default"].add)(f"test-cache-{number}", number, 30)
        return added

    added = await asyncio.gather(*(socket_touches_the_cache(number) for number in range(200)))
    after = await asyncio.to_thread(redis_clients, redis_url)

    assert all(added)
    assert await database_sync_to_async(caches["default"].get)("test-cache-199") == 199
    assert after - before <= 1
