"""Forms of the verifier's pages. They only parse input; decisions go through ``verification.services``."""

from typing import Any

from django import forms

from verification.models import AffiliationType, AuditEvent, Discipline, Marking, VerificationApplication
from verification.selectors import ALL, OPEN, AuditFilters, QueueFilters, grantable_markings

ANY = ("", "Any")

STATUS_CHOICES = [
    (OPEN, "Open (waiting or more information requested)"),
    (ALL, "All"),
    *VerificationApplication.Status.choices,
]
FLAGGED_CHOICES = [ANY, ("yes", "Matched a domain rule"), ("no", "No domain rule matched")]


class DateInput(forms.DateInput):
    input_type = "date"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    sponsor_answer = forms.ChoiceField(
        label="Sponsor answer", choices=[ANY, *VerificationApplication.SponsorAnswer.choices], required=False
    )
    flagged = forms.ChoiceField(label="Domain rule", choices=FLAGGED_CHOICES, required=False)
    affiliation_type = forms.ChoiceField(label="Affiliation", choices=[ANY, *AffiliationType.choices], required=False)
    discipline = forms.ChoiceField(choices=[ANY, *Discipline.choices], required=False)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Name, e-mail or organisation.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filters(self) -> QueueFilters:
        """The filters to apply; the default (open applications) when the form is not valid."""
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        flagged = {"yes": True, "no": False}.get(data["flagged"])
        return QueueFilters(
            status=data["status"] or OPEN,
            sponsor_answer=data["sponsor_answer"],
            flagged=flagged,
            affiliation_type=data["affiliation_type"],
            discipline=data["discipline"],
            search=data["q"],
        )


class ApproveForm(forms.Form):
    markings = forms.ModelMultipleChoiceField(
        label="Marking authorisations",
        queryset=Marking.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every verified member sees unmarked material. Tick each marking this member may also see.",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the decision for other verifiers.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["markings"].queryset = grantable_markings()  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The applicant receives this reason by e-mail.",
        error_messages={"required": "Give the applicant a reason."},
    )


class MoreInformationForm(forms.Form):
    question = forms.CharField(
        label="Question for the applicant",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The applicant receives this by e-mail, edits their application and submits it again.",
        error_messages={"required": "Ask the applicant a question."},
    )


DECISION_FORMS: dict[str, type[forms.Form]] = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "more_info": MoreInformationForm,
}


class StandingForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("reinstate", "Reinstate")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log.",
        error_messages={"required": "Give a reason."},
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[ANY, *AuditEvent.Action.choices], required=False)
    actor_email = forms.CharField(label="Actor e-mail", required=False, max_length=254, help_text="Part of it will do.")
    target_type = forms.CharField(
        label="Target type", required=False, max_length=100, help_text="For example verification.Member."
    )
    target_id = forms.CharField(label="Target id", required=False, max_length=64)
    marking = forms.ModelChoiceField(
        queryset=Marking.objects.none(), to_field_name="slug", required=False, empty_label="Any"
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput, help_text="Both days included.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = Marking.objects.order_by("rank", "slug")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> AuditFilters:
        """Call only on a valid form."""
        data = self.cleaned_data
        marking: Marking | None = data["marking"]
        return AuditFilters(
            action=data["action"],
            actor_email=data["actor_email"].strip(),
            target_type=data["target_type"].strip(),
            target_id=data["target_id"].strip(),
            marking=marking.slug if marking is not None else "",
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
