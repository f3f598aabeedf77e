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
    """Up to two letters: first and last name, else the first and last words of the name shown, else its start."""
    first, last = (getattr(member, "first_name", "") or "").strip(), (getattr(member, "last_name", "") or "").strip()
    if first or last:
        return ((first[:1] + last[:1]) or "?").upper()
    # A member's display name, or the ``name`` of a card made from one (members.selectors.MemberCard).
    name = str(getattr(member, "display_name", "") or getattr(member, "name", "") or "?").strip() or "?"
    words = name.split()
    if len(words) > 1:
        return (words[0][:1] + words[-1][:1]).upper()
    return name[:2].upper()


@register.inclusion_tag("includes/avatar.html")
def name_avatar(name: str, key: int | str | None, size: str = "sm") -> dict[str, Any]:
    """Initials for a member known only by the name a list already shows and their id (a search result).

    Same letters and colour as ``{% avatar %}`` gives that member; never a photo, which needs the profile.
    """
    if size not in AVATAR_SIZES:
        raise template.TemplateSyntaxError(f"avatar size must be one of {', '.join(AVATAR_SIZES)}")
    try:
        colour = int(key or 0) % AVATAR_COLOURS
    except (TypeError, ValueError):
        colour = 0
    words = str(name or "?").split() or ["?"]
    initials = (words[0][:1] + words[-1][:1]) if len(words) > 1 else words[0][:2]
    return {"initials": initials.upper(), "colour": colour, "size": size, "photo_member": None}
