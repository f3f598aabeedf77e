"""Community wikis: pages in a tree, every save a revision."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import CommunityContent
from muster import revisions

TITLE_MAX = revisions.TITLE_MAX
BODY_MAX = revisions.BODY_MAX


class WikiPage(CommunityContent):
    class EditPolicy(models.TextChoices):
        MEMBERS = "members", "Any member of the community"
        MODERATORS = "moderators", "Moderators only"

    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    edit_policy = models.CharField(max_length=20, choices=EditPolicy.choices, default=EditPolicy.MEMBERS)
    # The current text, copied from the newest revision for reading and search.
    body = models.TextField(max_length=BODY_MAX, blank=True)
    body_html = models.TextField(blank=True)
    toc_html = models.TextField(blank=True)
    revision_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("title",)
        constraints = [models.UniqueConstraint(fields=["community", "slug"], name="wiki_slug_unique_in_community")]

    def __str__(self) -> str:
        return self.title


class WikiPageUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(WikiPage, on_delete=models.CASCADE)


class WikiPageGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(WikiPage, on_delete=models.CASCADE)


class Revision(revisions.Revision):
    """A saved state of a page (numbering, merging and diffs: ``muster.revisions``)."""

    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="revisions")

    class Meta:
        ordering = ("-number",)
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="revision_number_unique_per_page")]

    def __str__(self) -> str:
        return f"{self.page} r{self.number}"
