"""Following: what can be followed, and the one place subscriptions are written.

A feature registers each kind of thing members may follow from its
``AppConfig.ready()``: how to name and link it, which of them a member may see
(the access policy, in SQL), and which activity-feed events it holds. E-mail
updates read followed things only through this registry, so a new kind of
followable needs no code of theirs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities.models import ActivityEvent
from notices.models import Delivery, Level, MailPreferences, Subscription

if TYPE_CHECKING:
    from verification.models import Member

# Events that bring something new (a thread, a blog post, a page, a document, a link), as against replies and edits.
NEW_ITEM_VERBS = (
    ActivityEvent.Verb.POSTED,
    ActivityEvent.Verb.PUBLISHED,
    ActivityEvent.Verb.ADDED,
    ActivityEvent.Verb.SHARED,
)
# Watching also brings replies, edits and decisions (an editor's decision on a Congress idea).
WATCHED_VERBS = (*NEW_ITEM_VERBS, ActivityEvent.Verb.REPLIED, ActivityEvent.Verb.EDITED, ActivityEvent.Verb.DECIDED)


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    label: str
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    # The rows of the queryset the member may see (the access policy, one SQL query).
    visible: Callable[[Member, QuerySet[Any]], QuerySet[Any]]
    # The activity-feed events about what the followed rows (by id) hold.
    events: Callable[[Collection[int]], Q]
    # What to select_related to name and link a row.
    display_related: tuple[str, ...] = ()
    # The level the Follow control offers first (None: watching for threads and wiki pages, new items else).
    default_level: str | None = None

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


_followables: dict[type[models.Model], Followable] = {}


def events_about(model: type[models.Model], items: Collection[int] | QuerySet[Any]) -> Q:
    """The feed events about these items of ``model`` (ids, or a queryset of them): what a followable's
    ``events`` usually is."""
    ids = items.values("pk") if isinstance(items, QuerySet) else items
    return Q(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)


def register_followable(model: type[models.Model], **options: Any) -> Followable:
    followable = Followable(model=model, **options)
    _followables[model] = followable
    return followable


def followable_for(model: type[models.Model]) -> Followable:
    try:
        return _followables[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model._meta.label} cannot be followed.") from None


def all_followables() -> list[Followable]:
    return list(_followables.values())


def followable_by_content_type_id() -> dict[int, Followable]:
    return {followable.content_type().pk: followable for followable in _followables.values()}


def may_follow(member: Member, target: models.Model) -> bool:
    followable = _followables.get(type(target))
    if followable is None:
        return False
    return followable.visible(member, type(target)._default_manager.filter(pk=target.pk)).exists()


def events_q(subscriptions: Iterable[Subscription], *, levels: Collection[str]) -> Q:
    """The events the subscriptions at these levels bring (watching: every new item and reply;
    new items only: new threads, pages, documents, links, blog posts)."""
    by_type: dict[tuple[int, str], list[int]] = {}
    for subscription in subscriptions:
        if subscription.level in levels:
            by_type.setdefault((subscription.target_type_id, subscription.level), []).append(subscription.target_id)
    followables = followable_by_content_type_id()
    matched = Q(pk__in=[])
    for (type_id, level), ids in by_type.items():
        followable = followables.get(type_id)
        if followable is None:
            continue
        verbs = NEW_ITEM_VERBS if level == Level.NEW_ITEMS else WATCHED_VERBS
        matched |= followable.events(ids) & Q(verb__in=verbs)
    return matched


# --- Preferences ----------------------------------------------------------------------


def preferences_of(member: Member) -> MailPreferences:
    preferences, _ = MailPreferences.objects.get_or_create(
        member=member, defaults={"next_daily_at": None, "next_weekly_at": None}
    )
    if preferences.next_daily_at is None or preferences.next_weekly_at is None:
        schedule_digests(preferences)
        preferences.save(update_fields=["next_daily_at", "next_weekly_at"])
    return preferences


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA zones this machine knows (read from disk once: ``available_timezones`` walks ~600 files)."""
    return frozenset(available_timezones())


def check_time_zone(name: str) -> ZoneInfo:
    if name not in known_time_zones():
        raise ValidationError({"time_zone": f"“{name}” is not a time zone we know. Pick one from the list."})
    return ZoneInfo(name)


def next_digest_at(preferences: MailPreferences, period: str, after: datetime) -> datetime:
    """The next moment after ``after`` at the member's digest hour in their time zone
    (on their weekly day for the weekly digest), in UTC."""
    zone = check_time_zone(preferences.time_zone)
    local = after.astimezone(zone)
    candidate = local.replace(hour=preferences.digest_hour, minute=0, second=0, microsecond=0)
    if period == Delivery.WEEKLY:
        candidate += timedelta(days=(preferences.weekly_day - candidate.weekday()) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while candidate <= local:
        candidate += step
    # Aware arithmetic in one zone is wall-clock: a daylight-saving change keeps the chosen hour.
    return candidate.astimezone(ZoneInfo("UTC"))


def schedule_digests(preferences: MailPreferences, *, after: datetime | None = None) -> None:
    after = after or timezone.now()
    preferences.next_daily_at = next_digest_at(preferences, Delivery.DAILY, after)
    preferences.next_weekly_at = next_digest_at(preferences, Delivery.WEEKLY, after)


@transaction.atomic
def preferences_update(*, member: Member, **changes: Any) -> MailPreferences:
    """Save the member's e-mail settings; a new hour, day or time zone moves the next digests."""
    preferences = preferences_of(member)
    check_time_zone(changes.get("time_zone", preferences.time_zone))
    for field, value in changes.items():
        setattr(preferences, field, value)
    schedule_digests(preferences)
    preferences.full_clean()
    preferences.save()
    return preferences


# --- Subscriptions ----------------------------------------------------------------------


def subscription_of(member: Member, target: models.Model) -> Subscription | None:
    return Subscription.objects.filter(
        member=member, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).first()


@transaction.atomic
def follow(*, member: Member, target: models.Model, level: str, delivery: str) -> Subscription:
    """Follow (or change how the member follows) something they may see."""
    if level not in Level.values or delivery not in Delivery.values:
        raise ValidationError("Choose a level and a delivery from the list.")
    if not may_follow(member, target):
        raise PermissionDenied("You cannot follow this.")
    preferences_of(member)
    subscription, _ = Subscription.objects.update_or_create(
        member=member,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        defaults={"level": level, "delivery": delivery},
    )
    return subscription


@transaction.atomic
def unfollow(*, member: Member, target: models.Model) -> None:
    Subscription.objects.filter(
        member=member, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).delete()


def follow_automatically(*, member: Member, target: models.Model, level: str) -> None:
    """Follow at ``level`` with the member's default delivery, unless they already chose how to follow it
    (joining a community follows it for new items; starting or replying to a thread watches it)."""
    preferences = preferences_of(member)
    Subscription.objects.get_or_create(
        member=member,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        defaults={"level": level, "delivery": preferences.default_delivery},
    )


def subscriptions_pause(*, member: Member, paused: bool) -> None:
    # updated_at stays: pausing does not spend the unsubscribe links of mails already sent.
    MailPreferences.objects.filter(pk=preferences_of(member).pk).update(paused=paused)
