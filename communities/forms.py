"""Forms for the community pages: they parse what a member typed; the services decide."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.text import slugify
from taggit.forms import TagField

from communities.models import ActivityEvent, Ban, Community, JoinRequest, Membership, Role
from communities.selectors import DirectorySort
from muster.forms import is_local_path
from verification.models import Marking

MAX_TAG_FILTERS = 5
TAGS_HELP = "Separate topics with commas, e.g. hurricanes, sheltering, port security."


class DirectoryForm(forms.Form):
    """The directory's search, sort and "my communities" switch; topics come as repeated ``tag`` values.

    Everything is optional: a value that does not parse falls back to the default.
    """

    q = forms.CharField(label="Search names and descriptions", required=False, max_length=200)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            (DirectorySort.ACTIVE, "Most recently active"),
            (DirectorySort.NEW, "Newest"),
            (DirectorySort.MEMBERS, "Most members"),
        ],
    )
    mine = forms.BooleanField(label="Only my communities", required=False)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        tags = [slugify(tag) for tag in self.data.getlist("tag")] if hasattr(self.data, "getlist") else []
        return {
            "search": (data.get("q") or "").strip(),
            "tags": list(dict.fromkeys(tag for tag in tags if tag))[:MAX_TAG_FILTERS],
            "sort": DirectorySort(data.get("sort") or DirectorySort.ACTIVE),
            "mine": bool(data.get("mine")),
        }


class CommunityForm(forms.Form):
    """A new community. The address is made from the name when left blank."""

    name = forms.CharField(label="Name", max_length=120)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        required=False,
        help_text="Letters, numbers and hyphens; it becomes the community's web address. Left blank, it is made "
        "from the name.",
    )
    description = forms.CharField(label="Description", max_length=4000, required=False, widget=forms.Textarea)
    tags = TagField(label="Topic tags", required=False, help_text=TAGS_HELP)
    visibility = forms.ChoiceField(label="Visibility", choices=Community.Visibility.choices, widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(
        label="Who may join", choices=Community.JoinPolicy.choices, widget=forms.RadioSelect
    )
    marking = forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="Everything in the community carries at least this marking. Only markings you are cleared for "
        "are offered.",
    )

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"visibility": Community.Visibility.OPEN, "join_policy": Community.JoinPolicy.OPEN}
        )
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("name"):
            slug = slugify(data["name"])[:60].strip("-")
            if not slug:
                self.add_error("slug", "Choose an address: letters, numbers and hyphens.")
            data["slug"] = slug
        return data


class CommunitySettingsForm(forms.Form):
    """What the owners may change after creation (the address and marking stay)."""

    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(label="Description", max_length=4000, required=False, widget=forms.Textarea)
    tags = TagField(label="Topic tags", required=False, help_text=TAGS_HELP)
    visibility = forms.ChoiceField(label="Visibility", choices=Community.Visibility.choices, widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(
        label="Who may join", choices=Community.JoinPolicy.choices, widget=forms.RadioSelect
    )

    @classmethod
    def initial_for(cls, community: Community, tag_names: list[str]) -> dict[str, Any]:
        return {
            "name": community.name,
            "description": community.description,
            "tags": ", ".join(f'"{name}"' if "," in name else name for name in tag_names),
            "visibility": community.visibility,
            "join_policy": community.join_policy,
        }


class ReviewForm(forms.Form):
    """Staff approve or decline a community that waits for approval."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the moderators",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: who you are and why you would like to join.",
    )


class DecideJoinRequestForm(forms.Form):
    join_request = forms.ModelChoiceField(queryset=JoinRequest.objects.none(), widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    note = forms.CharField(label="Note to the member", max_length=1000, required=False)

    def __init__(self, *args: Any, requests: QuerySet[JoinRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["join_request"].queryset = requests  # type: ignore[attr-defined]
        self.fields["join_request"].error_messages["invalid_choice"] = "That request has already been answered."


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="A member's address, or someone who has not joined yet.")
    message = forms.CharField(
        label="Message", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class InvitationAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class _MemberActionForm(forms.Form):
    """An owner's action on one member, chosen from the community's members."""

    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, memberships: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships  # type: ignore[attr-defined]
        self.fields["membership"].error_messages["invalid_choice"] = "That person is not a member of this community."


class RoleChangeForm(_MemberActionForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class OwnershipTransferForm(_MemberActionForm):
    pass


class MemberRemoveForm(_MemberActionForm):
    ban = forms.BooleanField(required=False, widget=forms.HiddenInput)
    ban_reason = forms.CharField(label="Reason for the ban", max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ban") and not (data.get("ban_reason") or "").strip():
            self.add_error("ban_reason", "Give a reason for the ban; the other owners will see it.")
        if not data.get("ban"):
            data["ban_reason"] = ""
        return data


class BanLiftForm(forms.Form):
    ban = forms.ModelChoiceField(queryset=Ban.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, bans: QuerySet[Ban], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ban"].queryset = bans  # type: ignore[attr-defined]
        self.fields["ban"].error_messages["invalid_choice"] = "That ban has already been lifted."


class PinForm(forms.Form):
    event = forms.ModelChoiceField(queryset=ActivityEvent.objects.none(), widget=forms.HiddenInput)
    pinned = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, events: QuerySet[ActivityEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events  # type: ignore[attr-defined]
        self.fields["event"].error_messages["invalid_choice"] = "That item is no longer in the feed."


def error_messages(error: ValidationError) -> list[str]:
    """A service's refusal as sentences for the member, whether it names fields or not."""
    return [str(message) for message in error.messages]


class ItemRemovalForm(forms.Form):
    """Remove or restore an item of any content type: which one ("app_label.model" and id), and where to go next."""

    item_type = forms.CharField(max_length=100)
    item_id = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[("remove", "Remove"), ("restore", "Restore")])
    next = forms.CharField(max_length=500, required=False)

    def next_page(self, default: str) -> str:
        value = str(self.cleaned_data.get("next") or "")
        return value if is_local_path(value) else default
