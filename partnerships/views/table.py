"""Steps 2 and 3: the invitation list by sector (prefilled with the seed's stakeholder categories) and the
common issues, ranked by the participants' votes, each with its discussion."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import check_contribute_permission
from partnerships.forms import CommentForm, IssueForm, StakeholderForm, StakeholderStateForm
from partnerships.guidance import OTHER_CATEGORY, PRIVATE_CATEGORIES, PUBLIC_CATEGORIES
from partnerships.models import CommonIssue, Partnership, Sector, Stakeholder
from partnerships.views.common import tell_errors, visible_partnership, workspace_context
from verification.models import Member


def _sections(partnership: Partnership) -> list[dict[str, Any]]:
    """The invitation list by sector and category: every seed category, with the organisations under it."""
    rows = list(selectors.stakeholders_of(partnership))
    sections = []
    for sector, label, categories in (
        (Sector.PRIVATE, "Private and community sector", PRIVATE_CATEGORIES),
        (Sector.PUBLIC, "Public sector", PUBLIC_CATEGORIES),
    ):
        in_sector = [row for row in rows if row.sector == sector]
        known = set(categories)
        groups = [(category, [row for row in in_sector if row.category == category]) for category in categories]
        others = [row for row in in_sector if row.category not in known]
        groups.append((OTHER_CATEGORY, others))
        sections.append({"sector": sector, "label": label, "groups": groups, "count": len(in_sector)})
    return sections


def _render_stakeholders(
    request: HttpRequest, member: Member, partnership: Partnership, form: StakeholderForm, status: int = 200
) -> HttpResponse:
    context = workspace_context(
        member, partnership, sections=_sections(partnership), form=form, state_form=StakeholderStateForm()
    )
    return render(request, "partnerships/stakeholders.html", context, status=status)


@require_http_methods(["GET", "POST"])
def stakeholders(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    participants = selectors.participants(partnership)
    form = StakeholderForm(request.POST or None, participants=participants, initial={"inviter": member.pk})
    if request.method == "POST":
        check_contribute_permission(member, partnership, request)
        if form.is_valid():
            try:
                row = services.stakeholder_add(partnership=partnership, actor=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{row.organisation} is on the invitation list.")
                return redirect("partnerships:stakeholders", pk=partnership.pk)
        return _render_stakeholders(request, member, partnership, form, status=400)
    return _render_stakeholders(request, member, partnership, form)


@require_POST
def stakeholder_state(request: HttpRequest, pk: int, row: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    try:
        stakeholder = partnership.stakeholders.get(pk=row)
    except Stakeholder.DoesNotExist:
        raise Http404("No such organisation on the list.") from None
    form = StakeholderStateForm(request.POST)
    if form.is_valid():
        services.stakeholder_set_state(stakeholder=stakeholder, actor=member, state=form.cleaned_data["state"])
        messages.success(request, f"{stakeholder.organisation}: {stakeholder.get_state_display().lower()}.")
    else:
        messages.error(request, "Choose to invite, invited, joined or declined.")
    return redirect("partnerships:stakeholders", pk=partnership.pk)


@require_http_methods(["GET", "POST"])
def issues(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    form = IssueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        check_contribute_permission(member, partnership, request)
        if form.is_valid():
            try:
                issue = services.issue_propose(partnership=partnership, author=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"“{issue.title}” is proposed.")
                return redirect("partnerships:issues", pk=partnership.pk)
        status = 400
    context = workspace_context(
        member, partnership, issues=list(selectors.issues_ranked(member, partnership)), form=form
    )
    return render(request, "partnerships/issues.html", context, status=status)


def _issue(member: Member, partnership: Partnership, pk: int) -> CommonIssue:
    try:
        return selectors.issue_of(member, partnership, pk)
    except CommonIssue.DoesNotExist:
        raise Http404("No such issue.") from None


@require_http_methods(["GET", "POST"])
def issue_detail(request: HttpRequest, pk: int, issue: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    found = _issue(member, partnership, issue)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.issue_comment(issue=found, author=member, text=form.cleaned_data["text"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("partnerships:issue", pk=partnership.pk, issue=found.pk)
        status = 400
    context = workspace_context(
        member, partnership, issue=found, comments=list(selectors.issue_comments(found)), form=form
    )
    return render(request, "partnerships/issue.html", context, status=status)


@require_POST
def issue_vote(request: HttpRequest, pk: int, issue: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    found = _issue(member, partnership, issue)
    try:
        if request.POST.get("withdraw"):
            services.issue_unvote(issue=found, member=member)
        else:
            services.issue_vote(issue=found, member=member)
    except ValidationError as error:
        tell_errors(request, error)
    if request.POST.get("next") == "issue":
        return redirect("partnerships:issue", pk=partnership.pk, issue=found.pk)
    return redirect("partnerships:issues", pk=partnership.pk)
