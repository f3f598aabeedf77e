"""Writing to the append-only audit log. Every write goes through ``audit_record``."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from verification.models import AuditEvent, Member

# Set on the request by the API when a personal access token authenticated it: audit rows name the token.
TOKEN_ATTRIBUTE = "muster_token_id"  # noqa: S105 - an attribute name, not a secret


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def request_detail(request: HttpRequest | None) -> dict[str, Any]:
    """What an audit row records about how the request came: the API token that made it, if one did."""
    token_id = getattr(request, TOKEN_ATTRIBUTE, None) if request is not None else None
    return {"token": token_id} if token_id is not None else {}


def audit_record(
    action: str,
    *,
    actor: Member | None,
    target: models.Model | None = None,
    marking: str = "",
    request: HttpRequest | None = None,
    actor_email: str = "",
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor_email or (actor.email if actor is not None else ""),
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        marking=marking,
        ip_address=client_ip(request),
        detail={**request_detail(request), **detail},
    )
