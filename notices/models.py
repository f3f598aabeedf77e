"""What the notices layer keeps: notifications for members and the record of every e-mail sent.

Both tables were created by ``messaging`` and keep their names: the models
moved here without their data moving (state-only migrations).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
        db_table = "messaging_emaildelivery"
        verbose_name_plural = "e-mail deliveries"

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient}"


class Notification(models.Model):
    """Something a member should know about, kept until read.

    The row says what happened and points at the item; the text is rendered
    when shown, through the access policy, so a notification never reveals
    more than the item does today. ``kind`` is one of the kinds the features
    registered (``notices.kinds``). ``emailed_at`` is for the e-mail digest.
    Direct messages fold into one unread row per conversation (``count``).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    marking = models.ForeignKey(
        "verification.Marking", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # A short, unmarked word about the outcome ("approved", "declined"); never item content.
    outcome = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=300)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "messaging_notification"
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["recipient", "read_at"], name="messaging_n_recipie_736adb_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
