"""The token page's form: a name, scopes, how many days, and an optional marking ceiling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from api.models import Scope
from api.tokens import default_expiry_days, max_expiry_days
from verification.models import Marking


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="Name it after the tool that will use it, such as “EOC status board”.",
    )
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Read: read what you may see. Write: post threads and replies, join communities, follow. "
        "Chat: read and send messages.",
        error_messages={"required": "Choose at least one of read, write and chat."},
    )
    days = forms.IntegerField(label="Expires after (days)")
    ceiling = forms.ModelChoiceField(
        label="Marking ceiling",
        queryset=Marking.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="Same as my clearance",
        help_text="The token sees nothing marked above this, whatever you are cleared for.",
        error_messages={"invalid_choice": "Choose a marking you are cleared for."},
    )

    def __init__(self, *args: Any, ceilings: QuerySet[Marking], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"scopes": [Scope.READ], "days": default_expiry_days()})
        super().__init__(*args, **kwargs)
        most = max_expiry_days()
        bounds = f"A token lasts between 1 and {most} days."
        self.fields["days"] = forms.IntegerField(
            label="Expires after (days)",
            min_value=1,
            max_value=most,
            help_text=f"At most {most} days. Make a new token before it expires.",
            error_messages={"min_value": bounds, "max_value": bounds, "invalid": "Give a whole number of days."},
        )
        self.fields["ceiling"].queryset = ceilings  # type: ignore[attr-defined]
