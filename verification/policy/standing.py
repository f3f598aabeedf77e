"""A member's standing: whether they may see content at all, their clearances and their communities.

Computed once per request (cached on the user object) in a fixed number of
queries; every other part of the policy reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Exists, OuterRef, Q

from communities.models import CommunityGroupObjectPermission, CommunityUserObjectPermission
from verification.models import Marking, MarkingAuthorisation, Member, RulesAcceptance, RulesOfBehavior

AnyUser = Member | AnonymousUser

ACCESS_CACHE_ATTRIBUTE = "_muster_access"
# A marking rank set on the user object for one request (a personal access token's ceiling): the member's
# standing then admits no marking above it, however often it is computed again.
CEILING_ATTRIBUTE = "_muster_marking_ceiling"
REVIEW_PERMISSION = "verification.review_application"
REVIEW_APP_LABEL, REVIEW_CODENAME = REVIEW_PERMISSION.split(".")


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


@dataclass(frozen=True)
class StandingFacts:
    """What the database says about one member beyond their own row, read for one member or for many."""

    has_mfa: bool
    is_verifier: bool
    # Marking id -> rank, for the unmarked markings and those the member is authorised for.
    marking_ranks: Mapping[int, int]
    accepted_rules: bool


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
    is_verifier = user.has_perm(REVIEW_PERMISSION)
    markings = Marking.objects.filter(Q(rank=0) | Q(authorisations__member=user)).values_list("pk", "rank")
    current_rules = (
        RulesOfBehavior.objects.order_by("-version")
        .annotate(accepted=Exists(RulesAcceptance.objects.filter(rules=OuterRef("pk"), member=user)))
        .values_list("accepted", flat=True)
        .first()
    )
    facts = StandingFacts(has_mfa, is_verifier, dict(markings), current_rules is None or current_rules)
    access = _access_from_facts(user, facts, _community_permissions)
    setattr(user, ACCESS_CACHE_ATTRIBUTE, access)
    return access


def member_accesses(members: Sequence[Member]) -> dict[int, MemberAccess]:
    """The standing of many members at once, in five queries whatever their number.

    For what outlives a request (a process's open sockets): each member object
    is refreshed in place from the database, as ``refresh_from_db`` would, and
    carries its new standing, so what it is handed to next reads that standing.
    Members no longer in the database are left out.
    """
    ids = {member.pk for member in members}
    current_rules = RulesOfBehavior.objects.order_by("-version").values_list("pk", flat=True).first()
    rows = Member.objects.filter(pk__in=ids).annotate(
        has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        holds_review_permission=Exists(
            Permission.objects.filter(content_type__app_label=REVIEW_APP_LABEL, codename=REVIEW_CODENAME).filter(
                Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
            )
        ),
        accepted_current_rules=Exists(RulesAcceptance.objects.filter(member=OuterRef("pk"), rules_id=current_rules)),
    )
    fresh = {row.pk: row for row in rows}
    ranks = dict(Marking.objects.values_list("pk", "rank"))
    authorised: dict[int, set[int]] = {}
    for member_id, marking_id in MarkingAuthorisation.objects.filter(member_id__in=ids).values_list(
        "member_id", "marking_id"
    ):
        authorised.setdefault(member_id, set()).add(marking_id)
    communities = _community_permissions_of(ids)

    accesses: dict[int, MemberAccess] = {}
    for member in members:
        row = fresh.get(member.pk)
        if row is None:
            continue
        # What refresh_from_db would do, from the row already read.
        for model_field in Member._meta.concrete_fields:
            setattr(member, model_field.attname, getattr(row, model_field.attname))
        # ModelBackend's rule for has_perm: active members only, superusers hold every permission.
        is_verifier = member.is_active and (member.is_superuser or row.holds_review_permission)
        own = authorised.get(member.pk, set())
        facts = StandingFacts(
            has_mfa=row.has_totp,
            is_verifier=is_verifier,
            marking_ranks={pk: rank for pk, rank in ranks.items() if rank == 0 or pk in own},
            accepted_rules=current_rules is None or row.accepted_current_rules,
        )
        access = _access_from_facts(member, facts, lambda cleared: communities.get(cleared.pk, {}))
        accesses[member.pk] = access
        setattr(member, ACCESS_CACHE_ATTRIBUTE, access)
    return accesses


def _access_from_facts(
    member: Member, facts: StandingFacts, community_permissions: Callable[[Member], Mapping[int, frozenset[str]]]
) -> MemberAccess:
    """The access rule's first clause: the one barrier the member must clear next, and what they see once clear.

    ``community_permissions`` is only called for a cleared member (one query saved for the others).
    """
    authorised = {pk for pk, rank in facts.marking_ranks.items() if rank != 0}
    if not member.is_active:
        barrier = Barrier.INACTIVE
    elif member.is_suspended:
        barrier = Barrier.SUSPENDED
    elif member.is_expired:
        barrier = Barrier.EXPIRED
    elif not member.is_verified:
        barrier = Barrier.UNVERIFIED
    elif not facts.accepted_rules:
        barrier = Barrier.RULES
    elif not facts.has_mfa and (member.is_staff or facts.is_verifier or authorised):
        barrier = Barrier.MFA
    else:
        barrier = Barrier.NONE

    if barrier is not Barrier.NONE:
        return MemberAccess(member.pk, barrier, frozenset(), facts.has_mfa, facts.is_verifier, member.is_staff)
    ceiling: int | None = getattr(member, CEILING_ATTRIBUTE, None)
    visible = frozenset(pk for pk, rank in facts.marking_ranks.items() if ceiling is None or rank <= ceiling)
    return MemberAccess(
        member.pk, barrier, visible, facts.has_mfa, facts.is_verifier, member.is_staff, community_permissions(member)
    )


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
    return _community_permissions_of({member.pk}).get(member.pk, {})


def _community_permissions_of(member_ids: Collection[int]) -> dict[int, dict[int, frozenset[str]]]:
    """Member id -> community id -> the permissions held there, directly or through a group, in one query."""
    through_groups = CommunityGroupObjectPermission.objects.filter(group__user__in=member_ids).values_list(
        "group__user", "content_object_id", "permission__codename"
    )
    direct = CommunityUserObjectPermission.objects.filter(user__in=member_ids).values_list(
        "user_id", "content_object_id", "permission__codename"
    )
    held: dict[int, dict[int, set[str]]] = {}
    for member_id, community_id, codename in through_groups.union(direct):
        held.setdefault(member_id, {}).setdefault(community_id, set()).add(codename)
    return {
        member_id: {community_id: frozenset(codenames) for community_id, codenames in communities.items()}
        for member_id, communities in held.items()
    }
