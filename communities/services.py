"""Every change to communities and their membership."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from communities.models import Community
from verification.models import Marking, Member
from verification.policy import forget_member_access, grant_community_role_permissions


class Role:
    MEMBER = "member"
    MODERATOR = "moderator"
    OWNER = "owner"


ROLE_GROUP_FIELDS = {Role.MEMBER: "member_group", Role.MODERATOR: "moderator_group", Role.OWNER: "owner_group"}


@transaction.atomic
def community_create(
    *,
    creator: Member,
    name: str,
    slug: str,
    marking: Marking,
    description: str = "",
    visibility: str = Community.Visibility.OPEN,
    join_policy: str = Community.JoinPolicy.OPEN,
    tags: Iterable[str] = (),
) -> Community:
    groups = {field: Group.objects.create(name=f"community:{slug}:{role}") for role, field in ROLE_GROUP_FIELDS.items()}
    community = Community.objects.create(
        name=name,
        slug=slug,
        description=description,
        visibility=visibility,
        join_policy=join_policy,
        marking=marking,
        created_by=creator,
        **groups,
    )
    community.tags.set(list(tags))
    grant_community_role_permissions(community)
    membership_set_role(community=community, member=creator, role=Role.OWNER)
    return community


@transaction.atomic
def membership_set_role(*, community: Community, member: Member, role: str) -> None:
    """Put the member in exactly one of the community's role groups."""
    role_groups = [getattr(community, field) for field in ROLE_GROUP_FIELDS.values()]
    member.groups.remove(*role_groups)
    member.groups.add(getattr(community, ROLE_GROUP_FIELDS[role]))
    forget_member_access(member)


@transaction.atomic
def membership_remove(*, community: Community, member: Member) -> None:
    member.groups.remove(*(getattr(community, field) for field in ROLE_GROUP_FIELDS.values()))
    forget_member_access(member)


@transaction.atomic
def community_delete(*, community: Community) -> None:
    """Delete the community, its content, its role groups and every permission row on them."""
    groups = [getattr(community, field) for field in ROLE_GROUP_FIELDS.values()]
    community.delete()
    Group.objects.filter(pk__in=[group.pk for group in groups]).delete()
