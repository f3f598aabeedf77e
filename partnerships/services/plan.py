"""Step 6, sustainability: the needs assessment, goals that address needs, and tasks under goals (an owner
and a co-owner from the other sector, a due date, a state and a checklist)."""

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships.access import check_contribute_permission, check_record_marking, is_participant, sector_of
from partnerships.models import (
    TEXT_MAX,
    TITLE_MAX,
    ChecklistItem,
    CommonIssue,
    Goal,
    Hazard,
    Need,
    NeedArea,
    Partnership,
    Priority,
    Task,
    TaskState,
)
from partnerships.notifications import notify_task_assigned, notify_task_overdue
from partnerships.services.records import announce, check_edit_record, check_new_record
from partnerships.services.workspace import step_touch
from verification import policy
from verification.models import Marking, Member


def _check_title(errors: dict[str, str], title: str, description: str, what: str) -> None:
    if not title.strip():
        errors["title"] = f"Name the {what}."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the name under {TITLE_MAX} characters."
    if len(description) > TEXT_MAX:
        errors["description"] = f"Keep the description under {TEXT_MAX:,} characters."


@transaction.atomic
def _check_need(
    actor: Member,
    partnership: Partnership,
    title: str,
    description: str,
    area: str,
    priority: int,
    hazards: list[Hazard],
    issues: list[CommonIssue],
) -> None:
    errors: dict[str, str] = {}
    _check_title(errors, title, description, "need")
    if area not in NeedArea.values:
        errors["area"] = "Choose planning, mitigation, response or recovery."
    if priority not in Priority.values:
        errors["priority"] = "Choose high, medium or low."
    if any(h.partnership_id != partnership.pk or not policy.can_view(actor, h) for h in hazards):
        errors["hazards"] = "Link hazards of this partnership you can see."
    if any(issue.partnership_id != partnership.pk for issue in issues):
        errors["issues"] = "Link common issues of this partnership."
    if errors:
        raise ValidationError(errors)


def need_add(
    *,
    partnership: Partnership,
    author: Member,
    marking: Marking,
    title: str,
    area: str,
    priority: int,
    description: str = "",
    hazards: Iterable[Hazard] = (),
    issues: Iterable[CommonIssue] = (),
) -> Need:
    hazards, issues = list(hazards), list(issues)
    _check_need(author, partnership, title, description, area, priority, hazards, issues)
    check_new_record(author, partnership, marking)
    need = Need.objects.create(
        partnership=partnership,
        community=partnership.community,
        author=author,
        marking=marking,
        title=title.strip(),
        area=area,
        priority=priority,
        description=description.strip(),
    )
    need.hazards.set(hazards)
    need.issues.set(issues)
    step_touch(partnership=partnership, number=6, actor=author)
    announce(need, author)
    return need


@transaction.atomic
def goal_add(
    *,
    partnership: Partnership,
    author: Member,
    marking: Marking,
    title: str,
    description: str = "",
    needs: Iterable[Need] = (),
) -> Goal:
    errors: dict[str, str] = {}
    _check_title(errors, title, description, "goal")
    needs = list(needs)
    if any(n.partnership_id != partnership.pk or not policy.can_view(author, n) for n in needs):
        errors["needs"] = "Choose needs of this partnership you can see."
    if errors:
        raise ValidationError(errors)
    check_new_record(author, partnership, marking)
    goal = Goal.objects.create(
        partnership=partnership,
        community=partnership.community,
        author=author,
        marking=marking,
        title=title.strip(),
        description=description.strip(),
    )
    goal.needs.set(needs)
    step_touch(partnership=partnership, number=6, actor=author)
    announce(goal, author)
    return goal


def check_change_plan_record(actor: Member, record: Need | Goal) -> None:
    """Co-leads, the record's author and the community's moderators change a need or a goal they may see
    (``policy.can_edit``, which asks the registry's ``also_edited_by`` for the co-leads)."""
    check_contribute_permission(actor, record.partnership)
    policy.check_edit_permission(actor, record)


