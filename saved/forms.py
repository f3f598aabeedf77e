"""The Save and Remove buttons: they say which item and where to come back to."""

import re

from django import forms
from django.core.exceptions import ValidationError

from muster.forms import is_local_path

ITEM_TYPE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


class SaveForm(forms.Form):
    """The Save button: which item ("app_label.model" and id) and the page to come back to."""

    item_type = forms.CharField(max_length=100)
    item_id = forms.IntegerField(min_value=1)
    next = forms.CharField(max_length=500)
    note = forms.CharField(max_length=500, required=False)

    def clean_item_type(self) -> str:
        value = str(self.cleaned_data["item_type"]).lower()
        if not ITEM_TYPE.match(value):
            raise ValidationError("Not an item type.")
        return value

    def clean_next(self) -> str:
        value = str(self.cleaned_data["next"])
        if not is_local_path(value):
            raise ValidationError("Not a page of this site.")
        return value


class UnsaveForm(forms.Form):
    next = forms.CharField(max_length=500, required=False)

    def next_page(self, default: str) -> str:
        self.is_valid()
        value = str(getattr(self, "cleaned_data", {}).get("next") or "")
        return value if is_local_path(value) else default
