"""A tag's page: everything the member may see that carries the tag, one section per taggable type."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.http import require_GET

from communities.views.access import PAGE_SIZE
from muster.pagination import PageLinks, page_links
from tags import selectors
from verification import policy
from verification.gate import signed_in_member
from verification.registry import content_registry


@dataclass(frozen=True)
class TaggedRow:
    item: Any
    title: str
    url: str


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    page: Page[Any]
    rows: list[TaggedRow]
    links: PageLinks
    empty: str
    item_template: Any


@require_GET
def tag_page(request: HttpRequest, tag: str) -> HttpResponse:
    """Every taggable type (threads, questions and blog posts, documents, wiki pages, links …), each paged
    by 25 on its own parameter (``threads_page``, ``documents_page`` …).

    A tag that nothing the member may see carries reads like one that does not exist."""
    member = signed_in_member(request)
    sections = []
    for registration in content_registry.taggable():
        name = registration.model._meta.model_name
        key = f"{name}s"
        items = selectors.tagged_items(member, registration, tag)
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(f"{key}_page"))
        rows = [TaggedRow(item, registration.title(item), registration.url(item)) for item in page.object_list]
        sections.append(
            Section(
                key=key,
                heading=registration.plural,
                page=page,
                rows=rows,
                links=page_links(request, page, f"{key}_page", f"Pages of {registration.plural.lower()}"),
                empty=f"No {registration.plural.lower()} you may see carry this tag.",
                item_template=select_template([f"tags/_tagged_{name}.html", "tags/_tagged_item.html"]),
            )
        )
    # Titles of marked items carry the highest of their markings as the page's banner.
    shown = [policy.effective_marking(row.item) for section in sections for row in section.rows]
    context = {
        "tag": selectors.tag_seen_by(member, tag),
        "tag_slug": tag,
        "sections": sections,
        "marking": policy.highest_marking(shown),
    }
    return render(request, "tags/tag_page.html", context)
