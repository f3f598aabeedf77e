"""The barriers report of a Congress: its page (sections, comments, the forms delegates write with),
starting it, adding and editing sections (revisions, merged or a conflict shown with both versions),
comments, publishing to members, and the PDF with the marking on every page.

A report the member may not see (a draft, unless they are a delegate of the edition or an editor; a marked
or closed community's report, unless the access rule admits them) is a 404. Views of a marked report are
audited.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueprint import congress_selectors as selectors
from blueprint import services
from blueprint.access import is_blueprint_editor
from blueprint.congress_forms import (
    ReportCommentForm,
    ReportStartForm,
    SectionEditForm,
    SectionForm,
    TagsForm,
)
from blueprint.models import BarriersReport, Congress, ReportSection, ReportStatus
from blueprint.selectors import markings_for_entry, postable_communities
from blueprint.services import report_url
from blueprint.views.common import tell_errors
from muster.forms import add_service_error
from muster.pdf import render_pdf
from muster.revisions import EditConflictError
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _congress(member: Member, year: int) -> Congress:
    try:
        return selectors.congress_for(member, year)
    except Congress.DoesNotExist:
        raise Http404("No such Congress.") from None


def _report(member: Member, year: int) -> BarriersReport:
    try:
        return selectors.report_for(member, _congress(member, year))
    except BarriersReport.DoesNotExist:
        raise Http404("No report you can see.") from None


def _section(report: BarriersReport, pk: int) -> ReportSection:
    try:
        return selectors.section_of(report, pk)
    except ReportSection.DoesNotExist:
        raise Http404("No such section.") from None


def _render_report(
    request: HttpRequest, member: Member, report: BarriersReport, *, status: int = 200, **forms: Any
) -> HttpResponse:
    may_write = services.can_write_report(member, report)
    context: dict[str, Any] = {
        "report": report,
        "congress": report.congress,
        "sections": list(selectors.report_sections(report)),
        "comments": list(selectors.report_comments(report)),
        "may_write": may_write,
        "may_publish": report.status == ReportStatus.DRAFT and (may_write or is_blueprint_editor(member)),
        "marking": policy.effective_marking(report),
        "comment_form": forms.get("comment_form") or ReportCommentForm(),
        "report_tags": list(report.tags.order_by("name")),
    }
    if services.can_tag_report(member, report):
        context["tags_form"] = forms.get("tags_form") or TagsForm(
            initial={"tags": ", ".join(tag.name for tag in context["report_tags"])}
        )
    if may_write:
        context["section_form"] = forms.get("section_form") or SectionForm()
    policy.record_view(member, report, request)
    return render(request, "blueprint/report.html", context, status=status)


@require_GET
def report_detail(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    return _render_report(request, member, _report(member, year))


def _start_form(request: HttpRequest, member: Member) -> ReportStartForm:
    community_id = request.POST.get("community") if request.method == "POST" else None
    community = postable_communities(member).filter(pk=community_id).first() if community_id else None
    return ReportStartForm(
        request.POST or None,
        communities=postable_communities(member),
        markings=markings_for_entry(member, community),
    )


@require_http_methods(["GET", "POST"])
def report_start(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    congress = _congress(member, year)
    form = _start_form(request, member)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_start(congress=congress, author=member, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The report is started: add its sections.")
            return redirect(report_url(report))
    status = 400 if form.errors else 200
    return render(request, "blueprint/report_start.html", {"congress": congress, "form": form}, status=status)


@require_POST
def section_add(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    report = _report(member, year)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(report=report, author=member, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Section added.")
            return redirect(report_url(report))
    return _render_report(request, member, report, status=400, section_form=form)


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    report = _report(member, year)
    section = _section(report, pk)
    if not services.can_write_report(member, report):
        raise PermissionDenied("Only delegates and alternates of this Congress write its report.")
    initial = {"title": section.title, "body": section.body, "base_number": section.revision_number}
    form = SectionEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.section_edit(section=section, author=member, **form.cleaned_data)
        except EditConflictError as error:
            conflict = error
            data = request.POST.copy()
            data["body"], data["base_number"] = error.merged_with_markers, str(error.current.number)
            form = SectionEditForm(data)
            form.is_valid()
            form.add_error("body", "Someone saved this section while you were editing: both versions are below.")
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Section saved as a new revision.")
            return redirect(report_url(report))
    context = {
        "report": report,
        "congress": report.congress,
        "section": section,
        "form": form,
        "conflict": conflict,
        "history": list(section.revisions.select_related("author").order_by("-number")[:20]),
        "marking": policy.effective_marking(report),
    }
    status = 400 if form.errors else 200
    return render(request, "blueprint/section_edit.html", context, status=status)


@require_POST
def report_comment(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    report = _report(member, year)
    form = ReportCommentForm(request.POST)
    if form.is_valid():
        section_pk = form.cleaned_data.get("section")
        section = _section(report, section_pk) if section_pk else None
        try:
            services.report_comment(report=report, author=member, text=form.cleaned_data["text"], section=section)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(report_url(report))
    return _render_report(request, member, report, status=400, comment_form=form)


@require_POST
def report_tags(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    report = _report(member, year)
    form = TagsForm(request.POST)
    if form.is_valid():
        try:
            services.report_tags_set(report=report, actor=member, tags=form.cleaned_data["tags"] or ())
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Tags saved.")
            return redirect(report_url(report))
    return _render_report(request, member, report, status=400, tags_form=form)


@require_POST
def report_publish(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    report = _report(member, year)
    try:
        services.report_publish(report=report, actor=member)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, "The report is published to members.")
    return redirect(report_url(report))


@require_GET
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The report as a PDF with the marking at the top and bottom of every page."""
    member = signed_in_member(request)
    report = _report(member, year)
    context = {
        "report": report,
        "congress": report.congress,
        "sections": list(selectors.report_sections(report)),
        "marking": policy.effective_marking(report),
        "printed_at": timezone.now(),
        "user": member,
    }
    policy.record_view(member, report, request, download=True)
    pdf = render_pdf("blueprint/report_pdf.html", context)
    if pdf is None:
        return HttpResponse("PDF export is not available on this server.", status=503, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="barriers-report-{report.congress.year}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
