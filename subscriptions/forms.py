"""The Follow control, the subscriptions page and the e-mail settings."""

import re

from django import forms
from django.core.exceptions import ValidationError

from muster.forms import is_local_path
from notices.follow import all_followables, known_time_zones
from notices.models import Delivery, Level, MailPreferences

TARGET_TYPE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class FollowForm(forms.Form):
    """Follow something (``app_label.model`` and id) at a level and delivery, or stop following it."""

    target_type = forms.CharField(max_length=100)
    target_id = forms.IntegerField(min_value=1)
    level = forms.ChoiceField(choices=Level.choices, required=False)
    delivery = forms.ChoiceField(choices=Delivery.choices, required=False)
    unfollow = forms.BooleanField(required=False)
    next = forms.CharField(max_length=500)

    def clean_target_type(self) -> str:
        value = str(self.cleaned_data["target_type"]).lower()
        # Which kinds can be followed is no secret: an unknown kind is bad input (400), not a hidden thing (404).
        if not TARGET_TYPE.match(value) or value not in {f.model._meta.label_lower for f in all_followables()}:
            raise ValidationError("Not something that can be followed.")
        return value

    def clean_next(self) -> str:
        value = str(self.cleaned_data["next"])
        if not is_local_path(value):
            raise ValidationError("Not a page of this site.")
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("unfollow") and not (data.get("level") and data.get("delivery")):
            raise ValidationError("Choose how closely to follow it and how to hear about it.")
        return data


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_time_zones())]


class PreferencesForm(forms.ModelForm[MailPreferences]):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Digests arrive at your hour in this zone.",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone we know. Pick one from the list."},
    )
    digest_hour = forms.TypedChoiceField(
        coerce=int, choices=[(hour, f"{hour:02d}:00") for hour in range(24)], label="Digest hour"
    )
    weekly_day = forms.TypedChoiceField(coerce=int, choices=WEEKDAYS, label="Weekly digest on")
    immediate_delay_minutes = forms.IntegerField(
        min_value=1,
        max_value=1440,
        label="Wait before e-mailing (minutes)",
        help_text="Nothing is sent for what you read on the site within this time.",
    )
    daily_cap = forms.IntegerField(
        min_value=1,
        max_value=1000,
        label="Most immediate e-mails a day",
        help_text="After this many, the rest waits for your next digest.",
    )

    class Meta:
        model = MailPreferences
        fields = (
            "time_zone",
            "digest_hour",
            "weekly_day",
            "default_delivery",
            "personal_delivery",
            "immediate_delay_minutes",
            "daily_cap",
        )
        labels = {
            "default_delivery": "When you join a community or take part in a thread, e-mail",
            "personal_delivery": "Direct messages, mentions and replies to you",
        }


class PauseForm(forms.Form):
    paused = forms.BooleanField(required=False)
