"""Members follow a partnership (every record added to it) or one of its records."""

from collections.abc import Collection

from django.db.models import Q

from notices.follow import events_about, register_followable
from partnerships.addresses import goal_url, hazard_url, need_url, partnership_url, resource_url, task_url
from partnerships.models import Goal, Hazard, Need, Partnership, Resource, Task
from verification import policy

RECORDS = (Resource, Hazard, Need, Goal, Task)


def _partnership_events(ids: Collection[int]) -> Q:
    """The partnership's own events and those of every record in it."""
    events = events_about(Partnership, ids)
    for model in RECORDS:
        events |= events_about(model, model._default_manager.filter(partnership_id__in=ids).values("pk"))
    return events


def register_followables() -> None:
    register_followable(
        Partnership,
        label="Partnership",
        title=str,
        url=partnership_url,
        visible=policy.filter_visible,
        events=_partnership_events,
        display_related=("community",),
    )
    for model, label, url in (
        (Resource, "Partnership resource", resource_url),
        (Hazard, "Partnership hazard", hazard_url),
        (Need, "Partnership need", need_url),
        (Goal, "Partnership goal", goal_url),
        (Task, "Partnership task", task_url),
    ):
        register_followable(
            model,
            label=label,
            title=str,
            url=url,
            visible=policy.filter_visible,
            events=lambda ids, model=model: events_about(model, ids),
            display_related=("community",),
        )
