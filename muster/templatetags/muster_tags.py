from typing import Any

from django import template

from muster.avatars import AVATAR_COLOURS, avatar_colour, member_initials, name_initials

__all__ = ["AVATAR_COLOURS", "avatar", "marking_banner", "member_initials", "name_avatar"]

register = template.Library()


@register.inclusion_tag("includes/marking_banner.html")
def marking_banner(marking: Any) -> dict[str, Any]:
    """The banner shown at top and bottom of any page that shows marked content.

    Unmarked content carries no banner.
    """
    return {"marking": marking if marking is not None and not marking.is_unmarked else None}


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
        "colour": avatar_colour(member),
        "size": size,
        "photo_member": member if shares_photo else None,
    }


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
    return {"initials": name_initials(name), "colour": colour, "size": size, "photo_member": None}
