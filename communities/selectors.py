"""Reads of communities, already narrowed by the access policy.

Every function takes the member who reads and returns only what the policy
lets them see, in a fixed number of queries however many rows there are.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from taggit.models import Tag

from communities.models import (
    ActivityEvent,
    Ban,
    Community,
    CommunityContent,
    Invitation,
    JoinRequest,
    Membership,
    Role,
)
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry

AUTOCOMPLETE_LIMIT = 10
DIRECTORY_TAG_LIMIT = 30


class DirectorySort(StrEnum):
    ACTIVE = "active"
    NEW = "new"
    MEMBERS = "members"


DIRECTORY_ORDER: dict[DirectorySort, tuple[str, ...]] = {
    DirectorySort.ACTIVE: ("-last_activity_at", "name", "pk"),
    DirectorySort.NEW: ("-created_at", "name", "pk"),
    DirectorySort.MEMBERS: ("-member_count", "name", "pk"),
}

# Owners first, then moderators, then members.
ROLE_RANK = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.MODERATOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- Communities ---------------------------------------------------------------


def communities_of(member: Member) -> QuerySet[Community]:
    """The communities the member belongs to, with what their cards show."""
    return (
        policy.filter_member_communities(member, Community.objects.all())
        .select_related("marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("name")
    )


def community_directory(
    member: Member,
    *,
    search: str = "",
    tags: Iterable[str] = (),
    sort: DirectorySort = DirectorySort.ACTIVE,
    mine: bool = False,
) -> QuerySet[Community]:
    """Active communities the member may know of, searched by name and description, every tag required."""
    communities = policy.filter_known_communities(member, Community.objects.filter(status=Community.Status.ACTIVE))
    if mine:
        communities = policy.filter_member_communities(member, communities)
    if search:
        communities = communities.filter(Q(name__icontains=search) | Q(description__icontains=search))
    for tag in tags:
        # One join per tag: a community must carry all of them (and no row repeats).
        communities = communities.filter(tags__slug=tag)
    return (
        communities.select_related("marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by(*DIRECTORY_ORDER[sort])
    )


def directory_tags(member: Member) -> QuerySet[Tag]:
    """The tags most used by communities the member may know of, to filter the directory by."""
    known = policy.filter_known_communities(member, Community.objects.filter(status=Community.Status.ACTIVE))
    tags: QuerySet[Tag] = (
        Tag.objects.filter(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Community),
            taggit_taggeditem_items__object_id__in=known.values("pk"),
        )
        .annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "name")[:DIRECTORY_TAG_LIMIT]
    )
    return tags


def community_autocomplete(member: Member, text: str) -> list[dict[str, str]]:
    """At most ten active communities the member may know of whose name contains ``text``."""
    text = text.strip()
    if not text:
        return []
    communities = policy.filter_known_communities(member, Community.objects.filter(status=Community.Status.ACTIVE))
    rows = communities.filter(name__icontains=text).order_by("name", "pk").values_list("slug", "name")
    return [{"slug": slug, "name": name} for slug, name in rows[:AUTOCOMPLETE_LIMIT]]


def community_known_to(member: Member, slug: str) -> Community:
    """The community the member may know of at this address; ``Community.DoesNotExist`` otherwise."""
    known = policy.filter_known_communities(member, Community.objects.filter(slug=slug))
    return known.select_related("marking", "created_by").get()


def communities_waiting_for_approval(member: Member) -> QuerySet[Community]:
    """Communities that wait for staff approval: every one for staff, none for anyone else."""
    if not policy.member_access(member).is_staff:
        return Community.objects.none()
    waiting = policy.filter_known_communities(member, Community.objects.filter(status=Community.Status.PENDING))
    return (
        waiting.select_related("marking", "created_by")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("created_at", "pk")
    )


def markings_for(member: Member) -> QuerySet[Marking]:
    """The markings the member is cleared for (and so may give a community)."""
    return Marking.objects.filter(pk__in=policy.member_access(member).visible_marking_ids).order_by("rank", "slug")


# --- Where the member stands -------------------------------------------------------


class JoinState(StrEnum):
    """What the member's join button says for one community."""

    MEMBER = "member"
    BANNED = "banned"
    INVITED = "invited"
    REQUESTED = "requested"
    MAY_JOIN = "may_join"
    MAY_ASK = "may_ask"
    INVITATION_ONLY = "invitation_only"
    WAITING = "waiting"  # the community waits for staff approval


