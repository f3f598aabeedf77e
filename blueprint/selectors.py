"""Reads of the Blueprint, already narrowed by the access policy.

Every read starts from ``verification.policy``: ``filter_visible`` for members
who may see content, ``filter_readable`` where anonymous visitors read the
public tier too (``verification.policy.public``: published, public,
unmarked entries of open communities; heading and summary only). Links and
attachments are shown only when the entry at their other end is visible as
well. Lists run a fixed number of queries however many rows they show:
markings, communities and validators are joined; hazards, tags and the
links under a challenge's solutions are prefetched.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from taggit.models import Tag

from blueprint.access import is_blueprint_editor
from blueprint.models import (
    ALLOWED_LINKS,
    INVERSE_LABELS,
    SECTOR_FIELDS,
    WINDOW_FIELDS,
    EditProposal,
    Entry,
    EntryAttachment,
    EntryLink,
    EntryRevision,
    Hazard,
    Kind,
    Relation,
    Sector,
    Status,
    Window,
)
from communities.models import Community
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry

TAG_LIMIT = 40
ATTACHABLE_LIMIT = 200
# What the public tier loads of an entry: never its body, purpose or attachments.
PUBLIC_FIELDS = (
    "pk",
    "kind",
    "title",
    "slug",
    "summary",
    "status",
    "community_id",
    "marking_id",
    *SECTOR_FIELDS.values(),
    *WINDOW_FIELDS.values(),
    "place",
    "occurred_on",
    "validated_at",
    "evidence",
    "review_by",
)


def visible_entries(member: policy.AnyUser | None) -> QuerySet[Entry]:
    """Every entry the member may see (proposals only their author's and the editors')."""
    return policy.filter_visible(member, Entry.objects.all())


def readable_entries(user: policy.AnyUser | None) -> QuerySet[Entry]:
    """What this visitor may read: the access rule for cleared members, the public tier for everyone else."""
    return policy.filter_readable(user, Entry.objects.all())


def _published(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.filter(status=Status.PUBLISHED)


# --- Indexes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexFilters:
    window: str = ""
    sector: str = ""
    hazard: str = ""
    tag: str = ""

    @classmethod
    def from_query(cls, query: Any) -> "IndexFilters":
        """Filters from the query string; a value the page does not offer is ignored."""
        window = query.get("window", "")
        sector = query.get("sector", "")
        return cls(
            window=window if window in Window.values else "",
            sector=sector if sector in Sector.values else "",
            hazard=str(query.get("hazard", ""))[:80],
            tag=str(query.get("tag", ""))[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.window or self.sector or self.hazard or self.tag)

    def apply(self, entries: QuerySet[Entry]) -> QuerySet[Entry]:
        if self.window:
            entries = entries.filter(**{WINDOW_FIELDS[Window(self.window)]: True})
        if self.sector:
            entries = entries.filter(**{SECTOR_FIELDS[Sector(self.sector)]: True})
        if self.hazard:
            entries = entries.filter(
                pk__in=Entry.hazards.through.objects.filter(hazard__slug=self.hazard).values("entry_id")
            )
        if self.tag:
            entries = entries.filter(tags__slug=self.tag)
        return entries


def index_entries(user: policy.AnyUser | None, kind: str, filters: IndexFilters) -> QuerySet[Entry]:
    """The published entries of one kind the visitor may read, by heading, filtered; the public tier loads
    only what it may show."""
    entries = filters.apply(_published(readable_entries(user)).filter(kind=kind))
    if policy.reads_public_tier(user):
        return entries.only(*PUBLIC_FIELDS).prefetch_related("hazards").order_by("title", "pk")
    return (
        entries.select_related("marking", "community", "community__marking", "validated_by")
        .prefetch_related("hazards", "tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("title", "pk")
    )


def index_counts(user: policy.AnyUser | None) -> dict[str, int]:
    """How many published entries of each kind the visitor may read (one query)."""
    counts = dict(
        _published(readable_entries(user))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {kind: counts.get(kind, 0) for kind in Kind.values}


def hazard_choices() -> QuerySet[Hazard]:
    return Hazard.objects.order_by("name")


def tag_choices(user: policy.AnyUser | None) -> QuerySet[Tag]:
    """The tags of the published entries the visitor may read, most used first."""
    tags: QuerySet[Tag] = (
        Tag.objects.filter(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Entry),
            taggit_taggeditem_items__object_id__in=_published(readable_entries(user)).values("pk"),
        )
        .annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "name")[:TAG_LIMIT]
    )
    return tags


def own_proposals(member: Member) -> QuerySet[Entry]:
    """The member's entries that wait for an editor or came back to them."""
    return (
        visible_entries(member)
        .filter(author=member, status__in=(Status.PROPOSED, Status.RETURNED))
        .select_related("marking")
        .order_by("-updated_at", "-pk")
    )


