"""Members follow wiki pages: every change to one (watching)."""

from collections.abc import Collection

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from notices.follow import register_followable
from verification import policy
from wiki.models import WikiPage
from wiki.services import page_url


def _page_events(ids: Collection[int]) -> Q:
    return Q(target_type=ContentType.objects.get_for_model(WikiPage), target_id__in=ids)


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
