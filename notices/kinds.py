"""Notification kinds: each feature registers the kinds it sends, from its ``AppConfig.ready()``.

A kind says how its line reads (``describe``), which e-mail template a digest
uses for it, and who may see its rows. By default a notification shows only
while its target is registered content the member may see (read through the
content registry, at display and at send time). A kind about something that
is not content (a vetting decision, a join request) gives its own
``audience`` rule instead, and may be shown before the member is cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from notices.models import Notification
    from verification.models import Member
    from verification.policy import AnyUser


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    # The line the notification page shows, from the target the policy already let through.
    describe: Callable[[Notification, Member], str]
    email_template: str = ""
    # For targets that are not registered content: the rows (by their own fields) the member may see.
    audience: Callable[[AnyUser | None], Q] | None = None
    # Shown to members still held up by vetting (decisions about their own application).
    before_clearance: bool = False
    # How the page loads targets of this kind (one queryset per target model).
    target_querysets: Callable[[], list[QuerySet[Any]]] | None = None
    # Something said to the member personally (a direct message, a mention, a reply): e-mailed to them,
    # at once or in their digest, unless they read it on the site first.
    emailed: bool = False


_kinds: dict[str, NotificationKind] = {}


def register_kind(key: str, **options: Any) -> NotificationKind:
    if len(key) > 30:
        raise ImproperlyConfigured(f"Notification kind {key!r} is longer than 30 characters.")
    kind = NotificationKind(key=key, **options)
    _kinds[key] = kind
    return kind


def kind(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise ImproperlyConfigured(f"Notification kind {key!r} is not registered.") from None


def all_kinds() -> list[NotificationKind]:
    return list(_kinds.values())


def emailed_kinds() -> list[str]:
    return [registered.key for registered in _kinds.values() if registered.emailed]
