"""Reads of members for the directory, profile pages and mention suggestions.

Every read starts from ``policy.filter_visible_members`` and, for what a
profile page shows of communities and activity, from the policy's community
and activity filters: nothing here widens what the policy allows.

Jurisdiction, expertise and the other ``Profile.SHAREABLE_FIELDS`` are the
member's to share: a search on them matches only members who share them, and
what a card or page shows of them is only what is shared (or everything, to
the member themselves on their own page).

Each read is a fixed number of queries, whatever the rows: profiles are
joined, expertise tags and communities are read in one query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from communities import selectors as community_selectors
from communities.models import ActivityEvent, Community, Membership
from verification import policy
from verification.models import AffiliationType, Discipline, Member, Profile
from verification.registry import content_registry

RECENT_ACTIVITY_LIMIT = 10
AUTOCOMPLETE_LIMIT = 10


@dataclass(frozen=True)
class DirectorySearch:
    """What a member narrows the directory by. Empty strings mean "any"."""

    text: str = ""
    discipline: str = ""
    affiliation_type: str = ""
    state: str = ""
    locality: str = ""
    expertise: str = ""


def shares(field: str) -> Q:
    """Members whose profile lists ``field`` among the fields they share.

    ``shared_fields`` is a JSON list of field names. A JSON ``contains``
    lookup is not available on SQLite, so this matches the quoted name in the
    stored JSON text, which works the same on SQLite and PostgreSQL (the
    names are fixed keys of ``Profile.SHAREABLE_FIELDS``, so a quoted name
    cannot match part of another).
    """
    if field not in Profile.SHAREABLE_FIELDS:
        raise ValueError(f"{field} is not a shareable profile field")
    return Q(profile__shared_fields__icontains=f'"{field}"')


def _name_matches(word: str) -> Q:
    return Q(first_name__icontains=word) | Q(last_name__icontains=word)


def visible_members(viewer: Member) -> QuerySet[Member]:
    """Members the viewer may see who have a profile, by name."""
    return (
        policy.filter_visible_members(viewer, Member.objects.all())
        .filter(profile__isnull=False)
        .order_by("last_name", "first_name", "pk")
    )


def members_for_directory(viewer: Member, search: DirectorySearch) -> QuerySet[Member]:
    """The directory: visible members matching every given filter, with their profiles and expertise tags."""
    members = visible_members(viewer)
    for word in search.text.split():
        members = members.filter(_name_matches(word) | Q(profile__organisation__icontains=word))
    if search.discipline:
        members = members.filter(profile__discipline=search.discipline)
    if search.affiliation_type:
        members = members.filter(profile__affiliation_type=search.affiliation_type)
    if search.state:
        members = members.filter(shares("jurisdiction"), profile__jurisdiction_state__iexact=search.state.strip())
    if search.locality:
        members = members.filter(shares("jurisdiction"), profile__jurisdiction_local__icontains=search.locality.strip())
    if search.expertise:
        # A subquery, not a join: a member is listed once however many tags match.
        tagged = Profile.objects.filter(expertise__name__iexact=search.expertise.strip()).values("member_id")
        members = members.filter(shares("expertise"), pk__in=tagged)
    return members.select_related("profile").prefetch_related("profile__expertise")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell


@dataclass(frozen=True)
class MemberCard:
    """What a directory card shows of one member: the always-shown fields and only the shared optional ones."""

    pk: int
    name: str
    handle: str
    affiliation: str
    discipline: str
    organisation: str
    title: str
    jurisdiction: str
    expertise: tuple[str, ...]
    has_photo: bool


AFFILIATION_LABELS: dict[str, str] = dict(AffiliationType.choices)
DISCIPLINE_LABELS: dict[str, str] = dict(Discipline.choices)


def member_card(member: Member) -> MemberCard:
    """A card from a member read by ``members_for_directory`` (no further query)."""
    profile: Profile = member.profile
    expertise = tuple(sorted(tag.name for tag in profile.expertise.all())) if profile.shares("expertise") else ()
    return MemberCard(
        pk=member.pk,
        name=member.display_name,
        handle=member.handle or "",
        affiliation=AFFILIATION_LABELS.get(profile.affiliation_type, ""),
        discipline=DISCIPLINE_LABELS.get(profile.discipline, ""),
        organisation=profile.organisation,
        title=profile.title if profile.shares("title") else "",
        jurisdiction=profile.jurisdiction if profile.shares("jurisdiction") else "",
        expertise=expertise,
        has_photo=bool(profile.photo) and profile.shares("photo"),
    )


# --- One member's page --------------------------------------------------------


def visible_member(viewer: Member, *, pk: int) -> Member:
    """A member the viewer may see, with their profile if they have one; raises ``Member.DoesNotExist``."""
    return policy.filter_visible_members(viewer, Member.objects.all()).select_related("profile").get(pk=pk)


def profile_of(member: Member) -> Profile | None:
    """The member's profile when they have one (already joined by ``visible_member``)."""
    try:
        return member.profile
    except Profile.DoesNotExist:
        return None


@dataclass(frozen=True)
class ProfileDetail:
    field: str
    label: str
    value: str
    shared: bool


def profile_details(profile: Profile, *, is_owner: bool) -> list[ProfileDetail]:
    """The optional fields the viewer may see: those the member shares, or all of them for the member."""
    values = {
        "title": profile.title,
        "jurisdiction": profile.jurisdiction,
        "work_email": profile.work_email,
        "phone": profile.phone,
        "expertise": ", ".join(sorted(profile.expertise.names())) if is_owner or profile.shares("expertise") else "",
        "bio": profile.bio,
    }
    return [
        ProfileDetail(field, Profile.SHAREABLE_FIELDS[field], value, profile.shares(field))
        for field, value in values.items()
        if value and (is_owner or profile.shares(field))
    ]


