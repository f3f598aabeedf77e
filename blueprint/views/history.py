"""An entry's history: its revisions, two of them compared, and an editor bringing one back
(the machinery is ``muster.revisions``, shared with the wiki)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from blueprint import selectors, services
from blueprint.access import is_blueprint_editor
from blueprint.services import entry_url
from blueprint.views.common import revision, tell_errors, visible_entry
from muster.revisions import CompareForm, RevertForm, text_diff
from verification import policy

HISTORY_PAGE_SIZE = 50


@require_GET
def entry_history(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    revisions = Paginator(selectors.entry_history(entry), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "entry": entry,
        "community": entry.community,
        "marking": policy.effective_marking(entry),
        "page": revisions,
        "can_revert": is_blueprint_editor(member) and entry.is_published,
        "edits": list(selectors.edit_proposals_for(member, entry)),
    }
    policy.record_view(member, entry, request)
    return render(request, "blueprint/history.html", context)


@require_GET
def entry_compare(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    form = CompareForm(request.GET)
    if not form.is_valid():
        tell_errors(request, form)
        return redirect("blueprint:history", slug=entry.slug)
    old, new = revision(entry, form.cleaned_data["old"]), revision(entry, form.cleaned_data["new"])
    context = {
        "entry": entry,
        "community": entry.community,
        "marking": policy.effective_marking(entry),
        "old": old,
        "new": new,
        "hunks": text_diff(old.body, new.body),
        "summary_hunks": text_diff(old.summary, new.summary),
        "purpose_hunks": text_diff(old.purpose, new.purpose),
        "facets_changed": old.facets != new.facets,
        "can_revert": is_blueprint_editor(member) and entry.is_published,
    }
    policy.record_view(member, entry, request)
    return render(request, "blueprint/compare.html", context)


@require_POST
def entry_revert(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    form = RevertForm(request.POST)
    if not form.is_valid():
        tell_errors(request, form)
        return redirect("blueprint:history", slug=entry.slug)
    earlier = revision(entry, form.cleaned_data["revision"])
    try:
        new = services.entry_revert(entry=entry, editor=member, revision=earlier)
    except ValidationError as error:
        tell_errors(request, error)
        return redirect("blueprint:history", slug=entry.slug)
    messages.success(request, f"Brought back revision {earlier.number} as revision {new.number}.")
    return redirect(entry_url(entry))
