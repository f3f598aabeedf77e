"""Links between the pages of one list, for pages that page more than one list (each by its own parameter)."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest


@dataclass(frozen=True)
class PageLinks:
    label: str
    number: int
    count: int
    first: str
    previous: str
    next: str
    last: str


def page_links(request: HttpRequest, page: Page[Any], parameter: str, label: str) -> PageLinks:
    """First, previous, next and last links for ``page`` (empty when there is none), keeping the rest of
    the query string."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query[parameter] = str(number)
        return f"?{query.urlencode()}"

    count = page.paginator.num_pages
    before, after = page.has_previous(), page.has_next()
    return PageLinks(
        label=label,
        number=page.number,
        count=count,
        first=link(1) if before else "",
        previous=link(page.number - 1) if before else "",
        next=link(page.number + 1) if after else "",
        last=link(count) if after else "",
    )
