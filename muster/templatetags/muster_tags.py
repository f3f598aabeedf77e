from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("includes/marking_banner.html")
def marking_banner(marking: Any) -> dict[str, Any]:
    """The banner shown at top and bottom of any page that shows marked content.

    Unmarked content carries no banner.
    """
    return {"marking": marking if marking is not None and not marking.is_unmarked else None}


# Backgrounds dark enough for white initials to pass WCAG AA (contrast of 4.5:1 or more).
AVATAR_COLOURS = 8
AVATAR_SIZES = ("sm", "md", "lg")


@register.inclusion_tag("includes/avatar.html")
def avatar(member: Any, size: str = "sm") -> dict[str, Any]:
    """A member's face beside their name: their photo when they share it, else their initials on a colour of their own.

    The photo is used only when the caller already loaded the profile (``select_related("profile")``),
    so a list of names never costs a query per row; the image itself is served by ``members:photo``,
    which checks again that the viewer may see it.
    """
    if size not in AVATAR_SIZES:
        raise template.TemplateSyntaxError(f"avatar size must be one of {', '.join(AVATAR_SIZES)}")
    if member is None:
        return {"initials": "?", "colour": 0, "size": size, "photo_member": None}
    profile = member._state.fields_cache.get("profile") if hasattr(member, "_state") else None
    shares_photo = bool(profile and profile.photo and profile.shares("photo"))
    return {
        "initials": member_initials(member),
        "colour": (member.pk or 0) % AVATAR_COLOURS,
        "size": size,
        "photo_member": member if shares_photo else None,
    }


def member_initials(member: Any) -> str:
    """Up to two letters: first and last name, else the start of the display name."""
    first, last = (getattr(member, "first_name", "") or "").strip(), (getattr(member, "last_name", "") or "").strip()
    if first or last:
        return ((first[:1] + last[:1]) or "?").upper()
    name = str(getattr(member, "display_name", "") or "?")
    return name[:2].upper()
