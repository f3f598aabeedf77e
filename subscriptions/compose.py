"""What an e-mail update says: read through the access policy at send time, never copied from the item.

Followed activity comes from the activity feed; who may see each item it
points at is decided in SQL, from the item's side, once for a whole batch of
members (``Audience``), and the item's title, link and marking are read once
through the content registry. What was said to the member comes from their
notifications, narrowed by the policy. A marked item is named only by its
marking and community.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import QuerySet

from communities.models import ActivityEvent, Community
from notices.follow import events_q
from notices.kinds import emailed_kinds, kind
from notices.models import Delivery, Level, Notification, Subscription
from notices.notifications import describe, filter_visible_notifications, target_querysets
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry

Verb = ActivityEvent.Verb
# How a digest counts what happened, by the verb of the feed event.
CATEGORIES: dict[str, tuple[str, str]] = {
    Verb.POSTED: ("new thread", "new threads"),
    Verb.PUBLISHED: ("blog post", "blog posts"),
    Verb.REPLIED: ("reply", "replies"),
    Verb.EDITED: ("edit", "edits"),
}


def absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}"


def withheld(marking: Marking, community_name: str) -> str:
    """All a mail may say of a marked item."""
    where = f" in {community_name}" if community_name else ""
    return f"A new {marking.slug.upper()} item{where} — sign in to read"


@dataclass
class Line:
    """One item in a mail: words that are safe to send, a link, and how much happened to it."""

    text: str
    url: str
    count: int = 1
    detail: str = ""
    marking: Marking | None = None
    latest: datetime | None = None
    # The thread or conversation it belongs to (mail clients thread on it).
    thread_seed: str = ""
    # What the line reports, for the mail's delivery key and for marking notifications mailed.
    notification_ids: list[int] = field(default_factory=list)
    last_event_id: int = 0
    # What was said, by the kind's label: {"Direct message": 3, "Mention in chat": 1}
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class Section:
    community: str
    # (singular, plural) -> how many
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return " · ".join(f"{count} {names[count != 1]}" for names, count in self.counts.items())


@dataclass
class Content:
    """Everything one mail reports: followed activity by community, and what was said to the member."""

    sections: list[Section] = field(default_factory=list)
    personal: list[Line] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.count for section in self.sections for line in section.lines) + sum(
            line.count for line in self.personal
        )

    @property
    def markings(self) -> list[Marking]:
        """The markings the mail mentions, most sensitive first: their banners head the mail."""
        found = {line.marking.pk: line.marking for line in self.lines() if line.marking is not None}
        return sorted(found.values(), key=lambda marking: -marking.rank)

    def lines(self) -> list[Line]:
        return [*self.personal, *(line for section in self.sections for line in section.lines)]

    @property
    def personal_summary(self) -> str:
        """How much was said to the member, by kind: "Direct message: 3 · Mention in chat: 1"."""
        counts: dict[str, int] = {}
        for line in self.personal:
            for label, count in line.kinds.items():
                counts[label] = counts.get(label, 0) + count
        return " · ".join(f"{label}: {count}" for label, count in counts.items())

    def __bool__(self) -> bool:
        return bool(self.sections or self.personal)


def _marked(marking: Marking | None) -> Marking | None:
    return marking if marking is not None and not marking.is_unmarked else None


Ref = tuple[int, int]  # (content type id, item id)


@dataclass(frozen=True)
class Item:
    """An item a mail may report, as the registry names it, and which members of the batch may see it."""

    title: str
    url: str
    marking: Marking
    label: str
    type_label: str
    plural: str
    readers: frozenset[int]


class Audience:
    """Who among a batch of members may see each item their mails would report.

    The access rule is read from the items' side (``policy.readers_of``, in SQL): one query per community
    and marking the items sit in (per item only where the item itself narrows it), shared by every member
    of the batch. Items are loaded once per type, listed only: e-mail never carries a removed or hidden
    item, even to the moderators who still see it on the site.
    """

    def __init__(self, member_ids: Iterable[int]) -> None:
        self.member_ids = sorted(set(member_ids))
        self._items: dict[Ref, Item | None] = {}
        self._cleared: frozenset[int] | None = None
        self._communities: dict[int, str] = {}
        self._told: frozenset[int] | None = None
        self._people: dict[int, str] = {}

    def told(self) -> frozenset[int]:
        """The members of the batch with something said to them that no mail has carried: one query."""
        if self._told is None:
            waiting = Notification.objects.filter(
                recipient_id__in=self.member_ids, kind__in=emailed_kinds(), read_at=None, emailed_at=None
            )
            self._told = frozenset(waiting.values_list("recipient_id", flat=True).distinct())
        return self._told

    def community_names(self, ids: Iterable[int]) -> dict[int, str]:
        """Community names, read once a batch (a name is no item's content: mails may say it)."""
        missing = set(ids) - self._communities.keys()
        if missing:
            self._communities.update(Community.objects.filter(pk__in=missing).values_list("pk", "name"))
        return self._communities

    def people(self, ids: Iterable[int]) -> dict[int, str]:
        """Display names of the members who acted, read once a batch."""
        missing = set(ids) - self._people.keys()
        if missing:
            for person in Member.objects.filter(pk__in=missing).only("first_name", "last_name", "email"):
                self._people[person.pk] = person.display_name
        return self._people

    def cleared(self, member: Member) -> bool:
        """Whether the member may get content e-mail at all (suspended, expired, unverified and inactive
        members get none): one query for the batch."""
        if self._cleared is None:
            members = Member.objects.filter(pk__in=self.member_ids, is_active=True)
            self._cleared = frozenset(
                members.filter(policy.members_cleared_to_see_content()).values_list("pk", flat=True)
            )
        return member.pk in self._cleared

    def items(self, refs: Iterable[Ref]) -> dict[Ref, Item]:
        refs = set(refs)
        wanted: dict[int, set[int]] = {}
        for type_id, item_id in refs - self._items.keys():
            wanted.setdefault(type_id, set()).add(item_id)
            self._items[(type_id, item_id)] = None
        registrations = content_registry.by_content_type_id()
        batch = Member.objects.filter(pk__in=self.member_ids)
        for type_id, ids in wanted.items():
            registration = registrations.get(type_id)
            if registration is None:
                continue
            listed = policy.filter_listed(registration.model._default_manager.filter(pk__in=ids))
            loaded = list(listed.select_related(*registration.related_for_display()))
            for item, readers in policy.readers_of(loaded, batch).items():
                self._items[(type_id, item.pk)] = Item(
                    title=registration.title(item)[:300],
                    url=registration.url(item),
                    marking=policy.effective_marking(item),
                    label=registration.label,
                    type_label=registration.type_label,
                    plural=registration.plural,
                    readers=readers,
                )
        found = {ref: self._items.get(ref) for ref in refs}
        return {ref: loaded for ref, loaded in found.items() if loaded is not None}


def followed_events(
    member: Member,
    subscriptions: Sequence[Subscription],
    *,
    deliveries: Iterable[str],
    since: datetime,
    until: datetime,
) -> QuerySet[ActivityEvent]:
    """Feed events in the window that the member's subscriptions with these deliveries bring, by others,
    and not in anything they muted. Who may see them is the ``Audience``'s to say."""
    wanted = [subscription for subscription in subscriptions if subscription.delivery in set(deliveries)]
    matched = events_q(wanted, levels=(Level.WATCHING, Level.NEW_ITEMS))
    muted = events_q(subscriptions, levels=(Level.MUTED,))
    return (
        ActivityEvent.objects.filter(matched, created_at__gt=since, created_at__lte=until, target_type__isnull=False)
        .exclude(muted)
        .exclude(actor_id=member.pk)
    )


def activity_sections(member: Member, events: QuerySet[ActivityEvent], audience: Audience) -> list[Section]:
    """Followed activity the member may see, grouped by community, the busiest items first, each item once
    with its count."""
    rows = list(
        events.order_by("created_at", "pk").values_list(
            "pk", "community_id", "actor_id", "verb", "target_type_id", "target_id", "created_at"
        )
    )
    items = audience.items((type_id, item_id or 0) for _, _, _, _, type_id, item_id, _ in rows)
    communities = audience.community_names(community_id for _, community_id, *_ in rows)
    people = audience.people(actor_id for _, _, actor_id, *_ in rows if actor_id is not None)
    sections: dict[int, Section] = {}
    lines: dict[Ref, Line] = {}
    for event_id, community_id, actor_id, verb, type_id, item_id, created_at in rows:
        ref: Ref = (type_id, item_id or 0)  # followed events always point at an item
        item = items.get(ref)
        if item is None or member.pk not in item.readers:
            continue
        section = sections.setdefault(community_id, Section(community=communities[community_id]))
        category = CATEGORIES.get(verb, (item.type_label.lower(), item.plural.lower()))
        section.counts[category] = section.counts.get(category, 0) + 1
        line = lines.get(ref)
        if line is None:
            marking = _marked(item.marking)
            line = lines[ref] = Line(
                text=withheld(marking, section.community) if marking else item.title,
                url=absolute(item.url),
                count=0,
                marking=marking,
                thread_seed=f"{item.label}:{ref[1]}",
            )
            section.lines.append(line)
        line.count += 1
        line.latest = created_at
        line.last_event_id = max(line.last_event_id, event_id)
        if line.marking is None:
            actor = people.get(actor_id, "Someone") if actor_id is not None else "Someone"
            line.detail = f"{Verb(verb).label} by {actor}" if line.count == 1 else f"{line.count} updates"
    for section in sections.values():
        section.lines.sort(key=lambda line: (-line.count, -(line.latest.timestamp() if line.latest else 0)))
    return sorted(sections.values(), key=lambda section: -sum(line.count for line in section.lines))


def pending_notifications(member: Member, audience: Audience, *, until: datetime) -> QuerySet[Notification]:
    """What was said to the member (direct messages, mentions, replies) that they have not read on the site
    and no mail has carried yet, that they may still see."""
    unread = Notification.objects.filter(kind__in=emailed_kinds(), read_at=None, emailed_at=None, created_at__lte=until)
    if member.pk not in audience.told():
        # Most members: nothing waits (one plain query for the batch says so), and the policy's filter over
        # every type is not built for them.
        return unread.none()
    unread = unread.select_related("actor", "marking", "community")
    listed = policy.listed_references_q(type_field="target_type", id_field="target_id")
    return filter_visible_notifications(member, unread).filter(listed).order_by("created_at", "pk")


def personal_lines(member: Member, notifications: QuerySet[Notification]) -> tuple[list[Line], list[int]]:
    """One line per thread or conversation (a burst is one line), in the words its kind uses; a marked
    one says only its marking and community."""
    if notifications.query.is_empty():
        return [], []
    rows = list(notifications.prefetch_related(GenericPrefetch("target", target_querysets())))
    registrations = content_registry.by_content_type_id()
    lines: dict[str, Line] = {}
    for notification in rows:
        seed = _thread_seed(notification, registrations)
        marking = _marked(notification.marking)
        community = notification.community.name if notification.community else ""
        text = withheld(marking, community) if marking else describe(notification, member)
        line = lines.get(seed)
        if line is None:
            line = lines[seed] = Line(
                text=text,
                url=absolute(notification.url),
                count=notification.count,
                marking=marking,
                latest=notification.created_at,
                thread_seed=seed,
                notification_ids=[notification.pk],
            )
        else:
            line.count += notification.count
            line.text, line.latest, line.url = text, notification.created_at, absolute(notification.url)
            line.notification_ids.append(notification.pk)
        label = kind(notification.kind).label
        line.kinds[label] = line.kinds.get(label, 0) + notification.count
    return list(lines.values()), [notification.pk for notification in rows]


def _thread_seed(notification: Notification, registrations: dict[int, Any]) -> str:
    """The thread or conversation a notification belongs to (its target's parent, read from the registry)."""
    registration = registrations.get(notification.target_type_id)
    target = notification.target
    if registration is not None and registration.parent and target is not None:
        parent_model = registration.model._meta.get_field(registration.parent).related_model
        return f"{parent_model._meta.label_lower}:{getattr(target, f'{registration.parent}_id')}"
    label = registration.label if registration is not None else str(notification.target_type_id)
    return f"{label}:{notification.target_id}"


def digest_content(
    member: Member,
    subscriptions: Sequence[Subscription],
    *,
    period: str,
    since: datetime,
    until: datetime,
    held_from: datetime | None,
    personal_delivery: str,
    audience: Audience,
) -> Content:
    """A digest: followed activity of this period's subscriptions since the last digest and visit, the
    immediate updates the daily cap held back, and what was said to the member and not yet mailed."""
    events = followed_events(member, subscriptions, deliveries=[period], since=since, until=until)
    if held_from is not None:
        held = followed_events(
            member, subscriptions, deliveries=[Delivery.IMMEDIATE], since=min(held_from, since), until=until
        )
        events = events | held
    content = Content(sections=activity_sections(member, events, audience))
    if personal_delivery in (period, Delivery.IMMEDIATE):  # immediate ones still unsent: held by the cap
        content.personal, content.notification_ids = personal_lines(
            member, pending_notifications(member, audience, until=until)
        )
    return content
