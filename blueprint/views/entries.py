"""One entry: its page (the public summary for anonymous visitors), proposing a new one, editing (a proposal
of one's own directly, anyone else's published entry as a proposed edit), proposing again after notes, and
the printable page and PDF with the marking on every page.

Views parse input and call one service; reads go through ``blueprint.selectors``, which the access policy
has already narrowed. An entry the member may not see is a 404; an action they may not take is a 403.
Every view of a marked entry is written to the audit log.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueprint import congress_selectors, selectors, services
from blueprint.access import can_link_from, can_propose_edit, can_revise_proposal, is_blueprint_editor
from blueprint.forms import (
    AttachmentForm,
    EntryEditForm,
    EntryProposeForm,
    LinkForm,
    PublicForm,
    RemarkForm,
    ReviewForm,
    ValidateForm,
    initial_from,
)
from blueprint.models import BLUEPRINT_COMMUNITY_SLUG, EditProposal, Entry, Kind, Status
from blueprint.services import Facets, entry_url, relation_from
from blueprint.views.common import tell_errors, visible_entry
from muster.forms import add_service_error
from muster.pdf import render_pdf
from muster.revisions import EditConflictError, text_diff
from verification import policy
from verification.gate import public_page, signed_in_member
from verification.models import Member

LINK_LABELS = {
    Kind.SOLUTION: "Challenges it addresses",
    Kind.TOOL: "Solutions it implements",
    Kind.REPORT: "Tools, solutions or reports it evaluates",
    Kind.CASE: "Solutions it demonstrates",
}


# --- The entry's page --------------------------------------------------------------------------------


@public_page
@require_GET
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole entry for members who may see it; its public summary for everyone else, when public."""
    user = request.user
    try:
        entry = selectors.entry_readable_by(user, slug)
    except Entry.DoesNotExist:
        if not user.is_authenticated:  # perhaps a member's entry: the same answer whether or not it exists
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        raise Http404("No such entry.") from None
    if policy.reads_public_tier(user):
        return render(request, "blueprint/public_entry.html", {"entry": entry})
    return render_entry(request, signed_in_member(request), entry)


