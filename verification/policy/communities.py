"""Who may know of a community, see its content, belong to it, moderate and manage it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from communities.models import Community
from verification.models import Marking, Member
from verification.policy.audit import deny
from verification.policy.standing import AnyUser, member_access


def filter_known_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the member may know exist: active open and restricted ones, private ones they
    belong to, and communities still waiting for approval that they proposed (or, for staff, all of those)."""
    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    listed = Q(visibility__in=(Community.Visibility.OPEN, Community.Visibility.RESTRICTED))
    active = Q(status=Community.Status.ACTIVE) & (listed | Q(pk__in=access.community_ids()))
    proposed = Q(status=Community.Status.PENDING) & (Q() if access.is_staff else Q(created_by=access.member_id))
    return queryset.filter(active | proposed, marking_id__in=access.visible_marking_ids)


def content_communities_q(user: AnyUser | None, path: str = "") -> Q:
    """Communities (at ``path``, e.g. ``"community__"``) whose content the member may see: active, at a
    marking they are cleared for, and open or theirs. Only for a member who may see content."""
    access = member_access(user)
    return Q(
        **{
            f"{path}status": Community.Status.ACTIVE,
            f"{path}marking__in": access.visible_marking_ids,
        }
    ) & (Q(**{f"{path}visibility": Community.Visibility.OPEN}) | Q(**{f"{path}pk__in": access.community_ids()}))


def filter_content_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities whose content the member may see: open ones, and any they belong to."""
    if not member_access(user).may_see_content:
        return queryset.none()
    return queryset.filter(content_communities_q(user))


def filter_member_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the member belongs to (and may still see)."""
    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    return queryset.filter(pk__in=access.community_ids(), marking_id__in=access.visible_marking_ids)


def _holds_community_permission(user: AnyUser | None, community: Community, codename: str) -> bool:
    access = member_access(user)
    return (
        access.may_see_content
        and community.marking_id in access.visible_marking_ids
        and codename in access.community_permissions.get(community.pk, frozenset())
    )


def can_know_community(user: AnyUser | None, community: Community) -> bool:
    return filter_known_communities(user, Community.objects.filter(pk=community.pk)).exists()


def can_view_community_content(user: AnyUser | None, community: Community) -> bool:
    return filter_content_communities(user, Community.objects.filter(pk=community.pk)).exists()


def is_community_member(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "access_community")


def can_moderate(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "moderate_community")


def can_manage_community(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "manage_community")


def can_invite(user: AnyUser | None, community: Community) -> bool:
    """Members invite; to an invitation-only community, only its moderators do."""
    if community.join_policy == Community.JoinPolicy.INVITATION:
        return can_moderate(user, community)
    return is_community_member(user, community)


def is_cleared_for(member: Member, marking: Marking) -> bool:
    """Whether a verifier cleared the member for the marking, whatever else stands in their way today.

    For decisions about the future (accepting an invitation while the rules or
    MFA are still to do); what the member may see now is ``member_access``.
    """
    return marking.is_unmarked or member.marking_authorisations.filter(marking=marking).exists()


def can_post(user: AnyUser | None, community: Community, marking: Marking) -> bool:
    """Members post in communities they belong to, at markings they are cleared for."""
    access = member_access(user)
    return marking.pk in access.visible_marking_ids and is_community_member(user, community)


def check_moderate_permission(user: AnyUser | None, community: Community, request: HttpRequest | None = None) -> None:
    if not can_moderate(user, community):
        raise deny(user, "moderate", community, request)


def check_post_permission(
    user: AnyUser | None, community: Community, marking: Marking, request: HttpRequest | None = None
) -> None:
    if not can_post(user, community, marking):
        raise deny(user, "post", community, request)
