"""E-mail updates: sending digests and immediate updates, and one-click unsubscribe.

Each mail has a delivery key derived from what it reports (the digest's
scheduled time; the last event or notification of an immediate update), so a
retried, duplicated or resumed task finds it sent and sends nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notices.follow import next_digest_at, preferences_of
from notices.kinds import emailed_kinds
from notices.mail import Update, send_update
from notices.models import Delivery, EmailDelivery, Level, MailPreferences, Notification, Subscription
from notices.visits import last_visits
from subscriptions.compose import (
    Audience,
    Content,
    Line,
    Section,
    absolute,
    activity_sections,
    digest_content,
    followed_events,
    pending_notifications,
    personal_lines,
)
from verification.models import Member

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

PERIODS: dict[str, timedelta] = {Delivery.DAILY: timedelta(days=1), Delivery.WEEKLY: timedelta(days=7)}
_UNSUBSCRIBE_SALT = "muster.subscriptions.unsubscribe"


# --- One-click unsubscribe ------------------------------------------------------------------


def unsubscribe_token(member: Member, scope: str, stamp: datetime) -> str:
    """A link that turns off one thing (``sub:<id>``, ``daily``, ``weekly``, ``personal``) without signing in.
    ``stamp`` is when that setting last changed: once it changes again, the link does nothing."""
    return signing.dumps({"m": member.pk, "s": scope, "v": stamp.isoformat()}, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(member: Member, scope: str, stamp: datetime) -> str:
    return absolute(reverse("subscriptions:unsubscribe", kwargs={"token": unsubscribe_token(member, scope, stamp)}))


class StaleLinkError(Exception):
    """The setting the link turns off changed since the mail was sent (or the link was used)."""


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    """The token's payload; ``signing.BadSignature`` for a forged or damaged link."""
    payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    if not isinstance(payload, dict) or not {"m", "s", "v"} <= payload.keys():
        raise signing.BadSignature("Malformed unsubscribe token.")
    return payload


def _unsubscribe_target(payload: dict[str, Any], *, lock: bool) -> Subscription | MailPreferences:
    """What a link's payload turns off, while it is as it was when the mail went out; ``StaleLinkError``
    once it has changed (or the link was used), ``BadSignature`` for a scope no mail carries."""
    scope = str(payload["s"])
    if scope.startswith("sub:") and scope[4:].isdigit():
        subscriptions = Subscription.objects.select_for_update() if lock else Subscription.objects.all()
        target: Subscription | MailPreferences | None = subscriptions.filter(
            pk=scope[4:], member_id=payload["m"]
        ).first()
    elif scope in (*PERIODS, "personal"):
        preferences = MailPreferences.objects.select_for_update() if lock else MailPreferences.objects.all()
        target = preferences.filter(pk=payload["m"]).first()
    else:
        raise signing.BadSignature("Unknown unsubscribe scope.")
    if target is None or target.updated_at.isoformat() != payload["v"]:
        raise StaleLinkError
    return target


def unsubscribe_check(token: str) -> None:
    """Raise as ``unsubscribe`` would, changing nothing (for the confirmation page)."""
    _unsubscribe_target(read_unsubscribe_token(token), lock=False)


@transaction.atomic
def unsubscribe(token: str) -> str:
    """Turn off what the link names; returns what was turned off, in words. Raises ``BadSignature`` for a
    forged link and ``StaleLinkError`` for one whose setting changed since (a replay changes nothing)."""
    payload = read_unsubscribe_token(token)
    scope = str(payload["s"])
    target = _unsubscribe_target(payload, lock=True)
    if isinstance(target, Subscription):
        target.delivery = Delivery.SITE
        target.save(update_fields=["delivery", "updated_at"])
        return "e-mail about this one thing you follow"
    if scope in PERIODS:
        Subscription.objects.filter(member_id=payload["m"], delivery=scope).update(
            delivery=Delivery.SITE, updated_at=timezone.now()
        )
        if target.personal_delivery == scope:
            target.personal_delivery = Delivery.SITE
        done = f"your {Delivery(scope).label.lower()}"
    else:
        target.personal_delivery = Delivery.SITE
        done = "e-mail about direct messages, mentions and replies"
    target.save()  # moves updated_at: this link, used again, does nothing
    return done


# --- Rendering ------------------------------------------------------------------------------


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    context = {**context, "site_url": settings.SITE_URL.rstrip("/"), "markings": context["content"].markings}
    text = render_to_string(f"email/subscriptions/{template}.txt", context)
    html = render_to_string(f"email/subscriptions/{template}.html", context)
    return text.strip() + "\n", html


