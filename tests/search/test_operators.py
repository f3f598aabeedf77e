"""What a member types into the box: words, "phrases", OR, -word and the operators that narrow (@handle,
#community, tag:, type:, marking:, discipline:, in:saved, in:mine, before:, after:, order:); unknown
operators are searched as words and the page says so; facet counts are links that narrow the search."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from communities.models import Community
from discussions.models import Thread
from library.models import Document
from saved.services import item_save
from tests.search.conftest import Given, Searcher, answer, facet, facets, headings, marking, notes, results, total
from verification.models import Member
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db


@dataclass
class Corpus:
    harbor: Community
    storm_thread: Thread
    drains_page: WikiPage
    barrier_manual: Document


@pytest.fixture
def corpus(given: Given, owner: Member, gulf: Community, reader: Member) -> Corpus:
    """Words about surges in two open communities, by two authors, with tags, a reply, one FOUO document and
    two blog posts of earlier years."""
    harbor = given.community(owner, "harbor", "Harbor Ops")
    given.join(harbor, reader)
    storm_thread = given.thread(
        owner, gulf, "Storm surge forecast", "Expected at dawn.", tags=["hurricanes", "flooding"]
    )
    levee_thread = given.thread(reader, gulf, "Levee pump status", "Pumps running; surge low.", tags=["flooding"])
    given.reply(owner, levee_thread, "Surge reached the pier at noon")
    drains_page = given.page(owner, harbor, "Storm drains", "Clear the drains before the surge.", tags=["hurricanes"])
    barrier_manual = given.document(reader, harbor, "Surge barrier manual", "Close gates A to D.")
    given.document(owner, gulf, "Surge guard roster", "Who stands where.", marking=marking("fouo"))
    given.thread(
        owner,
        gulf,
        "Surge lessons",
        "What we learnt.",
        kind=Thread.Kind.BLOG,
        publish_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )
    given.thread(
        owner,
        gulf,
        "Surge drills",
        "How we trained.",
        kind=Thread.Kind.BLOG,
        publish_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    return Corpus(harbor, storm_thread, drains_page, barrier_manual)


def test_every_word_must_match(corpus: Corpus, as_reader: Searcher) -> None:
    assert sorted(as_reader.headings("storm surge")) == ["Storm drains", "Storm surge forecast"]
    assert as_reader.headings("storm drains before") == ["Storm drains"]
    assert as_reader.headings("storm surge gates") == []


def test_words_of_a_thread_title_and_of_its_opening_post_together_find_the_thread(
    corpus: Corpus, as_reader: Searcher
) -> None:
    page = as_reader.page("surge forecast dawn")  # "Storm surge forecast" opens with "Expected at dawn."

    assert [(result.heading, result.kind.split(" · ")[0]) for result in results(page)] == [
        ("Storm surge forecast", "Discussion in Gulf Coast")
    ]


def test_a_quoted_phrase_must_match_in_order(corpus: Corpus, as_reader: Searcher) -> None:
    assert as_reader.headings('"storm surge"') == ["Storm surge forecast"]
    assert as_reader.headings('"surge storm"') == []
    assert as_reader.headings('"clear the drains"') == ["Storm drains"]


def test_a_longer_phrase_is_not_found_in_its_pairs_apart(
    given: Given, owner: Member, gulf: Community, corpus: Corpus, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Tide notes", "A storm surge tide came first, then the surge forecast.")

    assert as_reader.headings('"storm surge forecast"') == ["Storm surge forecast"]
    assert sorted(as_reader.headings('"storm surge"')) == ["Storm surge forecast", "Tide notes"]


def test_or_lets_either_word_match(corpus: Corpus, as_reader: Searcher) -> None:
    assert sorted(as_reader.headings("levee OR drains")) == ["Levee pump status", "Storm drains"]
    assert sorted(as_reader.headings('levee OR "storm drains"')) == ["Levee pump status", "Storm drains"]
    assert as_reader.headings("levee or drains") == [], "a lower-case 'or' is a word to find"


def test_a_minus_leaves_out_items_with_the_word_or_phrase(corpus: Corpus, as_reader: Searcher) -> None:
    everything = set(as_reader.headings("surge"))

    assert set(as_reader.headings("surge -storm")) == everything - {"Storm surge forecast", "Storm drains"}
    assert set(as_reader.headings('surge -"storm surge"')) == everything - {"Storm surge forecast"}
    assert "Storm drains" in everything


def test_an_at_handle_finds_what_that_member_wrote(corpus: Corpus, as_reader: Searcher, reader: Member) -> None:
    page = as_reader.page(f"surge @{reader.handle}")

    assert sorted((result.heading, result.kind.split(" · ")[0]) for result in results(page)) == [
        ("Levee pump status", "Discussion in Gulf Coast"),
        ("Surge barrier manual", "Document in Harbor Ops"),
    ]
    assert as_reader.headings("surge @nobody-by-that-name") == []


def test_a_hash_community_finds_only_that_community(corpus: Corpus, as_reader: Searcher) -> None:
    assert sorted(as_reader.headings("surge #harbor")) == ["Storm drains", "Surge barrier manual"]
    assert as_reader.headings("#harbor")  # the operator alone lists the community's items
    assert set(as_reader.headings("#harbor")) == {"Storm drains", "Surge barrier manual"}


def test_tag_finds_items_carrying_every_tag_named(corpus: Corpus, as_reader: Searcher) -> None:
    assert sorted(as_reader.headings("tag:hurricanes")) == ["Storm drains", "Storm surge forecast"]
    assert as_reader.headings("tag:hurricanes,flooding") == ["Storm surge forecast"]
    assert sorted(as_reader.headings("tag:flooding")) == ["Levee pump status", "Storm surge forecast"]


def test_type_finds_only_that_kind_of_item(corpus: Corpus, as_reader: Searcher) -> None:
    assert as_reader.headings("surge type:document") == ["Surge barrier manual"]
    assert as_reader.headings("storm type:page") == ["Storm drains"]
    kinds = {result.kind.split(" in ")[0] for result in results(as_reader.page("surge type:thread,post"))}
    assert kinds == {"Discussion", "Post"}
    assert [result.snippet_text for result in results(as_reader.page("surge type:post"))] == [
        "Surge reached the pier at noon"
    ]


def test_marking_finds_only_items_of_that_marking_the_member_is_cleared_for(
    corpus: Corpus, as_reader: Searcher, as_cleared: Searcher
) -> None:
    assert as_cleared.headings("marking:fouo") == ["Surge guard roster"]
    assert as_reader.headings("marking:fouo") == []
    assert "Surge guard roster" not in answer(as_reader.page("marking:fouo"))


def test_in_mine_finds_what_the_member_wrote(corpus: Corpus, as_reader: Searcher) -> None:
    assert sorted(as_reader.headings("in:mine")) == ["Levee pump status", "Surge barrier manual"]
    assert sorted(as_reader.headings("pier in:mine")) == [], "the reply under the member's thread is not theirs"
    assert sorted(as_reader.headings("surge in:mine")) == ["Levee pump status", "Surge barrier manual"]


def test_in_saved_finds_what_the_member_saved(
    given: Given, corpus: Corpus, reader: Member, as_reader: Searcher, as_cleared: Searcher
) -> None:
    given.run(lambda: item_save(member=reader, item=corpus.drains_page, url="/wiki/storm-drains/"))

    assert as_reader.headings("in:saved") == ["Storm drains"]
    assert as_reader.headings("surge in:saved") == ["Storm drains"]
    assert as_cleared.headings("in:saved") == [], "another member's saved items are their own"


def test_before_and_after_find_items_published_between_the_dates(corpus: Corpus, as_reader: Searcher) -> None:
    assert as_reader.headings("surge before:2025-01-01") == ["Surge lessons"]
    assert as_reader.headings("surge after:2025-01-01 before:2026-01-01") == ["Surge drills"]
    assert "Surge lessons" not in as_reader.headings("surge after:2025-01-01")


def test_order_newest_and_oldest_sort_by_publication(corpus: Corpus, as_reader: Searcher) -> None:
    newest = as_reader.headings("surge order:newest")
    oldest = as_reader.headings("surge order:oldest")

    assert oldest[:2] == ["Surge lessons", "Surge drills"]
    assert newest[-2:] == ["Surge drills", "Surge lessons"]
    assert newest == list(reversed(oldest))
    by_relevance = as_reader.headings("surge order:relevance")
    assert by_relevance == as_reader.headings("surge")
    titled = {"Surge drills", "Surge lessons", "Storm surge forecast", "Surge barrier manual"}
    assert set(by_relevance[:4]) == titled, "words in titles come first"
    assert set(by_relevance[4:]) == {"Levee pump status", "Storm drains"}


def test_an_unknown_operator_is_searched_as_words_and_the_page_says_so(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Flag signals", "A red flag colour means the beach is closed.")

    page = as_reader.page("colour:red")

    assert headings(page) == ["Flag signals"]
    assert "“colour:” is not an operator, so it was searched as words." in notes(page)


def test_discipline_finds_members_of_that_discipline(given: Given, as_reader: Searcher) -> None:
    given.profile(given.member("Rosa", "Quintero"), discipline="fire")
    given.profile(given.member("Ali", "Haddad"), discipline="ems")

    assert as_reader.headings("type:member discipline:fire") == ["Rosa Quintero"]
    assert as_reader.headings("discipline:ems") == ["Ali Haddad"]


def test_facets_count_what_was_found_by_type_community_tag_marking_and_year(
    corpus: Corpus, as_cleared: Searcher
) -> None:
    page = as_cleared.page("surge")

    assert total(page) == 8
    assert facet(page, "Type") == {
        "Discussions, questions and blog posts": 4,
        "Posts": 1,
        "Wiki pages": 1,
        "Documents": 2,
    }
    assert facet(page, "Community") == {"Gulf Coast": 6, "Harbor Ops": 2}
    assert facet(page, "Tag") == {"hurricanes": 2, "flooding": 2}
    assert facet(page, "Marking") == {"Unmarked": 7, "For Official Use Only": 1}
    assert facet(page, "Year") == {str(timezone.now().year): 6, "2025": 1, "2024": 1}
    assert list(facet(page, "Year")) == [str(timezone.now().year), "2025", "2024"]


def test_each_facet_is_a_link_that_narrows_the_search_to_its_count(corpus: Corpus, as_cleared: Searcher) -> None:
    page = as_cleared.page("surge")
    links = facets(page)

    assert {link.group for link in links} == {"Type", "Community", "Tag", "Marking", "Year"}
    for link in links:
        narrowed = as_cleared.follow(link.href)
        assert total(narrowed) == link.count, link
        assert notes(narrowed) == [], link


def test_members_are_counted_by_discipline(given: Given, as_reader: Searcher) -> None:
    given.profile(given.member("Rosa", "Quintero"), discipline="fire", organisation="Bayou Fire District")
    given.profile(given.member("Ali", "Haddad"), discipline="fire", organisation="Bayou EMS")
    given.profile(given.member("Mei", "Lin"), discipline="ems", organisation="Bayou EMS")

    page = as_reader.page("bayou")

    assert facet(page, "Discipline") == {"Fire": 2, "EMS": 1}
    fire = next(link for link in facets(page) if link.label == "Fire")
    assert sorted(headings(as_reader.follow(fire.href))) == ["Ali Haddad", "Rosa Quintero"]


def test_a_facet_already_in_the_search_is_marked_and_its_link_takes_it_out(
    corpus: Corpus, as_cleared: Searcher
) -> None:
    documents = next(link for link in facets(as_cleared.page("surge")) if link.label == "Documents")

    narrowed = as_cleared.follow(documents.href)
    in_search = next(link for link in facets(narrowed) if link.label == "Documents")
    widened = as_cleared.follow(in_search.href)

    assert documents.active is False
    assert sorted(headings(narrowed)) == ["Surge barrier manual", "Surge guard roster"]
    assert in_search.active is True
    assert total(widened) == 8
    assert all(link.active is False for link in facets(widened))
