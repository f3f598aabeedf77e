from django.db import models
from django.utils import timezone


class EmailDelivery(models.Model):
    """One row per e-mail the platform means to send, keyed so a retried task never sends twice."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "e-mail deliveries"

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient}"
