"""What partnerships tell members: a task assigned to them (as owner or co-owner) and a task of theirs that
is overdue. Sent through ``notices.notifications.notify``, which keeps only recipients who may see the task."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from notices.models import Notification
from notices.notifications import notify
from partnerships.addresses import task_url
from partnerships.models import Task
from verification import policy
from verification.models import Member

TASK_ASSIGNED = "partnership_task_assigned"
TASK_OVERDUE = "partnership_task_overdue"


def describe_task_notification(notification: Notification, viewer: Member) -> str:
    task = notification.target
    title = f"“{task.title}”" if isinstance(task, Task) else "a task"
    if notification.kind == TASK_OVERDUE:
        return f"Your partnership task {title} is overdue"
    actor = notification.actor.display_name if notification.actor else "Someone"
    return f"{actor} gave you the partnership task {title}"


def task_targets() -> list[QuerySet[Any]]:
    return [Task.objects.all()]


def _people(task: Task, leave_out: Member | None) -> list[Member]:
    people = [person for person in (task.owner, task.co_owner) if person is not None]
    return [person for person in people if leave_out is None or person.pk != leave_out.pk]


def notify_task_assigned(*, task: Task, actor: Member, people: list[Member] | None = None) -> None:
    """Tell the task's owner and co-owner (or only ``people``, those newly named) that it is theirs."""
    told = _people(task, actor) if people is None else [p for p in people if p.pk != actor.pk]
    notify(
        told,
        kind_key=TASK_ASSIGNED,
        actor=actor,
        target=task,
        url=task_url(task),
        community=task.community,
        marking=policy.effective_marking(task),
    )


def notify_task_overdue(*, tasks: Iterable[Task]) -> None:
    for task in tasks:
        notify(
            _people(task, None),
            kind_key=TASK_OVERDUE,
            actor=None,
            target=task,
            url=task_url(task),
            community=task.community,
            marking=policy.effective_marking(task),
        )
