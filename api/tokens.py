"""Making, reading and revoking personal access tokens: the only place that touches their secrets."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api.models import AccessToken, Scope
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member
from verification.policy import member_access

TOKEN_PREFIX = "mst_"  # noqa: S105 - what every token starts with, not a secret
# How often a token's "last used" time is written: at most once a minute, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    """The token's SHA-256: a secret of 256 random bits needs no slow hash, and a digest is found by index."""
    return hashlib.sha256(secret.encode()).hexdigest()


def default_expiry_days() -> int:
    return int(settings.MUSTER_API_TOKEN_DAYS)


def max_expiry_days() -> int:
    return int(settings.MUSTER_API_TOKEN_MAX_DAYS)


def token_create(
    *, member: Member, name: str, scopes: Iterable[str], days: int, ceiling: Marking | None = None
) -> tuple[AccessToken, str]:
    """A new token for the member, and its secret (shown to them once, never stored)."""
    chosen = sorted(set(scopes))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Name the token after the tool that will use it."
    if not chosen or any(scope not in Scope.values for scope in chosen):
        errors["scopes"] = "Choose at least one of read, write and chat."
    if not 1 <= days <= max_expiry_days():
        errors["days"] = f"A token lasts between 1 and {max_expiry_days()} days."
    if (
        ceiling is not None
        and not ceiling.is_unmarked
        and not member.marking_authorisations.filter(marking=ceiling).exists()
    ):
        errors["ceiling"] = "A token's ceiling can only be a marking you are cleared for."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = AccessToken.objects.create(
            member=member,
            name=name.strip(),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            digest=digest_of(secret),
            scopes=chosen,
            ceiling=ceiling,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit_record(AuditEvent.Action.API_TOKEN_CREATED, actor=member, target=token, scopes=chosen, days=days)
    return token, secret


def token_revoke(*, token: AccessToken, member: Member) -> AccessToken:
    """The member's own token stops working now (revoking twice changes nothing)."""
    if token.member_id != member.pk:
        raise ValidationError("This is not your token.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(AuditEvent.Action.API_TOKEN_REVOKED, actor=member, target=token)
    return token


def token_find(secret: str) -> AccessToken | None:
    """The token with this secret, with its member and ceiling, whatever its state."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    return AccessToken.objects.select_related("member", "ceiling").filter(digest=digest_of(secret)).first()


def token_used(token: AccessToken) -> None:
    """Note the use, at most once a minute (a busy integration does not write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def ceiling_choices(member: Member) -> QuerySet[Marking]:
    """The ceilings a member may give a token: the markings they are cleared for (unmarked included).

    A ceiling at their own highest clearance still matters: the token stays there if they are cleared for more.
    """
    return Marking.objects.filter(pk__in=member_access(member).visible_marking_ids).order_by("rank", "slug")


def tokens_of(member: Member) -> list[AccessToken]:
    return list(AccessToken.objects.filter(member=member).select_related("ceiling"))


def token_of(member: Member, pk: int) -> AccessToken:
    """One of the member's own tokens (``AccessToken.DoesNotExist`` for anyone else's)."""
    return AccessToken.objects.select_related("ceiling").get(member=member, pk=pk)
