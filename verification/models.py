from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from taggit.managers import TaggableManager


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> "Member":
        if not email:
            raise ValueError("A member needs an e-mail address.")
        member = self.model(email=self.normalize_email(email).lower(), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "Member":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "Member":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class Member(AbstractUser):
    """A person with an account. Signs in by e-mail; vetting decides what they may see.

    The vetting state lives on the row itself so the access policy can decide
    from the member alone: ``verified_until`` in the future and no suspension.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    # What others type to mention the member (@dana-reyes); made from the name when it is first given.
    handle = models.SlugField(max_length=60, unique=True, null=True, blank=True)
    verified_until = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # The mail relay refused this address for good: the member is told on their next visit.
    mail_failed_at = models.DateTimeField(null=True, blank=True)
    mail_failure = models.CharField(max_length=300, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[MemberManager] = MemberManager()  # type: ignore[assignment]

    class Meta:
        ordering = ("last_name", "first_name", "email")
        permissions = [
            ("review_application", "Can review verification applications, suspend and reinstate members"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@", 1)[0]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_verified(self) -> bool:
        """Vetting approved, not expired, not suspended."""
        return (
            self.is_active
            and not self.is_suspended
            and self.verified_until is not None
            and self.verified_until > timezone.now()
        )

    @property
    def is_expired(self) -> bool:
        return self.verified_until is not None and self.verified_until <= timezone.now()


class Marking(models.Model):
    """A handling marking such as FOUO or SBU. Markings are data: more can be added."""

    slug = models.SlugField(unique=True, max_length=32)
    name = models.CharField(max_length=80)
    banner_text = models.CharField(max_length=200)
    colour = models.CharField(max_length=7, default="#ffffff", help_text="Banner background, #rrggbb.")
    text_colour = models.CharField(max_length=7, default="#000000", help_text="Banner text, #rrggbb.")
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher is more sensitive; 0 is unmarked.")

    class Meta:
        ordering = ("rank", "slug")
        constraints = [
            models.CheckConstraint(condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="marking_colour_hex"),
            models.CheckConstraint(
                condition=models.Q(text_colour__regex=r"^#[0-9a-fA-F]{6}$"), name="marking_text_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unmarked(self) -> bool:
        return self.rank == 0


class AccessKeys(models.Model):
    """What the access rule reads of an item, copied onto a row that stands for it elsewhere (a search
    index row), so a reader can ask ``policy.filter_visible_by_keys`` which rows the member may see
    without joining every row back to its item.

    The *gate* is the item whose rule governs: the item itself, or the parent it takes its visibility
    from (a post's thread, a chat message's conversation). Only the gate's own fields are copied; its
    community's state, the member's standing, grants and a conversation's participants are read live.
    Rows with no gate (members) are decided otherwise.
    """

    community = models.ForeignKey("communities.Community", null=True, on_delete=models.CASCADE, related_name="+")
    gate_type = models.ForeignKey("contenttypes.ContentType", null=True, on_delete=models.CASCADE, related_name="+")
    gate_id = models.PositiveBigIntegerField(null=True)
    gate_marking = models.ForeignKey(Marking, null=True, on_delete=models.SET_NULL, related_name="+")
    restricted = models.BooleanField(default=False)
    gate_published_at = models.DateTimeField(null=True)
    gate_author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Not removed, nor under a removed parent (``policy.filter_listed``): unlisted rows are found by no one.
    listed = models.BooleanField(default=False)

    class Meta:
        abstract = True


class MarkingAuthorisation(models.Model):
    """A member's clearance for one marking, granted by a verifier at vetting."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="marking_authorisations")
    marking = models.ForeignKey(Marking, on_delete=models.CASCADE, related_name="authorisations")
    granted_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "marking"], name="one_authorisation_per_marking")]

    def __str__(self) -> str:
        return f"{self.member} → {self.marking}"


