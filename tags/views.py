"""A tag's page: everything the member may see that carries the tag, one section per content type."""

from itertools import chain

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.views.access import PAGE_SIZE
from discussions.models import Thread
from library.models import Bookmark, Document
from muster.pagination import page_links
from tags import selectors
from verification import policy
from verification.gate import signed_in_member
from wiki.models import WikiPage


@require_GET
def tag_page(request: HttpRequest, tag: str) -> HttpResponse:
    """Threads, questions and blog posts, library documents, wiki pages and shared links, each paged by 25
    (``threads_page``, ``documents_page``, ``pages_page``, ``links_page``).

    A tag that nothing the member may see carries reads like one that does not exist."""
    member = signed_in_member(request)
    threads = Paginator(selectors.tagged_threads(member, tag), PAGE_SIZE).get_page(request.GET.get("threads_page"))
    documents = Paginator(selectors.tagged_documents(member, tag), PAGE_SIZE).get_page(
        request.GET.get("documents_page")
    )
    pages = Paginator(selectors.tagged_pages(member, tag), PAGE_SIZE).get_page(request.GET.get("pages_page"))
    links = Paginator(selectors.tagged_links(member, tag), PAGE_SIZE).get_page(request.GET.get("links_page"))
    # Titles of marked items carry the highest of their markings as the page's banner.
    items: chain[Thread | Document | WikiPage | Bookmark] = chain(threads, documents, pages, links)
    shown = [marking for item in items for marking in (item.marking, item.community.marking)]
    context = {
        "tag": selectors.tag_seen_by(member, tag),
        "tag_slug": tag,
        "threads": threads,
        "thread_links": page_links(request, threads, "threads_page", "Pages of discussions"),
        "documents": documents,
        "document_links": page_links(request, documents, "documents_page", "Pages of documents"),
        "pages": pages,
        "page_links": page_links(request, pages, "pages_page", "Pages of wiki pages"),
        "links": links,
        "link_links": page_links(request, links, "links_page", "Pages of links"),
        "marking": policy.highest_marking(shown),
    }
    return render(request, "tags/tag_page.html", context)
