"""What the subscriptions page and the Follow control read."""

from dataclasses import dataclass
from typing import Any

from django.db import models

from notices.follow import Followable, all_followables, followable_by_content_type_id
from notices.models import Subscription
from verification.models import Member


@dataclass
class FollowedRow:
    subscription: Subscription
    kind: str
    title: str
    url: str


def followable_target(member: Member, target_type: str, target_id: int) -> models.Model:
    """The thing ``app_label.model`` #id when it can be followed and the member may see it;
    ``LookupError`` otherwise (the same answer whether it is hidden or does not exist)."""
    for followable in all_followables():
        if followable.model._meta.label_lower == target_type:
            found = followable.visible(member, followable.model._default_manager.filter(pk=target_id)).first()
            if found is not None:
                return found  # type: ignore[no-any-return]
    raise LookupError(target_type)


def followed_rows(member: Member) -> list[FollowedRow]:
    """The member's subscriptions to things they may still see, by kind then title: one query for the
    subscriptions and one per kind followed, whatever the rows."""
    # Each row's form names its target's type: read with the subscriptions, not one query per row.
    subscriptions = list(Subscription.objects.filter(member=member).select_related("target_type"))
    by_type: dict[int, list[Subscription]] = {}
    for subscription in subscriptions:
        by_type.setdefault(subscription.target_type_id, []).append(subscription)
    followables = followable_by_content_type_id()
    rows: list[FollowedRow] = []
    for type_id, group in by_type.items():
        followable: Followable | None = followables.get(type_id)
        if followable is None:
            continue
        shown: Any = followable.model._default_manager.filter(pk__in=[s.target_id for s in group])
        targets = {
            target.pk: target
            for target in followable.visible(member, shown).select_related(*followable.display_related)
        }
        for subscription in group:
            target = targets.get(subscription.target_id)
            if target is not None:
                rows.append(
                    FollowedRow(subscription, followable.label, followable.title(target), followable.url(target))
                )
    return sorted(rows, key=lambda row: (row.kind, row.title.lower()))