@dataclass(frozen=True)
class Standing:
    state: JoinState
    invitation_id: int | None = None


POLICY_STATES: dict[str, JoinState] = {
    Community.JoinPolicy.OPEN: JoinState.MAY_JOIN,
    Community.JoinPolicy.REQUEST: JoinState.MAY_ASK,
    Community.JoinPolicy.INVITATION: JoinState.INVITATION_ONLY,
}


def standings(member: Member, communities: Sequence[Community]) -> dict[int, Standing]:
    """The member's standing in each community: three queries, however many communities.

    Membership comes from the policy's cached roles; pending requests,
    invitations and bans are one query each.
    """
    ids = [community.pk for community in communities]
    member_of = policy.member_access(member).community_ids()
    requested = set(
        JoinRequest.objects.filter(member=member, community_id__in=ids, status=JoinRequest.Status.PENDING).values_list(
            "community_id", flat=True
        )
    )
    invited = dict(invitations_for(member).filter(community_id__in=ids).values_list("community_id", "pk"))
    banned = set(Ban.objects.filter(member=member, community_id__in=ids).values_list("community_id", flat=True))
    result: dict[int, Standing] = {}
    for community in communities:
        if community.pk in member_of:
            result[community.pk] = Standing(JoinState.MEMBER)
        elif community.pk in banned:
            result[community.pk] = Standing(JoinState.BANNED)
        elif community.status != Community.Status.ACTIVE:
            result[community.pk] = Standing(JoinState.WAITING)
        elif community.pk in invited:
            result[community.pk] = Standing(JoinState.INVITED, invited[community.pk])
        elif community.pk in requested:
            result[community.pk] = Standing(JoinState.REQUESTED)
        else:
            result[community.pk] = Standing(POLICY_STATES[community.join_policy])
    return result


def pending_join_request_of(member: Member, community: Community) -> JoinRequest:
    """The member's own request to join that waits for an answer; ``JoinRequest.DoesNotExist`` otherwise."""
    return JoinRequest.objects.get(member=member, community=community, status=JoinRequest.Status.PENDING)


# --- Invitations -------------------------------------------------------------------


def _verified_addresses(member: Member) -> QuerySet[EmailAddress]:
    addresses: QuerySet[EmailAddress] = EmailAddress.objects.filter(user=member, verified=True)
    lowered: QuerySet[EmailAddress] = addresses.annotate(address=Lower("email")).values("address")
    return lowered


def invitations_for(member: Member) -> QuerySet[Invitation]:
    """Open invitations to the member or to one of their confirmed addresses, for communities
    at markings they are cleared for (the invitation names the community, nothing more)."""
    access = policy.member_access(member)
    if not access.may_see_content:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            Q(member=member) | Q(email__in=_verified_addresses(member)),
            status=Invitation.Status.PENDING,
            community__status=Community.Status.ACTIVE,
            community__marking_id__in=access.visible_marking_ids,
        )
        .select_related("community", "community__marking", "invited_by")
        .order_by("-created_at", "-pk")
    )


# --- What members of a community see ---------------------------------------------------


def _content_community(member: Member, community: Community) -> QuerySet[Community]:
    return policy.filter_content_communities(member, Community.objects.filter(pk=community.pk))


def community_members(member: Member, community: Community) -> QuerySet[Membership]:
    """The community's members the reader may see, owners first; none unless they may see its content."""
    visible_members = policy.filter_visible_members(member, Member.objects.all())
    return (
        Membership.objects.filter(community__in=_content_community(member, community), member__in=visible_members)
        .select_related("member")
        .annotate(role_rank=ROLE_RANK)
        .order_by("role_rank", "joined_at", "pk")
    )


