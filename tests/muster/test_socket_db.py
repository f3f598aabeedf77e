"""Database connections are reused: by the websockets' database thread, and (PostgreSQL) by a pool that HTTP
requests share, each on its own thread under ASGI."""

import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test import AsyncClient

from muster.socket_db import socket_database_sync_to_async
from tests.verification.factories import make_verified_member

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = 20


def calls_on_this_connection(probe: str) -> int:
    """How many calls this very connection has served: a temporary table lives as long as its connection."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {probe} (call integer)")
        cursor.execute(f"INSERT INTO {probe} (call) VALUES (1)")  # noqa: S608 (the name is the test's own)
        cursor.execute(f"SELECT COUNT(*) FROM {probe}")  # noqa: S608
        count: int = cursor.fetchone()[0]
    return count


async def test_the_sockets_database_calls_reuse_their_connection() -> None:
    probe = f"probe_{uuid.uuid4().hex[:12]}"
    counts = [await socket_database_sync_to_async(calls_on_this_connection)(probe) for _ in range(CALLS)]

    # At most two connections served the twenty calls (one, or a pool's two, taken in turn).
    assert max(counts) >= CALLS // 2, counts


async def test_http_requests_on_threads_of_their_own_share_the_pool() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (Django has none for SQLite)")
    member = await database_sync_to_async(make_verified_member)()
    client = AsyncClient()
    await client.aforce_login(member)
    pool = getattr(connection, "pool", None)
    assert pool is not None
    opened_before = pool.get_stats().get("connections_num", 0)

    for _ in range(CALLS):
        response = await client.get("/home/")
        assert response.status_code == 200

    # Twenty requests, each on a new thread, took their connections from the pool instead of opening their own.
    assert pool.get_stats().get("connections_num", 0) - opened_before <= 2
