"""The partnership workspace: a public-private partnership built through the six steps of the partnership
model (``partnerships.guidance``), with its community resource inventory, hazard register and plan.

A ``Partnership`` belongs to a community, whose members are its participants; it is community content, and so
are the records people search and follow on their own: resources, hazards, needs, goals and tasks. Each of
those carries its own marking, never lower than its partnership's (a resource may be FOUO, the location of a
critical asset), and the access rule reads every one of them through the content registry.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import CommunityContent

TITLE_MAX = 200
TEXT_MAX = 4_000
SCORE_MIN, SCORE_MAX = 1, 5


class Sector(models.TextChoices):
    PUBLIC = "public", "Public sector"
    PRIVATE = "private", "Private or community sector"


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Output(models.TextChoices):
    """What the partnership publishes: each needs the approval of both co-leads."""

    SUMMARY = "summary", "Partnership summary"
    PLAN = "plan", "Sustainability plan"


class Partnership(CommunityContent):
    title = models.CharField(max_length=TITLE_MAX)
    jurisdiction = models.CharField(max_length=200)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    public_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    private_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("title", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def has_both_leads(self) -> bool:
        return self.public_lead_id is not None and self.private_lead_id is not None

    def is_co_lead(self, member_id: int | None) -> bool:
        return member_id is not None and member_id in (self.public_lead_id, self.private_lead_id)


class PartnershipUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Partnership, on_delete=models.CASCADE)


class PartnershipGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Partnership, on_delete=models.CASCADE)


class Step(models.Model):
    """Where one of the six steps stands. Contributions move a step from not started to in progress; a co-lead
    marks it done (step 1 only once both co-leads are in place)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(6)])
    state = models.CharField(max_length=20, choices=StepState.choices, default=StepState.NOT_STARTED)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("number",)
        constraints = [models.UniqueConstraint(fields=["partnership", "number"], name="one_step_per_number")]

    def __str__(self) -> str:
        return f"Step {self.number} of {self.partnership_id}"


class Approval(models.Model):
    """A co-lead approves an output (the summary, the plan). It is published when both current co-leads have."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="approvals")
    output = models.CharField(max_length=20, choices=Output.choices)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("approved_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "output", "member"], name="one_approval_per_co_lead")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} approves {self.output} of {self.partnership_id}"


# --- Step 2: bring others to the table ---------------------------------------------------------------


class InvitationState(models.TextChoices):
    TO_INVITE = "to_invite", "To invite"
    INVITED = "invited", "Invited"
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"


class Stakeholder(models.Model):
    """An organisation on the invitation list, in one of the seed's stakeholder categories."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stakeholders")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    category = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200)
    contact = models.CharField(max_length=200, blank=True)
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=20, choices=InvitationState.choices, default=InvitationState.TO_INVITE)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("sector", "category", "organisation", "pk")

    def __str__(self) -> str:
        return self.organisation


# --- Step 3: common issues ---------------------------------------------------------------------------


class CommonIssue(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.title


class IssueVote(models.Model):
    issue = models.ForeignKey(CommonIssue, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "member"], name="one_vote_per_participant")]

    def __str__(self) -> str:
        return f"{self.member_id} votes for {self.issue_id}"


