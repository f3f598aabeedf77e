"""The search box and the results page, as a member uses them: one box in the header of every signed-in
page; a word finds each content type by each field it is searched by, and members by what they share;
snippets highlight the words in escaped plain text; marked results carry their marking."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from communities.models import Community
from discussions.models import Thread
from tests.search.conftest import (
    SEARCH_URL,
    Given,
    Searcher,
    answer,
    headings,
    main,
    marking,
    notes,
    results,
    signed_in,
    total,
)
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db


# --- The box ----------------------------------------------------------------------------------------------


def header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


SIGNED_IN_PAGES = [
    reverse("home"),
    reverse("communities:directory"),
    reverse("members:directory"),
    reverse("saved:list"),
    reverse("help"),
    reverse("communities:detail", kwargs={"slug": "gulf"}),
    SEARCH_URL,
]


def test_every_signed_in_page_has_the_search_box_in_its_header(gulf: Community, reader: Member) -> None:
    client = signed_in(reader)
    for url in SIGNED_IN_PAGES:
        page = client.get(url).content.decode()

        assert f'<form class="search-box" role="search" method="get" action="{SEARCH_URL}"' in header(page), url
        assert f'data-suggest="{reverse("search:suggest")}"' in header(page), url
        assert 'name="q"' in header(page), url


def test_the_box_is_not_offered_to_visitors_or_to_members_not_yet_cleared(client: Client) -> None:
    landing = client.get(reverse("landing")).content.decode()
    client.force_login(make_verified_member(accept_rules=False))
    rules_pending = client.get(reverse("verification:status")).content.decode()
    client.force_login(make_verified_member())
    cleared = client.get(reverse("verification:status")).content.decode()

    assert 'class="search-box"' not in landing
    assert 'class="search-box"' not in rules_pending
    assert 'class="search-box"' in cleared


def test_the_search_page_and_suggestions_are_for_cleared_members_only(
    client: Client, given: Given, owner: Member, gulf: Community
) -> None:
    given.thread(owner, gulf, "Sandbag distribution points")
    query = {"q": "sandbag"}

    anonymous = (client.get(SEARCH_URL, query), client.get(reverse("search:suggest"), query))
    client.force_login(make_verified_member(accept_rules=False))
    rules_pending = (client.get(SEARCH_URL, query), client.get(reverse("search:suggest"), query))
    client.force_login(make_verified_member())
    allowed = (client.get(SEARCH_URL, query), client.get(reverse("search:suggest"), query))

    for response in (*anonymous, *rules_pending):
        assert response.status_code == 302
        assert b"Sandbag" not in response.content
    assert [response.status_code for response in allowed] == [200, 200]
    assert headings(allowed[0].content.decode()) == ["Sandbag distribution points"]
    assert "Sandbag distribution points" in allowed[1].content.decode()


def test_the_box_on_the_results_page_keeps_what_the_member_typed(as_reader: Searcher) -> None:
    page = as_reader.page('levee "storm surge"')
    directory = as_reader.client.get(reverse("members:directory"), {"q": "levee"}).content.decode()

    assert 'value="levee &quot;storm surge&quot;"' in header(page)
    assert 'value="levee &quot;storm surge&quot;"' in main(page)
    assert "<title>Search: levee &quot;storm surge&quot; · Muster</title>" in page
    assert 'id="site-search" type="search" name="q" value=""' in header(directory), "a page's own ?q= is its own"


# --- What a word finds ------------------------------------------------------------------------------------

Build = Callable[[Given, Member, Community], Any]
OPEN_PREFIX = reverse("search:open", args=[0, 0]).removesuffix("0/0/")


def _reply(given: Given, owner: Member, gulf: Community) -> None:
    thread = given.thread(owner, gulf, "Shelter capacity", "How many cots?")
    given.reply(owner, thread, "Bring the tarpaulins to gate four.")


def _chat(given: Given, owner: Member, gulf: Community) -> None:
    given.message(owner, given.room(gulf), "Pier seven is flooded, use the tarpaulins.")


# (what is searched, how it is made, the word, the result's heading, how the result names its type)
FIELDS: list[tuple[str, Build, str, str, str]] = [
    (
        "thread title",
        lambda given, owner, gulf: given.thread(owner, gulf, "Tarpaulins for the shelter roof"),
        "tarpaulins",
        "Tarpaulins for the shelter roof",
        "Discussion in Gulf Coast",
    ),
    (
        "opening post",
        lambda given, owner, gulf: given.thread(owner, gulf, "Shelter roof", "We need tarpaulins before noon."),
        "tarpaulins",
        "Shelter roof",
        "Discussion in Gulf Coast",
    ),
    ("reply", _reply, "tarpaulins", "Shelter capacity", "Post in Gulf Coast"),
    (
        "blog post",
        lambda given, owner, gulf: given.thread(
            owner, gulf, "Notes on tarpaulins", "A blog post.", kind=Thread.Kind.BLOG
        ),
        "tarpaulins",
        "Notes on tarpaulins",
        "Discussion in Gulf Coast",
    ),
    (
        "wiki page title",
        lambda given, owner, gulf: given.page(owner, gulf, "Tarpaulin stock", "Where the stock is."),
        "tarpaulin",
        "Tarpaulin stock",
        "Wiki page in Gulf Coast",
    ),
    (
        "wiki page body",
        lambda given, owner, gulf: given.page(owner, gulf, "Roof repairs", "Cover holes with **tarpaulins**."),
        "tarpaulins",
        "Roof repairs",
        "Wiki page in Gulf Coast",
    ),
    (
        "document title",
        lambda given, owner, gulf: given.document(owner, gulf, "Tarpaulin inventory"),
        "tarpaulin",
        "Tarpaulin inventory",
        "Document in Gulf Coast",
    ),
    (
        "document description",
        lambda given, owner, gulf: given.document(owner, gulf, "Warehouse list", description="Tarpaulins and rope"),
        "tarpaulins",
        "Warehouse list",
        "Document in Gulf Coast",
    ),
    (
        "document file text",
        lambda given, owner, gulf: given.document(owner, gulf, "Warehouse list", "Aisle 4: tarpaulins, 300."),
        "tarpaulins",
        "Warehouse list",
        "Document in Gulf Coast",
    ),
    (
        "link title",
        lambda given, owner, gulf: given.link(owner, gulf, "Tarpaulin suppliers", "https://example.gov/suppliers"),
        "tarpaulin",
        "Tarpaulin suppliers",
        "Link in Gulf Coast",
    ),
    (
        "link description",
        lambda given, owner, gulf: given.link(
            owner, gulf, "Suppliers", "https://example.gov/suppliers", description="Who sells tarpaulins"
        ),
        "tarpaulins",
        "Suppliers",
        "Link in Gulf Coast",
    ),
    (
        # The words of the address: PostgreSQL's parser reads a URL as one token ("example.gov/tarpaulins").
        "link address",
        lambda given, owner, gulf: given.link(owner, gulf, "Suppliers", "https://example.gov/tarpaulins"),
        "tarpaulins",
        "Suppliers",
        "Link in Gulf Coast",
    ),
    ("chat message", _chat, "tarpaulins", "General", "Chat message in Gulf Coast"),
]


@pytest.mark.parametrize(
    ("build", "word", "heading", "kind"),
    [pytest.param(build, word, heading, kind, id=name) for name, build, word, heading, kind in FIELDS],
)
def test_a_word_finds_each_content_type_by_each_field_it_is_searched_by(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, build: Build, word: str, heading: str, kind: str
) -> None:
    given.thread(owner, gulf, "Unrelated thread", "Nothing about roofs.")
    build(given, owner, gulf)

    page = as_reader.page(word)

    shown = results(page)
    assert [(result.heading, result.kind.split(" · ")[0]) for result in shown] == [(heading, kind)]
    assert total(page) == 1
    assert shown[0].url.startswith(OPEN_PREFIX)
    assert "tarpaulin" in " ".join(shown[0].marked_words).lower()


def test_a_result_opens_the_item_it_found(given: Given, owner: Member, gulf: Community, as_reader: Searcher) -> None:
    thread = given.thread(owner, gulf, "Sandbag distribution points")

    (shown,) = results(as_reader.page("sandbag"))
    opened = as_reader.client.get(shown.url)

    assert opened.status_code == 302
    assert opened["Location"] == reverse("discussions:thread", kwargs={"slug": "gulf", "pk": thread.pk})


# (the shared fields, the word, found?)
MEMBER_FIELDS = [
    pytest.param((), "Quintero", True, id="name"),
    pytest.param((), "Terrebonne", False, id="jurisdiction-not-shared"),
    pytest.param(("jurisdiction",), "Terrebonne", True, id="jurisdiction-shared"),
    pytest.param((), "hazmat", False, id="expertise-not-shared"),
    pytest.param(("expertise",), "hazmat", True, id="expertise-shared"),
    pytest.param((), "Battalion", False, id="title-not-shared"),
    pytest.param(("title",), "Battalion", True, id="title-shared"),
    pytest.param((), "Marshal", True, id="agency"),
    pytest.param((), "fire", True, id="discipline"),
]


@pytest.mark.parametrize(("shared", "word", "found"), MEMBER_FIELDS)
def test_members_are_found_by_name_agency_and_discipline_and_by_only_the_fields_they_share(
    given: Given, as_reader: Searcher, shared: tuple[str, ...], word: str, found: bool
) -> None:
    member = given.member("Rosa", "Quintero")
    given.profile(
        member,
        shared=shared,
        expertise=("hazmat",),
        organisation="Harris County Fire Marshal",
        discipline="fire",
        jurisdiction_state="Louisiana",
        jurisdiction_local="Terrebonne Parish",
        title="Battalion chief",
    )

    page = as_reader.page(f"{word} type:member")

    if found:
        assert [(result.heading, result.kind) for result in results(page)] == [("Rosa Quintero", "Member")]
        assert results(page)[0].url == reverse("members:profile", args=[member.pk])
    else:
        assert "Rosa Quintero" not in answer(page)
        assert total(page) == 0


def test_a_member_never_found_by_what_they_keep_to_themselves_shows_none_of_it_in_a_snippet(
    given: Given, as_reader: Searcher
) -> None:
    member = given.member("Rosa", "Quintero")
    given.profile(
        member,
        shared=(),
        expertise=("hazmat",),
        organisation="Harris County Fire Marshal",
        jurisdiction_local="Terrebonne Parish",
        title="Battalion chief",
        phone="555-0142",
        bio="Twenty years of swiftwater rescue.",
    )

    page = as_reader.page("Quintero")

    assert headings(page) == ["Rosa Quintero"]
    for kept in ("hazmat", "Terrebonne", "Battalion", "555-0142", "swiftwater"):
        assert kept not in answer(page)
    assert as_reader.headings("swiftwater") == []


# --- Snippets and markings ---------------------------------------------------------------------------------


def test_snippets_highlight_the_matched_words(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Shelter capacity")
    given.reply(owner, thread, "The generators at the high school need diesel by Friday.")

    (shown,) = results(as_reader.page("diesel generators"))

    assert [word.lower() for word in shown.marked_words] == ["generators", "diesel"]
    assert "generators at the high school need diesel by Friday" in shown.snippet_text


def test_a_snippet_of_a_long_document_shows_the_match_deep_inside_it(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    filler = " ".join(f"Line {n} of the county inventory lists pallets and cots." for n in range(400))
    given.document(owner, gulf, "County inventory", f"{filler} Generators: twelve, fuelled by diesel. {filler}")

    (shown,) = results(as_reader.page("diesel generators"))

    assert [word.lower() for word in shown.marked_words] == ["generators", "diesel"]
    assert "twelve, fuelled by diesel" in shown.snippet_text


def test_snippets_show_html_in_what_members_wrote_as_escaped_text_never_as_markup(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Pasting <b>markup</b> & scripts")
    given.reply(
        owner,
        thread,
        "Sirens: <b>bold claim</b> <script>alert('raw')</script> and `<script>alert('code')</script>`"
        " and `<img src=x onerror=alert(1)>` in a code span.",
    )

    page = as_reader.page("sirens")

    (shown,) = results(page)
    assert shown.heading == "Pasting <b>markup</b> & scripts"
    assert "Pasting &lt;b&gt;markup&lt;/b&gt; &amp; scripts</a></h2>" in page
    assert "&lt;script&gt;alert(&#x27;code&#x27;)&lt;/script&gt;" in shown.snippet, (
        "what the member wrote in a code span is shown as escaped text, tags included (PostgreSQL's ts_headline "
        "reads <...> in the plain text as HTML tags and drops them)"
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown.snippet
    assert "bold claim" in shown.snippet
    assert "alert('raw')" not in shown.snippet_text  # a raw script is dropped when the post is sanitised
    for markup in ("<script", "<b>", "<img", "onerror=alert(1)>"):
        assert markup not in answer(page).replace("<mark>", "").replace("</mark>", "")


def test_control_characters_in_what_members_wrote_cannot_forge_a_highlight(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Radio codes", "Beacon \x02`<i>`\x03 and \x03beacon\x02 again.")

    (shown,) = results(as_reader.page("beacon"))

    assert "<i>" not in shown.snippet
    assert "\x02" not in shown.snippet
    assert "\x03" not in shown.snippet
    assert [word.lower() for word in shown.marked_words] in (["beacon", "beacon"], ["beacon"])
    assert shown.snippet.count("<mark>") == shown.snippet.count("</mark>")


def test_a_marked_result_carries_its_marking_and_the_page_its_banner_at_top_and_bottom(
    given: Given, owner: Member, gulf: Community, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Guard roster", "Checkpoint rotation.", marking=marking("fouo"))
    given.document(owner, gulf, "Public map", "Checkpoint locations.")

    page = as_cleared.page("checkpoint")

    shown = {result.heading: result for result in results(page)}
    assert shown["Guard roster"].banner == "For Official Use Only (FOUO)"
    assert shown["Public map"].banner == ""
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'class="marking-banner marking-fouo"' in header(page)
    assert 'class="marking-banner marking-fouo"' in footer


def test_a_page_of_unmarked_results_carries_no_banner(
    given: Given, owner: Member, gulf: Community, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Public map", "Checkpoint locations.")

    page = as_cleared.page("checkpoint")

    assert headings(page) == ["Public map"]
    assert "marking-banner" not in page


def test_a_post_in_a_marked_thread_carries_the_thread_marking(
    given: Given, owner: Member, gulf: Community, as_cleared: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Guard rotation", "Opening.", marking=marking("fouo"))
    given.reply(owner, thread, "Checkpoint two closes at dusk.")

    (shown,) = results(as_cleared.page("checkpoint"))

    assert (shown.heading, shown.banner) == ("Guard rotation", "For Official Use Only (FOUO)")


def test_results_come_twenty_to_a_page_with_links_to_the_others(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    for number in range(23):
        given.thread(owner, gulf, f"Levee section {number}")

    first = as_reader.page("levee")
    second = as_reader.page("levee", page="2")

    assert total(first) == total(second) == 23
    assert len(results(first)) == 20
    assert len(results(second)) == 3
    assert set(headings(first)).isdisjoint(headings(second))
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert notes(first) == []