def _kept_hidden(actor: Member, linked: Iterable[Any]) -> list[Any]:
    """Links the editor may not see stay as they are (a form shows only what the editor sees)."""
    return [item for item in linked if not policy.can_view(actor, item)]


@transaction.atomic
def need_update(
    *,
    need: Need,
    actor: Member,
    marking: Marking,
    title: str,
    area: str,
    priority: int,
    description: str = "",
    hazards: Iterable[Hazard] = (),
    issues: Iterable[CommonIssue] = (),
) -> Need:
    need = Need.objects.select_for_update().select_related("partnership", "community").get(pk=need.pk)
    partnership = need.partnership
    check_change_plan_record(actor, need)
    hazards, issues = list(hazards), list(issues)
    _check_need(actor, partnership, title, description, area, priority, hazards, issues)
    check_record_marking(actor, partnership, marking)
    hidden = _kept_hidden(actor, need.hazards.all())
    need.marking = marking
    need.title, need.area, need.priority = title.strip(), area, priority
    need.description = description.strip()
    need.save()
    need.hazards.set([*hazards, *hidden])
    need.issues.set(issues)
    return need


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    actor: Member,
    marking: Marking,
    title: str,
    description: str = "",
    needs: Iterable[Need] = (),
) -> Goal:
    goal = Goal.objects.select_for_update().select_related("partnership", "community").get(pk=goal.pk)
    partnership = goal.partnership
    check_change_plan_record(actor, goal)
    errors: dict[str, str] = {}
    _check_title(errors, title, description, "goal")
    needs = list(needs)
    if any(n.partnership_id != partnership.pk or not policy.can_view(actor, n) for n in needs):
        errors["needs"] = "Choose needs of this partnership you can see."
    lowest_task = goal.tasks.order_by("marking__rank").values_list("marking__rank", flat=True).first()
    if lowest_task is not None and marking.rank > lowest_task:
        errors["marking"] = "Some of this goal's tasks are marked lower: a goal is marked no higher than its tasks."
    if errors:
        raise ValidationError(errors)
    check_record_marking(actor, partnership, marking)
    hidden = _kept_hidden(actor, goal.needs.all())
    goal.marking = marking
    goal.title, goal.description = title.strip(), description.strip()
    goal.save()
    goal.needs.set([*needs, *hidden])
    return goal


def _check_owners(
    errors: dict[str, str], partnership: Partnership, owner: Member | None, co_owner: Member | None
) -> None:
    if owner is None:
        errors["owner"] = "Choose who owns the task."
    elif not is_participant(owner, partnership):
        errors["owner"] = f"{owner.display_name} is not a participant of this partnership."
    if co_owner is None or owner is None or "owner" in errors:
        return
    if not is_participant(co_owner, partnership):
        errors["co_owner"] = f"{co_owner.display_name} is not a participant of this partnership."
    elif co_owner.pk == owner.pk:
        errors["co_owner"] = "The co-owner is someone other than the owner."
    elif sector_of(co_owner) == sector_of(owner):
        errors["co_owner"] = "The co-owner comes from the other sector than the owner (public and private)."


