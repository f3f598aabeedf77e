"""The revision machinery the wiki and the Blueprint share (``muster.revisions``): diffs, merges over a newer
revision, and what members send. The features' own tests show it at work on pages and entries."""

import pytest
from django.core.exceptions import ValidationError

from muster.revisions import Change, CompareForm, reject_conflict_markers, text_diff


def test_a_diff_tells_added_removed_and_unchanged_lines_with_their_numbers() -> None:
    hunks = text_diff("one\ntwo\nthree\n", "one\n2\nthree\nfour\n")

    lines = [(line.change, line.text, line.old_number, line.new_number) for hunk in hunks for line in hunk.lines]
    assert lines == [
        (Change.SAME, "one", 1, 1),
        (Change.REMOVED, "two", 2, None),
        (Change.ADDED, "2", None, 2),
        (Change.SAME, "three", 3, 3),
        (Change.ADDED, "four", None, 4),
    ]
    assert text_diff("same\n", "same\n") == []


def test_text_with_conflict_markers_left_in_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValidationError, match="Keep the lines you want"):
        reject_conflict_markers("<<<<<<< your version\nmine\n=======\ntheirs\n>>>>>>> revision 4\n")

    assert reject_conflict_markers("a line with ======= inside") == "a line with ======= inside"


def test_two_revisions_compare_older_first_and_never_one_with_itself() -> None:
    swapped = CompareForm({"old": 5, "new": 2})
    same = CompareForm({"old": 3, "new": 3})

    assert swapped.is_valid()
    assert (swapped.cleaned_data["old"], swapped.cleaned_data["new"]) == (2, 5)
    assert not same.is_valid()
