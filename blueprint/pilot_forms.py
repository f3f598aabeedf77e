"""Forms for pilot-community templates and pilots: they parse what a member typed; the services decide.

A template's checklist and roles are typed one a line (a checklist a template customised for a locale may
rewrite freely); its wiki pages are a small formset (title and Markdown), one form per page.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from taggit.forms import TagField

from blueprint.forms import BODY_HELP, TAGS_HELP
from blueprint.models import (
    BOARD_NAME_MAX,
    BODY_MAX,
    LOCALE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Entry,
)
from blueprint.services import TemplateContent
from blueprint.services.pilots import EMPTY_CHECKLIST, MAX_PAGES
from communities.models import Community
from communities.signals import StarterPage
from verification.models import Marking

LINES_MAX = 20_000


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("-*•").strip() for line in text.splitlines() if line.strip().lstrip("-*•").strip()]


class TemplateForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    summary = forms.CharField(
        label="Summary",
        max_length=SUMMARY_MAX,
        help_text="What a pilot of this template sets out to do, in a few sentences.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    locale = forms.CharField(
        label="Customised for (locale)",
        max_length=LOCALE_MAX,
        required=False,
        help_text="The place this version is for, e.g. Gulf Coast, Texas. Leave blank for the national template.",
    )
    checklist = forms.CharField(
        label="Checklist",
        max_length=LINES_MAX,
        required=False,
        help_text="One step a line, in order. Each pilot gets them as tasks to tick.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    roles = forms.CharField(
        label="Roles to fill",
        max_length=LINES_MAX,
        required=False,
        help_text="One a line: the role, a colon, what it does. E.g. Private-sector co-lead: brings businesses in.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    entries = forms.ModelMultipleChoiceField(
        label="Blueprint solutions and tools it puts to work",
        queryset=Entry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    board_name = forms.CharField(
        label="Board",
        max_length=BOARD_NAME_MAX,
        initial="Pilot planning",
        help_text="The discussion board every pilot opens with.",
    )
    community = forms.ModelChoiceField(label="Community", queryset=Community.objects.none())
    marking = forms.ModelChoiceField(label="Marking", queryset=Marking.objects.none())
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)

    def __init__(
        self,
        *args: Any,
        entries: QuerySet[Entry],
        communities: QuerySet[Community] | None = None,
        markings: QuerySet[Marking] | None = None,
        locale_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries  # type: ignore[attr-defined]
        if communities is None or markings is None:  # editing: where it lives does not change
            for name in ("community", "marking", "tags"):
                del self.fields[name]
        else:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]
            self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        if locale_required:
            self.fields["locale"].required = True
            self.fields["locale"].help_text = "The place this version is customised for, e.g. Gulf Coast, Texas."
            self.fields["locale"].error_messages["required"] = "Say which place this version is customised for."

    def clean_checklist(self) -> list[str]:
        steps = _lines(self.cleaned_data.get("checklist") or "")
        if not steps:
            raise forms.ValidationError(EMPTY_CHECKLIST)
        return steps

    def clean_roles(self) -> list[tuple[str, str]]:
        roles = []
        for line in _lines(self.cleaned_data.get("roles") or ""):
            name, _, duty = line.partition(":")
            roles.append((name.strip(), duty.strip()))
        return roles


class StarterPageForm(forms.Form):
    title = forms.CharField(label="Page title", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Text",
        max_length=BODY_MAX,
        required=False,
        strip=False,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 6, "class": "wiki-text"}),
    )


PageFormSet = forms.formset_factory(StarterPageForm, extra=1, max_num=MAX_PAGES, can_delete=True)


def template_content(form: TemplateForm, pages: Any) -> TemplateContent:
    """What the valid form and page formset say, for the services."""
    data = form.cleaned_data
    kept = [
        StarterPage(page.cleaned_data["title"], page.cleaned_data.get("body", ""))
        for page in pages.forms
        if page.cleaned_data and not page.cleaned_data.get("DELETE")
    ]
    return TemplateContent(
        title=data["title"],
        summary=data["summary"],
        locale=data.get("locale", ""),
        checklist=data["checklist"],
        roles=data["roles"],
        pages=kept,
        entries=list(data["entries"]),
        board_name=data["board_name"],
    )


def initial_of(content: TemplateContent) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The form's and the formset's initial values from a template's content."""
    initial = {
        "title": content.title,
        "summary": content.summary,
        "locale": content.locale,
        "checklist": "\n".join(content.checklist),
        "roles": "\n".join(f"{name}: {duty}" if duty else name for name, duty in content.roles),
        "entries": [entry.pk for entry in content.entries],
        "board_name": content.board_name,
    }
    return initial, [{"title": page.title, "body": page.body} for page in content.pages]


class PilotStartForm(forms.Form):
    name = forms.CharField(label="Name of the pilot's community", max_length=120)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        required=False,
        help_text="Letters, numbers and hyphens. Left blank, it is made from the name.",
    )
    description = forms.CharField(label="Description", max_length=4000, required=False, widget=forms.Textarea)
    visibility = forms.ChoiceField(label="Visibility", choices=Community.Visibility.choices, widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(
        label="Who may join", choices=Community.JoinPolicy.choices, widget=forms.RadioSelect
    )
    marking = forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="At least the template's marking; only markings you are cleared for are offered.",
    )

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"visibility": Community.Visibility.PRIVATE, "join_policy": Community.JoinPolicy.REQUEST}
        )
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    done = forms.BooleanField(required=False)
