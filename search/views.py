"""The search page, the suggestions under the box, and the link a result opens through."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search import selectors
from search.query import parse
from verification import policy
from verification.gate import signed_in_member
from verification.registry import content_registry


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    text = request.GET.get("q", "")
    query = parse(text)
    context: dict[str, object] = {"q": text, "query": query}
    if query.is_empty:
        if text.strip():
            query.notes.append("Type a word to search for: what you typed has none we can search.")
        return render(request, "search/results.html", context)
    found = selectors.search(member, query, request.GET.get("page"))
    facets, page, results = found.facets.link_from(text), found.page, found.results
    markings = [result.marking for result in results if result.marking is not None]
    shown = selectors.marked_for_audit((result.entry, result.marking) for result in results)
    policy.record_search(member, shown, text, request)
    context.update(
        facets=facets,
        page=page,
        results=results,
        did_you_mean=selectors.did_you_mean(member, query, text) if not facets.total and query.has_words else "",
        marking=policy.highest_marking(markings),
        order=selectors.order_of(query),
    )
    return render(request, "search/results.html", context)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The listbox under the box: up to eight titles and members the member may see (marked ones audited, as
    on the results page)."""
    member = signed_in_member(request)
    text = request.GET.get("q", "")[:200]
    found = selectors.suggestions(member, text)
    shown = selectors.marked_for_audit((suggestion.entry, suggestion.marking) for suggestion in found)
    policy.record_search(member, shown, text, request)
    return render(request, "search/_suggestions.html", {"q": text, "suggestions": found})


@require_GET
def open_result(request: HttpRequest, type_id: int, item_id: int) -> HttpResponse:
    """A result's link: the item's own page, when the member may (still) see it."""
    member = signed_in_member(request)
    registration = content_registry.by_content_type_id().get(type_id)
    item = policy.resolve_reference(member, type_id, item_id)
    if registration is None or item is None:
        raise Http404("Nothing you may see is there.")
    return HttpResponseRedirect(registration.url(item))