def render_entry(
    request: HttpRequest, member: Member, entry: Entry, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The entry's page, with any of its forms given back bound (a refused link, a decision without notes)."""
    editor = is_blueprint_editor(member)
    relation = relation_from(entry.kind)
    may_link = can_link_from(member, entry)
    context: dict[str, Any] = {
        "entry": entry,
        "community": entry.community,
        "marking": policy.effective_marking(entry),
        "links": selectors.entry_links(member, entry),
        "attachments": selectors.entry_attachments(member, entry),
        "is_editor": editor,
        "can_propose_edit": can_propose_edit(member, entry),
        "can_revise": can_revise_proposal(member, entry),
        "can_remove": policy.can_edit(member, entry),
        "can_moderate": policy.can_moderate_item(member, entry),
        "is_public": entry.summary_public and policy.is_public(entry),
        "own_edits": list(selectors.edit_proposals_for(member, entry)[:20]),
        "may_link": may_link and relation is not None,
        "from_ideas": list(congress_selectors.ideas_behind(member, entry)),
    }
    if entry.kind == Kind.CHALLENGE:
        context["solutions"] = list(selectors.challenge_solutions(member, entry))
    context["marking"] = selectors.page_marking(
        entry, context["links"], context["attachments"], context.get("solutions", ())
    )
    if context["from_ideas"]:
        context["marking"] = max(
            [context["marking"], *(policy.effective_marking(idea) for idea in context["from_ideas"])],
            key=lambda marking: marking.rank,
        )
    if context["may_link"] and relation is not None:
        context["link_relation"] = relation
        context["link_label"] = LINK_LABELS[Kind(entry.kind)]
        context["link_form"] = forms.get("link_form") or LinkForm(
            initial={"relation": relation}, targets=selectors.link_targets(member, entry, relation)
        )
    if may_link:
        context["attachment_form"] = forms.get("attachment_form") or AttachmentForm(
            items=selectors.attachable_items(member)
        )
    if editor and entry.status == Status.PROPOSED and entry.author_id != member.pk:
        context["review_form"] = forms.get("review_form") or ReviewForm()
    if editor and entry.is_published:
        context["validate_form"] = forms.get("validate_form") or ValidateForm(initial={"evidence": entry.evidence})
        context["public_form"] = PublicForm(initial={"public": not entry.summary_public})
    if editor:
        context["remark_form"] = forms.get("remark_form") or remark_form(member, entry)
    policy.record_view(member, entry, request)
    return render(request, "blueprint/entry.html", context, status=status)


def remark_form(member: Member, entry: Entry, data: Any = None) -> RemarkForm:
    return RemarkForm(
        data,
        initial={"community": entry.community_id, "marking": entry.marking_id},
        communities=selectors.remark_communities(member, entry),
        markings=selectors.markings_for_entry(member),
    )


# --- Proposing and editing -----------------------------------------------------------------------------


def _propose_form(request: HttpRequest, member: Member, kind: str) -> EntryProposeForm:
    communities = selectors.postable_communities(member)
    home = communities.filter(slug=BLUEPRINT_COMMUNITY_SLUG).first() or communities.first()
    return EntryProposeForm(
        request.POST or None,
        kind=kind,
        initial={"community": home, "marking": home.marking if home else None},
        communities=communities,
        markings=selectors.markings_for_entry(member),
        link_targets=selectors.link_targets_for_kind(member, kind),
        link_label=LINK_LABELS.get(Kind(kind), ""),
    )


@require_http_methods(["GET", "POST"])
def entry_propose(request: HttpRequest, kind: str) -> HttpResponse:
    """Any verified member proposes an entry, in a community they belong to; an editor reviews it."""
    if kind not in Kind.values:
        raise Http404("No such kind of entry.")
    member = signed_in_member(request)
    form = _propose_form(request, member, kind)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_propose(author=member, kind=kind, **form.service_arguments())
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Proposed “{entry.title}”. An editor will review it; you are watching it.")
            return redirect(entry_url(entry))
    context = {
        "form": form,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "may_propose": form.fields["community"].queryset.exists(),  # type: ignore[attr-defined]
        "blueprint_community_slug": BLUEPRINT_COMMUNITY_SLUG,
    }
    return render(request, "blueprint/propose.html", context)


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit on top of the revision the member opened. The author of a proposal revises it directly; anyone
    else who sees a published entry proposes an edit (``?from=<edit>`` starts again from one sent back).
    An edit over a newer revision merges, or comes back as a conflict with the member's text kept."""
    member, entry = visible_entry(request, slug)
    revising = can_revise_proposal(member, entry)
    if not revising and not can_propose_edit(member, entry):
        raise PermissionDenied("This entry cannot be edited now.")
    initial = initial_from(entry.title, entry.summary, entry.body, entry.purpose, Facets.of(entry))
    initial["base_number"] = entry.revision_number
    earlier = _returned_edit(member, entry, request.GET.get("from", ""))
    if earlier is not None:
        initial |= initial_from(
            earlier.title, earlier.summary, earlier.body, earlier.purpose, Facets.from_json(earlier.facets)
        )
        initial |= {"base_number": earlier.base_number, "comment": earlier.comment}
    form = EntryEditForm(request.POST or None, kind=entry.kind, initial=initial)
    context: dict[str, Any] = {
        "entry": entry,
        "community": entry.community,
        "marking": policy.effective_marking(entry),
        "revising": revising,
        "earlier": earlier,
    }
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            if revising:
                services.entry_revise(entry=entry, author=member, **arguments)
            else:
                services.entry_edit_propose(entry=entry, proposer=member, **arguments)
        except EditConflictError as conflict:
            typed = initial_from(
                arguments["title"], arguments["summary"], conflict.merged_with_markers, arguments["purpose"],
                arguments["facets"],
            )  # fmt: skip
            typed |= {"base_number": conflict.current.number, "comment": arguments["comment"]}
            resolve = EntryEditForm(kind=entry.kind, initial=typed)
            context |= {
                "form": resolve,
                "conflict": conflict.current,
                "yours": arguments["body"],
                "hunks": text_diff(conflict.current.body, arguments["body"]),
            }
            return render(request, "blueprint/edit.html", context, status=409)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            if revising:
                messages.success(request, "Saved. Your proposal still waits for an editor.")
            else:
                messages.success(request, "Your edit is proposed. An editor will review it.")
            return redirect(entry_url(entry))
    return render(request, "blueprint/edit.html", context | {"form": form})


def _returned_edit(member: Member, entry: Entry, value: str) -> EditProposal | None:
    if not value.isdigit():
        return None
    return entry.edit_proposals.filter(pk=int(value), proposer=member, status=Status.RETURNED).first()


@require_POST
def entry_resubmit(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    try:
        services.entry_resubmit(entry=entry, author=member)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, "Proposed again. An editor will review it.")
    return redirect(entry_url(entry))


# --- Print and PDF ---------------------------------------------------------------------------------------


@require_GET
def entry_print(request: HttpRequest, slug: str) -> HttpResponse:
    """A print-friendly page with the marking at top and bottom; ``?format=pdf`` gives it as a PDF with the
    marking at the top and bottom of every page."""
    member, entry = visible_entry(request, slug)
    links = selectors.entry_links(member, entry)
    context = {
        "entry": entry,
        "community": entry.community,
        "marking": selectors.page_marking(entry, links, ()),
        "links": links,
        "printed_at": timezone.now(),
    }
    policy.record_view(member, entry, request, download=True)
    if request.GET.get("format") == "pdf":
        pdf = render_pdf("blueprint/print_pdf.html", {**context, "user": member})
        if pdf is None:
            return HttpResponse("PDF export is not available on this server.", status=503, content_type="text/plain")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{entry.slug}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(request, "blueprint/print.html", context)
