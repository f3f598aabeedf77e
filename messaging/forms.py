"""Forms for the chat pages: they parse what was typed; the services decide whether it may be done."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet

from verification import policy
from verification.models import Marking, Member

HANDLE_SEPARATORS = re.compile(r"[\s,;]+")
MAX_HANDLES = 50


def visible_markings(member: Member) -> QuerySet[Marking]:
    """The markings the member may give a conversation: those they are cleared for today."""
    return Marking.objects.filter(pk__in=policy.member_access(member).visible_marking_ids).order_by("rank")


def marking_field(viewer: Member) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        queryset=visible_markings(viewer),
        required=False,
        empty_label=None,
        help_text="Only people cleared for it can take part.",
    )


class MessageForm(forms.Form):
    """The composer. Emptiness and length are the service's to judge, so its words reach the member."""

    body = forms.CharField(
        label="Message",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-markdown": True}),
        help_text="Markdown works. Mention someone with @handle.",
    )

    # Set by live.js: the message this one answers, and the browser's own id for it (so a resend is not a copy).
    reply_to = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A generous cap on what is read from the request; the service names the real limit.
        body = self.fields["body"]
        if isinstance(body, forms.CharField):
            body.max_length = settings.MUSTER_MESSAGE_MAX_CHARS * 4
            body.validators.append(MaxLengthValidator(body.max_length))


class HandlesField(forms.CharField):
    """Members by handle, separated by commas or spaces (a leading @ is fine); only members the viewer may see."""

    def __init__(self, *, viewer: Member, **kwargs: object) -> None:
        self.viewer = viewer
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> list[Member]:
        text = super().clean(value)
        handles = list(dict.fromkeys(h.lstrip("@").lower() for h in HANDLE_SEPARATORS.split(text) if h.lstrip("@")))
        if len(handles) > MAX_HANDLES:
            raise ValidationError(f"Name at most {MAX_HANDLES} people at once.")
        found = {
            (member.handle or "").lower(): member
            for member in policy.filter_visible_members(self.viewer, Member.objects.filter(handle__in=handles))
        }
        unknown = [handle for handle in handles if handle not in found]
        if unknown:
            raise ValidationError("No member with the handle " + ", ".join(f"@{handle}" for handle in unknown) + ".")
        return [found[handle] for handle in handles]


class GroupForm(forms.Form):
    title = forms.CharField(max_length=80, required=False, help_text="Optional; without one, the names show.")
    participants = forms.CharField(help_text="Handles of the people to add, separated by commas or spaces.")

    def __init__(self, *args: object, viewer: Member, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["participants"] = HandlesField(
            viewer=viewer, label="People", help_text=self.fields["participants"].help_text
        )
        self.fields["marking"] = marking_field(viewer)


class PeopleAddForm(forms.Form):
    handles = forms.CharField()

    def __init__(self, *args: object, viewer: Member, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["handles"] = HandlesField(
            viewer=viewer, label="Add people", help_text="Handles, separated by commas or spaces."
        )


class RoomForm(forms.Form):
    title = forms.CharField(max_length=80)
    topic = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: object, viewer: Member, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["marking"] = marking_field(viewer)


class ReactionForm(forms.Form):
    emoji = forms.CharField(max_length=16)


class HistoryForm(forms.Form):
    before = forms.IntegerField(min_value=1)


class ReadForm(forms.Form):
    up_to = forms.IntegerField(min_value=0)


class EventsForm(forms.Form):
    since = forms.IntegerField(min_value=0)


class MemberChoiceForm(forms.Form):
    member = forms.IntegerField(min_value=1)
