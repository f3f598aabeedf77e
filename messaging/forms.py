"""Forms for the chat pages: they parse what was typed; the services decide whether it may be done."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet

from verification import policy
from verification.models import Marking, Member

ENTRY_SEPARATORS = re.compile(r"[,;\n]+")
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


def _as_typed(entry: str) -> str:
    """A name in quotes, a single word as the handle it was meant to be."""
    return f"“{entry}”" if " " in entry else f"@{entry.lstrip('@')}"


class HandlesField(forms.CharField):
    """Members by handle or by name, only members the viewer may see.

    Entries are separated by commas, semicolons or new lines: ``@dana-reyes, Sam Lee; kim-park``. An
    entry is a handle (a leading @ is fine, any case), several handles separated by spaces, or a member's
    name (every word matches their first or last name, and only one member is called that). Entries that
    name nobody, or several people, are all listed in one error, and the form shows the text as typed.
    """

    def __init__(self, *, viewer: Member, **kwargs: object) -> None:
        self.viewer = viewer
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> list[Member]:
        text = super().clean(value)
        entries = [entry.strip() for entry in ENTRY_SEPARATORS.split(text) if entry.strip().lstrip("@")]
        words = {word.lstrip("@").lower() for entry in entries for word in entry.split()}
        if len(entries) > MAX_HANDLES or len(words) > MAX_HANDLES * 4:
            raise ValidationError(f"Name at most {MAX_HANDLES} people at once.")
        visible = policy.filter_visible_members(self.viewer, Member.objects.filter(handle__isnull=False))
        by_handle = {(member.handle or "").lower(): member for member in visible.filter(handle__in=sorted(words))}
        chosen: dict[int, Member] = {}
        unknown: list[str] = []
        several: list[str] = []
        for entry in entries:
            handles = [word.lstrip("@").lower() for word in entry.split()]
            if all(handle in by_handle for handle in handles):
                chosen.update((by_handle[h].pk, by_handle[h]) for h in handles)
                continue
            named = visible
            for word in entry.lstrip("@").replace(".", " ").split():
                named = named.filter(Q(first_name__iexact=word) | Q(last_name__iexact=word) | Q(handle__iexact=word))
            found = list(named.order_by("pk")[:2])
            if len(found) == 1:
                chosen[found[0].pk] = found[0]
            elif found:
                several.append(entry)
            else:
                unknown.append(entry)
        problems = []
        if unknown:
            problems.append("No member found for " + ", ".join(_as_typed(entry) for entry in unknown) + ".")
        if several:
            problems.append(
                "More than one member is called " + ", ".join(f"“{entry}”" for entry in several) + ": use their handle."
            )
        if problems:
            raise ValidationError(" ".join(problems) + " Pick people from the suggestions, or type their @handle.")
        return list(chosen.values())


class GroupForm(forms.Form):
    title = forms.CharField(max_length=80, required=False, help_text="Optional; without one, the names show.")
    participants = forms.CharField(
        help_text="Names or @handles of the people to add, separated by commas, e.g. Dana Reyes, @sam-lee."
    )

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
            viewer=viewer, label="Add people", help_text="Names or @handles, separated by commas."
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
