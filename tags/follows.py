"""Members follow tags: new items of every taggable type carrying one."""

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from taggit.models import Tag

from notices.follow import register_followable
from tags.selectors import filter_tags_seen_by
from verification.registry import content_registry


def _tagged_events(ids: Collection[int]) -> Q:
    events = Q(pk__in=[])
    for registration in content_registry.taggable():
        tagged = registration.model._default_manager.filter(tags__in=ids).values("pk")
        events |= Q(target_type=registration.content_type(), target_id__in=tagged)
    return events


def _tags_seen_by(member: Any, tags: QuerySet[Any]) -> QuerySet[Any]:
    return filter_tags_seen_by(member, tags)


def register_followables() -> None:
    register_followable(
        Tag,
        label="tag",
        title=lambda tag: f"#{tag.name}",
        url=lambda tag: reverse("tags:tag", kwargs={"tag": tag.slug}),
        visible=_tags_seen_by,
        events=_tagged_events,
    )
