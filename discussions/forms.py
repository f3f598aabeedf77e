"""Forms for the discussion and blog pages: they parse what a member typed; the services decide.

A form that fails keeps everything the member typed, and so does a refusal
from a service (``add_service_error`` puts it on the form beside the text).
"""

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from taggit.forms import TagField

from discussions.models import BODY_MAX, TITLE_MAX, Post, Thread
from discussions.selectors import ThreadSort
from verification.models import Marking

TAGS_HELP = "Separate tags with commas, e.g. sheltering, generators."
BODY_HELP = "Markdown: **bold**, _italic_, [links](https://example.gov), > quotes, lists. Mention someone with @handle."
TEXT_ERRORS = {
    "required": "Write something first.",
    "max_length": f"Keep it under {BODY_MAX:,} characters.",
}
TITLE_ERRORS = {
    "required": "Give it a title.",
    "max_length": f"Keep the title under {TITLE_MAX} characters.",
}


def body_field(label: str = "Message") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=BODY_MAX,
        error_messages=TEXT_ERRORS,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "data-markdown": True}),
    )


def title_field() -> forms.CharField:
    return forms.CharField(label="Title", max_length=TITLE_MAX, error_messages=TITLE_ERRORS)


def marking_field() -> forms.ModelChoiceField[Marking]:
    return forms.ModelChoiceField(
        label="Marking",
        queryset=Marking.objects.none(),
        empty_label=None,
        help_text="Replies and comments carry the same marking. Only markings you are cleared for are offered.",
    )


def quote_markdown(post: Post) -> str:
    """The post as a Markdown quote, for a reply box."""
    name = post.author.display_name if post.author else "Someone"
    quoted = "\n".join(f"> {line}".rstrip() for line in post.body.splitlines())
    return f"> **{name}** wrote:\n>\n{quoted}\n\n"


class MentionCheckMixin(forms.Form):
    """A box whose ``@mentions`` are checked before posting: a mention of nobody who may see the place
    comes back as an error on the text (kept as typed) with a "post anyway" box to tick."""

    post_anyway = forms.BooleanField(
        label="Post anyway: nobody by that handle will be told", required=False, widget=forms.CheckboxInput
    )
    mention_warning = False

    def warn_unknown_mentions(self, unknown: list[str], place: str = "this thread") -> bool:
        """Whether to stop and warn (some ``unknown`` and "post anyway" not ticked)."""
        if not unknown or self.cleaned_data.get("post_anyway"):
            return False
        names = ", ".join(f"@{word}" for word in unknown)
        self.mention_warning = True
        self.add_error(
            "body",
            f"No member {names} can see {place}, so nobody would be told. Check the handle "
            "(handles use hyphens, not dots, e.g. @dana-reyes), or tick “Post anyway”.",
        )
        return True


class ThreadForm(MentionCheckMixin):
    title = title_field()
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(Thread.Kind.DISCUSSION, "Discussion"), (Thread.Kind.QUESTION, "Question (answers can be accepted)")],
        initial=Thread.Kind.DISCUSSION,
        widget=forms.RadioSelect,
    )
    body = body_field()
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    marking = marking_field()

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        if "marking" not in self.initial:
            self.initial["marking"] = markings.first()


class ReplyForm(MentionCheckMixin):
    body = body_field("Your reply")
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(MentionCheckMixin):
    """The title is offered (and required) only when editing a thread's opening post."""

    title = title_field()
    body = body_field()

    def __init__(self, *args: Any, with_title: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


class AcceptForm(forms.Form):
    """The asker or a moderator accepts one reply, or clears the accepted answer (no post)."""

    post = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ThreadListForm(forms.Form):
    sort = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            (ThreadSort.ACTIVITY, "Latest activity"),
            (ThreadSort.NEW, "Newest threads"),
            (ThreadSort.UNANSWERED, "Unanswered questions"),
        ],
    )

    def sort_order(self) -> ThreadSort:
        if not self.is_valid():
            return ThreadSort.ACTIVITY
        return ThreadSort(self.cleaned_data.get("sort") or ThreadSort.ACTIVITY)


class ArchiveForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=1970, max_value=9999)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)

    def month_asked(self) -> tuple[int, int] | None:
        if not self.is_valid() or not self.cleaned_data.get("year") or not self.cleaned_data.get("month"):
            return None
        return self.cleaned_data["year"], self.cleaned_data["month"]


class When:
    DRAFT = "draft"
    NOW = "now"
    SCHEDULE = "schedule"


WHEN_CHOICES = [
    (When.DRAFT, "Save as a draft (only you see it)"),
    (When.NOW, "Publish now"),
    (When.SCHEDULE, "Schedule for later"),
]


class _ScheduleMixin(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Date and time (UTC), for a scheduled post.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == When.SCHEDULE:
            publish_at: datetime | None = data.get("publish_at")
            if publish_at is None:
                self.add_error("publish_at", "Choose when to publish.")
            elif publish_at <= timezone.now():
                self.add_error("publish_at", "Choose a time in the future, or publish now.")
        return data

    def publish_at_chosen(self) -> datetime | None:
        return self.cleaned_data.get("publish_at") if self.cleaned_data.get("when") == When.SCHEDULE else None


class BlogPostForm(_ScheduleMixin, MentionCheckMixin):
    title = title_field()
    body = body_field("Post")
    tags = TagField(label="Tags", required=False, help_text=TAGS_HELP)
    marking = marking_field()
    when = forms.ChoiceField(label="When", choices=WHEN_CHOICES, initial=When.DRAFT, widget=forms.RadioSelect)
    field_order = ("title", "body", "tags", "marking", "when", "publish_at")

    def __init__(self, *args: Any, markings: QuerySet[Marking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].queryset = markings  # type: ignore[attr-defined]
        if "marking" not in self.initial:
            self.initial["marking"] = markings.first()

    def is_draft(self) -> bool:
        return bool(self.cleaned_data.get("when") == When.DRAFT)


class PublishForm(_ScheduleMixin):
    when = forms.ChoiceField(label="When", choices=WHEN_CHOICES[1:], initial=When.NOW, widget=forms.RadioSelect)
    field_order = ("when", "publish_at")