@transaction.atomic
def task_add(
    *,
    goal: Goal,
    author: Member,
    marking: Marking,
    title: str,
    owner: Member | None,
    due_on: date | None,
    co_owner: Member | None = None,
    description: str = "",
    checklist: Iterable[str] = (),
) -> Task:
    partnership = goal.partnership
    errors: dict[str, str] = {}
    _check_title(errors, title, description, "task")
    today = timezone.localdate()
    if due_on is None:
        errors["due_on"] = "Give the date the task is due."
    elif due_on < today:
        errors["due_on"] = f"A task cannot be due before it is created ({today:%d %B %Y})."
    _check_owners(errors, partnership, owner, co_owner)
    items = [text.strip() for text in checklist if text.strip()]
    if any(len(text) > TITLE_MAX for text in items):
        errors["checklist"] = f"Keep each checklist line under {TITLE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    check_new_record(author, partnership, marking)
    if not policy.can_view(author, goal):
        raise policy.deny(author, "add tasks to", goal, None)
    if marking.rank < goal.marking.rank:
        raise ValidationError({"marking": f"Tasks of this goal are marked at least {goal.marking}."})
    task = Task.objects.create(
        partnership=partnership,
        goal=goal,
        community=partnership.community,
        author=author,
        marking=marking,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        co_owner=co_owner,
        due_on=cast(date, due_on),  # checked above
    )
    ChecklistItem.objects.bulk_create(ChecklistItem(task=task, text=text) for text in items)
    step_touch(partnership=partnership, number=6, actor=author)
    announce(task, author)
    notify_task_assigned(task=task, actor=author)
    return task


def tasks_announce_overdue() -> int:
    """Tell the owners of every task newly overdue (not done, due before today, not yet told); each task once.
    Returns how many tasks were announced."""
    today = timezone.localdate()
    with transaction.atomic():
        due = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(deleted_at__isnull=True, overdue_notified_at__isnull=True, due_on__lt=today)
            .exclude(state=TaskState.DONE)
            .select_related("owner", "co_owner", "community__marking", "marking")
        )
        Task.objects.filter(pk__in=[task.pk for task in due]).update(overdue_notified_at=timezone.now())
        notify_task_overdue(tasks=due)
    return len(due)


@transaction.atomic
def task_set_state(*, task: Task, actor: Member, state: str) -> Task:
    task = Task.objects.select_for_update().select_related("partnership").get(pk=task.pk)
    check_edit_record(actor, task.partnership, task)
    if state not in TaskState.values:
        raise ValidationError({"state": "Choose to do, in progress or done."})
    task.state = state
    task.save(update_fields=["state", "updated_at"])
    return task


@transaction.atomic
def task_update(
    *, task: Task, actor: Member, owner: Member | None, co_owner: Member | None, due_on: date | None
) -> Task:
    """A participant who may see the task changes its owner, its co-owner (a participant of the other sector)
    and its due date (not before the day it was created). Newly named owners are told; a new due date may be
    announced overdue again."""
    task = Task.objects.select_for_update().select_related("partnership", "community", "marking").get(pk=task.pk)
    check_edit_record(actor, task.partnership, task)
    errors: dict[str, str] = {}
    created_on = timezone.localdate(task.created_at)
    if due_on is None:
        errors["due_on"] = "Give the date the task is due."
    elif due_on < created_on:
        errors["due_on"] = f"A task cannot be due before it was created ({created_on:%d %B %Y})."
    _check_owners(errors, task.partnership, owner, co_owner)
    if errors:
        raise ValidationError(errors)
    before = {task.owner_id, task.co_owner_id}
    if due_on != task.due_on:
        task.overdue_notified_at = None
    task.owner, task.co_owner, task.due_on = owner, co_owner, cast(date, due_on)
    task.save(update_fields=["owner", "co_owner", "due_on", "overdue_notified_at", "updated_at"])
    newly = [person for person in (owner, co_owner) if person is not None and person.pk not in before]
    if newly:
        notify_task_assigned(task=task, actor=actor, people=newly)
    return task


@transaction.atomic
def checklist_item_add(*, task: Task, actor: Member, text: str) -> ChecklistItem:
    check_edit_record(actor, task.partnership, task)
    if not text.strip():
        raise ValidationError({"text": "Write the checklist line."})
    if len(text) > TITLE_MAX:
        raise ValidationError({"text": f"Keep it under {TITLE_MAX} characters."})
    return ChecklistItem.objects.create(task=task, text=text.strip())


@transaction.atomic
def checklist_item_set(*, item: ChecklistItem, actor: Member, done: bool) -> ChecklistItem:
    check_edit_record(actor, item.task.partnership, item.task)
    item.done = done
    item.save(update_fields=["done"])
    return item
