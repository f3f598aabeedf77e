"""Notifications: one entry point for every feature, and every read filtered through the access rule.

Rows record what happened and point at the item; nothing here copies item
text, so a notification can never outlive or outgrow the item's visibility.
Each write tells the recipient's open pages to refresh their bell (after commit).
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities.models import Community
from notices import live
from notices.kinds import all_kinds, kind
from notices.models import Notification
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry


def notify(
    recipients: Iterable[Member],
    *,
    kind_key: str,
    actor: Member | None,
    target: models.Model,
    url: str,
    community: Community | None = None,
    marking: Marking | None = None,
    outcome: str = "",
) -> list[Notification]:
    """Tell each recipient who may see the target now (read through the content registry when the target
    is content; a kind about something else has its own audience). ``marking`` is the item's effective
    marking: the notification page's banner, and what a digest may say about it (never the item's words)."""
    registered = kind(kind_key)  # an unregistered kind is a programming error, caught here, not on the page
    recipients = list(recipients)
    if registered.audience is None and content_registry.is_registered(type(target)):
        allowed = policy.filter_members_who_may_view(target, Member.objects.filter(pk__in=[r.pk for r in recipients]))
        allowed_ids = set(allowed.values_list("pk", flat=True))
        recipients = [recipient for recipient in recipients if recipient.pk in allowed_ids]
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                kind=kind_key,
                actor=actor,
                community=community,
                marking=marking,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                outcome=outcome,
                url=url,
            )
            for recipient in recipients
        ]
    )
    live.announce_notifications_changed(row.recipient_id for row in rows)
    return rows


def filter_visible_notifications(
    user: policy.AnyUser | None, queryset: QuerySet[Notification]
) -> QuerySet[Notification]:
    """The member's own notifications about things they may still see (one SQL query).

    A member held up by vetting sees only the kinds meant for them then (the
    decisions about their own application); everything else waits until they
    are cleared, and disappears when the item it points at stops being visible.
    """
    access = policy.member_access(user)
    if access.member_id is None:
        return queryset.none()
    own = queryset.filter(recipient_id=access.member_id)
    shown = Q(pk__in=[])
    about_content: list[str] = []
    for registered in all_kinds():
        if not access.may_see_content and not registered.before_clearance:
            continue
        if registered.audience is not None:
            shown |= Q(kind=registered.key) & registered.audience(user)
        else:
            about_content.append(registered.key)
    if about_content and access.may_see_content:
        shown |= Q(kind__in=about_content) & policy.visible_references_q(
            user, type_field="target_type", id_field="target_id"
        )
    return own.filter(shown)


def notifications_visible_to(member: Member) -> QuerySet[Notification]:
    return filter_visible_notifications(member, Notification.objects.all())


def unread_notification_count(member: Member) -> int:
    return notifications_visible_to(member).filter(read_at=None).count()


@transaction.atomic
def notification_mark_read(*, notification: Notification, member: Member) -> None:
    if notification.recipient_id != member.pk:
        raise PermissionDenied("Not your notification.")
    if Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now()):
        live.announce_notifications_changed([member.pk])


@transaction.atomic
def notifications_mark_all_read(*, member: Member) -> int:
    marked = Notification.objects.filter(recipient=member, read_at=None).update(read_at=timezone.now())
    if marked:
        live.announce_notifications_changed([member.pk])
    return marked


def describe(notification: Notification, viewer: Member) -> str:
    """The notification's line, as its kind words it."""
    return kind(notification.kind).describe(notification, viewer)


def target_querysets() -> list[QuerySet[models.Model]]:
    """One queryset per target model, for ``GenericPrefetch`` on the notification page."""
    by_model: dict[type[models.Model], QuerySet[models.Model]] = {}
    for registered in all_kinds():
        if registered.target_querysets is not None:
            for queryset in registered.target_querysets():
                by_model.setdefault(queryset.model, queryset)
    return list(by_model.values())
