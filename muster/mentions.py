"""How a member is mentioned in any text (``@dana-reyes``): one pattern for posts and chat.

Handles are slugs (letters, digits, ``-`` and ``_``) and match whatever their case: ``@Dana-Reyes`` is
``@dana-reyes``. A dot is never part of a handle, so ``@dana-reyes.`` at the end of a sentence mentions
``dana-reyes``; ``@dana.reyes`` mentions nobody unless there is a ``@dana``, and ``unknown_mentions`` reports
it whole, so the writer is warned before posting.
"""

import re
from collections.abc import Callable, Iterable, Mapping

from django.utils.html import escape

MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{0,59})", re.IGNORECASE)
# ``@dana.reyes``: a handle-like word with dots inside it (a sentence's full stop is not inside).
DOTTED = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)+)", re.IGNORECASE)

# Text inside these elements is never turned into a mention link.
_NO_LINKS = frozenset({"a", "code", "pre", "textarea", "script", "style", "button", "option", "select"})
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def mentioned_handles(text: str) -> set[str]:
    return {handle.lower() for handle in MENTION.findall(text)}


def unknown_mentions(text: str, known: Iterable[str]) -> list[str]:
    """The ``@words`` in ``text`` that name no handle in ``known`` (lowercase), as typed, in order, once each.

    ``@dana.reyes`` is reported whole (unless ``dana`` is known: then it mentions ``@dana``).
    """
    known = {handle.lower() for handle in known}
    found: dict[str, None] = {}
    dotted_firsts: set[str] = set()
    for word in DOTTED.findall(text):
        first = word.split(".", 1)[0].lower()
        dotted_firsts.add(first)
        if first not in known:
            found.setdefault(word, None)
    for word in MENTION.findall(text):
        if word.lower() not in known and word.lower() not in dotted_firsts:
            found.setdefault(word, None)
    return list(found)


def mentioned_in_html(html: str) -> set[str]:
    """The handles mentioned in the text of rendered HTML (not inside links or code)."""
    handles: set[str] = set()
    for text in _texts(html):
        handles |= mentioned_handles(text)
    return handles


def _texts(html: str) -> Iterable[str]:
    for part, linkable in _parts(html):
        if linkable:
            yield part


def _parts(html: str) -> Iterable[tuple[str, bool]]:
    """The pieces of ``html`` in order, each with whether it is text where a mention may become a link."""
    open_no_links: list[str] = []
    for part in _TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            tag = _TAG_NAME.match(part)
            if tag:
                closing, name = tag.group(1), tag.group(2).lower()
                if name in _NO_LINKS:
                    if closing:
                        if name in open_no_links:
                            open_no_links.remove(name)
                    elif not part.rstrip(">").endswith("/"):
                        open_no_links.append(name)
            yield part, False
        else:
            yield part, not open_no_links


def link_mentions(html: str, members: Mapping[str, int], *, viewer_id: int | None, url: Callable[[int], str]) -> str:
    """``html`` with each ``@handle`` of ``members`` (handle → member id) a link to ``url(id)`` with class
    ``mention`` (and ``mention-me`` for the viewer). Other ``@words`` stay as they are."""
    if not members:
        return html

    def link(match: re.Match[str]) -> str:
        member_id = members.get(match.group(1).lower())
        if member_id is None:
            return match.group(0)
        classes = "mention mention-me" if member_id == viewer_id else "mention"
        return (
            f'<a href="{escape(url(member_id))}" class="{classes}" data-member-id="{member_id}">'
            f"{escape(match.group(0))}</a>"
        )

    return "".join(MENTION.sub(link, part) if linkable else part for part, linkable in _parts(html))
