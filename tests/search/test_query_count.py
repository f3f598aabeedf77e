"""A search costs the same number of SQL queries however much it finds: counting, facets, the page of
results, their snippets, links, markings and the audit of marked results are each one query."""

from typing import Any

import pytest

from communities.models import Community
from tests.search.conftest import Given, Searcher, marking, results, total
from verification.models import Member

pytestmark = pytest.mark.django_db

# The session and the member (2); the member's standing: MFA, permissions (2), markings, rules, communities (6);
# the items the member holds view grants on (1); the counts, facets and the page's ids in one statement, the
# page's rows, their snippets (3); the audit of the marked results shown (1); the header's unread count (1).
QUERIES_PER_SEARCH = 14
# The session, the member and their standing (8); the grants (1); the suggestions (1).
QUERIES_PER_SUGGESTION = 10


def write(given: Given, owner: Member, gulf: Community, matches: int) -> None:
    """``matches`` items holding the word "levee", of every searchable type; the first and the last written
    are FOUO (so newest first, every page of results shows one)."""
    room = given.room(gulf)
    given.document(owner, gulf, "Levee guard roster", "Rotation.", marking=marking("fouo"), tags=["security"])
    makers = [
        lambda n: given.thread(owner, gulf, f"Levee section {n}", "Opening.", tags=["levees"]),
        lambda n: given.page(owner, gulf, f"Levee map {n}", "Where it is.", tags=["maps"]),
        lambda n: given.document(owner, gulf, f"Report {n}", "The levee held."),
        lambda n: given.link(owner, gulf, f"Levee gauge {n}", f"https://example.gov/gauge/{n}"),
        lambda n: given.message(owner, room, f"Levee check number {n}"),
        lambda n: given.profile(given.member("Lee", f"Vee{n}"), shared=("expertise",), expertise=("levee",)),
    ]
    for n in range(matches - 2):
        makers[n % len(makers)](n)
    given.thread(owner, gulf, "Levee patrol", "Opening.", marking=marking("fouo"))


@pytest.mark.parametrize(("matches", "page"), [(3, "1"), (25, "1"), (25, "2")])
def test_a_search_costs_the_same_queries_whether_it_finds_three_or_twenty_five(
    given: Given,
    owner: Member,
    gulf: Community,
    as_cleared: Searcher,
    django_assert_num_queries: Any,
    matches: int,
    page: str,
) -> None:
    write(given, owner, gulf, matches)
    as_cleared.page("warm up the session")

    with django_assert_num_queries(QUERIES_PER_SEARCH):
        shown = as_cleared.page("levee order:newest", page=page)

    assert total(shown) == matches
    assert len(results(shown)) == min(20, matches - 20 * (int(page) - 1))
    assert "For Official Use Only (FOUO)" in [result.banner for result in results(shown)]


@pytest.mark.parametrize("matches", [1, 12])
def test_suggestions_cost_the_same_queries_however_many_are_offered(
    given: Given,
    owner: Member,
    gulf: Community,
    as_cleared: Searcher,
    django_assert_num_queries: Any,
    matches: int,
) -> None:
    for n in range(matches):
        given.thread(owner, gulf, f"Levee section {n}")
    as_cleared.page("warm up the session")

    with django_assert_num_queries(QUERIES_PER_SUGGESTION):
        offered = as_cleared.suggestions("leve")

    assert offered.count('role="option"') == min(8, matches) + 1
