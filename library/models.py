from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import CommunityContent


class Document(CommunityContent):
    """A document in a community's library. Files and versions hang off it."""

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title


class DocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