def known_memberships(viewer: Member, member: Member) -> QuerySet[Membership]:
    """The member's memberships in communities whose content (and so members) the viewer may see.

    A private or restricted community the viewer does not belong to, or one
    marked above the viewer's clearance, is left out entirely (so is left out
    of any count): membership lists are for members, as on the community's
    own members page.
    """
    known = policy.filter_content_communities(viewer, Community.objects.all())
    return (
        Membership.objects.filter(member=member, community__in=known.values("pk"))
        .select_related("community", "community__marking")
        .order_by("community__name", "community__pk")
    )


def recent_public_activity(viewer: Member, member: Member) -> list[ActivityEvent]:
    """The member's newest feed events that the viewer may see, newest first."""
    events = community_selectors.visible_activity(viewer, ActivityEvent.objects.filter(actor=member))
    newest = events.select_related("community__marking").order_by("-created_at", "-id")[:RECENT_ACTIVITY_LIMIT]
    return community_selectors.with_targets(newest)


# --- Mention suggestions -----------------------------------------------------


@dataclass(frozen=True)
class MemberSuggestion:
    id: int
    name: str
    handle: str = ""


def member_suggestions(viewer: Member, *, text: str, community_slug: str = "") -> list[MemberSuggestion]:
    """Visible members whose name matches every word of ``text``, at most ten.

    With ``community_slug``, only members of that community, and only when the
    viewer may see the community's content; otherwise none (the same answer
    as for a community that does not exist).
    """
    words = text.split()
    if not words:
        return []
    members = visible_members(viewer)
    for word in words:
        members = members.filter(_name_matches(word))
    if community_slug:
        readable = policy.filter_content_communities(viewer, Community.objects.filter(slug=community_slug))
        members = members.filter(memberships__community__in=readable.values("pk"))
    return [MemberSuggestion(member.pk, member.display_name) for member in members[:AUTOCOMPLETE_LIMIT]]


# The places a mention box may ask about, by the query parameter that names them: a registered content type.
MENTION_PLACES = {
    "thread": "discussions.thread",
    "page": "wiki.wikipage",
    "conversation": "messaging.conversation",
}


def mention_place(viewer: Member, *, scope: str, pk: int) -> Any:
    """The item (or, for ``community``, the community) a mention box is for, when the viewer may see it;
    otherwise None (the same answer as for a place that does not exist)."""
    if scope == "community":
        return policy.filter_content_communities(
            viewer, Community.objects.filter(pk=pk, status=Community.Status.ACTIVE).select_related("marking")
        ).first()
    label = MENTION_PLACES.get(scope)
    if label is None:
        return None
    try:
        registration = content_registry.by_label(label)
    except LookupError:
        return None
    items = registration.model._default_manager.filter(pk=pk)
    return policy.filter_visible(viewer, items).first()


def members_who_may_see_place(place: Any, members: QuerySet[Member]) -> QuerySet[Member]:
    """The members of ``members`` who may see ``place``: an item of a registered type, or a community (its
    content at the community's own marking, e.g. a new thread's readers before its marking is chosen)."""
    if isinstance(place, Community):
        allowed = policy.members_cleared_to_see_content() & policy.members_cleared_for(place.marking)
        if place.visibility != Community.Visibility.OPEN:
            allowed &= policy.members_in_role_groups(place)
        return members.filter(allowed).distinct()
    return policy.filter_members_who_may_view(place, members)


def mention_suggestions(viewer: Member, *, text: str, place: Any) -> list[MemberSuggestion]:
    """Members to mention in ``place`` (from ``mention_place``), at most ten: only members the viewer may
    see who may see the place (and have a handle), whose handle starts with ``text`` or whose name matches
    every word of it. None without a place.
    """
    text = text.strip().lstrip("@")
    if not text or place is None:
        return []
    by_name = Q()
    for word in text.replace("-", " ").replace("_", " ").replace(".", " ").split():
        by_name &= _name_matches(word)
    # Anyone with a handle may be mentioned (the service records them), listed in the directory or not.
    members = policy.filter_visible_members(viewer, Member.objects.filter(handle__isnull=False))
    members = members.filter(Q(handle__istartswith=text) | by_name).exclude(pk=viewer.pk)
    members = members_who_may_see_place(place, members).order_by("last_name", "first_name", "pk")
    return [
        MemberSuggestion(member.pk, member.display_name, member.handle or "") for member in members[:AUTOCOMPLETE_LIMIT]
    ]


def people_suggestions(viewer: Member, *, text: str) -> list[MemberSuggestion]:
    """Members to start a conversation with, at most ten: verified members the viewer may see who may take
    part in a conversation (cleared to see content), with a handle, whose handle starts with ``text`` or
    whose name matches every word of it; never the viewer."""
    text = text.strip().lstrip("@")
    if not text:
        return []
    by_name = Q()
    for word in text.replace("-", " ").replace("_", " ").replace(".", " ").split():
        by_name &= _name_matches(word)
    members = policy.filter_visible_members(viewer, Member.objects.filter(handle__isnull=False))
    members = members.filter(policy.members_cleared_to_see_content()).exclude(pk=viewer.pk)
    members = members.filter(Q(handle__istartswith=text) | by_name).distinct().order_by("last_name", "first_name", "pk")
    return [
        MemberSuggestion(member.pk, member.display_name, member.handle or "") for member in members[:AUTOCOMPLETE_LIMIT]
    ]
