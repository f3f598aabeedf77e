"""Step 5, the hazard register with its risk matrix (an SVG drawn on the server, and its table)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import check_contribute_permission
from partnerships.forms import HazardForm
from partnerships.models import Hazard, Partnership
from partnerships.risk import risk_matrix
from partnerships.views.common import visible_partnership, workspace_context
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _render_register(
    request: HttpRequest, member: Member, partnership: Partnership, form: HazardForm | None, status: int = 200
) -> HttpResponse:
    hazards = list(selectors.hazards_of(member, partnership))
    policy.record_views(member, hazards, request)
    context = workspace_context(
        member,
        partnership,
        hazards=hazards,
        matrix=risk_matrix(hazards),
        form=form,
        marking=selectors.banner_for(partnership, hazards),
    )
    return render(request, "partnerships/hazards.html", context, status=status)


@require_http_methods(["GET", "POST"])
def hazard_register(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    markings = selectors.markings_for(member, policy.effective_marking(partnership))
    form = HazardForm(request.POST or None, markings=markings, initial={"marking": partnership.marking})
    if request.method == "POST":
        check_contribute_permission(member, partnership, request)
        if form.is_valid():
            try:
                hazard = services.hazard_add(partnership=partnership, author=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{hazard.title} is in the register.")
                return redirect("partnerships:hazards", pk=partnership.pk)
        return _render_register(request, member, partnership, form, status=400)
    return _render_register(request, member, partnership, form)


@require_http_methods(["GET", "POST"])
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A hazard's page, where participants change it."""
    member = signed_in_member(request)
    try:
        hazard = selectors.hazard_visible_to(member, pk)
    except Hazard.DoesNotExist:
        raise Http404("No such hazard.") from None
    partnership = hazard.partnership
    policy.record_view(member, hazard, request)
    markings = selectors.markings_for(member, policy.effective_marking(partnership))
    initial = {
        "title": hazard.title,
        "category": hazard.category,
        "likelihood": hazard.likelihood,
        "impact": hazard.impact,
        "organisations_affected": hazard.organisations_affected,
        "description": hazard.description,
        "marking": hazard.marking,
    }
    form = HazardForm(request.POST or None, markings=markings, initial=initial)
    if request.method == "POST":
        check_contribute_permission(member, partnership, request)
        if form.is_valid():
            try:
                services.hazard_update(hazard=hazard, actor=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "The hazard is saved.")
                return redirect("partnerships:hazards", pk=partnership.pk)
    context = workspace_context(
        member,
        partnership,
        hazard=hazard,
        form=form,
        marking=selectors.banner_for(partnership, [hazard]),
        can_remove=policy.can_edit(member, hazard),
        can_restore=policy.can_moderate(member, partnership.community),
    )
    return render(request, "partnerships/hazard.html", context, status=400 if form.errors else 200)
