"""People, places and content for search tests, written the way members write them (through the services),
with what each write leaves for after its commit (the search index rows, the text read from an upload) run
at once; and readers of the search page as a member sees it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services as discussions
from discussions.models import Board, Post, Thread
from library import services as library
from library.models import Bookmark, Document
from messaging import services as chat
from messaging.models import Conversation, Message
from tests.verification.factories import ProfileFactory, make_verified_member
from verification import services as vetting
from verification.models import Marking, Member, Profile
from wiki import services as wiki
from wiki.models import WikiPage

SEARCH_URL = reverse("search:search")
SUGGEST_URL = reverse("search:suggest")

Capture = Callable[..., AbstractContextManager[Any]]


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


# --- Reading the page -------------------------------------------------------------------------------


def main(page: str) -> str:
    """The page's own content, without the header and footer."""
    return page[page.index("<main") : page.index("</main>")]


def answer(page: str) -> str:
    """What the page answers, below the search form and its help: notes, "did you mean", the total, facets,
    results and pages (the query the member typed is not repeated here)."""
    content = main(page)
    return content[content.index("</details>") :]


@dataclass(frozen=True)
class Shown:
    """One result as the member sees it."""

    kind: str  # "Document in Gulf Coast · 4 Dec 2026"
    heading: str
    url: str
    snippet: str  # the snippet's HTML, as served
    banner: str  # the marking banner's text, or ""

    @property
    def snippet_text(self) -> str:
        return html.unescape(re.sub(r"</?mark>", "", self.snippet))

    @property
    def marked_words(self) -> list[str]:
        return [html.unescape(word) for word in re.findall(r"<mark>(.*?)</mark>", self.snippet)]


def results(page: str) -> list[Shown]:
    """The results listed, in the order shown."""
    listing = re.search(r'<ol class="search-results"[^>]*>(.*?)</ol>', page, re.S)
    if listing is None:
        return []
    shown = []
    for item in re.findall(r"<li>\s*(<p class=\"muted\">.*?)</li>", listing.group(1), re.S):
        kind = re.search(r'<p class="muted">(.*?)</p>', item, re.S)
        link = re.search(r'<h2><a href="([^"]*)">(.*?)</a></h2>', item, re.S)
        snippet = re.search(r'<p class="snippet">(.*?)</p>', item, re.S)
        banner = re.search(r'<div class="marking-banner[^"]*"[^>]*>(.*?)</div>', item, re.S)
        assert kind is not None, item
        assert link is not None, item
        shown.append(
            Shown(
                kind=" ".join(html.unescape(re.sub(r"<[^>]+>", "", kind.group(1))).split()),
                heading=html.unescape(link.group(2).strip()),
                url=html.unescape(link.group(1)),
                snippet=snippet.group(1) if snippet else "",
                banner=html.unescape(banner.group(1)) if banner else "",
            )
        )
    return shown


def headings(page: str) -> list[str]:
    return [result.heading for result in results(page)]


def total(page: str) -> int | None:
    """The count the page states (at least that many when it says "1,000+"), or None when it states none."""
    found = re.search(r'<p class="search-total" role="status">([\d,]+)\+? results?', page)
    return int(found.group(1).replace(",", "")) if found else None


def more_than_counted(page: str) -> bool:
    """The page says it found more than it counts ("1,000+ results")."""
    return re.search(r'<p class="search-total" role="status">[\d,]+\+ results', page) is not None


def notes(page: str) -> list[str]:
    listed = re.search(r'<ul class="search-notes" role="status">(.*?)</ul>', page, re.S)
    if listed is None:
        return []
    return [html.unescape(note) for note in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)]


@dataclass(frozen=True)
class FacetLink:
    group: str
    label: str
    href: str
    count: int
    active: bool  # already in the search (its link takes it out)


def facets(page: str) -> list[FacetLink]:
    """Every facet value shown, with the link that narrows to it and its count."""
    aside = re.search(r'<aside class="search-facets".*?</aside>', page, re.S)
    if aside is None:
        return []
    found = []
    for group, values in re.findall(r"<h2>(.*?)</h2>\s*<ul>(.*?)</ul>", aside.group(0), re.S):
        for href, attributes, label, count in re.findall(
            r'<li><a href="([^"]*)"([^>]*)>(.*?)</a> <span class="muted">(\d+)</span></li>', values
        ):
            found.append(
                FacetLink(
                    html.unescape(group),
                    html.unescape(label),
                    html.unescape(href),
                    int(count),
                    active='aria-current="true"' in attributes,
                )
            )
    return found


def facet(page: str, group: str) -> dict[str, int]:
    """One facet group as label -> count."""
    return {link.label: link.count for link in facets(page) if link.group == group}


def did_you_mean(page: str) -> str:
    found = re.search(r'<p class="did-you-mean">Did you mean <a href="[^"]*">(.*?)</a>\?</p>', page)
    return html.unescape(found.group(1)) if found else ""


# --- Members' browsers --------------------------------------------------------------------------------


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