class IssueComment(models.Model):
    """The discussion of a common issue, kept inside the partnership (features never import each other)."""

    issue = models.ForeignKey(CommonIssue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Comment on {self.issue_id}"


# --- Step 4: the community resource inventory ---------------------------------------------------------


class ResourceCategory(models.TextChoices):
    """NIMS resource-typing categories (the disciplines that type resources)."""

    ANIMAL = "animal", "Animal emergency response"
    COMMUNICATIONS = "communications", "Communications"
    EMS = "ems", "Emergency medical services"
    MANAGEMENT = "management", "Emergency management"
    FIRE = "fire", "Fire / hazardous materials"
    HEALTH = "health", "Public health and medical"
    INFRASTRUCTURE = "infrastructure", "Infrastructure systems"
    LAW = "law", "Law enforcement and security"
    LOGISTICS = "logistics", "Logistics and supply"
    MASS_CARE = "mass_care", "Mass care services"
    PUBLIC_WORKS = "public_works", "Public works"
    SEARCH_RESCUE = "search_rescue", "Search and rescue"
    TRANSPORTATION = "transportation", "Transportation"
    OTHER = "other", "Other"


class ResourceKind(models.TextChoices):
    """NIMS resource kinds."""

    PERSONNEL = "personnel", "Personnel"
    TEAM = "team", "Team"
    EQUIPMENT = "equipment", "Equipment"
    SUPPLIES = "supplies", "Supplies"
    FACILITY = "facility", "Facility"
    VEHICLE = "vehicle", "Vehicle"


class ResourceType(models.TextChoices):
    """NIMS type: the capability level within a kind (Type 1 the highest)."""

    TYPE_1 = "1", "Type 1"
    TYPE_2 = "2", "Type 2"
    TYPE_3 = "3", "Type 3"
    TYPE_4 = "4", "Type 4"
    UNTYPED = "untyped", "Not typed"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    LIMITED = "limited", "Limited"
    COMMITTED = "committed", "Committed"
    UNAVAILABLE = "unavailable", "Unavailable"


# Who can provide what within 72 hours: these count as able to deploy.
DEPLOYABLE = (Availability.AVAILABLE, Availability.LIMITED)
FIRST_HOURS = 72


class Resource(CommunityContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=TITLE_MAX)
    category = models.CharField(max_length=30, choices=ResourceCategory.choices)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    resource_type = models.CharField("NIMS type", max_length=10, choices=ResourceType.choices, default="untyped")
    capacity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    capacity_unit = models.CharField(max_length=60, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    location = models.CharField("location (address or area)", max_length=300)
    owner_organisation = models.CharField(max_length=200)
    contact = models.CharField(max_length=200, blank=True)
    conditions = models.TextField("conditions of use", max_length=TEXT_MAX, blank=True)
    hours_to_deploy = models.PositiveIntegerField()
    availability = models.CharField(max_length=20, choices=Availability.choices, default=Availability.AVAILABLE)
    availability_on = models.DateField("availability as of", default=timezone.localdate)

    class Meta:
        ordering = ("category", "name", "pk")

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.name


class ResourceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Resource, on_delete=models.CASCADE)


class ResourceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Resource, on_delete=models.CASCADE)


class ResourceChange(models.Model):
    """Every change to a resource: who, when, and each field's value before and after."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        IMPORTED = "imported", "Imported"
        CHANGED = "changed", "Changed"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    # {field: [before, after]} as text
    fields = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.action} {self.resource_id}"


# --- Step 5: hazards and challenges -------------------------------------------------------------------


class HazardCategory(models.TextChoices):
    NATURAL = "natural", "Natural"
    TECHNOLOGICAL = "technological", "Technological"
    HUMAN_CAUSED = "human_caused", "Human-caused"


score_validators = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


class Hazard(CommunityContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="hazards")
    title = models.CharField(max_length=TITLE_MAX)
    category = models.CharField(max_length=20, choices=HazardCategory.choices)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    impact = models.PositiveSmallIntegerField(validators=score_validators)
    organisations_affected = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ("title", "pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="likelihood_1_5"),
            models.CheckConstraint(condition=models.Q(impact__gte=1, impact__lte=5), name="impact_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class HazardUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Hazard, on_delete=models.CASCADE)


class HazardGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Hazard, on_delete=models.CASCADE)


# --- Step 6: needs, goals and tasks -------------------------------------------------------------------


class NeedArea(models.TextChoices):
    PLANNING = "planning", "Planning"
    MITIGATION = "mitigation", "Mitigation"
    RESPONSE = "response", "Response"
    RECOVERY = "recovery", "Recovery"


class Priority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class Need(CommunityContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(max_length=TITLE_MAX)
    area = models.CharField(max_length=20, choices=NeedArea.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    hazards = models.ManyToManyField(Hazard, blank=True, related_name="needs")
    issues = models.ManyToManyField(CommonIssue, blank=True, related_name="needs")

    class Meta:
        ordering = ("priority", "title", "pk")

    def __str__(self) -> str:
        return self.title


class NeedUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Need, on_delete=models.CASCADE)


class NeedGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Need, on_delete=models.CASCADE)


class Goal(CommunityContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="goals")

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.title


class GoalUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Goal, on_delete=models.CASCADE)


class GoalGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Goal, on_delete=models.CASCADE)


class TaskState(models.TextChoices):
    TO_DO = "to_do", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Task(CommunityContent):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    co_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.TO_DO)
    # When the owners were told it is overdue (once per task; a new due date clears it).
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("due_on", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state != TaskState.DONE and self.due_on < timezone.localdate()


class TaskUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)


class TaskGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)


class ChecklistItem(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(max_length=TITLE_MAX)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.text
