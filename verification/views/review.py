"""The verifier's side: the queue, a dossier and its decision, suspensions, the audit log.

Views parse input, check permission through ``verification.policy``, read
through ``verification.selectors`` and change state only through
``verification.services``.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from verification import policy, selectors, services
from verification.audit import audit_record
from verification.gate import signed_in_member
from verification.models import (
    AffiliationType,
    AuditEvent,
    Discipline,
    Member,
    VerificationApplication,
)
from verification.review_forms import (
    DECISION_FORMS,
    ApproveForm,
    AuditFilterForm,
    MoreInformationForm,
    QueueFilterForm,
    RejectForm,
    StandingForm,
)

QUEUE_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50

DECIDED_MESSAGES = {
    "approve": "Application approved. The applicant has been told by e-mail.",
    "reject": "Application rejected. The applicant has been sent your reason.",
    "more_info": "Question sent. The application waits until the applicant resubmits it.",
}
STANDING_MESSAGES = {"suspend": "Member suspended.", "reinstate": "Member reinstated."}

AFFILIATION_LABELS: dict[str, str] = dict(AffiliationType.choices)
DISCIPLINE_LABELS: dict[str, str] = dict(Discipline.choices)

# What the dossier shows of the profile snapshot, in order: (key, label, choice labels).
SNAPSHOT_FIELDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("affiliation_type", "Affiliation", AFFILIATION_LABELS),
    ("discipline", "Discipline", DISCIPLINE_LABELS),
    ("organisation", "Agency or organisation", {}),
    ("title", "Title", {}),
    ("jurisdiction_local", "County or city", {}),
    ("jurisdiction_state", "State", {}),
    ("work_email", "Work e-mail", {}),
    ("phone", "Phone", {}),
    ("expertise", "Expertise", {}),
    ("bio", "Bio", {}),
)

AUDIT_CSV_COLUMNS = (
    "at",
    "action",
    "actor_email",
    "actor_id",
    "target_type",
    "target_id",
    "target_label",
    "marking",
    "ip_address",
    "detail",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- Who may come in ---------------------------------------------------------


def _require_verifier(request: HttpRequest) -> Member:
    """The signed-in verifier; anyone else gets 403 and the denial is audited."""
    member = signed_in_member(request)
    policy.check_review_permission(member, request)
    return member


def _require_audit_reader(request: HttpRequest) -> Member:
    """A verifier or auditor; anyone else gets 403 and the denial is audited."""
    member = signed_in_member(request)
    policy.check_read_audit_log_permission(member, request)
    return member


# --- The queue and the dossier -----------------------------------------------


class QueueRow(NamedTuple):
    application: VerificationApplication
    affiliation: str
    discipline: str


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_verifier(request)
    form = QueueFilterForm(request.GET)
    applications = selectors.applications_for_review(form.filters())
    page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        QueueRow(
            application,
            AFFILIATION_LABELS.get(application.profile_snapshot.get("affiliation_type", ""), ""),
            DISCIPLINE_LABELS.get(application.profile_snapshot.get("discipline", ""), ""),
        )
        for application in page
    ]
    return render(request, "verification/review_queue.html", {"form": form, "page": page, "rows": rows})


def _snapshot_rows(snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for key, label, choices in SNAPSHOT_FIELDS:
        value = snapshot.get(key, "")
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append((label, choices.get(str(value), str(value))))
    return rows


def _decide(
    action: str,
    *,
    application: VerificationApplication,
    verifier: Member,
    data: dict[str, Any],
    request: HttpRequest,
) -> None:
    if action == "approve":
        services.application_approve(
            application=application, verifier=verifier, markings=data["markings"], note=data["note"], request=request
        )
    elif action == "reject":
        services.application_reject(application=application, verifier=verifier, reason=data["reason"], request=request)
    else:
        services.application_request_information(
            application=application, verifier=verifier, question=data["question"], request=request
        )


@require_http_methods(["GET", "POST"])
def review_application(request: HttpRequest, pk: int) -> HttpResponse:
    verifier = _require_verifier(request)
    try:
        application = selectors.application_for_review(pk=pk)
    except VerificationApplication.DoesNotExist:
        raise Http404("No such application.") from None
    authorisations = list(selectors.marking_authorisations(application.member))
    decision_forms: dict[str, forms.Form] = {
        "approve": ApproveForm(initial={"markings": [a.marking for a in authorisations]}),
        "reject": RejectForm(),
        "more_info": MoreInformationForm(),
    }
    submitted_form: forms.Form | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        form_class = DECISION_FORMS.get(action)
        if form_class is None:
            return HttpResponseBadRequest("Choose approve, reject or ask for more information.")
        submitted_form = decision_forms[action] = form_class(request.POST)
        if submitted_form.is_valid():
            try:
                _decide(
                    action,
                    application=application,
                    verifier=verifier,
                    data=submitted_form.cleaned_data,
                    request=request,
                )
            except ValidationError as error:
                submitted_form.add_error(None, error)
                # Someone may have decided it meanwhile: show what it is now.
                application = selectors.application_for_review(pk=pk)
            else:
                messages.success(request, DECIDED_MESSAGES[action])
                return redirect("verification:queue")
    context = {
        "submitted_form": submitted_form,
        "application": application,
        "applicant": application.member,
        "snapshot_rows": _snapshot_rows(application.profile_snapshot),
        "earlier_applications": selectors.earlier_applications(application),
        "authorisations": authorisations,
        "is_own_application": application.member_id == verifier.pk,
        "approve_form": decision_forms["approve"],
        "reject_form": decision_forms["reject"],
        "more_info_form": decision_forms["more_info"],
    }
    return render(request, "verification/review_application.html", context)


# --- Suspending and reinstating ----------------------------------------------


@require_http_methods(["GET", "POST"])
def member_standing(request: HttpRequest, pk: int) -> HttpResponse:
    verifier = _require_verifier(request)
    try:
        member = selectors.member_for_standing(pk=pk)
    except Member.DoesNotExist:
        raise Http404("No such member.") from None
    form = StandingForm(initial={"action": "reinstate" if member.is_suspended else "suspend"})
    if request.method == "POST":
        form = StandingForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            change = services.member_suspend if action == "suspend" else services.member_reinstate
            try:
                change(member=member, verifier=verifier, reason=form.cleaned_data["reason"], request=request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, STANDING_MESSAGES[action])
                return redirect("verification:standing", pk=member.pk)
    context = {
        "member": member,
        "form": form,
        "action": form["action"].value(),
        "authorisations": selectors.marking_authorisations(member),
        "latest_application": selectors.latest_application(member),
    }
    return render(request, "verification/review_standing.html", context)


# --- The audit log -------------------------------------------------------------


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    form = AuditFilterForm(request.GET)
    events = selectors.audit_events(form.filters()) if form.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "verification/audit_log.html", {"form": form, "page": page})


class _Echo:
    """A write-only file for ``csv.writer`` that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _audit_csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(AUDIT_CSV_COLUMNS)
    for event in events:
        yield writer.writerow(
            [
                _cell(event.at.isoformat()),
                _cell(event.action),
                _cell(event.actor_email),
                _cell(event.actor_id),
                _cell(event.target_type),
                _cell(event.target_id),
                _cell(event.target_label),
                _cell(event.marking),
                _cell(event.ip_address),
                _cell(json.dumps(event.detail, sort_keys=True, ensure_ascii=False)),
            ]
        )


@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    reader = _require_audit_reader(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Fix the audit log filters before exporting.")
    audit_record(AuditEvent.Action.AUDIT_EXPORTED, actor=reader, request=request, filters=request.GET.dict())
    events = selectors.audit_events(form.filters()).iterator(chunk_size=2000)
    response = StreamingHttpResponse(_audit_csv_lines(events), content_type="text/csv; charset=utf-8")
    filename = f"muster-audit-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
