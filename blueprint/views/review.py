"""The editors' side: the review queue, decisions on proposed entries and edits (publish, send back with
notes, decline with a reason), validating an entry again, making its summary public, and re-marking it (a new
marking or community).

Every view checks ``blueprint.access.check_review_entries_permission`` (audited when refused) and the entry
through the access policy: an editor reviews only what they may see.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueprint import selectors, services
from blueprint.access import check_review_entries_permission, is_blueprint_editor
from blueprint.forms import PublicForm, ReviewForm, ValidateForm
from blueprint.models import EditProposal, Status
from blueprint.services import Decision, Facets, entry_url
from blueprint.views.common import tell_errors, visible_entry
from blueprint.views.entries import remark_form, render_entry
from muster.forms import add_service_error
from muster.revisions import text_diff
from verification import policy
from verification.gate import signed_in_member

DECIDED = {
    Decision.PUBLISH: "Published and validated.",
    Decision.RETURN: "Sent back to its author with your notes.",
    Decision.DECLINE: "Declined; the author sees your reason.",
}


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    check_review_entries_permission(member, request)
    queue = selectors.review_queue(member)
    entries, edits, due = list(queue.entries), list(queue.edits), list(queue.due)
    context = {
        "entries": entries,
        "edits": edits,
        "due": due,
        "marking": selectors.banner_of([*entries, *(edit.entry for edit in edits), *due]),
    }
    return render(request, "blueprint/review_queue.html", context)


@require_POST
def entry_review(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    check_review_entries_permission(member, request)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.entry_review(entry=entry, editor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, DECIDED[Decision(form.cleaned_data["decision"])])
            return redirect("blueprint:review")
    return render_entry(request, member, entry, status=400, review_form=form)


@require_http_methods(["GET", "POST"])
def edit_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposed edit beside the revision it was made on: for its proposer (with the editors' notes) and for
    editors (with the decision)."""
    member = signed_in_member(request)
    try:
        proposal = selectors.edit_proposal_visible_to(member, pk)
    except EditProposal.DoesNotExist:
        raise Http404("No such edit.") from None
    entry = proposal.entry
    base = entry.revisions.filter(number=proposal.base_number).first()
    editor = is_blueprint_editor(member)
    form = None
    if editor and proposal.status == Status.PROPOSED and proposal.proposer_id != member.pk:
        form = ReviewForm(request.POST or None)
    if request.method == "POST":
        check_review_entries_permission(member, request)
        if form is None:
            raise PermissionDenied("This edit is not waiting for your decision.")
        if form.is_valid():
            try:
                services.edit_proposal_review(proposal=proposal, editor=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, DECIDED[Decision(form.cleaned_data["decision"])])
                return redirect("blueprint:review")
    context = {
        "proposal": proposal,
        "entry": entry,
        "base": base,
        "marking": policy.effective_marking(entry),
        "form": form,
        "facets": Facets.from_json(proposal.facets),
        "hunks": text_diff(base.body if base else "", proposal.body),
        "summary_hunks": text_diff(base.summary if base else "", proposal.summary),
        "purpose_hunks": text_diff(base.purpose if base else "", proposal.purpose),
    }
    policy.record_view(member, entry, request)
    status = 400 if form is not None and form.errors else 200
    return render(request, "blueprint/edit_proposal.html", context, status=status)


@require_POST
def entry_validate(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    check_review_entries_permission(member, request)
    form = ValidateForm(request.POST)
    if form.is_valid():
        try:
            services.entry_validate(entry=entry, editor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Validated again.")
            return redirect(entry_url(entry))
    return render_entry(request, member, entry, status=400, validate_form=form)


@require_POST
def entry_public(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    check_review_entries_permission(member, request)
    form = PublicForm(request.POST)
    form.is_valid()
    public = bool(form.cleaned_data.get("public"))
    try:
        services.entry_set_public(entry=entry, editor=member, public=public)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(
            request, "Anyone can now read its heading and summary." if public else "Its summary is for members only."
        )
    return redirect(entry_url(entry))


@require_POST
def entry_remark(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    check_review_entries_permission(member, request)
    form = remark_form(member, entry, request.POST)
    if form.is_valid():
        try:
            entry = services.entry_remark(entry=entry, editor=member, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Now marked {entry.marking} in {entry.community}.")
            return redirect(entry_url(entry))
    return render_entry(request, member, entry, status=400, remark_form=form)
