"""When the member last looked at the start page before this visit: what came after it is marked new.

A visit is a run of page views with no gap longer than ``VISIT_GAP``: reloading the start page keeps
the same items new; coming back after a break moves the mark to where the last visit ended. Kept in
the cache like ``notices.visits`` (a lost entry only marks a week of items new again), so a page costs
no database write and never fails when the cache is down.
"""

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

VISIT_GAP = timedelta(minutes=30)
# A member the start page has not seen yet: the last week counts as new.
FIRST_VISIT_WINDOW = timedelta(days=7)
_KEY = "start-page-visit:{}"
_KEEP_SECONDS = 60 * 60 * 24 * 90


@dataclass(frozen=True)
class NewSince:
    """Items after ``since`` are new; ``first_visit`` when the start page has not seen the member before."""

    since: datetime
    first_visit: bool


def start_page_seen(member_id: int, *, now: datetime | None = None) -> NewSince:
    """Note that the member sees the start page now; return since when items count as new for them."""
    now = now or timezone.now()
    key = _KEY.format(member_id)
    try:
        state = cache.get(key)
    except (RedisError, OSError):
        return NewSince(now - FIRST_VISIT_WINDOW, first_visit=True)
    if state is None:
        since, first_visit = (now - FIRST_VISIT_WINDOW).timestamp(), True
    else:
        (since, seen, first_visit) = state
        if now.timestamp() - seen > VISIT_GAP.total_seconds():
            since, first_visit = seen, False
    with contextlib.suppress(RedisError, OSError):
        cache.set(key, (since, now.timestamp(), first_visit), _KEEP_SECONDS)
    return NewSince(datetime.fromtimestamp(since, tz=UTC), first_visit=first_visit)
