"""``{% follow_control thing %}``: the Follow control a followable page shows (one query for its state)."""

from typing import Any

from django import template
from django.db import models

from notices.follow import followable_for, subscription_of
from notices.models import Delivery, Level

register = template.Library()


@register.inclusion_tag("notices/_follow.html", takes_context=True)
def follow_control(context: template.Context, target: models.Model) -> dict[str, Any]:
    request = context["request"]
    followable = followable_for(type(target))
    subscription = subscription_of(request.user, target) if request.user.is_authenticated else None
    return {
        "csrf_token": context.get("csrf_token"),
        "target_type": type(target)._meta.label_lower,
        "target_id": target.pk,
        "label": followable.label,
        "subscription": subscription,
        "next": request.get_full_path(),
        "level_choices": Level.choices,
        "delivery_choices": Delivery.choices,
        "default_level": followable.default_level
        or (Level.WATCHING if followable.label in {"thread", "wiki page"} else Level.NEW_ITEMS),
        "default_delivery": Delivery.WEEKLY,
    }
