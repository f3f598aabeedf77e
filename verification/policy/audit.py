"""Denials and views of marked items go to the audit log; markings decide the banners."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from communities.models import Community
from verification.audit import audit_record, client_ip, request_detail
from verification.models import AuditEvent, Marking, Member
from verification.policy.standing import AnyUser, member_access
from verification.registry import content_registry


def deny(user: AnyUser | None, verb: str, target: models.Model, request: HttpRequest | None) -> PermissionDenied:
    """Write the refusal to the audit log and return the exception to raise."""
    actor = user if isinstance(user, Member) else None
    audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, target=target, request=request, verb=verb)
    return PermissionDenied(f"You may not {verb} this.")


def record_search(
    user: Member, found: Iterable[tuple[str, int, str, Marking]], query: str, request: HttpRequest | None = None
) -> None:
    """Marked items a search shows the member are audited like views: one row each (type label, id, title,
    governing marking), written in one insert."""
    rows = [
        AuditEvent(
            action=AuditEvent.Action.SEARCHED_MARKED,
            actor=user,
            actor_email=user.email,
            target_type=target_type,
            target_id=str(target_id),
            target_label=label[:300],
            marking=marking.slug,
            ip_address=client_ip(request),
            detail={**request_detail(request), "query": query[:500]},
        )
        for target_type, target_id, label, marking in found
        if not marking.is_unmarked
    ]
    AuditEvent.objects.bulk_create(rows)


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


# Fetch Metadata destinations of what a page embeds (an image, a stylesheet, a script …), as against the
# member opening a page or a file ("document"), or the site's own scripts fetching a part of one ("empty").
MEMBER_DESTINATIONS = frozenset({"document", "empty"})


def is_member_request(request: HttpRequest) -> bool:
    """Whether the member themselves opened or downloaded this (Fetch Metadata, sent by every current
    browser): not something another page embedded, not a prefetch, not a request sent from another site.
    Clients that send no such headers (scripts, old browsers) count as the member."""
    headers = request.headers
    if "prefetch" in headers.get("Sec-Purpose", "") or headers.get("Purpose") == "prefetch":
        return False
    if headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    destination = headers.get("Sec-Fetch-Dest")
    return destination is None or destination in MEMBER_DESTINATIONS


def record_view(
    user: Member, item: models.Model, request: HttpRequest | None = None, *, download: bool = False
) -> None:
    """Every view and download of a marked item (or of any item in a marked community) is audited.

    Only the member's own opening of it counts: a marked item fetched as an image, a stylesheet, a prefetch
    or from another site is refused, unaudited, so nobody can write views into another member's trail
    (a Markdown image pointing at a marked download, opened by a cleared reader)."""
    marking = effective_marking(item)
    if marking.is_unmarked:
        return
    if request is not None and not is_member_request(request):
        raise PermissionDenied("A marked item opens only when you open it yourself.")
    action = AuditEvent.Action.DOWNLOADED_MARKED if download else AuditEvent.Action.VIEWED_MARKED
    audit_record(action, actor=user, target=item, marking=marking.slug, request=request)


def record_views(
    user: Member, items: Iterable[models.Model], request: HttpRequest | None = None, *, download: bool = False
) -> None:
    """``record_view`` for every marked item a page or an export shows, written in one insert (a list keeps
    its fixed number of queries however many marked rows it shows)."""
    marked = [(item, marking) for item in items if not (marking := effective_marking(item)).is_unmarked]
    if not marked:
        return
    if request is not None and not is_member_request(request):
        raise PermissionDenied("A marked item opens only when you open it yourself.")
    action = AuditEvent.Action.DOWNLOADED_MARKED if download else AuditEvent.Action.VIEWED_MARKED
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            actor=user,
            actor_email=user.email,
            target_type=item._meta.label,
            target_id=str(item.pk),
            target_label=str(item)[:300],
            marking=marking.slug,
            ip_address=client_ip(request),
            detail=request_detail(request),
        )
        for item, marking in marked
    )