class Searcher:
    """A member's browser on the search page and the box's suggestions."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.client = signed_in(member)

    def page(self, q: str, **params: str) -> str:
        response = self.client.get(SEARCH_URL, {"q": q, **params})
        assert response.status_code == 200, (q, response.status_code)
        return response.content.decode()

    def follow(self, href: str) -> str:
        """A link of the page (a facet, "did you mean"), relative to the search page."""
        response = self.client.get(SEARCH_URL + href if href.startswith("?") else href)
        assert response.status_code == 200, (href, response.status_code)
        return response.content.decode()

    def headings(self, q: str) -> list[str]:
        return headings(self.page(q))

    def suggestions(self, q: str) -> str:
        response = self.client.get(SUGGEST_URL, {"q": q})
        assert response.status_code == 200, (q, response.status_code)
        return response.content.decode()


# --- Writing content ------------------------------------------------------------------------------------


class Given:
    """Writes through the features' services, running what each write leaves for after its commit."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self._uploads = 0

    def member(
        self,
        first_name: str,
        last_name: str,
        *,
        markings: tuple[str, ...] = (),
        communities: tuple[Community, ...] = (),
        **fields: Any,
    ) -> Member:
        with self.capture(execute=True):
            member = make_verified_member(first_name=first_name, last_name=last_name, markings=markings, **fields)
            vetting.member_handle_ensure(member=member)
            for community in communities:
                membership_set_role(community=community, member=member, role=Role.MEMBER)
        return Member.objects.get(pk=member.pk)

    def profile(
        self, member: Member, *, shared: tuple[str, ...] = (), expertise: tuple[str, ...] = (), **fields: Any
    ) -> Profile:
        with self.capture(execute=True):
            profile = ProfileFactory.create(member=member, shared_fields=list(shared), **fields)
            if expertise:
                profile.expertise.set(list(expertise))
        return profile

    def community(self, owner: Member, slug: str, name: str = "", **fields: Any) -> Community:
        fields.setdefault("marking", marking())
        with self.capture(execute=True):
            community = community_create(creator=owner, name=name or slug.title(), slug=slug, **fields)
            discussions.board_create(community=community, actor=owner, name="General")
        return community

    def join(self, community: Community, *members: Member) -> None:
        with self.capture(execute=True):
            for member in members:
                membership_set_role(community=community, member=member, role=Role.MEMBER)

    def thread(
        self, author: Member, community: Community, title: str, body: str = "Opening words.", **fields: Any
    ) -> Thread:
        fields.setdefault("marking", marking())
        board: Board | None = None if fields.get("kind") == Thread.Kind.BLOG else community.boards.first()
        with self.capture(execute=True):
            return discussions.thread_start(
                author=author, community=community, board=board, title=title, body=body, **fields
            )

    def reply(self, author: Member, thread: Thread, body: str) -> Post:
        with self.capture(execute=True):
            return discussions.post_reply(author=author, thread=thread, body=body)

    def page(self, author: Member, community: Community, title: str, body: str, **fields: Any) -> WikiPage:
        fields.setdefault("marking", marking())
        with self.capture(execute=True):
            return wiki.page_create(author=author, community=community, title=title, body=body, **fields)

    def document(
        self, author: Member, community: Community, title: str, text: str = "Nothing much inside.", **fields: Any
    ) -> Document:
        """A plain-text upload; the words inside are read after the commit (the task runs at once in tests)."""
        fields.setdefault("marking", marking())
        self._uploads += 1
        upload = SimpleUploadedFile(f"upload-{self._uploads}.txt", text.encode())
        with self.capture(execute=True):
            return library.document_upload(author=author, community=community, title=title, file=upload, **fields)

    def link(self, author: Member, community: Community, title: str, url: str, **fields: Any) -> Bookmark:
        fields.setdefault("marking", marking())
        with self.capture(execute=True):
            bookmark, _ = library.bookmark_share(author=author, community=community, url=url, title=title, **fields)
        return bookmark

    def room(self, community: Community) -> Conversation:
        with self.capture(execute=True):
            return chat.room_ensure_default(community=community)

    def message(self, author: Member, conversation: Conversation, body: str) -> Message:
        with self.capture(execute=True):
            return chat.message_send(conversation=conversation, author=author, body=body)

    def run(self, write: Callable[[], Any]) -> Any:
        """Any other write, with what it leaves for after its commit."""
        with self.capture(execute=True):
            return write()


# --- Fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture
def given(django_capture_on_commit_callbacks: Capture) -> Given:
    return Given(django_capture_on_commit_callbacks)


@pytest.fixture
def owner(given: Given) -> Member:
    """Owns the communities; cleared for FOUO (with MFA)."""
    return given.member("Olive", "Owner", markings=("fouo",))


@pytest.fixture
def gulf(given: Given, owner: Member) -> Community:
    """An open community."""
    return given.community(owner, "gulf", "Gulf Coast")


@pytest.fixture
def reader(given: Given, gulf: Community) -> Member:
    """A member of the open community, cleared for no marking."""
    return given.member("Dana", "Reyes", communities=(gulf,))


@pytest.fixture
def cleared(given: Given, gulf: Community) -> Member:
    """A member of the open community, cleared for FOUO (with MFA)."""
    return given.member("Casey", "Cleared", markings=("fouo",), communities=(gulf,))


@pytest.fixture
def as_reader(reader: Member) -> Searcher:
    return Searcher(reader)


@pytest.fixture
def as_cleared(cleared: Member) -> Searcher:
    return Searcher(cleared)


@pytest.fixture
def as_owner(owner: Member) -> Searcher:
    return Searcher(owner)