def community_leaders(member: Member, community: Community) -> QuerySet[Membership]:
    """Owners and moderators, for the community page."""
    return community_members(member, community).filter(role__in=(Role.OWNER, Role.MODERATOR))


def community_bans(member: Member, community: Community) -> QuerySet[Ban]:
    """Who is banned and why: for the community's owners only."""
    if not policy.can_manage_community(member, community):
        return Ban.objects.none()
    return Ban.objects.filter(community=community).select_related("member", "banned_by").order_by("-created_at", "-pk")


def join_requests_to_decide(member: Member, community: Community) -> QuerySet[JoinRequest]:
    """Requests to join that wait for an answer: for the community's moderators only."""
    if not policy.can_moderate(member, community):
        return JoinRequest.objects.none()
    return (
        JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING)
        .select_related("member")
        .order_by("created_at", "pk")
    )


def visible_activity(member: Member, events: QuerySet[ActivityEvent]) -> QuerySet[ActivityEvent]:
    """Feed events the member may see, in one SQL query: events about a community (joined, created) while
    they may see its content, events about an item while they may see the item (through the registry)."""
    if not policy.member_access(member).may_see_content:
        return events.none()
    about_community = Q(target_type__isnull=True) & policy.content_communities_q(member, "community__")
    about_item = policy.visible_references_q(member, type_field="target_type", id_field="target_id")
    return events.filter(about_community | about_item)


def community_feed(member: Member, community: Community) -> QuerySet[ActivityEvent]:
    """The community's activity the member may see, newest first."""
    events = ActivityEvent.objects.filter(community=community)
    return visible_activity(member, events).select_related("actor").order_by("-created_at", "-pk")


def pinned_events(member: Member, community: Community) -> QuerySet[ActivityEvent]:
    """Pinned feed events the member may see, most recently pinned first."""
    events = ActivityEvent.objects.filter(community=community, pinned_at__isnull=False)
    return visible_activity(member, events).select_related("actor").order_by("-pinned_at", "-pk")


def with_targets(events: Iterable[ActivityEvent]) -> list[ActivityEvent]:
    """The events, each given its item's title, link and marking as they are now, read through the content
    registry (one query per content type shown, whatever the rows). Events must come from
    ``visible_activity``: their items are ones the member may see."""
    rows = list(events)
    wanted: dict[int, set[int]] = {}
    for event in rows:
        if event.target_type_id is not None and event.target_id is not None:
            wanted.setdefault(event.target_type_id, set()).add(event.target_id)
    registrations = content_registry.by_content_type_id()
    items: dict[tuple[int, int], Any] = {}
    for type_id, ids in wanted.items():
        registration = registrations.get(type_id)
        if registration is None:
            continue
        shown = registration.model._default_manager.filter(pk__in=ids)
        for item in shown.select_related(*registration.related_for_display()):
            items[(type_id, item.pk)] = (registration, item)
    for event in rows:
        found = items.get((event.target_type_id or 0, event.target_id or 0))
        if found is not None:
            registration, item = found
            event.target_label = registration.title(item)[:300]
            event.target_url = registration.url(item)
            event.target_marking = policy.effective_marking(item)
    return rows


def content_item_in(member: Member, community: Community, item_type: str, item_id: int) -> CommunityContent:
    """An item of any registered content type in the community that the member may see (removed ones
    too, for its moderators); ``LookupError`` for anything else, the same answer whatever the reason."""
    try:
        registration = content_registry.by_label(item_type)
    except LookupError:
        raise LookupError(item_type) from None
    model = registration.model
    if not issubclass(model, CommunityContent) or registration.community != "community" or not registration.removable:
        raise LookupError(item_type)
    items = model._default_manager.filter(pk=item_id, community=community)
    item = policy.filter_visible(member, items.select_related("community", "marking")).first()
    if item is None:
        raise LookupError(f"{item_type} {item_id}")
    return item
