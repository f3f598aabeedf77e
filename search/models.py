"""The search index: one row of words per searchable item and per member.

Rows are written from the content registry (``search.index``), never by a
content app. Each row carries its item's access keys (``AccessKeys``), so a
search asks the policy which rows the member may find over those columns
(``policy.filter_visible_by_keys``) instead of joining every row back to its
item. The words are indexed by the database itself: on PostgreSQL a trigger
keeps ``search_vector`` (weighted by field) and ``title_vector`` current, on
SQLite triggers keep an FTS5 table current (migrations 0002 and 0005).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from verification.models import AccessKeys, Marking


class SearchEntry(AccessKeys):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # The word of ``type:`` (thread, post, page, document, link, message, member).
    search_type = models.CharField(max_length=20)
    # What a result shows as its title (a post shows its thread's), and the searched fields by weight.
    heading = models.CharField(max_length=300)
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # For facets, operators and banners (the marking that governs the item when it was indexed); who may
    # find the row is decided by the policy over the access keys.
    marking = models.ForeignKey(Marking, null=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    discipline = models.CharField(max_length=30, blank=True)
    published_at = models.DateTimeField(null=True)
    # The item's tags by id, for the tag facet (read with the row, without a join).
    tag_ids = models.JSONField(default=list)
    # PostgreSQL only: kept current by the trigger of migration 0002 (empty on SQLite, whose FTS5 table
    # holds the words).
    search_vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only, by the same trigger: the title's words alone, so a search can put title matches
    # first without reading every match's whole vector.
    title_vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only, by the same trigger: the quarter of ``published_at``, which leads the GIN indexes
    # (migration 0006), so a search reads the newest quarters' matches first.
    period = models.IntegerField(null=True, editable=False)
    # PostgreSQL only, by the same trigger: the pairs of words standing next to each other (``mutual_aid``),
    # through which a quoted phrase is found.
    phrase_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_entry_item_unique"),
        ]
        indexes = [
            models.Index(fields=["search_type", "-published_at"], name="search_entry_type_date"),
            models.Index(fields=["period"], name="search_entry_period"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.search_type} {self.object_id}: {self.heading}"
