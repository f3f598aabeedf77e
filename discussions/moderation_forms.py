"""Forms for the moderators' pages and for flagging: they parse what was typed; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from discussions.models import Board, Flag

REASON_MAX = 500


class BoardForm(forms.Form):
    """A new board. The address is made from the name when left blank."""

    name = forms.CharField(label="Name", max_length=120)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        required=False,
        help_text="Letters, numbers and hyphens. Left blank, it is made from the name; it cannot change later.",
    )
    description = forms.CharField(
        label="Description", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BoardEditForm(forms.Form):
    """What moderators may change on a board: its name, description and place in the order."""

    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    position = forms.IntegerField(
        label="Position",
        min_value=0,
        max_value=999,
        help_text="Boards are listed by position, lowest first (boards with the same position by name).",
    )

    @classmethod
    def initial_for(cls, board: Board) -> dict[str, Any]:
        return {"name": board.name, "description": board.description, "position": board.position}


class ThreadModerationForm(forms.Form):
    """Pin, unpin, lock, unlock, or move a thread to another of its community's boards."""

    action = forms.ChoiceField(
        choices=[
            ("pin", "Pin"),
            ("unpin", "Unpin"),
            ("lock", "Lock"),
            ("unlock", "Unlock"),
            ("move", "Move"),
        ],
        error_messages={"invalid_choice": "Choose pin, unpin, lock, unlock or move.", "required": "Choose an action."},
    )
    board = forms.ModelChoiceField(label="Move to board", queryset=Board.objects.none(), required=False)

    def __init__(self, *args: Any, boards: QuerySet[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards  # type: ignore[attr-defined]
        self.fields["board"].error_messages["invalid_choice"] = "Choose one of this community's boards."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "move" and not data.get("board") and "board" not in self.errors:
            self.add_error("board", "Choose the board to move the thread to.")
        return data


class FlagForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this post?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the community's moderators see your report and your name.",
        error_messages={"required": "Say what is wrong with the post."},
    )


class PostHideForm(forms.Form):
    """A moderator hides a post, or restores a hidden one; either way with a reason."""

    action = forms.ChoiceField(
        choices=[("hide", "Hide"), ("restore", "Restore")],
        error_messages={"invalid_choice": "Choose hide or restore.", "required": "Choose hide or restore."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        error_messages={"required": "Give a reason for hiding or restoring the post."},
    )


class FlagDismissForm(forms.Form):
    """A moderator dismisses one open flag from the queue."""

    flag = forms.ModelChoiceField(queryset=Flag.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, flags: QuerySet[Flag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flag"].queryset = flags  # type: ignore[attr-defined]
        self.fields["flag"].error_messages["invalid_choice"] = "That flag has already been dealt with."