def _headers(unsubscribe: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def digest_update(member: Member, preferences: MailPreferences, *, period: str, key: str, content: Content) -> Update:
    count = content.total
    communities = len(content.sections)
    subject = f"Your {Delivery(period).label.lower()}: {count} update{'' if count == 1 else 's'}"
    if communities:
        subject += f" in {communities} communit{'y' if communities == 1 else 'ies'}"
    unsubscribe = unsubscribe_url(member, period, preferences.updated_at)
    text, html = _render(
        "digest",
        {
            "member": member,
            "content": content,
            "period": Delivery(period).label,
            "unsubscribe_url": unsubscribe,
            "subscriptions_url": absolute(reverse("subscriptions:list")),
        },
    )
    return Update(
        key=key,
        member=member,
        category=EmailDelivery.Category.DIGEST,
        subject=subject,
        text=text,
        html=html,
        headers=_headers(unsubscribe),
    )


def immediate_update(member: Member, line: Line, *, key: str, unsubscribe: str, personal: bool) -> Update:
    content = Content(personal=[line]) if personal else Content(sections=[Section(community="", lines=[line])])
    # A followed thread's update answers its thread ("Re: title"); a marked one is never named.
    subject = line.text if personal or line.marking else f"Re: {line.text}"
    text, html = _render(
        "immediate",
        {
            "member": member,
            "content": content,
            "line": line,
            "unsubscribe_url": unsubscribe,
            "subscriptions_url": absolute(reverse("subscriptions:list")),
        },
    )
    return Update(
        key=key,
        member=member,
        category=EmailDelivery.Category.IMMEDIATE,
        subject=subject[:200],
        text=text,
        html=html,
        headers=_headers(unsubscribe),
        thread_seed=line.thread_seed,
    )


# --- Digests ---------------------------------------------------------------------------------


def members_due(period: str, *, now: datetime) -> list[int]:
    field = "next_daily_at" if period == Delivery.DAILY else "next_weekly_at"
    return list(
        MailPreferences.objects.filter(**{f"{field}__lte": now}).order_by(field).values_list("member_id", flat=True)
    )


def send_digest(
    member: Member,
    subscriptions: Sequence[Subscription],
    period: str,
    *,
    now: datetime,
    last_visit: datetime | None,
    connection: BaseEmailBackend | None = None,
    audience: Audience | None = None,
) -> bool:
    """Send the member's digest for ``period`` if it is due; returns whether a mail went out.

    Only what is new since their last digest and their last visit counts, and
    nothing is sent when nothing is. The digest is keyed by its scheduled time,
    and the schedule moves on in the same transaction as the send.
    """
    next_field, last_field = (f"next_{period}_at", f"last_{period}_at")
    with transaction.atomic():
        preferences = MailPreferences.objects.select_for_update().get(pk=member.pk)
        scheduled: datetime | None = getattr(preferences, next_field)
        if scheduled is None or scheduled > now:
            return False
        since = getattr(preferences, last_field) or scheduled - PERIODS[period]
        if last_visit is not None:
            since = max(since, last_visit)
        sent = False
        audience = audience or Audience([member.pk])
        if not preferences.paused and audience.cleared(member):
            content = digest_content(
                member,
                subscriptions,
                period=period,
                since=since,
                until=now,
                held_from=preferences.held_from,
                personal_delivery=preferences.personal_delivery,
                audience=audience,
            )
            if content:
                key = f"digest:{period}:{member.pk}:{scheduled:%Y-%m-%dT%H:%M}"
                update = digest_update(member, preferences, period=period, key=key, content=content)
                sent = send_update(update, connection=connection)
                Notification.objects.filter(pk__in=content.notification_ids).update(emailed_at=now)
        following = next_digest_at(preferences, period, max(scheduled, now))
        MailPreferences.objects.filter(pk=member.pk).update(
            **{last_field: now, next_field: following, "held_from": None}
        )
    return sent


def send_digests(member_ids: Sequence[int], period: str, *, connection: BaseEmailBackend | None = None) -> int:
    """Send the due digests of these members over one SMTP connection; returns how many went out."""
    members = list(Member.objects.filter(pk__in=member_ids).prefetch_related("subscriptions").order_by("pk"))
    visits = last_visits(member.pk for member in members)
    audience = Audience(member.pk for member in members)
    sent = 0
    refused_for_now: SMTPRecipientsRefused | None = None
    for member in members:
        subscriptions = list(member.subscriptions.all())
        try:
            sent += send_digest(
                member,
                subscriptions,
                period,
                now=timezone.now(),
                last_visit=visits.get(member.pk),
                connection=connection,
                audience=audience,
            )
        except SMTPRecipientsRefused as refused:  # a 4xx: this digest stays due, the rest of the batch goes on
            refused_for_now = refused
        except IntegrityError:  # another worker sent this very digest a moment ago (its key is taken)
            continue
    if refused_for_now is not None:
        raise refused_for_now  # for the task to retry; what was sent is skipped
    return sent


# --- Immediate updates ----------------------------------------------------------------------------


def members_with_immediate_updates(*, now: datetime) -> list[int]:
    """Members who may have an immediate update due: an unmailed personal notification, or a followed thing
    with immediate delivery (the finer checks are made per member, in ``send_immediate_updates``)."""
    personal = (
        Notification.objects.filter(
            kind__in=emailed_kinds(), emailed_at=None, read_at=None, created_at__lte=now - timedelta(minutes=1)
        )
        .exclude(recipient__mail_preferences__paused=True)
        .exclude(recipient__mail_preferences__personal_delivery__in=[Delivery.DAILY, Delivery.WEEKLY, Delivery.SITE])
    )
    following = MailPreferences.objects.filter(paused=False, member__subscriptions__delivery=Delivery.IMMEDIATE)
    due = set(personal.values_list("recipient_id", flat=True)) | set(following.values_list("member_id", flat=True))
    return sorted(due)


def send_immediate_updates(
    member: Member,
    *,
    now: datetime,
    last_visit: datetime | None,
    connection: BaseEmailBackend | None = None,
    audience: Audience | None = None,
) -> int:
    """Mail what was said to the member and what they follow with immediate delivery, once it has waited
    their delay unread: one mail per thread or conversation, up to their daily cap (the rest waits for the
    next digest). Returns how many mails went out."""
    preferences = preferences_of(member)
    until = now - timedelta(minutes=preferences.immediate_delay_minutes)
    audience = audience or Audience([member.pk])
    if preferences.paused or not audience.cleared(member):
        MailPreferences.objects.filter(pk=member.pk).update(immediate_through=max(until, preferences.immediate_through))
        return 0
    mails: list[tuple[Line, str]] = []  # each line with the unsubscribe link of what brought it
    if preferences.personal_delivery == Delivery.IMMEDIATE:
        lines, _ = personal_lines(member, pending_notifications(member, audience, until=until))
        personal_link = unsubscribe_url(member, "personal", preferences.updated_at)
        mails += [(line, personal_link) for line in lines]
    if until > preferences.immediate_through:
        told = {line.thread_seed for line, _ in mails}  # a reply to them is one mail, not two
        since = preferences.immediate_through
        followed = _followed_lines(member, audience, since=since, until=until, last_visit=last_visit)
        mails += [(line, link) for line, link in followed if line.thread_seed not in told]
    mails.sort(key=lambda mail: mail[0].latest or now)
    sent_today = EmailDelivery.objects.filter(
        member=member, category=EmailDelivery.Category.IMMEDIATE, sent_at__gte=now - timedelta(days=1)
    ).count()
    held_from: datetime | None = None
    sent = 0
    for line, unsubscribe in mails:
        personal = bool(line.notification_ids)
        if sent_today >= preferences.daily_cap:
            if not personal:
                held_from = min(held_from or now, line.latest or now)
            continue
        if personal:
            key = f"immediate:{member.pk}:{line.thread_seed}:{max(line.notification_ids)}:{line.count}"
        else:
            key = f"immediate:{member.pk}:{line.thread_seed}:event-{line.last_event_id}"
        update = immediate_update(member, line, key=key, unsubscribe=unsubscribe, personal=personal)
        with transaction.atomic():
            if send_update(update, connection=connection):
                sent += 1
                sent_today += 1
            Notification.objects.filter(pk__in=line.notification_ids).update(emailed_at=now)
    changes: dict[str, Any] = {"immediate_through": max(until, preferences.immediate_through)}
    if held_from is not None:
        changes["held_from"] = min(held_from, preferences.held_from or held_from)
    MailPreferences.objects.filter(pk=member.pk).update(**changes)
    return sent


def _followed_lines(
    member: Member, audience: Audience, *, since: datetime, until: datetime, last_visit: datetime | None
) -> list[tuple[Line, str]]:
    """Followed activity with immediate delivery, one line per item, each with the link that turns off the
    subscription that brought it (a member has few of these: one query each)."""
    subscriptions = list(Subscription.objects.filter(member=member))
    muted = [subscription for subscription in subscriptions if subscription.level == Level.MUTED]
    found: dict[str, tuple[Line, str]] = {}
    for subscription in subscriptions:
        if subscription.delivery != Delivery.IMMEDIATE or subscription.level == Level.MUTED:
            continue
        # Only what happened since the member chose immediate e-mail for it, never the thing's past.
        events = followed_events(
            member,
            [subscription, *muted],
            deliveries=[Delivery.IMMEDIATE],
            since=max(since, subscription.updated_at),
            until=until,
        )
        if last_visit is not None:
            events = events.filter(created_at__gt=last_visit)  # what happened before their last visit, they saw
        link = unsubscribe_url(member, f"sub:{subscription.pk}", subscription.updated_at)
        for section in activity_sections(member, events, audience):
            for line in section.lines:
                found.setdefault(line.thread_seed, (line, link))
    return list(found.values())
