"""Markdown to safe HTML, for every place members write (posts, wiki pages, chat).

Markdown renders first; nh3 (the Ammonia sanitiser) then keeps only the tags
and attributes below: no scripts, no event handlers, no ``javascript:`` or
other unsafe links, and images only from this site (the CSP allows no others).
"""

import re

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Relative links and images: same site only; "//host" is another site.
SAME_SITE = re.compile(r"^/(?!/)")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if SAME_SITE.match(value) else None
    if element == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[\w-]+", value) else None
    return value


def render_markdown(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )
