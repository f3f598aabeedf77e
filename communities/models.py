from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from taggit.managers import TaggableManager

from verification.models import Marking


class Community(models.Model):
    class Visibility(models.TextChoices):
        OPEN = "open", "Open to every verified member"
        RESTRICTED = "restricted", "Restricted: listed, content for members only"
        PRIVATE = "private", "Private: invisible to non-members"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone may join"
        REQUEST = "request", "By request"
        INVITATION = "invitation", "By invitation"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Waiting for staff approval"
        DECLINED = "declined", "Declined by staff"

    name = models.CharField(max_length=120)
    slug = models.SlugField("address", max_length=60, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    description = models.TextField(max_length=4000, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.OPEN)
    join_policy = models.CharField(max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    marking = models.ForeignKey(Marking, on_delete=models.PROTECT, related_name="+")
    tags = TaggableManager(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # One group per role; guardian object permissions on this community are granted to them.
    member_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    moderator_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    owner_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    # Kept by the membership services (recounted, never incremented) so the directory can sort by it.
    member_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "communities"
        ordering = ("name",)
        permissions = [
            ("access_community", "Can see the community's content and post in it"),
            ("moderate_community", "Can moderate the community"),
            ("manage_community", "Can manage the community's settings and roles"),
        ]

    def __str__(self) -> str:
        return self.name


class CommunityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class CommunityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class CommunityContent(models.Model):
    """The shape every content item shares, so the access policy, activity feed,
    search and notifications read all of them the same way.

    Each concrete model also registers with the content registry
    (``verification.registry``) from its app's ``ready()``; start-up fails when one does not."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marking = models.ForeignKey(Marking, on_delete=models.PROTECT, related_name="+")
    # When set, only members granted ``view_<model>`` on this item (directly or
    # through a group) may see it, on top of the community rule.
    is_restricted = models.BooleanField(default=False)
    tags = TaggableManager(blank=True)
    # None while a draft, a future time while scheduled: until then only the author sees the item.
    published_at = models.DateTimeField(null=True, blank=True, default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the author or a moderator removes the item: from then on only moderators see it.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    MODERATOR = "moderator", "Moderator"
    OWNER = "owner", "Owner"


class Membership(models.Model):
    """Who belongs to a community, in which role, since when.

    The access policy reads the community's role groups (guardian); the
    membership services keep this row and the groups in step.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("joined_at",)
        constraints = [models.UniqueConstraint(fields=["community", "member"], name="one_membership_per_community")]

    def __str__(self) -> str:
        return f"{self.member} in {self.community} ({self.role})"


class Ban(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="bans")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=1000)
    banned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "member"], name="one_ban_per_community")]

    def __str__(self) -> str:
        return f"{self.member} banned from {self.community}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"], condition=models.Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} asks to join {self.community}"


class Invitation(models.Model):
    """An invitation to a member, or to an e-mail address that has no account yet.

    An address invitation waits until someone verified holds that address
    (confirmed): then it is accepted for them.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Withdrawn"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["community", "email"], condition=models.Q(status="pending"), name="one_pending_invitation"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email} for {self.community}"


class ActivityEvent(models.Model):
    """One line of a community's activity feed.

    Every content type records its events the same way: the community, the
    actor, the verb and the item (content type and id). Nothing of the item is
    copied: the feed shows it only while the member may see it, with its title,
    link and marking read through the content registry when the feed is shown.
    """

    class Verb(models.TextChoices):
        CREATED_COMMUNITY = "created_community", "created the community"
        JOINED = "joined", "joined"
        POSTED = "posted", "posted"
        REPLIED = "replied", "replied to"
        EDITED = "edited", "edited"
        ADDED = "added", "added"
        SHARED = "shared", "shared"
        PUBLISHED = "published", "published"
        DECIDED = "decided", "decided on"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=30, choices=Verb.choices)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Filled in when the feed is shown (``communities.selectors.with_targets``), never stored.
    target_label: str = ""
    target_url: str = ""
    target_marking: Marking | None = None

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_verb_display()} in {self.community_id}"
