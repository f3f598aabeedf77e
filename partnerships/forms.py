"""Forms of the partnership pages. They parse what was typed; the services decide, and a refusal is shown on
the form (``muster.forms.add_service_error``) with everything typed kept."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from taggit.forms import TagField

from communities.models import Community
from partnerships.guidance import EXAMPLE_TASKS, OTHER_CATEGORY, PRIVATE_CATEGORIES, PUBLIC_CATEGORIES
from partnerships.models import (
    SCORE_MAX,
    SCORE_MIN,
    CommonIssue,
    Goal,
    Hazard,
    HazardCategory,
    InvitationState,
    Need,
    NeedArea,
    Output,
    Priority,
    Resource,
    ResourceCategory,
    ResourceKind,
    Sector,
    StepState,
    TaskState,
)
from partnerships.services.inventory import RESOURCE_FIELDS
from verification.models import Marking, Member


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class MarkingField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, markings: QuerySet[Marking], **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=markings, **kwargs)


TAGS_HELP = "Separate tags with commas, e.g. sheltering, generators."


class PartnershipEditForm(forms.Form):
    """What a co-lead changes of the partnership (the community stays)."""

    title = forms.CharField(max_length=200, error_messages={"required": "Give the partnership a name."})
    jurisdiction = forms.CharField(
        max_length=200,
        help_text="The county, city or region the partnership serves.",
        error_messages={"required": "Give the jurisdiction it serves."},
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=4000)
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class PartnershipForm(PartnershipEditForm):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), empty_label=None)
    field_order = ("community", "title", "jurisdiction", "description", "tags", "marking")

    def __init__(self, *args: Any, communities: QuerySet[Community], markings: QuerySet[Marking], **kwargs: Any):
        super().__init__(*args, markings=markings, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class CoLeadForm(forms.Form):
    member = MemberChoiceField(queryset=Member.objects.none(), label="Participant")

    def __init__(self, *args: Any, candidates: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any member may be typed (a stale page, a crafted post): the service says who cannot be co-lead.
        self.fields["member"].queryset = Member.objects.all()  # type: ignore[attr-defined]
        self.fields["member"].choices = [("", "---------")] + [  # type: ignore[attr-defined]
            (member.pk, member.display_name) for member in candidates
        ]


class StepStateForm(forms.Form):
    state = forms.ChoiceField(choices=StepState.choices)


class ApprovalForm(forms.Form):
    output = forms.ChoiceField(choices=Output.choices)


# --- Resources ------------------------------------------------------------------------------------


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    class Meta:
        model = Resource
        fields = RESOURCE_FIELDS
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "availability_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "hours_to_deploy": "How many hours from a request until it is in place.",
            "capacity": "With its unit below: 500 gallons per minute, 40 beds …",
        }

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class ResourceFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    category = forms.ChoiceField(choices=[("", "Any category"), *ResourceCategory.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *ResourceKind.choices], required=False)
    availability = forms.ChoiceField(
        choices=[("", "Any availability"), ("available", "Available"), ("limited", "Limited"),
                 ("committed", "Committed"), ("unavailable", "Unavailable")],
        required=False,
    )  # fmt: skip
    within_hours = forms.IntegerField(required=False, min_value=0, max_value=10_000, label="Deploys within (hours)")


class ResourceImportForm(forms.Form):
    file = forms.FileField(required=False, label="CSV file")
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}), label="…or paste the CSV"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > 2_000_000:
                raise forms.ValidationError("Import at most 2 MB of CSV at a time.")
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text: save it as CSV (UTF-8).") from None
        if not str(cleaned.get("text") or "").strip():
            raise forms.ValidationError("Choose a CSV file or paste its text.")
        return cleaned


# --- Hazards --------------------------------------------------------------------------------------

SCORE_CHOICES = [(score, str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]


class HazardForm(forms.Form):
    title = forms.CharField(max_length=200, label="Hazard")
    category = forms.ChoiceField(choices=HazardCategory.choices)
    # Typed, not chosen, so a score outside 1 to 5 is told as such (and kept on the page).
    likelihood = forms.IntegerField(help_text="1 (rare) to 5 (almost certain)")
    impact = forms.IntegerField(help_text="1 (minor) to 5 (catastrophic)")
    organisations_affected = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in ("likelihood", "impact"):
            score = cleaned.get(field)
            if score is not None and not SCORE_MIN <= score <= SCORE_MAX:
                self.add_error(field, f"Score the {field} from {SCORE_MIN} to {SCORE_MAX} (you typed {score}).")
        return cleaned


# --- Steps 2 and 3 --------------------------------------------------------------------------------

CATEGORY_CHOICES = [
    ("Private and community sector", [(c, c) for c in PRIVATE_CATEGORIES]),
    ("Public sector", [(c, c) for c in PUBLIC_CATEGORIES]),
    ("", [(OTHER_CATEGORY, OTHER_CATEGORY)]),
]


class StakeholderForm(forms.Form):
    sector = forms.ChoiceField(choices=Sector.choices)
    category = forms.ChoiceField(choices=CATEGORY_CHOICES)
    organisation = forms.CharField(max_length=200)
    contact = forms.CharField(max_length=200, required=False, help_text="A name, a phone or an e-mail address.")
    inviter = MemberChoiceField(queryset=Member.objects.none(), required=False, label="Who invites them")

    def __init__(self, *args: Any, participants: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inviter"].queryset = participants  # type: ignore[attr-defined]


class StakeholderStateForm(forms.Form):
    state = forms.ChoiceField(choices=InvitationState.choices)


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200, label="The issue", help_text="Specific, and shared by the group.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CommentForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Your comment")


# --- Step 6 ---------------------------------------------------------------------------------------


class NeedForm(forms.Form):
    title = forms.CharField(max_length=200, label="Need")
    area = forms.ChoiceField(choices=NeedArea.choices)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.MEDIUM)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    hazards = forms.ModelMultipleChoiceField(queryset=Hazard.objects.none(), required=False)
    issues = forms.ModelMultipleChoiceField(queryset=CommonIssue.objects.none(), required=False)
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    def __init__(
        self,
        *args: Any,
        hazards: QuerySet[Hazard],
        issues: QuerySet[CommonIssue],
        markings: QuerySet[Marking],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hazards"].queryset = hazards  # type: ignore[attr-defined]
        self.fields["issues"].queryset = issues  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, label="Goal")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    needs = forms.ModelMultipleChoiceField(queryset=Need.objects.none(), required=False, label="Needs it addresses")
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    def __init__(self, *args: Any, needs: QuerySet[Need], markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), empty_label=None)
    example = forms.ChoiceField(
        choices=[("", "— write your own —"), *((t, t) for t in EXAMPLE_TASKS)],
        required=False,
        label="Start from an example",
        help_text="The partnership model's example tasks; the title below wins when both are given.",
    )
    title = forms.CharField(max_length=200, required=False, label="Task")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = MemberChoiceField(queryset=Member.objects.none())
    co_owner = MemberChoiceField(queryset=Member.objects.none(), required=False, label="Co-owner (the other sector)")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")
    checklist = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One item a line.")
    marking = forms.ModelChoiceField(queryset=Marking.objects.none(), empty_label=None)

    def __init__(
        self,
        *args: Any,
        goals: QuerySet[Goal],
        participants: QuerySet[Member],
        markings: QuerySet[Marking],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        _member_choices(self, ("owner", "co_owner"), participants)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("title") and cleaned.get("example"):
            cleaned["title"] = cleaned["example"]
        if not cleaned.get("title"):
            self.add_error("title", "Name the task, or start from an example.")
        return cleaned


def _member_choices(form: forms.Form, names: tuple[str, ...], participants: QuerySet[Member]) -> None:
    """Any member may be posted: the service says who is not a participant (kept on the page)."""
    choices = [("", "---------")] + [(member.pk, member.display_name) for member in participants]
    for name in names:
        form.fields[name].queryset = Member.objects.all()  # type: ignore[attr-defined]
        form.fields[name].choices = choices  # type: ignore[attr-defined]


class TaskEditForm(forms.Form):
    owner = MemberChoiceField(queryset=Member.objects.none())
    co_owner = MemberChoiceField(queryset=Member.objects.none(), required=False, label="Co-owner (the other sector)")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")

    def __init__(self, *args: Any, participants: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _member_choices(self, ("owner", "co_owner"), participants)


class TaskStateForm(forms.Form):
    state = forms.ChoiceField(choices=TaskState.choices)


class ChecklistItemForm(forms.Form):
    text = forms.CharField(max_length=200, label="Add a checklist item")
