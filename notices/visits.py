"""When a member was last on the site: e-mail waits for what they have not seen there.

Kept in the cache (Redis in production), written at most once a minute per
member, so a page costs no database write; a lost entry only makes the next
digest a little longer, and so does Redis being down: a page never fails for it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

_KEY = "visit:{}"
_THROTTLE_SECONDS = 60
_KEEP_SECONDS = 60 * 60 * 24 * 30


def note_visit(member_id: int, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    try:
        if cache.add(f"visit-throttle:{member_id}", 1, _THROTTLE_SECONDS):
            cache.set(_KEY.format(member_id), now.timestamp(), _KEEP_SECONDS)
    except (RedisError, OSError):
        return


def last_visits(member_ids: Iterable[int]) -> dict[int, datetime]:
    keys = {_KEY.format(member_id): member_id for member_id in member_ids}
    try:
        found = cache.get_many(list(keys))
    except (RedisError, OSError):
        return {}
    return {keys[key]: datetime.fromtimestamp(stamp, tz=UTC) for key, stamp in found.items()}
