"""The API lists what the site's pages list: for every demo member who may see content, every list
endpoint gives the same items (following every ``next``) as the matching pages show that member
(following every ``?page=``).

``LISTS`` is the table: one row per endpoint, the page (or pages) that list the same items, and how to
read item ids from a page. A new endpoint (notifications, subscriptions, conversations …) is one more row.
The demo world is built once for the module (``seed_demo``) and rolled back at its end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from blueprint.models import Entry, PilotTemplate
from communities.models import Community
from tests.api.conftest import ApiClient, make_token
from verification import policy
from verification.models import Member
from wiki.models import WikiPage

# Small pages, so that following ``next`` is part of every comparison.
API_PAGE_SIZE = 2
HREF = re.compile(r'href="([^"]+)"')
PAGE_LINK = re.compile(r'href="\?(?:[^"]*&amp;)?page=(\d+)[^"]*"')


def hrefs_matching(pattern: str) -> Callable[[str, Community | None], set[int]]:
    """Ids from links such as ``/communities/<slug>/library/<id>/`` (``{slug}``: the community's)."""

    def read(html: str, community: Community | None) -> set[int]:
        regex = re.compile(pattern.format(slug=re.escape(community.slug) if community else r"[-\w]+"))
        return {int(match) for href in HREF.findall(html) for match in regex.findall(href)}

    return read


def element_ids(prefix: str) -> Callable[[str, Community | None], set[int]]:
    """Ids from ``id="<prefix>-<id>"`` (items whose links lead elsewhere, such as shared links)."""
    regex = re.compile(rf'\bid="{re.escape(prefix)}-(\d+)"')

    def read(html: str, community: Community | None) -> set[int]:
        return {int(match) for match in regex.findall(html)}

    return read


def wiki_pages(html: str, community: Community | None) -> set[int]:
    """Wiki pages are linked by slug: ``/communities/<slug>/wiki/<page>/``."""
    assert community is not None
    regex = re.compile(rf"^/communities/{re.escape(community.slug)}/wiki/([-\w]+)/$")
    slugs = {match for href in HREF.findall(html) for match in regex.findall(href)} - {"new"}
    return set(WikiPage.objects.filter(community=community, slug__in=slugs).values_list("pk", flat=True))


def blueprint_entries(html: str, community: Community | None) -> set[int]:
    """Blueprint entries are linked by slug: ``/blueprint/entries/<slug>/``."""
    slugs = {match for href in HREF.findall(html) for match in re.findall(r"^/blueprint/entries/([-\w]+)/$", href)}
    return set(Entry.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def slugs_of(
    model: type[Any],
    pattern: str,
    exclude: set[str] = frozenset(),  # type: ignore[assignment]
) -> Callable[[str, Community | None], set[int]]:
    """Items linked by a slug unique across the site."""
    regex = re.compile(pattern)

    def read(html: str, community: Community | None) -> set[int]:
        slugs = {match for href in HREF.findall(html) for match in regex.findall(href)} - exclude
        return set(model._default_manager.filter(slug__in=slugs).values_list("pk", flat=True))

    return read


def communities_listed(html: str, community: Community | None) -> set[int]:
    """Community cards link ``/communities/<slug>/``; the directory's own links (new, pending …) are not cards."""
    slugs = {match for href in HREF.findall(html) for match in re.findall(r"^/communities/([-\w]+)/$", href)}
    return set(Community.objects.filter(slug__in=slugs).values_list("pk", flat=True))


@dataclass(frozen=True)
class Listing:
    """One list endpoint and the site pages that list the same items to the same member.

    ``api``: the endpoint (``{slug}`` per community when ``per_community``); ``pages``: the pages' addresses
    (each with every page of its pagination); ``follow``: steps from those pages to more pages that list the
    items (a community's boards, then their threads), each a regex of links and where its groups lead
    (``"{0}"``: the link itself); ``read``: item ids on one page. Ids are read on every page reached.
    """

    name: str
    api: str
    pages: tuple[str, ...]
    read: Callable[[str, Community | None], set[int]]
    per_community: bool = True
    follow: tuple[tuple[str, str], ...] = ()
    # What the page answers a member the gate stops: a redirect to the gate, or 200 where the page shows them
    # what they may see (the Blueprint's public summaries; the decisions about their own vetting).
    gated_page: int = 302


BOARDS = (r"^(/communities/{slug}/boards/[-\w]+/)$", "{0}")
THREADS = (r"^(/communities/{slug}/(?:threads|blog)/\d+/)$", "{0}")

LISTS = [
    Listing("communities", "/api/v1/communities/", ("/communities/",), communities_listed, per_community=False),
    Listing(
        "threads",
        "/api/v1/content/discussions.thread/?community={slug}",
        ("/communities/{slug}/boards/", "/communities/{slug}/blog/"),
        hrefs_matching(r"^/communities/{slug}/(?:threads|blog)/(\d+)/$"),
        follow=(BOARDS,),
    ),
    Listing(
        "wiki pages", "/api/v1/content/wiki.wikipage/?community={slug}", ("/communities/{slug}/wiki/",), wiki_pages
    ),
    Listing(
        "documents",
        "/api/v1/content/library.document/?community={slug}",
        ("/communities/{slug}/library/",),
        hrefs_matching(r"^/communities/{slug}/library/(\d+)/$"),
    ),
    Listing(
        "shared links",
        "/api/v1/content/library.bookmark/?community={slug}",
        ("/communities/{slug}/links/",),
        element_ids("bookmark"),
    ),
    Listing(
        "partnerships",
        "/api/v1/content/partnerships.partnership/",
        ("/partnerships/",),
        hrefs_matching(r"^/partnerships/(\d+)/$"),
        per_community=False,
    ),
    *(
        Listing(
            f"partnership {plural}",
            f"/api/v1/content/partnerships.{label}/",
            ("/partnerships/",),
            hrefs_matching(rf"^/partnerships/{plural}/(\d+)/$"),
            per_community=False,
            follow=((r"^/partnerships/(\d+)/$", f"/partnerships/{{0}}/{page}/"),),
        )
        for label, plural, page in [
            ("resource", "resources", "resources"),
            ("hazard", "hazards", "hazards"),
            ("need", "needs", "plan"),
            ("goal", "goals", "plan"),
            ("task", "tasks", "plan"),
        ]
    ),
    Listing(
        "blueprint entries",
        "/api/v1/content/blueprint.entry/",
        ("/blueprint/", "/blueprint/solutions/", "/blueprint/tools/", "/blueprint/reports/", "/blueprint/cases/"),
        blueprint_entries,
        per_community=False,
        gated_page=200,
    ),
    Listing(
        "posts",
        "/api/v1/content/discussions.post/?community={slug}",
        ("/communities/{slug}/boards/", "/communities/{slug}/blog/"),
        element_ids("post"),
        follow=((r"^(/communities/{slug}/(?:boards/[-\w]+|blog/\d+)/)$", "{0}"), THREADS),
    ),
    Listing(
        "Congress ideas",
        "/api/v1/content/blueprint.idea/",
        ("/blueprint/congress/",),
        hrefs_matching(r"^/blueprint/ideas/(\d+)/$"),
        per_community=False,
        follow=((r"^(/blueprint/congress/\d+/)$", "{0}"),),
    ),
    Listing(
        "pilot-community templates",
        "/api/v1/content/blueprint.pilottemplate/",
        ("/blueprint/templates/",),
        slugs_of(PilotTemplate, r"^/blueprint/templates/([-\w]+)/$", exclude={"new"}),
        per_community=False,
    ),
    Listing(
        "chat rooms",
        "/api/v1/content/messaging.conversation/?community={slug}",
        ("/communities/{slug}/rooms/",),
        hrefs_matching(r"^/inbox/(\d+)/$"),
    ),
    Listing(
        "conversations", "/api/v1/conversations/", ("/inbox/",), hrefs_matching(r"^/inbox/(\d+)/$"), per_community=False
    ),
    Listing(
        "notifications",
        "/api/v1/notifications/",
        ("/notifications/",),
        element_ids("notification"),
        per_community=False,
        gated_page=200,
    ),
    Listing(
        "subscriptions",
        "/api/v1/subscriptions/",
        ("/subscriptions/",),
        element_ids("subscription"),
        per_community=False,
    ),
]


# The demo world, once for the module


@pytest.fixture(scope="module")
def demo(seeded_demo: str) -> None:
    """``seed_demo``, once for the module (``tests/conftest.py``)."""


def demo_members() -> list[str]:
    """The demo sign-ins, read from the demo module (the database is not open while tests are collected)."""
    from verification.demo import DEMO_MEMBERS

    return [spec.email for spec in DEMO_MEMBERS]


@dataclass
class Caller:
    member: Member
    site: Client
    api: ApiClient


@pytest.fixture
def caller(demo: None, request: Any, db: None) -> Caller:
    member = Member.objects.get(email=request.param)
    site = Client()
    site.force_login(member)
    return Caller(member, site, ApiClient(make_token(member)[1]))


# Reading both sides


def api_ids(caller: Caller, address: str) -> list[int]:
    seen: list[int] = []
    page = caller.api.get(address + ("&" if "?" in address else "?") + f"page_size={API_PAGE_SIZE}")
    while True:
        assert page.status_code == 200, (address, page.status_code, page.content[:300])
        seen += [item["id"] for item in page.json()["results"]]
        if not page.json().get("next"):  # the subscriptions list comes whole, as its page shows it
            return seen
        page = caller.api.get(page.json()["next"])


def site_pages(caller: Caller, address: str) -> Iterator[str]:
    """The page and every page of its pagination; nothing when the member may not open it."""
    answer = caller.site.get(address)
    if answer.status_code in {403, 404}:
        return
    assert answer.status_code == 200, (address, answer.status_code)
    html = answer.content.decode()
    yield html
    last = max((int(number) for number in PAGE_LINK.findall(html)), default=1)
    for number in range(2, last + 1):
        more = caller.site.get(address, {"page": number})
        assert more.status_code == 200, (address, number)
        yield more.content.decode()


def site_ids(caller: Caller, listing: Listing, community: Community | None) -> set[int]:
    slug = community.slug if community else ""
    found: set[int] = set()
    level = [address.format(slug=slug) for address in listing.pages]
    visited: set[str] = set()
    for step in (*listing.follow, None):
        following: set[str] = set()
        for address in level:
            if address in visited:
                continue
            visited.add(address)
            for html in site_pages(caller, address):
                found |= listing.read(html, community)
                if step is not None:
                    pattern, via = step
                    matches = [re.match(pattern.format(slug=re.escape(slug)), href) for href in HREF.findall(html)]
                    following |= {via.format(*match.groups()) for match in matches if match}
        level = sorted(following)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("caller", demo_members(), indirect=True)
@pytest.mark.parametrize("listing", LISTS, ids=[listing.name for listing in LISTS])
def test_the_api_lists_what_the_sites_pages_list(caller: Caller, listing: Listing) -> None:
    """For a member the gate stops (unverified, expired, suspended), the API refuses and the page sends
    them to the gate: neither lists anything."""
    access = policy.member_access(caller.member)
    if not access.may_see_content:
        refused = caller.api.get(listing.api.format(slug="gulf-coast-hurricane-response"))
        page = caller.site.get(listing.pages[0].format(slug="gulf-coast-hurricane-response"))
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] in {"not_verified", "verification_expired", "account_suspended"}
        assert page.status_code == listing.gated_page
        return
    communities: list[Community | None] = list(Community.objects.order_by("slug")) if listing.per_community else [None]
    differences = {}
    for community in communities:
        address = listing.api.format(slug=community.slug if community else "")
        from_api = api_ids(caller, address)
        from_pages = site_ids(caller, listing, community)
        assert len(from_api) == len(set(from_api)), f"{address} repeats items"
        if set(from_api) != from_pages:
            differences[address] = {
                "only_api": sorted(set(from_api) - from_pages),
                "only_pages": sorted(from_pages - set(from_api)),
            }
    assert not differences, differences
