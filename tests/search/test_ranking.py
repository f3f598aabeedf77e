"""The order of results by relevance: words in titles weigh more than words in bodies, an exact phrase comes
first, and the more recent item breaks a tie."""

from datetime import UTC, datetime

import pytest

from communities.models import Community
from discussions.models import Thread
from search.backends import RANK_BLOCK
from tests.search.conftest import Given, Searcher, results
from verification.models import Member

pytestmark = pytest.mark.django_db


def test_a_word_in_a_title_weighs_more_than_the_same_word_in_a_body(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Generator checklist", "Steps to follow each week.")
    given.page(owner, gulf, "Weekly steps", "Check the generator oil, then the generator fuel.")

    assert as_reader.headings("generator") == ["Generator checklist", "Weekly steps"]


def test_an_exact_phrase_comes_before_the_same_words_apart(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Signage", "Follow the evacuation route signs to the school.")
    given.page(owner, gulf, "Route evacuation map", "Where to go.")
    thread = given.thread(owner, gulf, "Buses")
    given.reply(
        owner,
        thread,
        "Evacuation buses leave at noon. The route follows the coast. Evacuation shelters open. Route 87 north.",
    )

    found = as_reader.headings("evacuation route")

    assert found[0] == "Signage"
    assert sorted(found[1:]) == ["Buses", "Route evacuation map"]


def test_the_more_recent_of_two_equally_relevant_items_comes_first(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    # Written in the opposite order of their publication, so the date decides and not the order of writing.
    for published in (datetime(2025, 9, 1, 12, tzinfo=UTC), datetime(2024, 9, 1, 12, tzinfo=UTC)):
        given.thread(owner, gulf, "Sandbag depot", "Where it is.", kind=Thread.Kind.BLOG, publish_at=published)

    shown = results(as_reader.page("sandbag"))

    assert [result.kind for result in shown] == [
        "Discussion in Gulf Coast · 1 Sep 2025",
        "Discussion in Gulf Coast · 1 Sep 2024",
    ]


def test_with_more_matches_than_a_ranking_block_titles_still_come_first_and_no_result_shows_twice(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Culvert inspection", "Quarterly.")  # the oldest, the word in its title
    for n in range(RANK_BLOCK + 10):
        given.page(owner, gulf, f"Week {n}", f"Cleared debris from the culvert at mile {n}.")

    first = as_reader.page("culvert")
    pages = -(-(RANK_BLOCK + 11) // 20)
    shown = [result.heading for n in range(1, pages + 1) for result in results(as_reader.page("culvert", page=str(n)))]

    assert results(first)[0].heading == "Culvert inspection"
    assert len(shown) == len(set(shown)) == RANK_BLOCK + 11