def gaps(member: Member) -> tuple[QuerySet[Entry], QuerySet[Entry]]:
    """Challenges with no validated solution, and validated solutions with no validated tool, among what the
    member may see (a solution they may not see does not close a gap for them, and is never hinted at)."""
    published = _published(visible_entries(member))
    solution_for = published.filter(
        kind=Kind.SOLUTION, links_out__relation=Relation.ADDRESSES, links_out__target=OuterRef("pk")
    )
    tool_for = published.filter(
        kind=Kind.TOOL, links_out__relation=Relation.IMPLEMENTS, links_out__target=OuterRef("pk")
    )
    challenges = (
        published.filter(kind=Kind.CHALLENGE)
        .filter(~Exists(solution_for))
        .select_related("marking", "community__marking")
        .order_by("title", "pk")
    )
    solutions = (
        published.filter(kind=Kind.SOLUTION)
        .filter(~Exists(tool_for))
        .select_related("marking", "community__marking")
        .order_by("title", "pk")
    )
    return challenges, solutions


# --- One entry ------------------------------------------------------------------------------------


def entry_readable_by(user: policy.AnyUser | None, slug: str) -> Entry:
    """The entry at ``slug`` when the visitor may read it (its public part only, for the public tier);
    ``Entry.DoesNotExist`` otherwise."""
    entries = readable_entries(user).filter(slug=slug)
    if policy.reads_public_tier(user):
        return entries.only(*PUBLIC_FIELDS).prefetch_related("hazards").get()
    return entries.select_related(
        "community", "community__marking", "marking", "author", "validated_by", "reviewed_by"
    ).get()


@dataclass(frozen=True)
class LinkRow:
    """A link as one entry's page shows it: how it reads from this side, and the entry at the other end."""

    link: EntryLink
    label: str
    other: Entry


def entry_links(member: Member, entry: Entry) -> list[LinkRow]:
    """The entry's links both ways, to entries the member may see, grouped by how they read."""
    visible = visible_entries(member).values("pk")
    outgoing = (
        EntryLink.objects.filter(source=entry, target__in=visible)
        .select_related("target", "target__marking", "target__community__marking")
        .order_by("relation", "target__title")
    )
    incoming = (
        EntryLink.objects.filter(target=entry, source__in=visible)
        .select_related("source", "source__marking", "source__community__marking")
        .order_by("relation", "source__title")
    )
    rows = [LinkRow(link, Relation(link.relation).label, link.target) for link in outgoing]
    rows += [LinkRow(link, INVERSE_LABELS[Relation(link.relation)], link.source) for link in incoming]
    return rows


def challenge_solutions(member: Member, challenge: Entry) -> QuerySet[Entry]:
    """A challenge's published solutions the member may see, each with ``supporting``: the published tools
    that implement it and the cases that demonstrate it (links the member may see both ends of)."""
    published = _published(visible_entries(member))
    supporting = (
        EntryLink.objects.filter(
            relation__in=(Relation.IMPLEMENTS, Relation.DEMONSTRATES), source__in=published.values("pk")
        )
        .select_related("source", "source__marking", "source__community__marking")
        .order_by("relation", "source__title")
    )
    return (
        published.filter(kind=Kind.SOLUTION, links_out__relation=Relation.ADDRESSES, links_out__target=challenge)
        .select_related("marking", "community__marking")
        .prefetch_related(Prefetch("links_in", queryset=supporting, to_attr="supporting"))
        .order_by("title", "pk")
    )


def link_targets(member: Member, source: Entry, relation: str | None) -> QuerySet[Entry]:
    """The entries ``source`` may link to with ``relation`` (the kinds it joins) that the member sees."""
    if relation is None:
        return Entry.objects.none()
    _, kinds = ALLOWED_LINKS[relation]
    return (
        visible_entries(member)
        .filter(kind__in=kinds, deleted_at__isnull=True)
        .exclude(pk=source.pk)
        .exclude(status=Status.DECLINED)
        .order_by("kind", "title")
    )


def link_targets_for_kind(member: Member, kind: str) -> QuerySet[Entry]:
    """What a new entry of ``kind`` may link to (a new solution's challenges …), published ones only."""
    kinds = next((targets for sources, targets in ALLOWED_LINKS.values() if kind in sources), frozenset())
    return _published(visible_entries(member)).filter(kind__in=kinds, deleted_at__isnull=True).order_by("title")


@dataclass(frozen=True)
class AttachmentRow:
    attachment: EntryAttachment
    item: Any
    url: str
    marking: Marking


def entry_attachments(member: Member, entry: Entry) -> list[AttachmentRow]:
    """The entry's attachments whose document or link the member may see (one query per attachment type)."""
    attachments = list(entry.attachments.select_related("item_type"))
    rows = []
    by_type: dict[int, list[EntryAttachment]] = {}
    for attachment in attachments:
        by_type.setdefault(attachment.item_type_id, []).append(attachment)
    registrations = content_registry.by_content_type_id()
    for type_id, group in by_type.items():
        registration = registrations.get(type_id)
        if registration is None:
            continue
        items = policy.filter_listed(
            policy.filter_visible(member, registration.model._default_manager.filter(pk__in=[a.item_id for a in group]))
        ).select_related(*registration.related_for_display())
        found = {item.pk: item for item in items}
        for attachment in group:
            item = found.get(attachment.item_id)
            if item is not None:
                rows.append(AttachmentRow(attachment, item, registration.url(item), policy.effective_marking(item)))
    return rows


