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

    class Category(models.TextChoices):
        ACCOUNT = "account", "Account"
        IMMEDIATE = "immediate", "Immediate update"
        DIGEST = "digest", "Digest"

    key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.ACCOUNT)
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The relay refused the address for good (a 5xx for the recipient): not retried.
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "messaging_emaildelivery"
        verbose_name_plural = "e-mail deliveries"
        indexes = [models.Index(fields=["member", "category", "sent_at"])]

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


class Level(models.TextChoices):
    WATCHING = "watching", "Watching"
    NEW_ITEMS = "new_items", "New items only"
    NORMAL = "normal", "Normal"
    MUTED = "muted", "Muted"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    SITE = "site", "Site only"


class Subscription(models.Model):
    """A member follows something (a community, a board, a thread, a wiki page, a tag, a member's blog).

    The level says which of its events count, the delivery how they reach the
    member. What is followed is named by content type and id: the kinds that can
    be followed are registered in ``notices.follow``. ``updated_at`` stamps the
    one-click unsubscribe link, so a link from before a change does nothing.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.NEW_ITEMS)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.WEEKLY)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("target_type", "target_id")
        constraints = [
            models.UniqueConstraint(fields=["member", "target_type", "target_id"], name="one_subscription_per_target")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.member} follows {self.target_type_id}:{self.target_id} ({self.level}, {self.delivery})"


class MailPreferences(models.Model):
    """How and when a member hears by e-mail, and where each kind of e-mail has got to.

    ``next_daily_at``/``next_weekly_at`` are the next digest times (UTC, from the
    member's hour and time zone) that Celery beat looks for; ``last_*_at`` are
    where the previous digest's window ended. ``immediate_through`` is how far the
    followed events have been considered for immediate e-mail.
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="mail_preferences"
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    digest_hour = models.PositiveSmallIntegerField(default=7)
    weekly_day = models.PositiveSmallIntegerField(default=0, help_text="0 is Monday.")
    default_delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.WEEKLY)
    # Direct messages, mentions and replies to the member.
    personal_delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    immediate_delay_minutes = models.PositiveSmallIntegerField(default=5)
    daily_cap = models.PositiveSmallIntegerField(default=100)
    paused = models.BooleanField(default=False)
    next_daily_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_weekly_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_daily_at = models.DateTimeField(null=True, blank=True)
    last_weekly_at = models.DateTimeField(null=True, blank=True)
    immediate_through = models.DateTimeField(default=timezone.now)
    # Where a digest held back by the daily cap starts (the rest of the immediate updates wait for it).
    held_from = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "mail preferences"

    def __str__(self) -> str:
        return f"Mail preferences of {self.member}"
