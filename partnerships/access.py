"""Who may do what in a partnership, read through the access policy.

Participants are the members of the partnership's community. A member contributes (adds resources, hazards,
issues, votes …) when they may see the partnership and belong to its community; co-leads mark steps done and
approve what the partnership publishes; the partnership's author, a moderator of its community or a co-lead
names the co-leads. A co-lead's sector is read from their verified affiliation (``sector_of``).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from communities.models import Membership
from partnerships.models import Partnership, Sector
from verification import policy
from verification.models import AffiliationType, Discipline, Marking, Member, Profile

PUBLIC_AFFILIATIONS = {AffiliationType.RESPONDER, AffiliationType.GOVERNMENT, AffiliationType.ACADEMIC}
PRIVATE_DISCIPLINES = {Discipline.PRIVATE_SECTOR, Discipline.NGO}


def sector_of(member: Member) -> Sector | None:
    """Public for responders, government employees and government-sponsored academics; private or community
    for contractors and engaged citizens, and for anyone whose discipline is the private sector or an NGO.
    None for a member without a profile."""
    try:
        profile = member.profile
    except Profile.DoesNotExist:
        return None
    if profile.discipline in PRIVATE_DISCIPLINES:
        return Sector.PRIVATE
    if profile.affiliation_type in PUBLIC_AFFILIATIONS:
        return Sector.PUBLIC
    return Sector.PRIVATE


def is_participant(member: Member, partnership: Partnership) -> bool:
    """Whether the member belongs to the partnership's community (read from the membership rows, so it answers
    for any member, not only the one signed in)."""
    return Membership.objects.filter(community_id=partnership.community_id, member_id=member.pk).exists()


def can_contribute(user: policy.AnyUser | None, partnership: Partnership) -> bool:
    return policy.is_community_member(user, partnership.community) and policy.can_view(user, partnership)


def check_contribute_permission(
    user: policy.AnyUser | None, partnership: Partnership, request: HttpRequest | None = None
) -> None:
    if not can_contribute(user, partnership):
        raise policy.deny(user, "contribute to", partnership, request)


def is_co_lead(user: policy.AnyUser | None, partnership: Partnership) -> bool:
    return user is not None and partnership.is_co_lead(user.pk) and can_contribute(user, partnership)


def check_co_lead_permission(
    user: policy.AnyUser | None, partnership: Partnership, request: HttpRequest | None = None
) -> None:
    if not is_co_lead(user, partnership):
        raise policy.deny(user, "lead", partnership, request)


def is_record_co_lead(user: policy.AnyUser | None, record: Any) -> bool:
    """A co-lead of the record's partnership (the registry's ``also_edited_by`` of needs and goals)."""
    return is_co_lead(user, record.partnership)


def can_name_co_leads(user: policy.AnyUser | None, partnership: Partnership) -> bool:
    if user is None or not can_contribute(user, partnership):
        return False
    return (
        partnership.author_id == user.pk
        or partnership.is_co_lead(user.pk)
        or policy.can_moderate(user, partnership.community)
    )


def check_name_co_leads_permission(
    user: policy.AnyUser | None, partnership: Partnership, request: HttpRequest | None = None
) -> None:
    if not can_name_co_leads(user, partnership):
        raise policy.deny(user, "name the co-leads of", partnership, request)


def check_record_marking(member: Member, partnership: Partnership, marking: Marking) -> None:
    """A record of the partnership is marked no lower than the partnership, at a marking its author is
    cleared for."""
    floor = policy.effective_marking(partnership)
    if marking.rank < floor.rank:
        raise ValidationError({"marking": f"Records of this partnership are marked at least {floor}."})
    if marking.pk not in policy.member_access(member).visible_marking_ids:
        raise ValidationError({"marking": f"You are not cleared for {marking}."})
