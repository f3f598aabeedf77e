"""The National Blueprint: challenges of the first 72 hours, the solutions that address them, the tools that
implement them, the reports that evaluate them, and the communities' cases that demonstrate them.

Every entry is community content (``CommunityContent``): it lives in a community, "National Blueprint"
(open, ``BLUEPRINT_COMMUNITY_SLUG``) by default, or in any other community its author may post in, and
the access rule reads it like every other type. A proposed entry is restricted (``is_restricted``) to its
author and the Blueprint editors until an editor publishes it; an edit of a published entry waits as an
``EditProposal`` until an editor publishes it as the entry's next revision.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import CommunityContent
from muster import revisions

BLUEPRINT_COMMUNITY_SLUG = "national-blueprint"
TITLE_MAX = revisions.TITLE_MAX
BODY_MAX = revisions.BODY_MAX
SUMMARY_MAX = 1_000
PURPOSE_MAX = 4_000
NOTE_MAX = 2_000


class Kind(models.TextChoices):
    CHALLENGE = "challenge", "Challenge"
    SOLUTION = "solution", "Solution"
    TOOL = "tool", "Tool"
    REPORT = "report", "Report"
    CASE = "case", "Best practice case"


class Status(models.TextChoices):
    """Where an entry, or a proposed edit of one, stands with the editors."""

    PROPOSED = "proposed", "Waiting for an editor"
    RETURNED = "returned", "Sent back with notes"
    DECLINED = "declined", "Declined"
    PUBLISHED = "published", "Published"


class Evidence(models.TextChoices):
    ANECDOTE = "anecdote", "Anecdote"
    CASE = "case", "Case"
    EVALUATED = "evaluated", "Evaluated"


class Sector(models.TextChoices):
    PUBLIC = "public", "Public sector"
    PRIVATE = "private", "Private sector"
    COMMUNITY = "community", "Community sector"


class Window(models.TextChoices):
    """The time window after the onset of a crisis that an entry serves."""

    FIRST = "0-12", "0 to 12 hours"
    SECOND = "12-24", "12 to 24 hours"
    THIRD = "24-72", "24 to 72 hours"


# The boolean column that holds each sector and each window (one column each, so lists filter on them).
SECTOR_FIELDS = {Sector.PUBLIC: "sector_public", Sector.PRIVATE: "sector_private", Sector.COMMUNITY: "sector_community"}
WINDOW_FIELDS = {Window.FIRST: "window_0_12", Window.SECOND: "window_12_24", Window.THIRD: "window_24_72"}


class Hazard(models.Model):
    """A hazard entries concern (hurricane, flood …); staff add more in the admin."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Entry(CommunityContent):
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField("heading", max_length=TITLE_MAX)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(max_length=SUMMARY_MAX)
    # The current text, copied from the newest revision for reading and search.
    body = models.TextField(max_length=BODY_MAX, blank=True)
    body_html = models.TextField(blank=True)
    purpose = models.TextField("purpose and need met", max_length=PURPOSE_MAX, blank=True)
    sector_public = models.BooleanField(default=False)
    sector_private = models.BooleanField(default=False)
    sector_community = models.BooleanField(default=False)
    window_0_12 = models.BooleanField(default=False)
    window_12_24 = models.BooleanField(default=False)
    window_24_72 = models.BooleanField(default=False)
    hazards = models.ManyToManyField(Hazard, blank=True, related_name="entries")
    # A best practice case: where and when it happened.
    place = models.CharField(max_length=200, blank=True)
    occurred_on = models.DateField(null=True, blank=True)
    revision_number = models.PositiveIntegerField(default=0)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    # The editor's notes when sent back, the reason when declined.
    status_note = models.TextField(max_length=NOTE_MAX, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    evidence = models.CharField(max_length=20, choices=Evidence.choices, blank=True)
    review_by = models.DateField(null=True, blank=True)
    # An editor lets anonymous visitors read the heading and summary (verification.policy.public decides).
    summary_public = models.BooleanField(default=False)

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "entries"
        permissions = [("review_entry", "Can review Blueprint entries (a Blueprint editor)")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_due_for_review(self) -> bool:
        return self.is_published and self.review_by is not None and self.review_by < timezone.localdate()

    @property
    def sectors(self) -> list[str]:
        return [sector for sector, field in SECTOR_FIELDS.items() if getattr(self, field)]

    @property
    def windows(self) -> list[str]:
        return [window for window, field in WINDOW_FIELDS.items() if getattr(self, field)]

    def sector_labels(self) -> list[str]:
        return [Sector(sector).label for sector in self.sectors]

    def window_labels(self) -> list[str]:
        return [Window(window).label for window in self.windows]


class EntryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class EntryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class EntryRevision(revisions.Revision):
    """A published state of an entry (numbering, merging and diffs: ``muster.revisions``), with the
    summary, purpose and facets (sectors, windows, hazards, place, date, tags) it had."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    summary = models.TextField(max_length=SUMMARY_MAX)
    purpose = models.TextField(max_length=PURPOSE_MAX, blank=True)
    facets = models.JSONField(default=dict)

    class Meta:
        ordering = ("-number",)
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="entry_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.entry} r{self.number}"


class EditProposal(models.Model):
    """A member's edit of a published entry, made on top of revision ``base_number``, waiting for an editor."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="edit_proposals")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    base_number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.TextField(max_length=SUMMARY_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    purpose = models.TextField(max_length=PURPOSE_MAX, blank=True)
    facets = models.JSONField(default=dict)
    comment = models.CharField(max_length=revisions.COMMENT_MAX, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    editor_note = models.TextField(max_length=NOTE_MAX, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    published_as = models.ForeignKey(EntryRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Edit of {self.entry} on r{self.base_number}"


class Relation(models.TextChoices):
    ADDRESSES = "addresses", "addresses"
    IMPLEMENTS = "implements", "implements"
    EVALUATES = "evaluates", "evaluates"
    DEMONSTRATES = "demonstrates", "demonstrates"


# How each relation reads from its target's side.
INVERSE_LABELS = {
    Relation.ADDRESSES: "addressed by",
    Relation.IMPLEMENTS: "implemented by",
    Relation.EVALUATES: "evaluated by",
    Relation.DEMONSTRATES: "demonstrated by",
}
# The kinds each relation may link, from source to target. A report may evaluate another report (a review
# of an evaluation), so ``evaluates`` is the relation in which a cycle could form; the services refuse it.
ALLOWED_LINKS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Relation.ADDRESSES: (frozenset({Kind.SOLUTION}), frozenset({Kind.CHALLENGE})),
    Relation.IMPLEMENTS: (frozenset({Kind.TOOL}), frozenset({Kind.SOLUTION})),
    Relation.EVALUATES: (frozenset({Kind.REPORT}), frozenset({Kind.TOOL, Kind.SOLUTION, Kind.REPORT})),
    Relation.DEMONSTRATES: (frozenset({Kind.CASE}), frozenset({Kind.SOLUTION})),
}


class EntryLink(models.Model):
    """A typed link between two entries ("this solution addresses that challenge"), shown on both."""

    source = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("relation", "pk")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relation"], name="entry_link_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="entry_link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id}"


class AttachmentRole(models.TextChoices):
    ATTACHMENT = "attachment", "Attachment"
    WHITE_PAPER = "white_paper", "White paper"


class EntryAttachment(models.Model):
    """A document or link from a community's library attached to an entry (an attachment or a white paper).

    The file stays where it was shared, under its own marking and community: a reader of the entry sees the
    attachment only while the access rule lets them see the item itself (``policy.resolve_reference``)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    item_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    item_id = models.PositiveBigIntegerField()
    role = models.CharField(max_length=20, choices=AttachmentRole.choices, default=AttachmentRole.ATTACHMENT)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("role", "created_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["entry", "item_type", "item_id"], name="entry_attachment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.entry_id}"


# --- The National Congress -----------------------------------------------------------------------------

IDEA_TEXT_MAX = 10_000
PLACE_MAX = 200


class Congress(models.Model):
    """One year's edition of the National Congress: its dates and place. Every verified member sees the
    Congress and its delegates; its ideas are community content and follow the access rule."""

    year = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=TITLE_MAX)
    starts_on = models.DateField()
    ends_on = models.DateField()
    place = models.CharField(max_length=PLACE_MAX)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-year",)
        verbose_name_plural = "congresses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="congress_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def takes_ideas(self) -> bool:
        """Delegates submit ideas before the Congress opens."""
        return timezone.localdate() < self.starts_on


class CongressRole(models.TextChoices):
    DELEGATE = "delegate", "Delegate"
    ALTERNATE = "alternate", "Alternate"


class Delegate(models.Model):
    """A member's role at one edition of the Congress (delegate or alternate), given by an editor or staff."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="congress_roles")
    role = models.CharField(max_length=20, choices=CongressRole.choices, default=CongressRole.DELEGATE)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("role", "pk")
        constraints = [models.UniqueConstraint(fields=["congress", "member"], name="one_role_per_congress")]

    def __str__(self) -> str:
        return f"{self.member} ({self.role}) at {self.congress}"


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"
    IN_BLUEPRINT = "in_blueprint", "In the Blueprint"


class Idea(CommunityContent):
    """A delegate's idea for the Congress, in their community and under its marking (the access rule reads it
    like every other type). Accepted, it becomes a proposed Solution entry (``solution``)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(max_length=TITLE_MAX)
    problem = models.TextField(max_length=IDEA_TEXT_MAX)
    proposal = models.TextField(max_length=IDEA_TEXT_MAX)
    challenges = models.ManyToManyField(Entry, blank=True, related_name="congress_ideas")
    status = models.CharField(max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED, db_index=True)
    # Why it was not accepted (required then); the delegate reads it.
    status_reason = models.TextField(max_length=NOTE_MAX, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    solution = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_ideas")

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.title


class IdeaUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Idea, on_delete=models.CASCADE)


class IdeaGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Idea, on_delete=models.CASCADE)


class IdeaNote(models.Model):
    """An editor's private note on an idea: only Blueprint editors read them."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="editor_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=NOTE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Note on {self.idea_id}"


class Endorsement(models.Model):
    """Another delegate (or alternate) of the same edition backs an idea: one per delegate per idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="endorsements")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="one_endorsement_per_delegate")]

    def __str__(self) -> str:
        return f"{self.member_id} endorses {self.idea_id}"


# --- The barriers report ----------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft (delegates and editors)"
    PUBLISHED = "published", "Published to members"


class SectionKind(models.TextChoices):
    BARRIER = "barrier", "Barrier to preparedness"
    RECOMMENDATION = "recommendation", "Legislative recommendation"
    OTHER = "other", "Introduction or other"


class BarriersReport(CommunityContent):
    """After the Congress, its delegates write the report on barriers to preparedness and the legislation that
    would remove them, together. A draft is restricted to the edition's delegates and alternates and the
    Blueprint editors; published, it is read by every member the access rule admits."""

    congress = models.OneToOneField(Congress, on_delete=models.CASCADE, related_name="barriers_report")
    title = models.CharField(max_length=TITLE_MAX)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # Every section's heading and text, copied on each section's save, for search (``search_fields``).
    sections_html = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.title


class BarriersReportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(BarriersReport, on_delete=models.CASCADE)


class BarriersReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(BarriersReport, on_delete=models.CASCADE)


class ReportSection(models.Model):
    """One section of the report (a barrier, a recommendation …); its text keeps revisions."""

    report = models.ForeignKey(BarriersReport, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.BARRIER)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField("heading", max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    body_html = models.TextField(blank=True)
    revision_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.title


class SectionRevision(revisions.Revision):
    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="revisions")

    class Meta:
        ordering = ("-number",)
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="section_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.section} r{self.number}"


class ReportComment(models.Model):
    report = models.ForeignKey(BarriersReport, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(ReportSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=NOTE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Comment on {self.report_id}"


# --- Pilot-community templates ------------------------------------------------------------------------

STEP_MAX = 300
ROLE_MAX = 120
DUTY_MAX = 300
LOCALE_MAX = 120
BOARD_NAME_MAX = 80


class PilotTemplate(CommunityContent):
    """A template for a local pilot project: the Blueprint solutions and tools it puts to work, a checklist of
    steps, the roles to fill and the wiki pages a pilot starts from. Editors write it; a locale variant
    (``based_on`` and ``locale``) is a copy customised for one place. Community content: the access rule
    reads it like every other type."""

    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(max_length=SUMMARY_MAX)
    # The place this variant is customised for ("Gulf Coast, Texas"); blank for the national template.
    locale = models.CharField(max_length=LOCALE_MAX, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="locale_variants"
    )
    entries = models.ManyToManyField(Entry, blank=True, related_name="pilot_templates")
    board_name = models.CharField(max_length=BOARD_NAME_MAX, default="Pilot planning")

    class Meta:
        ordering = ("title", "locale", "pk")

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})" if self.locale else self.title


class PilotTemplateUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PilotTemplate, on_delete=models.CASCADE)


class PilotTemplateGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PilotTemplate, on_delete=models.CASCADE)


class TemplateStep(models.Model):
    """One step of a template's checklist; a pilot copies them as its tasks."""

    template = models.ForeignKey(PilotTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=STEP_MAX)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.text


class TemplateRole(models.Model):
    """A role a pilot must fill (a public co-lead, a private co-lead …) and what it does."""

    template = models.ForeignKey(PilotTemplate, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=ROLE_MAX)
    duty = models.CharField(max_length=DUTY_MAX, blank=True)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class TemplatePage(models.Model):
    """A wiki page a pilot starts from (Markdown)."""

    template = models.ForeignKey(PilotTemplate, on_delete=models.CASCADE, related_name="pages")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.title


class Pilot(models.Model):
    """A local pilot started from a template: its own community (owned by the member who started it), with the
    template's wiki pages, a board, and the checklist as tasks. Seen by whoever may see its community's
    content (the access rule of communities)."""

    template = models.ForeignKey(PilotTemplate, null=True, on_delete=models.SET_NULL, related_name="pilots")
    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="pilot")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return f"Pilot {self.community_id}"


class PilotTask(models.Model):
    """A checklist step of one pilot; members of the pilot's community tick it (who and when are kept)."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=STEP_MAX)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.text


class PilotRole(models.Model):
    """A role the pilot must fill, copied from its template; a member of the pilot takes it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=ROLE_MAX)
    duty = models.CharField(max_length=DUTY_MAX, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name
