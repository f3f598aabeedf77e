"""Who is online, shared by every web process through the cache (Redis in production).

A member is online while at least one of their sockets is open and active,
idle when their open pages report no activity, and offline when the last
socket closes or stops refreshing (a crashed process) for ``PRESENCE_TTL``.
"""

from typing import Literal

from django.core.cache import cache
from redis.exceptions import RedisError

PresenceState = Literal["online", "idle", "offline"]
# Sockets refresh their presence every HEARTBEAT seconds; a member whose
# sockets all went silent for longer than the TTL is offline.
PRESENCE_HEARTBEAT = 30
PRESENCE_TTL = 90


def _state_key(member_id: int) -> str:
    return f"presence:state:{member_id}"


def _connections_key(member_id: int) -> str:
    return f"presence:connections:{member_id}"


def presence_socket_opened(member_id: int) -> PresenceState | None:
    """Count a new socket; returns the new state when the member just came online."""
    key = _connections_key(member_id)
    cache.add(key, 0, PRESENCE_TTL)
    cache.incr(key)
    return presence_set(member_id, "online")


def presence_socket_closed(member_id: int) -> PresenceState | None:
    """Forget a socket; returns "offline" when it was the member's last."""
    key = _connections_key(member_id)
    try:
        remaining = cache.decr(key)
    except ValueError:
        remaining = 0
    if remaining > 0:
        return None
    cache.delete_many([key, _state_key(member_id)])
    return "offline"


def presence_set(member_id: int, state: Literal["online", "idle"]) -> PresenceState | None:
    """Record the member's state; returns it when it changed (for the socket to announce)."""
    key = _state_key(member_id)
    previous = cache.get(key)
    cache.set(key, state, PRESENCE_TTL)
    cache.touch(_connections_key(member_id), PRESENCE_TTL)
    return state if previous != state else None


def presence_of(member_ids: list[int]) -> dict[int, PresenceState]:
    """Each member's state, in one cache round trip (everyone offline while the cache is unreachable)."""
    try:
        found = cache.get_many([_state_key(member_id) for member_id in member_ids])
    except (OSError, RedisError):
        found = {}
    return {member_id: found.get(_state_key(member_id), "offline") for member_id in member_ids}
