"""The public tier: what anyone, signed in or not, may read of an item (a Blueprint entry's heading and summary).

The site is for verified members; anonymous visitors and members not yet
cleared read only what this module lets through. An item is public when all hold:

1. its type registers a ``public`` condition (``verification.registry``) and the item meets it
   (an editor made its summary public);
2. it is unmarked, and so is its community (rank 0: nothing marked is ever public);
3. its community is open and active (nothing of a restricted, private or pending community);
4. it is not restricted to named members or groups;
5. it is published (no drafts, nothing scheduled);
6. it is listed (not removed).

Types with a parent or with a rule of their own have no public tier. Like the rest of the
policy this is one SQL filter on a queryset, read from the registration, never from a model's name.
Only the public part is for the public: pages built on ``filter_public`` show the heading and summary,
never the body or attachments.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities.models import Community
from verification.policy.content import filter_visible
from verification.policy.standing import AnyUser, member_access
from verification.registry import ContentRegistration, content_registry

ModelT = TypeVar("ModelT", bound=models.Model)


def public_q(registration: ContentRegistration) -> Q | None:
    """The public rule over one registered type, as a filter on its rows; None when the type has no public tier."""
    if (
        registration.public is None
        or registration.visibility is not None
        or registration.parent is not None
        or registration.community is None
        or registration.marking is None
    ):
        return None
    community = registration.community
    rule = registration.public & Q(
        **{
            f"{registration.marking}__rank": 0,
            f"{community}__marking__rank": 0,
            f"{community}__visibility": Community.Visibility.OPEN,
            f"{community}__status": Community.Status.ACTIVE,
        }
    )
    if registration.restricted is not None:
        rule &= Q(**{registration.restricted: False})
    if registration.published is not None:
        rule &= Q(**{f"{registration.published}__lte": timezone.now()})
    return rule & registration.not_removed


def filter_public(queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The items of ``queryset`` whose public part anyone may read, in one SQL query."""
    rule = public_q(content_registry.get(queryset.model))
    return queryset.none() if rule is None else queryset.filter(rule)


def is_public(item: models.Model) -> bool:
    return filter_public(type(item)._default_manager.filter(pk=item.pk)).exists()


def reads_public_tier(user: AnyUser | None) -> bool:
    """Whether this visitor reads only the public tier: anonymous, or signed in but not (yet) cleared."""
    return not member_access(user).may_see_content


def filter_readable(user: AnyUser | None, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """What this visitor may read of ``queryset``: everything the access rule shows a cleared member, the
    public tier to everyone else. (For a cleared member the public items are among the visible ones.)"""
    if reads_public_tier(user):
        return filter_public(queryset)
    return filter_visible(user, queryset)
