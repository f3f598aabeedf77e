"""Template tags that let any content page show its Save button without importing this app.

``{% saved_id_for item as saved_id %}`` for one item; ``{% saved_ids_for items as saved %}``
then ``{{ saved|saved_id_of:item.pk }}`` for a list (one query for the whole list).
"""

from collections.abc import Sequence
from typing import Any

from django import template
from django.db.models import Model

from saved.selectors import saved_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def saved_id_for(context: template.Context, item: Model) -> int | None:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return saved_ids(request.user, type(item), [item.pk]).get(item.pk)


@register.simple_tag(takes_context=True)
def saved_ids_for(context: template.Context, items: Sequence[Model]) -> dict[int, int]:
    request = context.get("request")
    rows = list(items)
    if request is None or not request.user.is_authenticated or not rows:
        return {}
    return saved_ids(request.user, type(rows[0]), [item.pk for item in rows])


@register.filter
def saved_id_of(saved: dict[int, int], item_id: Any) -> int | None:
    return saved.get(item_id)
