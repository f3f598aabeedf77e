"""Forms for the wiki pages: they parse what a member typed; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from muster.revisions import reject_conflict_markers
from verification.models import Marking
from wiki.models import BODY_MAX, TITLE_MAX, WikiPage

BODY_HELP = (
    "Markdown: # Heading, **bold**, - lists, [text](https://…). Link to another page of this wiki with "
    "[[Page title]] or [[Page title|text to show]]; a link to a page that does not exist yet offers to create it."
)


def _body_field() -> forms.CharField:
    return forms.CharField(
        label="Text",
        required=False,
        max_length=BODY_MAX,
        strip=False,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 20, "class": "wiki-text", "spellcheck": "true", "data-markdown": True}),
    )


def _comment_field() -> forms.CharField:
    return forms.CharField(
        label="What did you change?",
        required=False,
        max_length=300,
        help_text="Optional; shown in the page's history.",
    )


def _parent_field() -> forms.ModelChoiceField[WikiPage]:
    return forms.ModelChoiceField(
        label="Place under",
        queryset=WikiPage.objects.none(),
        required=False,
        empty_label="(top of the wiki)",
        help_text="The page this one belongs under, for breadcrumbs and the list of sub-pages.",
    )


def _marking_field() -> forms.ModelChoiceField[Marking]:
    return forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="Only members cleared for this marking will see the page. Only markings you are cleared for, "
        "and not below the community's own, are offered.",
    )


def _edit_policy_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Who may edit", choices=WikiPage.EditPolicy.choices, initial=WikiPage.EditPolicy.MEMBERS
    )


class PageCreateForm(forms.Form):
    """A new page. "Who may edit" is offered to moderators only."""

    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    body = _body_field()
    parent = _parent_field()
    marking = _marking_field()
    edit_policy = _edit_policy_field()
    comment = _comment_field()

    def __init__(
        self,
        *args: Any,
        parents: QuerySet[WikiPage],
        markings: QuerySet[Marking],
        may_limit_editing: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        if not may_limit_editing:
            del self.fields["edit_policy"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "parent": data["parent"],
            "marking": data["marking"],
            "edit_policy": data.get("edit_policy") or WikiPage.EditPolicy.MEMBERS,
            "comment": data["comment"],
        }


class PageEditForm(forms.Form):
    """An edit, made on top of the revision the member opened (``base_number``)."""

    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    body = _body_field()
    comment = _comment_field()
    base_number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_body(self) -> str:
        return reject_conflict_markers(self.cleaned_data["body"])


class PageSettingsForm(forms.Form):
    """Moderators set a page's marking, who may edit it and where it sits."""

    marking = _marking_field()
    edit_policy = _edit_policy_field()
    parent = _parent_field()

    def __init__(self, *args: Any, parents: QuerySet[WikiPage], markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
