"""Reads of communities, already narrowed by the access policy."""

from django.db.models import QuerySet

from communities.models import Community
from verification import policy
from verification.models import Member


def communities_of(member: Member) -> QuerySet[Community]:
    """The communities the member belongs to, with what their cards show."""
    return (
        policy.filter_member_communities(member, Community.objects.all())
        .select_related("marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("name")
    )
