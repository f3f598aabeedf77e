"""Forms for the Congress pages: they parse what a member typed; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from taggit.forms import TagField

from blueprint.forms import BODY_HELP, TAGS_HELP
from blueprint.models import BODY_MAX, IDEA_TEXT_MAX, NOTE_MAX, PLACE_MAX, TITLE_MAX, CongressRole, Entry, SectionKind
from blueprint.services import IdeaDecision
from communities.models import Community
from muster.revisions import COMMENT_MAX, reject_conflict_markers
from verification.models import Marking, Member


class CongressForm(forms.Form):
    year = forms.IntegerField(label="Year", min_value=1900, max_value=3000)
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="Place", max_length=PLACE_MAX)


class AppointForm(forms.Form):
    member = forms.ModelChoiceField(label="Member", queryset=Member.objects.none())
    role = forms.ChoiceField(label="Role", choices=CongressRole.choices)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members.order_by("last_name", "first_name", "pk")  # type: ignore[attr-defined]


class IdeaForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    problem = forms.CharField(
        label="The problem",
        max_length=IDEA_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What goes wrong in the first 72 hours, and for whom.",
    )
    proposal = forms.CharField(
        label="What you propose",
        max_length=IDEA_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="How the private and community sectors can help; who does what.",
    )
    challenges = forms.ModelMultipleChoiceField(
        label="Blueprint challenges it addresses",
        queryset=Entry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    community = forms.ModelChoiceField(label="Your community", queryset=Community.objects.none())
    marking = forms.ModelChoiceField(label="Marking", queryset=Marking.objects.none())
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)

    def __init__(
        self,
        *args: Any,
        challenges: QuerySet[Entry],
        communities: QuerySet[Community],
        markings: QuerySet[Marking],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("challenges", challenges), ("community", communities), ("marking", markings)):
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class IdeaReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=IdeaDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason (when not accepted)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IdeaNoteForm(forms.Form):
    text = forms.CharField(
        label="Private note for the editors", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportStartForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    community = forms.ModelChoiceField(label="Community", queryset=Community.objects.none())
    marking = forms.ModelChoiceField(label="Marking", queryset=Marking.objects.none())

    def __init__(
        self, *args: Any, communities: QuerySet[Community], markings: QuerySet[Marking], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of section", choices=SectionKind.choices)
    title = forms.CharField(label="Heading", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Text",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=BODY_HELP,
    )


class SectionEditForm(forms.Form):
    title = forms.CharField(label="Heading", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Text",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=BODY_HELP,
    )
    comment = forms.CharField(label="What you changed", required=False, max_length=COMMENT_MAX)
    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_body(self) -> str:
        return reject_conflict_markers(self.cleaned_data["body"])


class ReportCommentForm(forms.Form):
    text = forms.CharField(label="Comment", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    section = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TagsForm(forms.Form):
    """An idea's or the barriers report's tags, set from its page."""

    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
