"""Step 6, the plan: needs, goals with their progress, tasks (overdue ones flagged), and a task's page with
its checklist."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import check_contribute_permission
from partnerships.addresses import task_url
from partnerships.forms import ChecklistItemForm, GoalForm, NeedForm, TaskForm, TaskStateForm
from partnerships.models import ChecklistItem, Partnership, Task
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


def _visible_task(member: Member, pk: int) -> Task:
    try:
        return selectors.task_visible_to(member, pk)
    except Task.DoesNotExist:
        raise Http404("No such task.") from None


@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    task = _visible_task(member, pk)
    policy.record_view(member, task, request)
    context = workspace_context(
        member,
        task.partnership,
        task=task,
        checklist=list(task.checklist.all()),
        state_form=TaskStateForm(initial={"state": task.state}),
        item_form=ChecklistItemForm(),
        marking=selectors.banner_for(task.partnership, [task]),
        can_remove=policy.can_edit(member, task),
        can_restore=policy.can_moderate(member, task.partnership.community),
    )
    return render(request, "partnerships/task.html", context)


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
