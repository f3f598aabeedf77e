from django.conf import settings
from django.contrib.auth.models import Group
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

    name = models.CharField(max_length=120)
    slug = models.SlugField("address", max_length=60, unique=True)
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
    search and notifications read all of them the same way."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marking = models.ForeignKey(Marking, on_delete=models.PROTECT, related_name="+")
    # When set, only members granted ``view_<model>`` on this item (directly or
    # through a group) may see it, on top of the community rule.
    is_restricted = models.BooleanField(default=False)
    tags = TaggableManager(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
