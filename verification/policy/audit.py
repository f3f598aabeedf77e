"""Denials and views of marked items go to the audit log; markings decide the banners."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from communities.models import Community
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member
from verification.policy.standing import AnyUser, member_access
from verification.registry import content_registry


def deny(user: AnyUser | None, verb: str, target: models.Model, request: HttpRequest | None) -> PermissionDenied:
    """Write the refusal to the audit log and return the exception to raise."""
    actor = user if isinstance(user, Member) else None
    audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, target=target, request=request, verb=verb)
    return PermissionDenied(f"You may not {verb} this.")


def check_review_permission(user: AnyUser | None, request: HttpRequest | None = None) -> None:
    """Verifiers (with MFA, like everyone who sees content) work the vetting queue."""
    access = member_access(user)
    if not (access.may_see_content and access.is_verifier):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="review applications")
        raise PermissionDenied("Only verifiers may do this.")


def can_read_audit_log(user: AnyUser | None) -> bool:
    access = member_access(user)
    return access.may_see_content and user is not None and user.has_perm("verification.view_auditevent")


def check_read_audit_log_permission(user: AnyUser | None, request: HttpRequest | None = None) -> None:
    if not can_read_audit_log(user):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="read the audit log")
        raise PermissionDenied("Only verifiers and auditors may read the audit log.")


def highest_marking(markings: Iterable[Marking]) -> Marking | None:
    """The most sensitive of these markings: the banner of a page that shows them all."""
    return max(markings, key=lambda marking: marking.rank, default=None)


def effective_marking(item: Any) -> Marking:
    """The marking that governs an item (or a community): its own, or its community's when that is higher;
    an item with a parent (a post, a chat message) is governed by its parent's."""
    if isinstance(item, Community):
        return item.marking
    if content_registry.is_registered(type(item)):
        parent = content_registry.get(type(item)).parent
        if parent is not None:
            return effective_marking(getattr(item, parent))
    marking: Marking = item.marking
    community: Community | None = item.community
    if community is None:  # a direct or group conversation
        return marking
    return max(marking, community.marking, key=lambda found: found.rank)


def record_view(
    user: Member, item: models.Model, request: HttpRequest | None = None, *, download: bool = False
) -> None:
    """Every view and download of a marked item (or of any item in a marked community) is audited."""
    marking = effective_marking(item)
    if marking.is_unmarked:
        return
    action = AuditEvent.Action.DOWNLOADED_MARKED if download else AuditEvent.Action.VIEWED_MARKED
    audit_record(action, actor=user, target=item, marking=marking.slug, request=request)
