"""A member's initials and avatar colour: one rule for the ``{% avatar %}`` tag and for live chat events."""

from typing import Any

# Backgrounds dark enough for white initials to pass WCAG AA (contrast of 4.5:1 or more).
AVATAR_COLOURS = 8


def member_initials(member: Any) -> str:
    """Up to two letters: first and last name, else the start of the display name."""
    first, last = (getattr(member, "first_name", "") or "").strip(), (getattr(member, "last_name", "") or "").strip()
    if first or last:
        return ((first[:1] + last[:1]) or "?").upper()
    name = str(getattr(member, "display_name", "") or "?")
    return name[:2].upper()


def avatar_colour(member: Any) -> int:
    """Which of the ``avatar-c0`` … ``avatar-c7`` colours is the member's own."""
    return (getattr(member, "pk", None) or 0) % AVATAR_COLOURS
