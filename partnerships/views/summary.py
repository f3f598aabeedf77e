"""The printer-friendly summary of the whole partnership (as the seed's page offers one) and its PDF, with the
marking on every printed page and the risk matrix included. Both show only what the member may see."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from muster.pdf import render_pdf
from partnerships import selectors, services
from partnerships.guidance import STEPS
from partnerships.models import Partnership
from partnerships.risk import risk_matrix
from partnerships.views.common import visible_partnership
from verification import policy
from verification.models import Member


def summary_context(member: Member, partnership: Partnership) -> dict[str, Any]:
    steps = {step.number: step for step in partnership.steps.all()}
    hazards = list(selectors.hazards_of(member, partnership))
    resources = list(selectors.resources_of(member, partnership))
    needs = list(selectors.needs_of(member, partnership))
    goals = selectors.goals_with_progress(member, partnership)
    records = [*hazards, *resources, *needs, *(g.goal for g in goals), *(t for g in goals for t in g.tasks)]
    outputs = services.output_status(partnership, selectors.approvals_of(partnership))
    return {
        "partnership": partnership,
        "steps": [(guide, steps.get(guide.number)) for guide in STEPS],
        "outputs": outputs,
        "published": {status.output: status.published for status in outputs},
        "stakeholders": list(selectors.stakeholders_of(partnership)),
        "issues": list(selectors.issues_ranked(member, partnership)),
        "resources": resources,
        "groups": selectors.within_72_hours(member, partnership),
        "hazards": hazards,
        "matrix": risk_matrix(hazards),
        "needs": needs,
        "goals": goals,
        "marking": selectors.banner_for(partnership, records),
        "records": records,
        "printed_at": timezone.now(),
        "user": member,
    }


def _audit(member: Member, request: HttpRequest, items: list[Any], *, download: bool) -> None:
    """Every marked record the summary shows is written to the audit log (unmarked ones are not)."""
    policy.record_views(member, items, request, download=download)


@require_GET
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    context = summary_context(member, partnership)
    _audit(member, request, [partnership, *context["records"]], download=False)
    return render(request, "partnerships/summary.html", context)


@require_GET
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    context = summary_context(member, partnership)
    _audit(member, request, [partnership, *context["records"]], download=True)
    pdf = render_pdf("partnerships/summary_pdf.html", context)
    if pdf is None:
        return HttpResponse("PDF export is not available on this server.", status=503, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(partnership.title) or "partnership"
    response["Content-Disposition"] = f'attachment; filename="{name}-summary.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