def attachable_items(member: Member) -> list[Any]:
    """Documents and links the member may attach: those they see, newest first (read through the content
    registry, never by importing the library)."""
    found: list[Any] = []
    for label in ("library.document", "library.bookmark"):
        try:
            registration = content_registry.by_label(label)
        except LookupError:
            continue
        items = policy.filter_listed(policy.filter_visible(member, registration.model._default_manager.all()))
        found += list(items.order_by("-created_at", "-pk")[:ATTACHABLE_LIMIT])
    return found


# --- Revisions and proposals ---------------------------------------------------------------------


def entry_history(entry: Entry) -> QuerySet[EntryRevision]:
    """A visible entry's revisions, newest first, with their authors."""
    return entry.revisions.select_related("author", "reverted_from").order_by("-number")


def revision_of(entry: Entry, number: int) -> EntryRevision:
    """One revision of a visible entry; ``EntryRevision.DoesNotExist`` otherwise."""
    return entry.revisions.select_related("author").get(number=number)


def edit_proposals_for(member: Member, entry: Entry) -> QuerySet[EditProposal]:
    """The proposed edits of a visible entry this member may follow: all of them for editors, their own
    for everyone else (the editors' notes go to the proposer)."""
    proposals = entry.edit_proposals.select_related("proposer", "decided_by").order_by("-created_at", "-pk")
    return proposals if is_blueprint_editor(member) else proposals.filter(proposer=member)


def edit_proposal_visible_to(member: Member, pk: int) -> EditProposal:
    """A proposed edit of an entry the member may see, when they are its proposer or an editor."""
    proposal = (
        EditProposal.objects.filter(entry__in=visible_entries(member).values("pk"))
        .select_related("entry", "entry__community", "entry__community__marking", "entry__marking", "proposer")
        .get(pk=pk)
    )
    if proposal.proposer_id != member.pk and not is_blueprint_editor(member):
        raise EditProposal.DoesNotExist
    return proposal


# --- The editors' queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQueue:
    entries: QuerySet[Entry]
    edits: QuerySet[EditProposal]
    due: QuerySet[Entry]


def review_queue(editor: Member) -> ReviewQueue:
    """Proposed entries and edits the editor may see, oldest first, and published entries due for review."""
    visible = visible_entries(editor)
    entries = (
        visible.filter(status=Status.PROPOSED, deleted_at__isnull=True)
        .select_related("author", "marking", "community", "community__marking")
        .order_by("updated_at", "pk")
    )
    edits = (
        EditProposal.objects.filter(status=Status.PROPOSED, entry__in=visible.values("pk"))
        .select_related("entry", "entry__marking", "entry__community__marking", "proposer")
        .order_by("created_at", "pk")
    )
    due = (
        _published(visible)
        .filter(review_by__lt=timezone.localdate(), deleted_at__isnull=True)
        .select_related("marking", "community__marking", "validated_by")
        .order_by("review_by", "pk")
    )
    return ReviewQueue(entries, edits, due)


def postable_communities(member: Member) -> QuerySet[Community]:
    """Communities the member may propose entries in: those they belong to (the National Blueprint first)."""
    return policy.filter_member_communities(member, Community.objects.all()).order_by("name")


def remark_communities(member: Member, entry: Entry) -> QuerySet[Community]:
    """Where an editor may move an entry: the communities they post in, and the one it is in."""
    postable = policy.filter_member_communities(member, Community.objects.all()).values("pk")
    return Community.objects.filter(Q(pk__in=postable) | Q(pk=entry.community_id)).order_by("name")


def markings_for_entry(member: Member, community: Community | None = None) -> QuerySet[Marking]:
    """Markings the member is cleared for (not below the community's own, when known)."""
    cleared = policy.member_access(member).visible_marking_ids
    markings = Marking.objects.filter(pk__in=cleared)
    if community is not None:
        markings = markings.filter(rank__gte=community.marking.rank)
    return markings.order_by("rank", "slug")


def page_marking(
    entry: Entry, links: Iterable["LinkRow"], attachments: Iterable["AttachmentRow"], solutions: Iterable[Entry] = ()
) -> Marking:
    """The banner of an entry's page: the highest marking of the entry and of every entry, solution, tool,
    case and attachment the page names."""
    markings = [policy.effective_marking(entry)]
    markings += [policy.effective_marking(row.other) for row in links]
    markings += [row.marking for row in attachments]
    for solution in solutions:
        markings.append(policy.effective_marking(solution))
        markings += [policy.effective_marking(link.source) for link in getattr(solution, "supporting", ())]
    return max(markings, key=lambda marking: marking.rank)


def banner_of(entries: Iterable[Entry]) -> Marking | None:
    """The banner of a page listing these entries: the highest marking governing any of them."""
    return policy.highest_marking(policy.effective_marking(entry) for entry in entries)
