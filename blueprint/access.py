"""Who may review Blueprint entries and who may change one: the Blueprint's own rules, on top of the access
rule every content type shares (``verification.policy``).

Editors are a role granted by staff: membership of the group "Blueprint editors" (created after every
migrate by ``blueprint.defaults``), which holds ``blueprint.review_entry``. An editor still sees only what
the access rule lets them see: an FOUO proposal is reviewed by editors cleared for FOUO.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from blueprint.models import Delegate, Entry, Status
from verification import policy
from verification.audit import audit_record
from verification.models import AuditEvent, Member

EDITORS_GROUP = "Blueprint editors"
REVIEW_PERMISSION = "blueprint.review_entry"


def is_blueprint_editor(user: policy.AnyUser | None) -> bool:
    """Cleared to see content and holding the editors' permission (through the group, or as a superuser)."""
    return user is not None and policy.member_access(user).may_see_content and user.has_perm(REVIEW_PERMISSION)


def check_review_entries_permission(user: policy.AnyUser | None, request: HttpRequest | None = None) -> None:
    """Raise ``PermissionDenied`` (and audit the refusal) unless the member is a Blueprint editor."""
    if not is_blueprint_editor(user):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="review Blueprint entries")
        raise PermissionDenied("Only Blueprint editors may do this.")


def can_propose_edit(user: policy.AnyUser | None, entry: Entry) -> bool:
    """Any member who may see a published entry may propose an edit of it."""
    return entry.is_published and entry.deleted_at is None and policy.can_view(user, entry)


def can_revise_proposal(user: policy.AnyUser | None, entry: Entry) -> bool:
    """While an entry waits for an editor (or came back with notes), its author revises it directly."""
    return (
        user is not None
        and entry.status in (Status.PROPOSED, Status.RETURNED)
        and entry.author_id == user.pk
        and entry.deleted_at is None
        and policy.can_view(user, entry)
    )


def can_link_from(user: policy.AnyUser | None, entry: Entry) -> bool:
    """Editors link any entry they see; an author links their own entry while it is a proposal."""
    if entry.deleted_at is not None or entry.status == Status.DECLINED:
        return False
    if is_blueprint_editor(user):
        return policy.can_view(user, entry)
    return can_revise_proposal(user, entry)


# --- The Congress -------------------------------------------------------------------------------------


def may_see_congress(user: policy.AnyUser | None) -> bool:
    """Every verified member sees the Congresses and their delegates (ideas follow the access rule)."""
    return user is not None and policy.member_access(user).may_see_content


def can_manage_congress(user: policy.AnyUser | None) -> bool:
    """Blueprint editors and staff set up a Congress and name its delegates and alternates."""
    return is_blueprint_editor(user) or (user is not None and may_see_congress(user) and bool(user.is_staff))


def check_manage_congress_permission(user: policy.AnyUser | None, request: HttpRequest | None = None) -> None:
    if not can_manage_congress(user):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="manage the Congress")
        raise PermissionDenied("Only Blueprint editors and staff may do this.")


def is_congress_delegate(user: policy.AnyUser | None, congress_id: int) -> bool:
    """A delegate or an alternate of this edition, still cleared to see content."""
    if user is None or user.pk is None or not may_see_congress(user):
        return False
    return Delegate.objects.filter(congress_id=congress_id, member_id=user.pk).exists()
