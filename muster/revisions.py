"""Revisions of a text that members edit together: numbering, edits on a stale base, diffs, revert.

Shared by the features that keep a history (wiki pages, Blueprint entries), so
each keeps its own tables and rules and none copies the machinery:

- ``Revision`` is the abstract row: a number, the title and text, who saved it,
  why, and which earlier revision it brought back. A feature subclasses it
  with a foreign key to its item and the fields of its own it keeps.
- ``revision_add`` numbers and saves the next revision of an item that keeps
  ``revision_number`` (the current one).
- ``rebase_edit`` takes an edit made on top of an older revision: the text is
  merged line by line with what was saved since, or ``EditConflictError``
  hands back both versions and the merge with conflict markers; nothing is
  saved. Other fields keep the editor's value where they changed it.
- ``check_revert`` / ``revert_comment``: bringing back an earlier revision
  adds a new one (history is never rewritten).
- ``text_diff`` compares two texts line by line for the page
  (``templates/revisions/_diff.html`` draws it); ``CompareForm``,
  ``RevertForm`` and ``reject_conflict_markers`` parse what a member sends.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import merge3
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

TITLE_MAX = 200
BODY_MAX = 100_000
COMMENT_MAX = 300
DIFF_CONTEXT_LINES = 3

# The lines ``rebase_edit`` writes around the two sides of a conflict.
CONFLICT_MARKER = re.compile(r"^(<<<<<<< your version|=======|>>>>>>> revision \d+)\s*$", re.MULTILINE)


class Revision(models.Model):
    """One saved state of an item's text. Subclasses add the foreign key to their item (and a unique
    constraint on it with ``number``) and any fields of their own they keep per revision."""

    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    reverted_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


RevisionT = TypeVar("RevisionT", bound=Revision)


class Revised(Protocol):
    """An item that keeps revisions: ``revision_number`` is its current one."""

    pk: Any
    revision_number: int

    def save(self, *args: Any, **kwargs: Any) -> None: ...


class EditConflictError(Exception):
    """Someone saved since the editor opened the item, and their changes overlap."""

    def __init__(self, *, current: Revision, merged_with_markers: str) -> None:
        super().__init__(f"Revision {current.number} was saved while you were editing.")
        self.current = current
        self.merged_with_markers = merged_with_markers


def revision_add(
    item: Revised,
    revision_model: type[RevisionT],
    *,
    item_field: str,
    author: Any,
    comment: str,
    reverted_from: RevisionT | None = None,
    **kept: Any,
) -> RevisionT:
    """Save ``item`` as its next revision: bump ``revision_number``, save the item, write the row
    (``item_field`` names the revision's foreign key to the item; ``kept`` are the fields it copies)."""
    item.revision_number += 1
    item.save()
    return revision_model._default_manager.create(
        **{item_field: item},
        number=item.revision_number,
        author=author,
        comment=comment[:COMMENT_MAX],
        reverted_from=reverted_from,
        **kept,
    )


def merge_lines(base: str, mine: str, current: Revision) -> str:
    """``mine`` (an edit of ``base``) merged line by line with ``current``; ``EditConflictError`` on overlap."""
    merge = merge3.Merge3(
        base.splitlines(keepends=True), mine.splitlines(keepends=True), current.body.splitlines(keepends=True)
    )
    if any(group[0] == "conflict" for group in merge.merge_groups()):
        markers = "".join(
            merge.merge_lines(
                name_a="your version", name_b=f"revision {current.number}", start_marker="<<<<<<<", end_marker=">>>>>>>"
            )
        )
        raise EditConflictError(current=current, merged_with_markers=markers)
    return "".join(merge.merge_lines())


def rebase_edit(
    *,
    revisions: QuerySet[RevisionT],
    current: RevisionT,
    base_number: int,
    body: str,
    fields: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """An edit made on top of revision ``base_number``, brought onto ``current``.

    On the current base nothing changes. Otherwise ``body`` is merged line by line with what was saved
    since (``EditConflictError`` when the changes overlap), and each of ``fields`` (named as the revision
    names them) takes the current value where the editor left it as it was in their base.
    """
    kept = dict(fields or {})
    if base_number == current.number:
        return body, kept
    base = revisions.filter(number=base_number).first()
    if base is None:
        raise ValidationError("The version you edited no longer exists. Reload the page.")
    merged = merge_lines(base.body, body, current)
    for name, value in kept.items():
        if value == getattr(base, name):
            kept[name] = getattr(current, name)
    return merged, kept


def check_revert(item: Revised, revision: Revision, *, item_field: str, noun: str = "page") -> None:
    """Refuse to bring back a revision of another item, or the current one."""
    if getattr(revision, f"{item_field}_id") != item.pk:
        raise ValidationError(f"That revision belongs to another {noun}.")
    if revision.number == item.revision_number:
        raise ValidationError("That is already the current revision.")


def revert_comment(revision: Revision) -> str:
    return f"Reverted to revision {revision.number}"


# --- Diffs -----------------------------------------------------------------------------


class Change(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class DiffLine:
    change: Change
    text: str
    old_number: int | None
    new_number: int | None


@dataclass(frozen=True)
class DiffHunk:
    """A run of changed lines with a few unchanged ones around them."""

    old_start: int
    new_start: int
    lines: list[DiffLine]


def text_diff(old: str, new: str) -> list[DiffHunk]:
    """Line by line, what changed from ``old`` to ``new`` (plain text: the template escapes it)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(DIFF_CONTEXT_LINES):
        lines: list[DiffLine] = []
        for tag, old_from, old_to, new_from, new_to in group:
            if tag == "equal":
                lines += [
                    DiffLine(Change.SAME, old_lines[i], i + 1, new_from + i - old_from + 1)
                    for i in range(old_from, old_to)
                ]
                continue
            lines += [DiffLine(Change.REMOVED, old_lines[i], i + 1, None) for i in range(old_from, old_to)]
            lines += [DiffLine(Change.ADDED, new_lines[i], None, i + 1) for i in range(new_from, new_to)]
        hunks.append(DiffHunk(old_start=group[0][1] + 1, new_start=group[0][3] + 1, lines=lines))
    return hunks


# --- What members send -------------------------------------------------------------------


def reject_conflict_markers(text: str) -> str:
    """A text still holding the merge's conflict markers is refused, with what to do about it."""
    if CONFLICT_MARKER.search(text):
        raise ValidationError(
            "The text still holds conflict markers (<<<<<<<, ======= or >>>>>>> lines). Keep the lines you "
            "want from each side, delete the markers, then save."
        )
    return text


class CompareForm(forms.Form):
    """Two revision numbers to compare; the older is shown first whichever way round they come."""

    old = forms.IntegerField(label="From revision", min_value=1)
    new = forms.IntegerField(label="To revision", min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        old, new = data.get("old"), data.get("new")
        if old is not None and new is not None:
            if old == new:
                raise ValidationError("Choose two different revisions to compare.")
            data["old"], data["new"] = min(old, new), max(old, new)
        return data


class RevertForm(forms.Form):
    revision = forms.IntegerField(min_value=1)
