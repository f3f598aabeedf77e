"""Personal access tokens: how a member's own tools reach the API without a browser."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from verification.models import Marking


class Scope(models.TextChoices):
    """One scope per area: reading, writing (threads, replies, joining, subscriptions), chat."""

    READ = "read", "Read"
    WRITE = "write", "Write"
    CHAT = "chat", "Chat"


class AccessToken(models.Model):
    """A token the member made: only its SHA-256 digest is kept (the secret is shown once, when it is made)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80)
    # The first characters of the token, shown in the list so the member can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    # A marking ceiling lower than the member's own clearance: the token sees nothing above it.
    ceiling = models.ForeignKey(Marking, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        """What the member's token list says of it: revoked, expired or active."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired else "active"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
