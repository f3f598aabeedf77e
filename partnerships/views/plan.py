"""Step 6, the plan: needs, goals with their progress, tasks (overdue ones flagged), and a task's page with
its checklist."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import check_contribute_permission
from partnerships.addresses import goal_url, need_url, task_url
from partnerships.forms import ChecklistItemForm, GoalForm, NeedForm, TaskEditForm, TaskForm, TaskStateForm
from partnerships.models import ChecklistItem, Goal, Need, Partnership, Task
from partnerships.views.common import tell_errors, visible_partnership, workspace_context
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _forms(member: Member, partnership: Partnership, data: Any = None, which: str = "") -> dict[str, Any]:
    markings = selectors.markings_for(member, policy.effective_marking(partnership))
    initial = {"marking": partnership.marking}
    return {
        "need_form": NeedForm(
            data if which == "need" else None,
            hazards=selectors.hazards_of(member, partnership),
            issues=partnership.issues.all(),
            markings=markings,
            initial=initial,
        ),
        "goal_form": GoalForm(
            data if which == "goal" else None,
            needs=selectors.needs_of(member, partnership),
            markings=markings,
            initial=initial,
        ),
        "task_form": TaskForm(
            data if which == "task" else None,
            goals=selectors.goals_of(member, partnership),
            participants=selectors.participants(partnership),
            markings=markings,
            initial=initial,
        ),
    }


def _render_plan(
    request: HttpRequest, member: Member, partnership: Partnership, forms: dict[str, Any], status: int = 200
) -> HttpResponse:
    needs = list(selectors.needs_of(member, partnership))
    goals = selectors.goals_with_progress(member, partnership)
    records = [*needs, *(progress.goal for progress in goals), *(t for p in goals for t in p.tasks)]
    policy.record_views(member, records, request)
    context = workspace_context(
        member,
        partnership,
        needs=needs,
        goals=goals,
        marking=selectors.banner_for(partnership, records),
        **forms,
    )
    return render(request, "partnerships/plan.html", context, status=status)


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    return _render_plan(request, member, partnership, _forms(member, partnership))


@require_POST
def plan_add(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    if what not in ("need", "goal", "task"):
        raise Http404("No such part of the plan.")
    check_contribute_permission(member, partnership, request)
    forms = _forms(member, partnership, request.POST, what)
    form = forms[f"{what}_form"]
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if what == "need":
                services.need_add(partnership=partnership, author=member, **data)
            elif what == "goal":
                services.goal_add(partnership=partnership, author=member, **data)
            else:
                data.pop("example", None)
                data["checklist"] = (data.get("checklist") or "").splitlines()
                task = services.task_add(author=member, **data)
                messages.success(request, f"The task “{task.title}” is added.")
                return redirect(task_url(task))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The {what} is added to the plan.")
            return redirect("partnerships:plan", pk=partnership.pk)
    return _render_plan(request, member, partnership, forms, status=400)


@require_http_methods(["GET", "POST"])
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A need's page: what it answers and the goals that address it; co-leads and its author change it here."""
    member = signed_in_member(request)
    try:
        need = selectors.need_visible_to(member, pk)
    except Need.DoesNotExist:
        raise Http404("No such need.") from None
    partnership = need.partnership
    policy.record_view(member, need, request)
    initial = {
        "title": need.title,
        "area": need.area,
        "priority": need.priority,
        "description": need.description,
        "hazards": list(need.hazards.all()),
        "issues": list(need.issues.all()),
        "marking": need.marking,
    }
    form = NeedForm(
        request.POST or None,
        hazards=selectors.hazards_of(member, partnership),
        issues=partnership.issues.all(),
        markings=selectors.markings_for(member, policy.effective_marking(partnership)),
        initial=initial,
    )
    can_change = policy.can_edit(member, need)
    if request.method == "POST":
        if not can_change:
            raise policy.deny(member, "change", need, request)
        if form.is_valid():
            try:
                services.need_update(need=need, actor=member, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, "The need is saved.")
                return redirect(need_url(need))
    context = workspace_context(
        member,
        partnership,
        need=need,
        hazards=list(selectors.hazards_of(member, partnership).filter(needs=need)),
        issues=list(need.issues.all()),
        goals=list(selectors.goals_of(member, partnership).filter(needs=need)),
        form=form,
        can_change=can_change,
        marking=selectors.banner_for(partnership, [need]),
        can_remove=can_change,
        can_restore=policy.can_moderate(member, partnership.community),
    )
    return render(request, "partnerships/need.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A goal's page: the needs it addresses and its tasks; co-leads and its author change it here."""
    member = signed_in_member(request)
    try:
        goal = selectors.goal_visible_to(member, pk)
    except Goal.DoesNotExist:
        raise Http404("No such goal.") from None
    partnership = goal.partnership
    policy.record_view(member, goal, request)
    visible_needs = selectors.needs_of(member, partnership).prefetch_related(None)
    initial = {
        "title": goal.title,
        "description": goal.description,
        "needs": list(visible_needs.filter(goals=goal)),
        "marking": goal.marking,
    }
    form = GoalForm(
        request.POST or None,
        needs=visible_needs,
        markings=selectors.markings_for(member, policy.effective_marking(partnership)),
        initial=initial,
    )
    can_change = policy.can_edit(member, goal)
    if request.method == "POST":
        if not can_change:
            raise policy.deny(member, "change", goal, request)
        if form.is_valid():
            try:
                services.goal_update(goal=goal, actor=member, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, "The goal is saved.")
                return redirect(goal_url(goal))
    tasks = list(selectors.tasks_of(member, partnership).filter(goal=goal))
    policy.record_views(member, tasks, request)
    context = workspace_context(
        member,
        partnership,
        goal=goal,
        needs=initial["needs"],
        tasks=tasks,
        form=form,
        can_change=can_change,
        marking=selectors.banner_for(partnership, [goal, *tasks]),
        can_remove=can_change,
        can_restore=policy.can_moderate(member, partnership.community),
    )
    return render(request, "partnerships/goal.html", context, status=400 if form.errors else 200)


def _visible_task(member: Member, pk: int) -> Task:
    try:
        return selectors.task_visible_to(member, pk)
    except Task.DoesNotExist:
        raise Http404("No such task.") from None


def _task_edit_form(task: Task, data: Any = None) -> TaskEditForm:
    initial = {"owner": task.owner_id, "co_owner": task.co_owner_id, "due_on": task.due_on}
    return TaskEditForm(data, participants=selectors.participants(task.partnership), initial=initial)


def _render_task(
    request: HttpRequest, member: Member, task: Task, edit_form: TaskEditForm | None = None, status: int = 200
) -> HttpResponse:
    policy.record_view(member, task, request)
    context = workspace_context(
        member,
        task.partnership,
        task=task,
        checklist=list(task.checklist.all()),
        state_form=TaskStateForm(initial={"state": task.state}),
        edit_form=edit_form or _task_edit_form(task),
        item_form=ChecklistItemForm(),
        marking=selectors.banner_for(task.partnership, [task]),
        can_remove=policy.can_edit(member, task),
        can_restore=policy.can_moderate(member, task.partnership.community),
    )
    return render(request, "partnerships/task.html", context, status=status)


@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    return _render_task(request, member, _visible_task(member, pk))


@require_POST
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the task's owner, co-owner and due date; bad input comes back on the task's page, as typed."""
    member = signed_in_member(request)
    task = _visible_task(member, pk)
    check_contribute_permission(member, task.partnership, request)
    form = _task_edit_form(task, request.POST)
    if form.is_valid():
        try:
            services.task_update(task=task, actor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The task is saved.")
            return redirect(task_url(task))
    return _render_task(request, member, task, edit_form=form, status=400)


@require_POST
def task_state(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    task = _visible_task(member, pk)
    form = TaskStateForm(request.POST)
    if form.is_valid():
        try:
            services.task_set_state(task=task, actor=member, state=form.cleaned_data["state"])
        except ValidationError as error:
            tell_errors(request, error)
        else:
            messages.success(request, "The task's state is saved.")
    return redirect(task_url(task))


@require_POST
def checklist_add(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    task = _visible_task(member, pk)
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_item_add(task=task, actor=member, text=form.cleaned_data["text"])
        except ValidationError as error:
            tell_errors(request, error)
    else:
        messages.error(request, "Write the checklist item (under 200 characters).")
    return redirect(task_url(task))


@require_POST
def checklist_toggle(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    member = signed_in_member(request)
    task = _visible_task(member, pk)
    try:
        found = task.checklist.get(pk=item)
    except ChecklistItem.DoesNotExist:
        raise Http404("No such checklist item.") from None
    services.checklist_item_set(item=found, actor=member, done=request.POST.get("done") == "1")
    return redirect(task_url(task))
