"""A member's saved items: personal bookmarks of any registered content type.

The table was created by ``library`` and keeps its name (a state-only move).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class SavedItem(models.Model):
    """A member's personal bookmark of any item they can see (a thread, a page, a document, a link).

    It shows only while the member may still see the item, under the item's
    title as it is now (read through the content registry)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_items")
    item_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    item_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "library_saveditem"
        ordering = ("-created_at",)
        constraints = [models.UniqueConstraint(fields=["member", "item_type", "item_id"], name="save_an_item_once")]

    def __str__(self) -> str:
        return f"{self.member} saved {self.label}"
