"""Members follow wiki pages: every change to one (watching)."""

from collections.abc import Collection

from django.db.models import Q

from notices.follow import events_about, register_followable
from verification import policy
from wiki.models import WikiPage
from wiki.services import page_url


def _page_events(ids: Collection[int]) -> Q:
    return events_about(WikiPage, ids)


def register_followables() -> None:
    register_followable(
        WikiPage,
        label="wiki page",
        title=lambda page: page.title,
        url=page_url,
        visible=policy.filter_visible,
        events=_page_events,
        display_related=("community",),
    )
