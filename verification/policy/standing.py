"""A member's standing: whether they may see content at all, their clearances and their communities.

Computed once per request (cached on the user object) in a fixed number of
queries; every other part of the policy reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from communities.models import CommunityGroupObjectPermission, CommunityUserObjectPermission
from verification.models import Marking, Member, RulesAcceptance, RulesOfBehavior

AnyUser = Member | AnonymousUser

ACCESS_CACHE_ATTRIBUTE = "_muster_access"
# A marking rank set on the user object for one request (a personal access token's ceiling): the member's
# standing then admits no marking above it, however often it is computed again.
CEILING_ATTRIBUTE = "_muster_marking_ceiling"


class Barrier(StrEnum):
    """Why a signed-in member may not see content yet, in the order they must be cleared."""

    NONE = "none"
    ANONYMOUS = "anonymous"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    RULES = "rules"
    MFA = "mfa"


BARRIER_REASONS = {
    Barrier.NONE: "",
    Barrier.ANONYMOUS: "You are signed out.",
    Barrier.INACTIVE: "Your account is closed.",
    Barrier.SUSPENDED: "Your account is suspended.",
    Barrier.UNVERIFIED: "Your account is not verified.",
    Barrier.EXPIRED: "Your verification has expired: renew it to take part again.",
    Barrier.RULES: "New Rules of Behavior need your acceptance.",
    Barrier.MFA: "Set up two-factor authentication to take part.",
}


@dataclass(frozen=True)
class MemberAccess:
    """What the policy knows about one member, computed once per request."""

    member_id: int | None
    barrier: Barrier
    visible_marking_ids: frozenset[int]
    has_mfa: bool
    is_verifier: bool
    is_staff: bool
    # Community id -> the community permissions the member holds there (access, moderate, manage).
    community_permissions: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @property
    def may_see_content(self) -> bool:
        return self.barrier is Barrier.NONE

    def community_ids(self, codename: str = "access_community") -> frozenset[int]:
        return frozenset(pk for pk, codenames in self.community_permissions.items() if codename in codenames)

    def moderated_community_ids(self) -> frozenset[int]:
        return self.community_ids("moderate_community")


NO_ACCESS = MemberAccess(None, Barrier.ANONYMOUS, frozenset(), False, False, False)


def member_access(user: AnyUser | None) -> MemberAccess:
    """The member's standing, cached on the user object (so once per request)."""
    if user is None or not user.is_authenticated:
        return NO_ACCESS
    if not isinstance(user, Member):
        raise TypeError(f"Expected a Member, got {type(user).__name__}")
    cached = getattr(user, ACCESS_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]

    has_mfa = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    is_verifier = user.has_perm("verification.review_application")
    markings = Marking.objects.filter(Q(rank=0) | Q(authorisations__member=user)).values_list("pk", "rank")
    unmarked = {pk for pk, rank in markings if rank == 0}
    authorised = {pk for pk, rank in markings if rank != 0}
    current_rules = (
        RulesOfBehavior.objects.order_by("-version")
        .annotate(accepted=Exists(RulesAcceptance.objects.filter(rules=OuterRef("pk"), member=user)))
        .values_list("accepted", flat=True)
        .first()
    )
    accepted_rules = current_rules is None or current_rules

    if not user.is_active:
        barrier = Barrier.INACTIVE
    elif user.is_suspended:
        barrier = Barrier.SUSPENDED
    elif user.is_expired:
        barrier = Barrier.EXPIRED
    elif not user.is_verified:
        barrier = Barrier.UNVERIFIED
    elif not accepted_rules:
        barrier = Barrier.RULES
    elif not has_mfa and (user.is_staff or is_verifier or authorised):
        barrier = Barrier.MFA
    else:
        barrier = Barrier.NONE

    visible = frozenset(unmarked | authorised) if barrier is Barrier.NONE else frozenset()
    ceiling: int | None = getattr(user, CEILING_ATTRIBUTE, None)
    if ceiling is not None:
        visible = frozenset(pk for pk, rank in markings if pk in visible and rank <= ceiling)
    communities = _community_permissions(user) if barrier is Barrier.NONE else {}
    access = MemberAccess(user.pk, barrier, visible, has_mfa, is_verifier, user.is_staff, communities)
    setattr(user, ACCESS_CACHE_ATTRIBUTE, access)
    return access


def limit_member_access(user: Member, ceiling: Marking) -> MemberAccess:
    """For the rest of this request the member sees and posts nothing marked above ``ceiling``."""
    setattr(user, CEILING_ATTRIBUTE, ceiling.rank)
    forget_member_access(user)
    return member_access(user)


def forget_member_access(user: AnyUser) -> None:
    """Drop the cached standing after the member's vetting, rules or MFA changed."""
    if hasattr(user, ACCESS_CACHE_ATTRIBUTE):
        delattr(user, ACCESS_CACHE_ATTRIBUTE)


def _community_permissions(member: Member) -> dict[int, frozenset[str]]:
    """Every community permission the member holds, directly or through a group, in one query."""
    through_groups = CommunityGroupObjectPermission.objects.filter(group__user=member).values_list(
        "content_object_id", "permission__codename"
    )
    direct = CommunityUserObjectPermission.objects.filter(user=member).values_list(
        "content_object_id", "permission__codename"
    )
    held: dict[int, set[str]] = {}
    for community_id, codename in through_groups.union(direct):
        held.setdefault(community_id, set()).add(codename)
    return {community_id: frozenset(codenames) for community_id, codenames in held.items()}
