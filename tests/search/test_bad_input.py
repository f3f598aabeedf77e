"""Whatever is typed into the box gets results or a clear message on the page, never a server error: empty
queries, floods of operators, unbalanced quotes, dates that do not parse, and the syntax characters of SQL
and of the full-text engines (FTS5 and tsquery)."""

import pytest

from communities.models import Community
from search.models import SearchEntry
from tests.search.conftest import SEARCH_URL, SUGGEST_URL, Given, Searcher, answer, headings, notes, total
from verification.models import Member

pytestmark = pytest.mark.django_db

NO_WORDS = "Type a word to search for: what you typed has none we can search."

ODD_INPUT = [
    "",
    "   ",
    "'; DROP TABLE search_searchentry; --",
    "storm'; DROP TABLE search_searchentry; --",
    'storm" OR 1=1 --',
    "NEAR(storm surge)",
    "storm NEAR surge",
    "*",
    "storm*",
    '"',
    '""',
    '-""',
    ":",
    "title:storm",
    "^",
    "^storm",
    "&|!()",
    "storm & surge | !levee",
    "storm <-> surge",
    "(storm OR",
    "OR",
    "storm OR",
    "storm AND NOT surge",
    "-",
    "-storm",
    "@",
    "#",
    "tag:,,,",
    "type:",
    "type:everything",
    "order:sideways",
    "marking:secret",
    "{storm}",
    "storm\\",
    "%_%",
    "storm\x02surge\x03",
    "ﬁre 🔥 storm",
    "ströme",
    "storm" * 120,
]


@pytest.fixture
def storm(given: Given, owner: Member, gulf: Community) -> None:
    given.page(owner, gulf, "Storm surge plan", "Where the levee pumps are.")


def test_odd_input_gets_a_page_with_results_or_a_message_and_breaks_nothing(storm: None, as_reader: Searcher) -> None:
    problems = []
    for q in ODD_INPUT:
        response = as_reader.client.get(SEARCH_URL, {"q": q})
        suggestions = as_reader.client.get(SUGGEST_URL, {"q": q})
        page = response.content.decode()
        if response.status_code != 200 or suggestions.status_code != 200:
            problems.append(f"{q!r}: status {response.status_code}, suggestions {suggestions.status_code}")
        elif q.strip() and total(page) is None and not notes(page):
            problems.append(f"{q!r}: neither results nor a message saying why there are none")

    assert problems == []
    assert SearchEntry.objects.exists(), "the index is still there"
    assert as_reader.headings("storm surge") == ["Storm surge plan"]


def test_input_with_no_word_to_search_says_so(storm: None, as_reader: Searcher) -> None:
    for q in ("*", '"', ":", "^", "&|!()", "-", "@", "#", "--", "()", '""', "OR"):
        page = as_reader.page(q)

        assert NO_WORDS in notes(page), q
        assert total(page) is None, q


def test_an_empty_query_shows_the_form_and_nothing_else(storm: None, as_reader: Searcher) -> None:
    page = as_reader.page("")

    assert 'id="search-q"' in page
    assert total(page) is None
    assert notes(page) == []
    assert "Storm surge plan" not in answer(page)


def test_sql_and_engine_syntax_is_searched_as_the_words_in_it(storm: None, as_reader: Searcher) -> None:
    assert as_reader.headings("storm'; DROP TABLE search_searchentry; --") == []
    assert as_reader.headings("NEAR(storm surge)") == []  # "near" is a word the plan does not hold
    assert as_reader.headings("storm* ^surge") == ["Storm surge plan"]
    assert as_reader.headings("(storm) & [surge] | !levee") == ["Storm surge plan"]
    assert as_reader.headings("storm:surge") == ["Storm surge plan"]


def test_an_unbalanced_quote_runs_the_phrase_to_the_end_and_says_so(storm: None, as_reader: Searcher) -> None:
    page = as_reader.page('levee "storm surge')

    assert headings(page) == ["Storm surge plan"]
    assert "A closing quote was missing: the phrase runs to the end." in notes(page)


@pytest.mark.parametrize("q", ["storm before:2026-13-45", "storm after:yesterday", "storm before:31/05/2026"])
def test_a_date_that_does_not_parse_is_left_out_and_the_page_says_so(storm: None, as_reader: Searcher, q: str) -> None:
    page = as_reader.page(q)

    assert headings(page) == ["Storm surge plan"]
    name = q.split()[1].split(":")[0]
    assert any(note.startswith(f"{name}: needs a date like 2026-05-31;") for note in notes(page)), notes(page)


def test_an_unknown_choice_is_left_out_and_the_page_says_which_are_known(storm: None, as_reader: Searcher) -> None:
    page = as_reader.page("storm type:everything order:sideways")

    assert headings(page) == ["Storm surge plan"]
    type_note = next(note for note in notes(page) if note.startswith("type: can be "))
    known = type_note.removeprefix("type: can be ").split(";")[0].split(", ")
    assert sorted(known) == [
        "document", "entry", "goal", "hazard", "idea", "link", "member", "message", "need", "page", "partnership",
        "post", "report", "resource", "task", "template", "thread",
    ]  # fmt: skip
    assert type_note.endswith("; “everything” was left out.")
    assert "order: can be relevance, newest, oldest; “sideways” was left out." in notes(page)


def test_two_thousand_characters_of_operators_are_cut_short_and_the_page_says_so(
    storm: None, as_reader: Searcher
) -> None:
    flood = ("tag:a,b,c type:page @x #y marking:fouo in:mine before:2026-01-01 -z OR " * 40)[:2000]
    words = ("storm surge " * 200)[:2000]

    operators = as_reader.page(flood)
    many_words = as_reader.page(words)

    assert "Only the first 500 characters were searched." in notes(operators)
    assert total(operators) == 0
    assert "Only the first 500 characters were searched." in notes(many_words)
    assert "Only the first 16 words and phrases were searched." in notes(many_words)
    assert headings(many_words) == ["Storm surge plan"]


def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_of_results(storm: None, as_reader: Searcher) -> None:
    for number in ("0", "-1", "abc", "99999", "2.5", ""):
        page = as_reader.page("storm", page=number)

        assert headings(page) == ["Storm surge plan"], number
