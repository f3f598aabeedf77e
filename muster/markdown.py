"""Markdown to safe HTML, for every place members write (posts, wiki pages, chat).

Markdown renders first; nh3 (the Ammonia sanitiser) then keeps only the tags
and attributes below: no scripts, no event handlers, no ``javascript:`` or
other unsafe links, and no images. A Markdown image becomes a link to it: an
image a member writes would be fetched by every reader's browser, under the
reader's name, from any address the writer chose (a marked download, say).
"""

import re
import threading
from xml.etree import ElementTree

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


HEADING_ID_PREFIX = "h-"
LINK_CLASSES = frozenset({"wiki-link", "wiki-missing"})


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[\w-]+", value) else None
    if attribute == "id":
        # Only the table of contents' own anchors, prefixed so they cannot clobber the page's ids.
        return value if re.fullmatch(rf"{HEADING_ID_PREFIX}[\w-]+", value) else None
    if element == "a" and attribute == "class":
        return value if value in LINK_CLASSES else None
    return value


def _heading_id(value: str, separator: str) -> str:
    from markdown.extensions.toc import slugify

    return HEADING_ID_PREFIX + slugify(value, separator)


def render_markdown(text: str) -> str:
    return render_markdown_with_toc(text)[0]


class _ImagesAsLinks(Treeprocessor):
    """``![alt](src)`` becomes a link to ``src`` that says it is an image."""

    def run(self, root: ElementTree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(parent):
                if child.tag == "img":
                    link = ElementTree.Element("a", {"href": child.get("src", "")})
                    link.text = f"Image: {child.get('alt') or child.get('src', '')}"
                    link.tail = child.tail
                    parent[index] = link


class _ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 - Markdown's hook name
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 15)  # after inline patterns (20)


_parsers = threading.local()


def _parser() -> markdown_lib.Markdown:
    """This thread's parser, reset for a new text: building one costs more than converting a chat message."""
    md: markdown_lib.Markdown | None = getattr(_parsers, "markdown", None)
    if md is None:
        md = _parsers.markdown = markdown_lib.Markdown(
            extensions=["extra", "sane_lists", "toc", _ImagesAsLinksExtension()],
            extension_configs={"toc": {"slugify": _heading_id}},
            output_format="html",
        )
    return md.reset()


def render_markdown_with_toc(text: str) -> tuple[str, str]:
    """The sanitised HTML, and a sanitised table of contents of its headings."""
    md = _parser()
    html = md.convert(text)
    toc = getattr(md, "toc", "")
    return _clean(html), _clean(toc) if "<li" in toc else ""


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )
