"""Forms for the library and links pages: they parse what a member typed; the services decide.

A form that fails keeps everything the member typed, and so does a refusal
from a service (``add_service_error`` puts it on the form beside the field it
names). Browsers never keep a chosen file, so upload pages say to choose it
again.
"""

import re
from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from taggit.forms import TagField

from communities.models import Community
from library.uploads import ALLOWED_TYPES
from verification.models import Marking, Member

TAGS_HELP = "Separate tags with commas, e.g. sheltering, generators."
ALLOWED_ENDINGS = sorted({ending for endings in ALLOWED_TYPES.values() for ending in endings})
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")
MAX_NAMED_EMAILS = 50


def upload_help() -> str:
    limit = settings.MUSTER_UPLOAD_MAX_BYTES / (1024 * 1024)
    return (
        "A PDF, an Office document (Word, Excel, PowerPoint or OpenDocument), an image, plain text or CSV, "
        f"up to {limit:g} MB. The file is checked by its content, not only its name."
    )


def file_field() -> forms.FileField:
    return forms.FileField(
        label="File",
        allow_empty_file=False,
        max_length=255,
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "The file is empty.",
            "invalid": "No file was received. Choose the file again.",
            "missing": "No file was received. Choose the file again.",
            "max_length": "The file name is too long (255 characters at most).",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_ENDINGS)}),
    )


def marking_field(help_text: str) -> forms.ModelChoiceField[Marking]:
    return forms.ModelChoiceField(
        label="Marking", queryset=Marking.objects.none(), empty_label=None, help_text=help_text
    )


class _MarkedForm(forms.Form):
    """A form with a marking chosen among those the member is cleared for (the lowest first)."""

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        if "marking" not in self.initial:
            self.initial["marking"] = markings.first()


class DocumentUploadForm(_MarkedForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Give the document a title.", "max_length": "Keep the title under 200 characters."},
    )
    description = forms.CharField(
        label="Description",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep the description under 4,000 characters."},
    )
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    marking = marking_field("Only markings you are cleared for are offered.")
    file = file_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


class VersionUploadForm(forms.Form):
    file = file_field()
    comment = forms.CharField(
        label="What changed (optional)",
        max_length=300,
        required=False,
        error_messages={"max_length": "Keep the note under 300 characters."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


class MemberChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.email})"


class GroupChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """The community's role groups, named for a person rather than by their internal names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.labels: dict[int, str] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(obj))


class DocumentAccessForm(forms.Form):
    """Limit a document to named members (by e-mail or from the community's members) and role groups.

    ``find_members`` turns e-mail addresses into the members the reader may see.
    """

    emails = forms.CharField(
        label="Members by e-mail",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more e-mail addresses, separated by commas or new lines.",
    )
    members = MemberChoiceField(
        label="Members of the community",
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = GroupChoiceField(
        label="Groups", queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        community: Community,
        members: QuerySet[Member],
        groups: QuerySet[Group],
        find_members: Callable[[list[str]], Iterable[Member]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.find_members = find_members
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        group_field = cast(GroupChoiceField, self.fields["groups"])
        group_field.queryset = groups
        group_field.labels = {
            community.member_group_id: f"Everyone in {community.name}",
            community.moderator_group_id: f"Moderators of {community.name}",
            community.owner_group_id: f"Owners of {community.name}",
        }

    def clean_emails(self) -> list[Member]:
        text = self.cleaned_data.get("emails") or ""
        emails = list(dict.fromkeys(email.lower() for email in EMAIL_SEPARATORS.split(text) if email))
        if len(emails) > MAX_NAMED_EMAILS:
            raise ValidationError(f"Name at most {MAX_NAMED_EMAILS} e-mail addresses at once.")
        not_addresses = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                not_addresses.append(email)
        if not_addresses:
            raise ValidationError(f"Not an e-mail address: {', '.join(not_addresses)}.")
        found: list[Member] = list(self.find_members(emails))
        missing = sorted(set(emails) - {member.email.lower() for member in found})
        if missing:
            raise ValidationError(f"No member we can find has the e-mail {', '.join(missing)}. Check the spelling.")
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = {member.pk: member for member in [*data.get("emails", []), *data.get("members", [])]}
        data["named_members"] = list(named.values())
        if not self.errors and not named and not data.get("groups"):
            raise ValidationError("Name at least one member or group, or lift the limit instead.")
        return data


class BookmarkForm(_MarkedForm):
    # A plain text field: the service checks the address, so the member's text is kept exactly as typed.
    url = forms.CharField(
        label="Web address",
        max_length=2000,
        help_text="The full address, starting with https:// or http://.",
        error_messages={
            "required": "Enter the link's web address.",
            "max_length": "Keep the address under 2,000 characters.",
        },
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Give the link a title.", "max_length": "Keep the title under 200 characters."},
    )
    description = forms.CharField(
        label="Why it is useful (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the description under 2,000 characters."},
    )
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    marking = marking_field("Only markings you are cleared for are offered.")
