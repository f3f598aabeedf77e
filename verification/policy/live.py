"""Live events about content carry the item's scope, so a socket re-checks them in memory.

The scope is what the access rule needs about an item (its type, id,
community, markings and restriction), read through the registry when the
event is published. A socket holds the member's standing and answers from
the two without the database; only a restricted item (named members and
groups) needs a look in the database.
"""

from __future__ import annotations

from typing import Any, TypedDict

from communities.models import Community
from verification.policy.content import community_of
from verification.policy.standing import BARRIER_REASONS, Barrier, MemberAccess
from verification.registry import content_registry


class ItemScope(TypedDict):
    type: str
    id: int
    community_id: int
    community_open: bool
    community_active: bool
    marking_ids: list[int]
    restricted: bool


def item_scope(item: Any) -> ItemScope:
    """The scope of an item of a registered type (a post's is its thread's)."""
    registration = content_registry.get(type(item))
    governing = getattr(item, registration.parent) if registration.parent is not None else item
    community: Community = community_of(governing)
    parent_registration = content_registry.get(type(governing))
    restricted_field = parent_registration.restricted
    return {
        "type": registration.label,
        "id": item.pk,
        "community_id": community.pk,
        "community_open": community.visibility == Community.Visibility.OPEN,
        "community_active": community.status == Community.Status.ACTIVE,
        "marking_ids": sorted({governing.marking_id, community.marking_id}),
        "restricted": bool(restricted_field and getattr(governing, restricted_field)),
    }


def scope_refusal(access: MemberAccess, scope: ItemScope, marking_names: dict[int, str]) -> str | None:
    """Why the member may not receive an event about this item; None while they may (restriction aside)."""
    if access.barrier is not Barrier.NONE:
        return BARRIER_REASONS[access.barrier]
    for marking_id in scope["marking_ids"]:
        if marking_id not in access.visible_marking_ids:
            return f"You are no longer cleared for {marking_names.get(marking_id, 'this marking')}."
    if not scope["community_active"]:
        return "This community is closed."
    if not scope["community_open"] and scope["community_id"] not in access.community_ids():
        return "You are no longer a member of this community."
    return None
