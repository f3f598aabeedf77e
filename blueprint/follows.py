"""Members follow Blueprint entries: their publication and every published change (watching)."""

from collections.abc import Collection

from django.db.models import Q

from blueprint.models import Entry
from blueprint.services import entry_url
from notices.follow import events_about, register_followable
from verification import policy


def _entry_events(ids: Collection[int]) -> Q:
    return events_about(Entry, ids)


def register_followables() -> None:
    register_followable(
        Entry,
        label="Blueprint entry",
        title=lambda entry: entry.title,
        url=entry_url,
        visible=policy.filter_visible,
        events=_entry_events,
        display_related=("community",),
    )
