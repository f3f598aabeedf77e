"""A member's initials and avatar colour: one rule for the ``{% avatar %}`` tag and for live chat events."""

from typing import Any

# Backgrounds dark enough for white initials to pass WCAG AA (contrast of 4.5:1 or more).
AVATAR_COLOURS = 8


def member_initials(member: Any) -> str:
    """Up to two letters: first and last name, else the first and last words of the name shown, else its start."""
    first, last = (getattr(member, "first_name", "") or "").strip(), (getattr(member, "last_name", "") or "").strip()
    if first or last:
        return ((first[:1] + last[:1]) or "?").upper()
    # A member's display name, or the ``name`` of a card made from one (members.selectors.MemberCard).
    name = str(getattr(member, "display_name", "") or getattr(member, "name", "") or "?").strip() or "?"
    return name_initials(name)


def name_initials(name: str) -> str:
    """The first letters of a name's first and last words, or the start of a one-word name."""
    words = str(name or "?").split() or ["?"]
    return ((words[0][:1] + words[-1][:1]) if len(words) > 1 else words[0][:2]).upper()


def avatar_colour(member: Any) -> int:
    """Which of the ``avatar-c0`` … ``avatar-c7`` colours is the member's own."""
    return (getattr(member, "pk", None) or 0) % AVATAR_COLOURS
