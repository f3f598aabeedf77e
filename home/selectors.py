"""Reads for the start page, each already narrowed by the access policy, each a fixed number of queries
however many rows it shows.

What is new comes from the communities' activity feed (``communities.selectors.visible_activity`` and
``with_targets``: every item is checked and titled through the content registry); unread conversations
from the inbox selector; mentions from the member's visible notifications.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from taggit.models import TaggedItem

from communities.models import ActivityEvent, Ban, Community
from communities.selectors import Standing, communities_of, standings, visible_activity, with_targets
from discussions.notifications import MENTION
from messaging import selectors as messaging_selectors
from messaging.models import Conversation
from messaging.naming import conversation_title
from messaging.notifications import CHAT_MENTION
from notices import notifications
from notices.models import Notification
from verification import policy
from verification.models import Discipline, Marking, Member, Profile
from verification.registry import content_registry

FEED_PAGE_SIZE = 20
SIDE_PANEL_LIMIT = 5
SUGGESTION_LIMIT = 6

# Words a community about a discipline is likely to carry in its tags, name or description. Tags are matched
# whole; the words of name and description anywhere (so none is short enough to hide inside another word).
DISCIPLINE_WORDS: dict[str, tuple[str, ...]] = {
    Discipline.FIRE: ("fire", "firefighter", "firefighting", "wildfire"),
    Discipline.EMS: ("ems", "emergency medical", "paramedic", "triage", "mass-casualty"),
    Discipline.LAW_ENFORCEMENT: ("law enforcement", "police", "sheriff"),
    Discipline.EMERGENCY_MANAGEMENT: ("emergency management", "emergency manager", "preparedness"),
    Discipline.PUBLIC_HEALTH: ("public health", "epidemiology"),
    Discipline.PUBLIC_WORKS: ("public works", "infrastructure"),
    Discipline.UTILITIES: ("utilities", "utility", "power grid"),
    Discipline.HEALTH_CARE: ("hospital", "health care", "healthcare"),
    Discipline.PRIVATE_SECTOR: ("private sector", "business", "supply chain"),
    Discipline.NGO: ("ngo", "voluntary", "volunteer", "nonprofit"),
    Discipline.OTHER: (),
}
SHORTEST_FREE_WORD = 5


# --- What is new ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFilters:
    """The community feed's own dimensions: which community, which kind of item (a registry label)."""

    community: str = ""
    type: str = ""

    @classmethod
    def from_query(cls, query: Any, *, communities: list[Community], types: list[tuple[str, str]]) -> "FeedFilters":
        """The filters asked for in the query string, each dropped when it names nothing on offer."""
        community = str(query.get("community", ""))
        item_type = str(query.get("type", ""))
        return cls(
            community=community if community in {c.slug for c in communities} else "",
            type=item_type if item_type in {label for label, _ in types} else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.community or self.type)


def feed_types() -> list[tuple[str, str]]:
    """The kinds of item the feed can be narrowed to: (registry label, plural name), by name."""
    return sorted(((r.label, r.plural) for r in content_registry), key=lambda choice: choice[1])


def whats_new(member: Member, filters: FeedFilters = FeedFilters()) -> QuerySet[ActivityEvent]:
    """What others did in the member's communities that the member may see, newest first."""
    events = ActivityEvent.objects.filter(
        community__in=policy.filter_member_communities(member, Community.objects.all())
    ).exclude(actor=member)
    if filters.community:
        events = events.filter(community__slug=filters.community)
    if filters.type:
        registration = content_registry.by_label(filters.type)
        events = events.filter(target_type=ContentType.objects.get_for_model(registration.model))
    return (
        visible_activity(member, events)
        .select_related("actor", "actor__profile", "community")
        .order_by("-created_at", "-pk")
    )


def new_counts(member: Member, since: datetime) -> dict[int, int]:
    """How many feed items the member may see came after ``since`` in each of their communities (one query)."""
    events = whats_new(member).filter(created_at__gt=since).order_by()
    return dict(events.values_list("community_id").annotate(new=Count("pk")).values_list("community_id", "new"))


@dataclass(frozen=True)
class FeedItem:
    event: ActivityEvent
    is_new: bool
    url: str


def feed_items(events: list[ActivityEvent], *, since: datetime, community_urls: dict[int, str]) -> list[FeedItem]:
    """The events of one page, titled through the registry, each marked new when it came after ``since``.

    An event about a community (someone joined) links to the community; one about an item to the item."""
    return [
        FeedItem(event, event.created_at > since, event.target_url or community_urls.get(event.community_id, ""))
        for event in with_targets(events)
    ]


# --- Conversations and mentions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    title: str
    unread: int
    marking: Marking
    # Whose face to show: the other person of a direct conversation; none for groups and rooms.
    other: Member | None = None


def _other_person(conversation: Conversation, viewer: Member) -> Member | None:
    if conversation.kind != Conversation.Kind.DIRECT:
        return None
    people = getattr(conversation, "people", [])
    return next((row.member for row in people if row.member_id != viewer.pk), None)


