from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("includes/marking_banner.html")
def marking_banner(marking: Any) -> dict[str, Any]:
    """The banner shown at top and bottom of any page that shows marked content.

    Unmarked content carries no banner.
    """
    return {"marking": marking if marking is not None and not marking.is_unmarked else None}
