"""A tag's page: everything the member may see that carries the tag, one section per content type."""

from itertools import chain

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.views.access import PAGE_SIZE, signed_in_member
from discussions import selectors_tags as selectors
from discussions.views.pagination import page_links


@require_GET
def tag_page(request: HttpRequest, tag: str) -> HttpResponse:
    """Threads, questions and blog posts, then library documents, each paged by 25 (``threads_page``,
    ``documents_page``). A tag that nothing the member may see carries reads like one that does not exist."""
    member = signed_in_member(request)
    threads = Paginator(selectors.tagged_threads(member, tag), PAGE_SIZE).get_page(request.GET.get("threads_page"))
    documents = Paginator(selectors.tagged_documents(member, tag), PAGE_SIZE).get_page(
        request.GET.get("documents_page")
    )
    # Titles of marked items carry the highest of their markings as the page's banner.
    shown = [marking for item in chain(threads, documents) for marking in (item.marking, item.community.marking)]
    context = {
        "tag": selectors.tag_seen_by(member, tag),
        "tag_slug": tag,
        "threads": threads,
        "thread_links": page_links(request, threads, "threads_page", "Pages of discussions"),
        "documents": documents,
        "document_links": page_links(request, documents, "documents_page", "Pages of documents"),
        "marking": max(shown, key=lambda marking: marking.rank, default=None),
    }
    return render(request, "discussions/tag_page.html", context)
