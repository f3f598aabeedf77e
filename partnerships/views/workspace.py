"""The workspace: the list of partnerships, starting one, the overview of the six steps, each step's guided
page, naming co-leads, marking steps done and approving what the partnership publishes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import can_name_co_leads, check_co_lead_permission, sector_of
from partnerships.addresses import partnership_url
from partnerships.forms import ApprovalForm, CoLeadForm, PartnershipEditForm, PartnershipForm, StepStateForm
from partnerships.guidance import STEP_NUMBERS, STEPS, StepGuide, step_guide
from partnerships.models import Partnership, Sector, Step, StepState
from partnerships.views.common import tell_errors, visible_partnership, workspace_context
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    partnerships = list(partnerships_page(member))
    marking = policy.highest_marking([policy.effective_marking(p) for p in partnerships])
    context = {"partnerships": partnerships, "marking": marking if marking and not marking.is_unmarked else None}
    return render(request, "partnerships/list.html", context)


def partnerships_page(member: Member) -> list[Partnership]:
    return list(
        selectors.partnerships_for(member)
        .select_related("community__marking", "public_lead", "private_lead")
        .order_by("title", "pk")
    )


@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = PartnershipForm(
        request.POST or None,
        communities=selectors.postable_communities(member),
        markings=selectors.markings_for(member),
    )
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_create(author=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The partnership is started. Step 1: name its two co-leads.")
            return redirect(partnership_url(partnership))
    status = 400 if form.errors else 200
    return render(request, "partnerships/create.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A co-lead changes the title, jurisdiction, description, tags and marking."""
    member, partnership = visible_partnership(request, pk)
    check_co_lead_permission(member, partnership, request)
    initial = {
        "title": partnership.title,
        "jurisdiction": partnership.jurisdiction,
        "description": partnership.description,
        "tags": list(partnership.tags.all()),
        "marking": partnership.marking,
    }
    form = PartnershipEditForm(
        request.POST or None, markings=selectors.markings_for(member, partnership.community.marking), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_update(partnership=partnership, actor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The partnership is saved.")
            return redirect(partnership_url(partnership))
    context = workspace_context(member, partnership, form=form)
    return render(request, "partnerships/edit.html", context, status=400 if form.errors else 200)


def _steps(partnership: Partnership) -> list[tuple[StepGuide, Step | None]]:
    rows = {step.number: step for step in partnership.steps.all()}
    return [(guide, rows.get(guide.number)) for guide in STEPS]


def _render_overview(
    request: HttpRequest, member: Member, partnership: Partnership, *, co_lead_form: CoLeadForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    steps = _steps(partnership)
    done = sum(1 for _, step in steps if step is not None and step.state == StepState.DONE)
    candidates = selectors.participants(partnership)
    context = workspace_context(
        member,
        partnership,
        steps=steps,
        tags=list(partnership.tags.all()),
        done_count=done,
        outputs=services.output_status(partnership, selectors.approvals_of(partnership)),
        can_name_co_leads=can_name_co_leads(member, partnership),
        my_sector="public" if partnership.public_lead_id == member.pk else "private",
        co_lead_form=co_lead_form or CoLeadForm(candidates=candidates),
        public_candidates=[m for m in candidates if sector_of(m) == Sector.PUBLIC],
        private_candidates=[m for m in candidates if sector_of(m) == Sector.PRIVATE],
    )
    return render(request, "partnerships/overview.html", context, status=status)


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    policy.record_view(member, partnership, request)
    return _render_overview(request, member, partnership)


@require_POST
def co_lead_set(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    form = CoLeadForm(request.POST, candidates=selectors.participants(partnership))
    if form.is_valid():
        try:
            partnership = services.co_lead_set(
                partnership=partnership, member=form.cleaned_data["member"], actor=member
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['member'].display_name} is now a co-lead.")
            return redirect(partnership_url(partnership))
    partnership = selectors.partnership_visible_to(member, pk)
    return _render_overview(request, member, partnership, co_lead_form=form, status=400)


@require_POST
def co_lead_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    sector = request.POST.get("sector", "")
    if sector not in Sector.values:
        raise Http404("No such co-lead.")
    services.co_lead_remove(partnership=partnership, sector=sector, actor=member)
    messages.success(request, "The co-lead's place is open again; step 1 stays open until it is filled.")
    return redirect(partnership_url(partnership))


@require_GET
def step_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    if number not in STEP_NUMBERS:
        raise Http404("The partnership model has six steps.")
    step = next(step for step in partnership.steps.all() if step.number == number)
    context = workspace_context(
        member,
        partnership,
        guide=step_guide(number),
        step=step,
        state_form=StepStateForm(initial={"state": step.state}),
        steps=_steps(partnership),
    )
    return render(request, "partnerships/step.html", context)


@require_POST
def step_state(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    if number not in STEP_NUMBERS:
        raise Http404("The partnership model has six steps.")
    check_co_lead_permission(member, partnership, request)
    form = StepStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose not started, in progress or done.")
    else:
        try:
            step = services.step_set_state(
                partnership=partnership, number=number, state=form.cleaned_data["state"], actor=member
            )
        except ValidationError as error:
            tell_errors(request, error)
        else:
            messages.success(request, f"Step {number} is now “{step.get_state_display().lower()}”.")
    return redirect("partnerships:step", pk=partnership.pk, number=number)


@require_POST
def output_approve(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the summary or the plan.")
    else:
        output = form.cleaned_data["output"]
        try:
            if request.POST.get("withdraw"):
                services.output_withdraw(partnership=partnership, output=output, actor=member)
                messages.success(request, "Your approval is withdrawn.")
            else:
                services.output_approve(partnership=partnership, output=output, actor=member)
                messages.success(request, "Your approval is recorded.")
        except ValidationError as error:
            tell_errors(request, error)
    return redirect(partnership_url(partnership))
