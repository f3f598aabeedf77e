"""The access rule read from the other side: which members may see something.

For the member directory, mention suggestions and notifications, in one SQL
query each. ``filter_members_who_may_view`` agrees with ``can_view`` for
every member (tested against the permission matrix).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from communities.models import Community
from verification.models import Marking, MarkingAuthorisation, Member, RulesAcceptance, RulesOfBehavior
from verification.policy.content import community_of, is_removed
from verification.policy.grants import item_grant_tables, view_codename
from verification.policy.standing import AnyUser, member_access
from verification.registry import content_registry


def filter_visible_members(user: AnyUser | None, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """Cleared members see every verified, active, unsuspended member (and themselves)."""
    access = member_access(user)
    if not access.may_see_content:
        return queryset.none()
    return queryset.filter(verified_now() | Q(pk=access.member_id))


def verified_now() -> Q:
    """``Member.is_verified`` as SQL: active, not suspended, verification not expired."""
    return Q(is_active=True, suspended_at__isnull=True, verified_until__gt=timezone.now())


def can_view_member(user: AnyUser | None, member: Member) -> bool:
    return filter_visible_members(user, Member.objects.filter(pk=member.pk)).exists()


def members_cleared_to_see_content() -> Q:
    """``member_access(...).may_see_content`` as SQL over members."""
    current_rules = RulesOfBehavior.objects.order_by("-version").values("pk")[:1]
    accepted_rules = Exists(RulesAcceptance.objects.filter(member=OuterRef("pk"), rules_id__in=current_rules))
    no_rules_yet = ~Exists(RulesOfBehavior.objects.all())
    has_mfa = Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP))
    cleared_for_any = Exists(MarkingAuthorisation.objects.filter(member=OuterRef("pk")))
    verifier = Q(user_permissions__codename="review_application") | Q(
        groups__permissions__codename="review_application"
    )
    needs_mfa = Q(is_staff=True) | Q(cleared_for_any) | Q(pk__in=Member.objects.filter(verifier).values("pk"))
    return verified_now() & (Q(accepted_rules) | Q(no_rules_yet)) & (Q(has_mfa) | ~needs_mfa)


def members_cleared_for(marking: Marking) -> Q:
    if marking.is_unmarked:
        return Q()
    return Q(pk__in=MarkingAuthorisation.objects.filter(marking=marking).values("member_id"))


def members_in_role_groups(community: Community, *, moderators_only: bool = False) -> Q:
    groups = [community.moderator_group_id, community.owner_group_id]
    if not moderators_only:
        groups.append(community.member_group_id)
    return Q(pk__in=Member.objects.filter(groups__in=groups).values("pk"))


def filter_members_who_may_view(item: Any, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of ``queryset`` who may see ``item``, of any registered type (a type with a rule of its
    own answers through its ``audience``)."""
    registration = content_registry.get(type(item))
    if registration.audience is not None:
        return registration.audience(item, queryset)
    if registration.parent is not None:
        parent = getattr(item, registration.parent)
        may_view_parent = filter_members_who_may_view(parent, queryset)
        if is_removed(item):
            if not registration.moderators_see_removed:
                return queryset.none()
            return may_view_parent.filter(members_in_role_groups(community_of(item), moderators_only=True))
        return may_view_parent
    community: Community = community_of(item)
    if community.status != Community.Status.ACTIVE:
        return queryset.none()
    allowed = (
        members_cleared_to_see_content() & members_cleared_for(item.marking) & members_cleared_for(community.marking)
    )
    if community.visibility != Community.Visibility.OPEN:
        allowed &= members_in_role_groups(community)
    if registration.restricted is not None and getattr(item, registration.restricted):
        user_model, group_model = item_grant_tables(type(item))
        codename = view_codename(type(item))
        direct = user_model._default_manager.filter(content_object=item, permission__codename=codename)
        through = group_model._default_manager.filter(content_object=item, permission__codename=codename)
        allowed &= Q(pk__in=direct.values("user_id")) | Q(groups__in=through.values("group_id"))
    if registration.published is not None:
        published_at = getattr(item, registration.published)
        if published_at is None or published_at > timezone.now():
            allowed &= Q(pk=getattr(item, f"{registration.author}_id")) if registration.author else Q(pk__in=[])
    if is_removed(item):
        allowed &= members_in_role_groups(community, moderators_only=True)
    return queryset.filter(allowed).distinct()


def _shared_audience(item: Any, removed: frozenset[tuple[type[Any], Any]]) -> tuple[int, int] | None:
    """What the rule reads of an item when nothing of the item alone narrows it (not restricted, published,
    listed, no rule of its own): its community and marking. Items alike in these have the same readers."""
    registration = content_registry.get(type(item))
    if registration.audience is not None or registration.parent is not None or (type(item), item.pk) in removed:
        return None
    if registration.restricted is not None and getattr(item, registration.restricted):
        return None
    if registration.published is not None:
        published_at = getattr(item, registration.published)
        if published_at is None or published_at > timezone.now():
            return None
    return (community_of(item).pk, item.marking_id)


def _removed(items: list[Any]) -> frozenset[tuple[type[Any], Any]]:
    """Which of the items are removed: one query per type."""
    by_type: dict[type[Any], list[Any]] = {}
    for item in items:
        by_type.setdefault(type(item), []).append(item.pk)
    removed: set[tuple[type[Any], Any]] = set()
    for model, pks in by_type.items():
        not_removed = content_registry.get(model).not_removed
        if not_removed:
            gone = model._default_manager.filter(pk__in=pks).exclude(not_removed).values_list("pk", flat=True)
            removed.update((model, pk) for pk in gone)
    return frozenset(removed)


def readers_of(items: Iterable[Any], queryset: QuerySet[Member]) -> dict[Any, frozenset[int]]:
    """For each item, the ids of the members of ``queryset`` who may see it (``filter_members_who_may_view``).
    Items the rule reads alike (same community and marking, nothing of their own narrowing it) share one
    query, so a batch costs one query per community and marking, not one per item."""
    items = list(items)
    removed = _removed(items)
    shared: dict[tuple[int, int], frozenset[int]] = {}
    readers: dict[Any, frozenset[int]] = {}
    for item in items:
        key = _shared_audience(item, removed)
        if key is not None and key in shared:
            readers[item] = shared[key]
            continue
        found = frozenset(filter_members_who_may_view(item, queryset).values_list("pk", flat=True))
        readers[item] = found
        if key is not None:
            shared[key] = found
    return readers
