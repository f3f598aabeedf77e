"""The search index: one row of words per searchable item and per member.

Rows are written from the content registry (``search.index``), never by a
content app. Whether a member may find a row is not stored here: every search
joins the rows back to their items through the access policy. The words are
indexed by the database itself: on PostgreSQL a trigger keeps ``search_vector``
(weighted by field) current, on SQLite triggers keep an FTS5 table current
(migration 0002).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from communities.models import Community
from verification.models import Marking


class SearchEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # The word of ``type:`` (thread, post, page, document, link, message, member).
    search_type = models.CharField(max_length=20)
    # What a result shows as its title (a post shows its thread's), and the searched fields by weight.
    heading = models.CharField(max_length=300)
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # For facets and operators only; who may find the row is decided by the policy on the item.
    community = models.ForeignKey(Community, null=True, on_delete=models.CASCADE, related_name="+")
    marking = models.ForeignKey(Marking, null=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    discipline = models.CharField(max_length=30, blank=True)
    published_at = models.DateTimeField(null=True)
    # PostgreSQL only: kept current by the trigger of migration 0002 (empty on SQLite, whose FTS5 table
    # holds the words).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_entry_item_unique"),
        ]
        indexes = [models.Index(fields=["search_type", "-published_at"], name="search_entry_type_date")]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.search_type} {self.object_id}: {self.heading}"
