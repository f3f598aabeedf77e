"""A search that finds more than it counts (``search.backends.FOUND_LIMIT``, 1,000) says "1,000+", counts and
pages through the newest (or oldest) it found the member may see, and, by relevance, still puts older items
whose titles match first. The limit is lowered here so that a few items pass it."""

from datetime import UTC, datetime

import pytest

from communities.models import Community
from discussions.models import Thread
from search import backends
from tests.search.conftest import Given, Searcher, answer, facet, headings, more_than_counted, total
from verification.models import Member

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture
def culverts(given: Given, owner: Member, gulf: Community, cleared: Member, monkeypatch: pytest.MonkeyPatch) -> None:
    """An old page with the word in its title, then eight newer with it in their bodies, then (newest of all)
    three in a private community the reader may not see into."""
    monkeypatch.setattr(backends, "FOUND_LIMIT", LIMIT)
    given.page(owner, gulf, "Culvert inspection", "Quarterly.")
    for n in range(8):
        given.page(owner, gulf, f"Week {n}", f"Cleared debris from the culvert at mile {n}.")
    harbor = given.community(owner, "harbor", "Harbor Watch", visibility=Community.Visibility.PRIVATE)
    given.join(harbor, cleared)
    for n in range(3):
        given.page(owner, harbor, f"Harbor week {n}", f"Cleared the culvert at pier {n}.")


@pytest.mark.usefixtures("culverts")
def test_more_found_than_counted_says_so_and_counts_only_the_newest_the_member_may_see(as_reader: Searcher) -> None:
    page = as_reader.page("culvert order:newest")

    assert more_than_counted(page)
    assert total(page) == LIMIT
    assert "5+ results" in answer(page)
    assert headings(page) == ["Week 7", "Week 6", "Week 5", "Week 4", "Week 3"]
    assert facet(page, "Community") == {"Gulf Coast": LIMIT}
    assert "Harbor" not in answer(page)


@pytest.mark.usefixtures("culverts")
def test_the_oldest_first_are_the_oldest_found(as_reader: Searcher) -> None:
    page = as_reader.page("culvert order:oldest")

    assert more_than_counted(page)
    assert headings(page) == ["Culvert inspection", "Week 0", "Week 1", "Week 2", "Week 3"]


@pytest.mark.usefixtures("culverts")
def test_by_relevance_an_older_title_match_still_comes_first(as_reader: Searcher) -> None:
    page = as_reader.page("culvert")

    assert headings(page)[0] == "Culvert inspection"
    assert headings(page)[1:] == ["Week 7", "Week 6", "Week 5", "Week 4", "Week 3"]
    assert "Harbor" not in answer(page)


@pytest.mark.usefixtures("culverts")
def test_a_member_of_the_private_community_counts_its_newer_items_first(cleared: Member) -> None:
    page = Searcher(cleared).page("culvert order:newest")

    assert headings(page) == ["Harbor week 2", "Harbor week 1", "Harbor week 0", "Week 7", "Week 6"]
    assert facet(page, "Community") == {"Harbor Watch": 3, "Gulf Coast": 2}


@pytest.mark.usefixtures("culverts")
def test_a_search_under_the_limit_is_counted_exactly(cleared: Member) -> None:
    page = Searcher(cleared).page("culvert pier")

    assert not more_than_counted(page)
    assert total(page) == 3
    assert "3 results" in answer(page)


def test_the_newest_and_oldest_are_taken_across_months_and_years(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backends, "FOUND_LIMIT", LIMIT)
    # Written out of order, a month apart, across a new year.
    for month in (3, 11, 1, 12, 2, 10, 4):
        year = 2024 if month >= 10 else 2025
        published = datetime(year, month, 15, 12, tzinfo=UTC)
        given.thread(owner, gulf, f"Sandbags {year}-{month:02}", "Filled.", kind=Thread.Kind.BLOG, publish_at=published)

    newest = as_reader.page("sandbags order:newest")
    oldest = as_reader.page("sandbags order:oldest")

    assert headings(newest) == [
        "Sandbags 2025-04",
        "Sandbags 2025-03",
        "Sandbags 2025-02",
        "Sandbags 2025-01",
        "Sandbags 2024-12",
    ]
    assert headings(oldest) == [
        "Sandbags 2024-10",
        "Sandbags 2024-11",
        "Sandbags 2024-12",
        "Sandbags 2025-01",
        "Sandbags 2025-02",
    ]
    assert facet(newest, "Year") == {"2025": 4, "2024": 1}
