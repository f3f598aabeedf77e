"""Reads for a tag's page: every taggable content type the member may see that carries the tag.

The types come from the content registry (``content_registry.taggable()``),
each through ``policy.filter_visible``, so removal, marking, community and
restriction hold as the registry declares them, and a new taggable type gets
its section by registering. A section is one query for its rows, one for the
paginator's count and one for the rows' tags, however many rows there are.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from taggit.models import Tag

from verification import policy
from verification.models import Member
from verification.registry import ContentRegistration, content_registry


def _carrying(member: Member, registration: ContentRegistration, tag_slug: str) -> QuerySet[Any]:
    """Listed, published items of one type carrying the tag that the member may see."""
    items = registration.model._default_manager.filter(registration.not_removed, tags__slug=tag_slug)
    if registration.published is not None:
        items = items.filter(**{f"{registration.published}__lte": timezone.now()})
    return policy.filter_visible(member, items)


def tagged_items(member: Member, registration: ContentRegistration, tag_slug: str) -> QuerySet[Any]:
    """One type's items carrying the tag that the member may see, in the type's list order."""
    related = [*registration.related_for_display(), *([registration.author] if registration.author else [])]
    return (
        _carrying(member, registration, tag_slug)
        .select_related(*related)
        .prefetch_related("tags")
        .order_by(*registration.list_order)
    )


def filter_tags_seen_by(member: Member, tags: QuerySet[Tag]) -> QuerySet[Tag]:
    """The tags something the member may see carries (one SQL query)."""
    carried = Q(pk__in=[])
    for registration in content_registry.taggable():
        items = registration.model._default_manager.filter(registration.not_removed, tags=OuterRef("pk"))
        if registration.published is not None:
            items = items.filter(**{f"{registration.published}__lte": timezone.now()})
        carried |= Q(Exists(policy.filter_visible(member, items)))
    return tags.filter(carried)


def tag_seen_by(member: Member, tag_slug: str) -> Tag | None:
    """The tag when something the member may see carries it; ``None`` otherwise, so a tag used only on
    items hidden from them looks exactly like one that does not exist."""
    tag: Tag | None = filter_tags_seen_by(member, Tag.objects.filter(slug=tag_slug)).first()
    return tag
