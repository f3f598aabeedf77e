"""Forms for the Blueprint's pages: they parse what a member typed; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from taggit.forms import TagField

from blueprint.models import (
    BODY_MAX,
    NOTE_MAX,
    PURPOSE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    AttachmentRole,
    Entry,
    Evidence,
    Hazard,
    Kind,
    Relation,
    Sector,
    Window,
)
from blueprint.services import Decision, Facets, default_review_by, facets_from
from communities.models import Community
from muster.revisions import reject_conflict_markers
from verification.models import Marking

BODY_HELP = "Markdown: # Heading, **bold**, - lists, [text](https://…)."
TAGS_HELP = "Separate tags with commas, e.g. sheltering, generators."


class _EntryTextForm(forms.Form):
    """The fields a proposal and an edit share: the text and what the entry is about."""

    title = forms.CharField(label="Heading", max_length=TITLE_MAX)
    summary = forms.CharField(
        label="Summary",
        max_length=SUMMARY_MAX,
        help_text="A few sentences readers see first (and, if an editor makes it public, the public too).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    purpose = forms.CharField(
        label="Purpose and need met",
        required=False,
        max_length=PURPOSE_MAX,
        help_text="What need this solution meets, and for whom.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    body = forms.CharField(
        label="Details",
        required=False,
        max_length=BODY_MAX,
        strip=False,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 14, "class": "wiki-text", "spellcheck": "true"}),
    )
    sectors = forms.MultipleChoiceField(
        label="Sectors involved", required=False, choices=Sector.choices, widget=forms.CheckboxSelectMultiple
    )
    windows = forms.MultipleChoiceField(
        label="Time window it serves", required=False, choices=Window.choices, widget=forms.CheckboxSelectMultiple
    )
    hazards = forms.ModelMultipleChoiceField(
        label="Hazards it concerns",
        required=False,
        queryset=Hazard.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(label="Place", required=False, max_length=200, help_text="Where the case happened.")
    occurred_on = forms.DateField(
        label="Date",
        required=False,
        help_text="When it happened (YYYY-MM-DD).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    comment = forms.CharField(
        label="What did you change?", required=False, max_length=300, help_text="Optional; shown in the history."
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != Kind.SOLUTION:
            del self.fields["purpose"]
        if kind != Kind.CASE:
            del self.fields["place"]
            del self.fields["occurred_on"]

    def clean_body(self) -> str:
        return reject_conflict_markers(self.cleaned_data["body"])

    def facets(self) -> Facets:
        data = self.cleaned_data
        return facets_from(
            sectors=data["sectors"],
            windows=data["windows"],
            hazards=data["hazards"],
            place=data.get("place") or "",
            occurred_on=data.get("occurred_on"),
            tags=data["tags"],
        )

    def text_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "purpose": data.get("purpose") or "",
            "facets": self.facets(),
            "comment": data.get("comment") or "",
        }


def initial_from(title: str, summary: str, body: str, purpose: str, facets: Facets) -> dict[str, Any]:
    """What an edit form starts from: an entry's current text, or a proposal sent back."""
    return {
        "title": title,
        "summary": summary,
        "body": body,
        "purpose": purpose,
        "sectors": list(facets.sectors),
        "windows": list(facets.windows),
        "hazards": list(facets.hazards),
        "place": facets.place,
        "occurred_on": facets.occurred_on,
        "tags": ", ".join(facets.tags),
    }


class EntryProposeForm(_EntryTextForm):
    """A new entry of one kind, in a community the member belongs to, linked to the entries its kind links to."""

    community = forms.ModelChoiceField(
        label="Community", queryset=Community.objects.none(), empty_label=None, help_text="Where the entry lives."
    )
    marking = forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="Only members cleared for this marking will see the entry; a marked entry is never public.",
    )
    links = forms.ModelMultipleChoiceField(
        label="Links", required=False, queryset=Entry.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    field_order = ("title", "summary", "purpose", "body", "links", "sectors", "windows", "hazards", "place")

    def __init__(
        self,
        *args: Any,
        kind: str,
        communities: QuerySet[Community],
        markings: QuerySet[Marking],
        link_targets: QuerySet[Entry],
        link_label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, kind=kind, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        del self.fields["comment"]
        if link_label:
            self.fields["links"].queryset = link_targets  # type: ignore[attr-defined]
            self.fields["links"].label = link_label
        else:
            del self.fields["links"]

    def service_arguments(self) -> dict[str, Any]:
        arguments = self.text_arguments()
        data = self.cleaned_data
        return arguments | {
            "community": data["community"],
            "marking": data["marking"],
            "links": list(data.get("links") or ()),
        }


class EntryEditForm(_EntryTextForm):
    """An edit (a proposal for a published entry, a revision of one's own proposal), made on top of the
    revision the member opened (``base_number``)."""

    base_number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def service_arguments(self) -> dict[str, Any]:
        return self.text_arguments() | {"base_number": self.cleaned_data["base_number"]}


class ReviewForm(forms.Form):
    """An editor's decision on a proposed entry or edit."""

    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, widget=forms.RadioSelect)
    evidence = forms.ChoiceField(
        label="Evidence level (to publish)", required=False, choices=[("", "—"), *Evidence.choices]
    )
    review_by = forms.DateField(
        label="Review by (to publish)",
        required=False,
        help_text="After this date the entry shows as due for review.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="Notes for the author, or the reason for declining",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"review_by": default_review_by()})
        super().__init__(*args, **kwargs)


class ValidateForm(forms.Form):
    """An editor validates a published entry again."""

    evidence = forms.ChoiceField(label="Evidence level", choices=Evidence.choices)
    review_by = forms.DateField(label="Review by", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class LinkForm(forms.Form):
    relation = forms.ChoiceField(label="Relation", choices=Relation.choices, widget=forms.HiddenInput)
    target = forms.ModelChoiceField(label="Entry", queryset=Entry.objects.none(), empty_label="Choose an entry")

    def __init__(self, *args: Any, targets: QuerySet[Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class RemoveForm(forms.Form):
    """Which link or attachment to remove."""

    id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AttachmentForm(forms.Form):
    item = forms.ChoiceField(label="Document or link", choices=())
    role = forms.ChoiceField(label="As", choices=AttachmentRole.choices, initial=AttachmentRole.ATTACHMENT)

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {f"{item._meta.label_lower}:{item.pk}": item for item in items}
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a document or link"),
            *((key, f"{item} ({item._meta.verbose_name})") for key, item in self.items.items()),
        ]

    def chosen(self) -> Any:
        return self.items[self.cleaned_data["item"]]


class PublicForm(forms.Form):
    public = forms.BooleanField(required=False)


class RemarkForm(forms.Form):
    """An editor re-marks an entry, or moves it to another community."""

    community = forms.ModelChoiceField(label="Community", queryset=Community.objects.none(), empty_label=None)
    marking = forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="Members not cleared for the new marking stop seeing the entry everywhere, at once.",
    )

    def __init__(
        self, *args: Any, communities: QuerySet[Community], markings: QuerySet[Marking], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
