import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
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


def version_storage_name(instance: "DocumentVersion", filename: str) -> str:
    """Stored files get random names with no extension: the original name lives in the database."""
    return f"documents/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    class ScanStatus(models.TextChoices):
        NOT_SCANNED = "not_scanned", "Not scanned (no virus scanner configured)"
        CLEAN = "clean", "Scanned: clean"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_storage_name, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices)
    scan_detail = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The words inside the file, read once after upload (library.tasks.extract_version_text), for search.
    text = models.TextField(blank=True)
    text_extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-number",)
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class QuarantinedUpload(models.Model):
    """An upload the virus scanner flagged. Its file is kept apart and never served."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Quarantined {self.original_name}: {self.detail}"


class Bookmark(CommunityContent):
    """A link shared with a community. One per address per community."""

    url = models.URLField(max_length=2000)
    normalized_url = models.CharField(max_length=2000)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["community", "normalized_url"], name="bookmark_url_unique_in_community")
        ]

    def __str__(self) -> str:
        return self.title


class BookmarkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Bookmark, on_delete=models.CASCADE)


class BookmarkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Bookmark, on_delete=models.CASCADE)
