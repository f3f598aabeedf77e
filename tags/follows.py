"""Members follow tags: new items of every taggable type carrying one."""

from collections.abc import Collection

from django.db.models import Q
from django.urls import reverse
from taggit.models import Tag

from notices.follow import events_about, register_followable
from tags.selectors import filter_tags_seen_by
from verification.registry import content_registry


def _tagged_events(ids: Collection[int]) -> Q:
    events = Q(pk__in=[])
    for registration in content_registry.taggable():
        events |= events_about(registration.model, registration.model._default_manager.filter(tags__in=ids))
    return events


def register_followables() -> None:
    register_followable(
        Tag,
        label="tag",
        title=lambda tag: f"#{tag.name}",
        url=lambda tag: reverse("tags:tag", kwargs={"tag": tag.slug}),
        visible=filter_tags_seen_by,
        events=_tagged_events,
    )