class AffiliationType(models.TextChoices):
    RESPONDER = "responder", "Responder"
    GOVERNMENT = "government", "Government employee"
    ACADEMIC = "academic", "Government-sponsored academic"
    CONTRACTOR = "contractor", "Contractor"
    CITIZEN = "citizen", "Engaged citizen"


class Discipline(models.TextChoices):
    FIRE = "fire", "Fire"
    EMS = "ems", "EMS"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    EMERGENCY_MANAGEMENT = "emergency_management", "Emergency management"
    PUBLIC_HEALTH = "public_health", "Public health"
    PUBLIC_WORKS = "public_works", "Public works"
    UTILITIES = "utilities", "Utilities"
    HEALTH_CARE = "health_care", "Hospital / health care"
    PRIVATE_SECTOR = "private_sector", "Private sector"
    NGO = "ngo", "NGO / voluntary"
    OTHER = "other", "Other"


class Profile(models.Model):
    """What a member tells about themselves. Fields in ``SHAREABLE_FIELDS`` are
    shown to other members only when the member lists them in ``shared_fields``."""

    SHAREABLE_FIELDS: ClassVar[dict[str, str]] = {
        "title": "Title",
        "jurisdiction": "Jurisdiction",
        "work_email": "Work e-mail",
        "phone": "Phone",
        "expertise": "Expertise",
        "bio": "Bio",
        "photo": "Photo",
    }

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="profile")
    affiliation_type = models.CharField(max_length=20, choices=AffiliationType.choices)
    discipline = models.CharField(max_length=30, choices=Discipline.choices)
    organisation = models.CharField("agency or organisation", max_length=200)
    jurisdiction_state = models.CharField("state", max_length=60)
    jurisdiction_local = models.CharField("county or city", max_length=120, blank=True)
    title = models.CharField(max_length=120, blank=True)
    work_email = models.EmailField("work e-mail")
    phone = models.CharField(max_length=40, blank=True)
    expertise = TaggableManager("expertise", blank=True, help_text="Comma-separated topics you know well.")
    bio = models.TextField(max_length=2000, blank=True)
    photo = models.ImageField(upload_to="profile-photos/", blank=True)
    shared_fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.member}"

    @property
    def jurisdiction(self) -> str:
        return ", ".join(part for part in (self.jurisdiction_local, self.jurisdiction_state) if part)

    def shares(self, field: str) -> bool:
        return field in self.shared_fields


class DomainRule(models.Model):
    """An e-mail-domain rule: ``.gov`` matches any address ending in .gov; ``fema.dhs.gov`` that domain and below."""

    class Action(models.TextChoices):
        FLAG = "flag", "Flag as pre-checked"
        AUTO_APPROVE = "auto_approve", "Approve for unmarked access automatically"

    domain = models.CharField(max_length=120, unique=True, help_text="For example .gov, .mil or fema.dhs.gov")
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.FLAG)
    note = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("domain",)

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_action_display()})"

    def matches(self, email: str) -> bool:
        host = email.rsplit("@", 1)[-1].lower()
        rule = self.domain.lower()
        if rule.startswith("."):
            return host.endswith(rule)
        return host == rule or host.endswith("." + rule)


class SponsorChoice(models.TextChoices):
    """The sponsor's two answers, in the words both the sponsor's page and the e-mail asking them use."""

    CONFIRM = "confirm", "Yes, I confirm this person's affiliation"
    DENY = "deny", "No, I cannot confirm this"


class VerificationApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for a verifier"
        MORE_INFO = "more_info", "More information requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class SponsorAnswer(models.TextChoices):
        PENDING = "pending", "Not answered yet"
        CONFIRMED = "confirmed", "Confirmed"
        DENIED = "denied", "Denied"

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.SUBMITTED, Status.MORE_INFO)

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="applications")
    is_renewal = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # What the member applied with, frozen for the dossier even if the profile changes later.
    profile_snapshot = models.JSONField(default=dict)
    statement = models.TextField("anything the verifier should know", max_length=2000, blank=True)
    sponsor_name = models.CharField(max_length=120)
    sponsor_email = models.EmailField()
    # Set each time a sponsor is asked; links carry it, so a superseded link stops working.
    sponsor_requested_at = models.DateTimeField(default=timezone.now)
    sponsor_answer = models.CharField(max_length=20, choices=SponsorAnswer.choices, default=SponsorAnswer.PENDING)
    sponsor_comment = models.TextField(max_length=2000, blank=True)
    sponsor_answered_at = models.DateTimeField(null=True, blank=True)
    domain_rule = models.ForeignKey(DomainRule, null=True, blank=True, on_delete=models.SET_NULL)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(
        blank=True, help_text="The reason for a rejection or the question when asking for more information."
    )

    class Meta:
        ordering = ("-submitted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=("submitted", "more_info")),
                name="one_open_application_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} by {self.member}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RulesOfBehavior(models.Model):
    """A published version of the Rules of Behavior. The newest one is current."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-version",)
        verbose_name_plural = "rules of behavior"

    def __str__(self) -> str:
        return f"Rules of Behavior v{self.version}"


class RulesAcceptance(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="rules_acceptances")
    rules = models.ForeignKey(RulesOfBehavior, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "rules"], name="accept_each_version_once")]

    def __str__(self) -> str:
        return f"{self.member} accepted v{self.rules.version}"


class ExpiryReminder(models.Model):
    """One row per reminder sent, so a retried or repeated sweep never sends twice."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="expiry_reminders")
    verified_until = models.DateTimeField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "verified_until", "days_before"], name="one_reminder_per_period_and_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder to {self.member}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only: rows are inserted, never changed or removed (also enforced by the database on PostgreSQL)."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_IN_FAILURES_REPORTED = "sign_in_failures_reported", "Failed sign-ins reported to the member"
        SIGN_IN_BLOCKED = "sign_in_blocked", "Sign-in blocked until a password reset"
        SIGN_OUT = "sign_out", "Signed out"
        APPLICATION_SUBMITTED = "application_submitted", "Application submitted"
        SPONSOR_ANSWERED = "sponsor_answered", "Sponsor answered"
        APPLICATION_APPROVED = "application_approved", "Application approved"
        APPLICATION_REJECTED = "application_rejected", "Application rejected"
        MORE_INFO_REQUESTED = "more_info_requested", "More information requested"
        AUTO_APPROVED = "auto_approved", "Approved by domain rule"
        SUSPENDED = "suspended", "Suspended"
        REINSTATED = "reinstated", "Reinstated"
        EXPIRED = "expired", "Verification expired"
        RULES_ACCEPTED = "rules_accepted", "Rules of Behavior accepted"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        VIEWED_MARKED = "viewed_marked", "Viewed marked item"
        DOWNLOADED_MARKED = "downloaded_marked", "Downloaded marked item"
        SEARCHED_MARKED = "searched_marked", "Found marked item in a search"
        AUDIT_EXPORTED = "audit_exported", "Exported the audit log"
        POST_REMOVED = "post_removed", "Removed a post"
        POST_HIDDEN = "post_hidden", "Hid a post"
        POST_RESTORED = "post_restored", "Restored a post"
        UPLOAD_QUARANTINED = "upload_quarantined", "Upload quarantined by the virus scanner"
        ITEM_REMOVED = "item_removed", "Removed an item"
        ITEM_RESTORED = "item_restored", "Restored an item"
        IDEA_DECIDED = "idea_decided", "Decided on a Congress idea"
        API_TOKEN_CREATED = "api_token_created", "Made an API token"
        API_TOKEN_REVOKED = "api_token_revoked", "Revoked an API token"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint: deleting an account must not touch (update) its audit trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True, help_text="Kept even if the account is deleted.")
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    marking = models.CharField(max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