def unread_conversations(member: Member) -> list[ConversationRow]:
    """The member's conversations with messages they have not read, most recent first (at most five)."""
    rows = messaging_selectors.inbox(member).filter(unread__gt=0)[:SIDE_PANEL_LIMIT]  # type: ignore[misc]  # an annotation
    return [
        ConversationRow(
            c,
            conversation_title(c, member),
            c.unread,  # type: ignore[attr-defined]  # annotated by the inbox selector
            policy.effective_marking(c),
            _other_person(c, member),
        )
        for c in rows
    ]


@dataclass(frozen=True)
class MentionRow:
    notification: Notification
    text: str


MENTION_KINDS = (MENTION, CHAT_MENTION)


def unread_mentions(member: Member) -> list[MentionRow]:
    """Unread notifications that the member was mentioned, about items they may still see (at most five)."""
    rows = (
        notifications.notifications_visible_to(member)
        .filter(kind__in=MENTION_KINDS, read_at=None)
        .select_related("actor", "actor__profile", "community", "marking")
        .prefetch_related(GenericPrefetch("target", notifications.target_querysets()))
        .order_by("-created_at", "-pk")[:SIDE_PANEL_LIMIT]
    )
    return [MentionRow(row, notifications.describe(row, member)) for row in rows]


# --- Communities -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityCard:
    community: Community
    new: int


def my_communities(member: Member) -> list[Community]:
    return list(communities_of(member))


def community_cards(communities: list[Community], counts: dict[int, int]) -> list[CommunityCard]:
    return [CommunityCard(community, counts.get(community.pk, 0)) for community in communities]


def _words_q(words: tuple[str, ...]) -> Q:
    community_type = ContentType.objects.get_for_model(Community)
    same_word = Q(pk__in=[])
    for word in words:
        same_word |= Q(tag__name__iexact=word)
    tagged = TaggedItem.objects.filter(same_word, content_type=community_type, object_id=OuterRef("pk"))
    matches = Q(Exists(tagged))
    for word in words:
        if len(word) >= SHORTEST_FREE_WORD:
            matches |= Q(name__icontains=word) | Q(description__icontains=word)
    return matches


def _jurisdiction_q(profile: Profile) -> tuple[Q, Q]:
    """(names the member's county or city, names their state) in name, description or tags."""
    local, state = profile.jurisdiction_local.strip(), profile.jurisdiction_state.strip()
    # "Galveston County" should match a community about "Galveston": the first word of the place is enough.
    local_word = local.split(",")[0].replace(" County", "").replace(" city", "").strip()
    local_q = (Q(name__icontains=local_word) | Q(description__icontains=local_word)) if local_word else Q(pk__in=[])
    state_q = (Q(name__icontains=state) | Q(description__icontains=state)) if state else Q(pk__in=[])
    return local_q, state_q


def suggested_communities(member: Member) -> list[Community]:
    """Communities the member may know of and join (or ask to join), not yet theirs, best match first.

    Ranked by the community's own words (its tags, name and description) against the member's discipline
    and jurisdiction: these are what any member who may know of the community already sees. Ranking by the
    disciplines or places of its members would read profile fields members keep to themselves.
    Private communities the member does not belong to are never known to them, so never suggested.
    """
    profile = Profile.objects.filter(member=member).first()
    banned = Ban.objects.filter(member=member).values("community_id")
    candidates = (
        policy.filter_known_communities(member, Community.objects.filter(status=Community.Status.ACTIVE))
        .exclude(pk__in=policy.member_access(member).community_ids())
        .exclude(pk__in=banned)
        .exclude(join_policy=Community.JoinPolicy.INVITATION)
    )
    discipline_score: Any = Value(0)
    local_score: Any = Value(0)
    state_score: Any = Value(0)
    if profile is not None:
        words = DISCIPLINE_WORDS.get(profile.discipline, ())
        if words:
            discipline_score = Case(When(_words_q(words), then=Value(4)), default=Value(0), output_field=IntegerField())
        local_q, state_q = _jurisdiction_q(profile)
        local_score = Case(When(local_q, then=Value(3)), default=Value(0), output_field=IntegerField())
        state_score = Case(When(state_q, then=Value(1)), default=Value(0), output_field=IntegerField())
    ranked = candidates.annotate(
        discipline_match=discipline_score, local_match=local_score, state_match=state_score
    ).annotate(score=F("discipline_match") + Greatest("local_match", "state_match"))
    return list(
        ranked.select_related("marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("-score", "-member_count", "name", "pk")[:SUGGESTION_LIMIT]
    )


@dataclass(frozen=True)
class Suggestion:
    community: Community
    standing: Standing


def suggestions_for(member: Member) -> list[Suggestion]:
    """The suggested communities, each with the member's standing (what its button says)."""
    communities = suggested_communities(member)
    standing = standings(member, communities)
    return [Suggestion(community, standing[community.pk]) for community in communities]


def page_marking(*markings: Marking | None) -> Marking | None:
    """The highest marking of what the page shows, for its banners."""
    return policy.highest_marking(m for m in markings if m is not None)
