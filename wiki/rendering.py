"""Wiki text to HTML: Markdown through the site's sanitiser, with ``[[Page]]`` links."""

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify

from muster.markdown import render_markdown_with_toc

WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]")


def page_slug(title: str) -> str:
    return slugify(title)[:120] or "page"


def linked_titles(body: str) -> list[str]:
    return [match.group(1).strip() for match in WIKI_LINK.finditer(body)]


def render_wiki(body: str, *, community_slug: str, existing_slugs: Iterable[str]) -> tuple[str, str]:
    """HTML and table of contents. Links to missing pages point at the form that creates them."""
    existing = set(existing_slugs)

    def link(match: re.Match[str]) -> str:
        title = match.group(1).strip()
        label = escape((match.group(2) or title).strip())
        slug = page_slug(title)
        if slug in existing:
            url = reverse("wiki:page", kwargs={"slug": community_slug, "page": slug})
            return f'<a class="wiki-link" href="{url}">{label}</a>'
        url = reverse("wiki:create", kwargs={"slug": community_slug}) + "?" + urlencode({"title": title})
        return f'<a class="wiki-missing" href="{url}" title="This page does not exist yet: create it">{label}</a>'

    return render_markdown_with_toc(WIKI_LINK.sub(link, body))
