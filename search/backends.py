"""How each database matches, ranks and highlights the words of a parsed query.

PostgreSQL reads the stored ``search_vector`` (title A, tags B, body C) with
``websearch_to_tsquery`` for every word and phrase the member typed, ranks
with ``ts_rank``, highlights with ``ts_headline`` for the shown page only, and
suggests spellings with ``pg_trgm``. SQLite reads the FTS5 table ``search_fts``
with the same grammar, ranks with ``bm25`` weighted the same way and
highlights with ``snippet``. Highlights come back between the control
characters ``START`` and ``STOP``, which the index never holds, so the page
escapes the text and only then turns them into ``<mark>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Lower, StrIndex, Substr
from django.db.models.lookups import Exact
from django.utils import timezone

from search.models import SearchEntry
from search.query import MEMBER_TYPE, ParsedQuery, Term

START, STOP = "\x02", "\x03"
# ts_headline reads ``<word>`` as a tag and drops it: the angles go in as private-use characters and come
# back out after it.
_ANGLES = "\ue000\ue001"
_ANGLES_BACK = str.maketrans(_ANGLES, "<>")
SNIPPET_WORDS = 30
# How much of a long text the highlighter reads: this many characters, from this many before a match.
SNIPPET_SPAN = 2_000
SNIPPET_LEAD = 400
# English stemming with accents ignored (search/migrations/0003_words_as_typed.py).
CONFIG = "muster_english"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Tally:
    """What one statement reads of the found rows: counts by type, community, marking, year and discipline
    (each row ``[type, community slug, community name, marking slug, marking name, year, discipline, count]``),
    the most used tags (``[slug, name, count]``) and the ids of the page asked for, in order. Of at most
    ``limit`` found rows: when as many were counted, more were found."""

    groups: list[list[Any]]
    tags: list[list[Any]]
    page: list[int]
    limit: int = 0


class Backend(Protocol):
    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        """The entries that match the words, annotated with what ordering them by relevance reads."""

    def matching_in_two_steps(
        self, entries: QuerySet[SearchEntry], query: ParsedQuery
    ) -> tuple[QuerySet[SearchEntry], Expression | None]:
        """``matching`` as a cheap filter and, when there is one, a costly check to make after the access rule."""

    def tally(self, found: QuerySet[SearchEntry], query: ParsedQuery, order: str, offset: int) -> Tally:
        """Counts, tags and the page of ``PAGE_SIZE`` ids from ``offset``, in one statement that reads the
        found rows once. ``order`` is ``relevance`` (only for a query with words), ``newest`` or ``oldest``."""

    def snippets(self, entry_ids: list[int], query: ParsedQuery) -> dict[int, str]:
        """A highlighted passage of each entry's words, for the page shown (one query)."""

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        """Rows whose heading has a word spelt like ``word``, likeliest first (for "did you mean")."""


PAGE_SIZE = 20
FACET_LIMIT = 12
# PostgreSQL ranks the found rows in blocks of this many, taken in the order of a cheap key (title matches
# first, then newest): ``ts_rank`` reads a row's whole vector, too slow for tens of thousands of rows, and a
# block is ranked whole, so the pages agree with each other. Up to this many found, the ranking is exact.
RANK_BLOCK = 200
# A search counts, facets and pages through at most this many of what it finds, the newest (oldest, for
# ``order:oldest``) first, and, ranked by relevance, as many of the newest found by their titles: a word in
# tens of thousands of items costs what a thousand cost, and the page says "1,000+" (GitHub's code search
# keeps to its first 1,000 results the same way). PostgreSQL reads the quarters' matches newest first and stops
# there; SQLite, whose full-text index finds every match in one pass, keeps the first of them.
FOUND_LIMIT = 1_000
# The statements below are put together from these constants and SQL the ORM compiled; whatever the member
# typed reaches them only as parameters.
_NEWEST = "published_at DESC, id DESC"
_OLDEST = "published_at ASC, id ASC"


class _PhrasePairs(Func):
    """The pairs of a phrase's neighbouring words, and-ed, as a query of ``phrase_vector`` (migration 0006)."""

    template = f"search_phrase_pairs('{CONFIG}'::regconfig, %(expressions)s)"
    output_field = SearchQueryField()


def period_of(moment: datetime) -> int:
    """The quarter of ``moment`` counted from year 0 in UTC, as the index's trigger counts it (migration
    0006)."""
    moment = moment.astimezone(UTC)
    return moment.year * 4 + (moment.month - 1) // 3


def _found_values(found: QuerySet[SearchEntry], *extra: str) -> QuerySet[Any]:
    """The found rows as the columns the tally reads."""
    rows: QuerySet[Any] = found.values(
        "id", "search_type", "community_id", "marking_id", "published_at", "discipline", "tag_ids", *extra
    )
    with_year: QuerySet[Any] = rows.annotate(year=ExtractYear("published_at"))
    return with_year


def _keys(order: str) -> tuple[str, str]:
    return ("published_at", "id") if order == "oldest" else ("-published_at", "-id")


def _groups_sql(array: str, aggregate: str) -> str:
    """Counts by type, community, marking, year and discipline together (summed per facet by the caller)."""
    return (
        f"SELECT {aggregate}({array}(g.search_type, c.slug, c.name, m.slug, m.name, g.year, g.discipline, g.n))"
        " FROM (SELECT search_type, community_id, marking_id, year, discipline, COUNT(*) AS n FROM found"
        " GROUP BY search_type, community_id, marking_id, year, discipline) g"
        " LEFT JOIN communities_community c ON c.id = g.community_id"
        " LEFT JOIN verification_marking m ON m.id = g.marking_id"
    )


def _tags_sql(array: str, aggregate: str, tag_ids: str) -> str:
    """The most used tags of the found rows; ``tag_ids`` is a query of one ``tag`` column, a row per tag use."""
    return (
        f"SELECT {aggregate}({array}(t.slug, t.name, t.n)) FROM ("
        "SELECT tag.slug, tag.name, counted.n"
        f" FROM (SELECT tag, COUNT(*) AS n FROM ({tag_ids}) used GROUP BY tag) counted"
        " JOIN taggit_tag tag ON tag.id = counted.tag"
        f" ORDER BY counted.n DESC, tag.name LIMIT {FACET_LIMIT}) t"
    )


def _by_date(
    found_sql: str, params: tuple[Any, ...], groups: str, tags: str, order: str, offset: int, aggregate: str
) -> Tally:
    """The tally with the page newest or oldest first; ``aggregate`` gathers the page's ids in ``{keys}`` order."""
    keys = _NEWEST if order == "newest" else _OLDEST
    page = f"SELECT {aggregate.format(keys=keys)} FROM (SELECT id, published_at FROM found ORDER BY {keys}"
    page += f" LIMIT {PAGE_SIZE} OFFSET %s) p"
    return _tally(f"WITH found AS MATERIALIZED ({found_sql}) SELECT ({groups}), ({tags}), ({page})", (*params, offset))


def _tally(sql: str, params: tuple[Any, ...]) -> Tally:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups, tags, page = cursor.fetchone()

    def read(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return Tally(groups=read(groups) or [], tags=read(tags) or [], page=read(page) or [], limit=FOUND_LIMIT)


def _angles_hidden(text: Expression | F) -> Func:
    return Func(text, Value("<>"), Value(_ANGLES), function="translate", output_field=TextField())


def _punctuation_as_spaces(text: Expression | F) -> Func:
    """The text as the index reads it (search/migrations/0003_words_as_typed.py)."""
    return Func(
        text, Value("[[:punct:]]+"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )


def _around_a_match(field: str, query: ParsedQuery) -> Expression:
    """The part of a long text around the first place where the stem of one of the query's words appears
    (``evacu`` in "evacuation"), or its start: ``ts_headline`` reads the whole text it is given, and a
    document's text can be a book."""
    stem = RawSQL("(tsvector_to_array(to_tsvector(%s::regconfig, %s)))[1]", (CONFIG, " ".join(query.plain_words)))
    at = StrIndex(Lower(F(field)), Coalesce(stem, Value("")))
    start = Greatest(at - SNIPPET_LEAD, Value(1))
    return Substr(F(field), start, SNIPPET_SPAN, output_field=TextField())


class PostgresBackend:
    @staticmethod
    def _tsquery(term: Term) -> SearchQuery:
        text = f'"{term.text}"' if term.is_phrase else term.text
        return SearchQuery(text, search_type="websearch", config=CONFIG)

    def _positive(self, query: ParsedQuery, read: Callable[[Term], SearchQuery] | None = None) -> SearchQuery | None:
        """Every group (its terms or-ed) and-ed together, each term read by ``read`` (as typed, by default)."""
        read = read or self._tsquery
        combined: SearchQuery | None = None
        for group in query.groups:
            either = read(group[0])
            for term in group[1:]:
                either = either | read(term)
            combined = either if combined is None else combined & either
        return combined

    def _matched(self, query: ParsedQuery) -> SearchQuery | None:
        """What a row must match: the words, the phrases, and none of the excluded."""
        positive = self._positive(query)
        for term in query.excluded:
            if positive is not None:
                positive = positive & ~self._tsquery(term)
        return positive

    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        """The matching rows, with ``title_hit`` (the title alone matches): the cheap key ranking starts from."""
        found, in_order = self.matching_in_two_steps(entries, query)
        return found if in_order is None else found.filter(in_order)

    def matching_in_two_steps(
        self, entries: QuerySet[SearchEntry], query: ParsedQuery
    ) -> tuple[QuerySet[SearchEntry], Expression | None]:
        """The rows holding every word, and, when the query has a phrase, the check that its words stand in
        order: the index answers the first alone, while the second re-reads each row's whole vector, so the
        caller puts it after the access rule (on the rows the member may see, not on every row)."""
        matched = self._matched(query)
        if matched is None:
            for term in query.excluded:
                entries = entries.exclude(search_vector=self._tsquery(term))
            return entries.annotate(title_hit=Value(False)), None
        title_hit = ExpressionWrapper(Q(title_vector=matched), output_field=BooleanField())
        if not any(term.is_phrase for group in query.groups for term in group):
            return entries.filter(search_vector=matched).annotate(title_hit=title_hit), None
        words = self._positive(query, self._words)
        for term in query.excluded:
            words = words & ~self._tsquery(term) if words is not None else None
        found = entries.filter(search_vector=words)
        for group in query.groups:
            if len(group) == 1 and group[0].is_phrase:
                found = found.filter(self._pairs_of(group[0]))
        in_order = ExpressionWrapper(Q(search_vector=matched), output_field=BooleanField())
        return found.annotate(title_hit=title_hit), in_order

    @staticmethod
    def _pairs_of(phrase: Term) -> Q:
        """Rows holding every pair of neighbouring words of the phrase, through the index of pairs (migration
        0006), or every row when it has no such pair (one word, or words kept apart by stop words). The
        database reads the phrase's pairs once, as it plans the statement."""
        pairs = _PhrasePairs(Value(phrase.text))
        held = Func(F("phrase_vector"), pairs, arg_joiner=" @@ ", template="(%(expressions)s)")
        return Q(Exact(Func(pairs, function="numnode", output_field=IntegerField()), 0)) | Q(
            ExpressionWrapper(held, output_field=BooleanField())
        )

    @staticmethod
    def _words(term: Term) -> SearchQuery:
        """A term's words, all of them, in any order (``plainto_tsquery``: no operators read)."""
        return SearchQuery(term.text, search_type="plain", config=CONFIG)

    def _ranked(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        """``rank`` (weighted by field) and ``phrase_hit`` (the words as typed, in a row) of these rows."""
        matched = self._matched(query)
        if matched is None:
            raise ValueError("Only a query with words is ranked.")
        ranked = entries.annotate(rank=SearchRank(F("search_vector"), matched, weights=[0.1, 0.2, 0.4, 1.0]))
        words = query.plain_words
        if len(words) < 2:
            return ranked.annotate(phrase_hit=Value(False))
        phrase = SearchQuery(" ".join(words), search_type="phrase", config=CONFIG)
        return ranked.annotate(phrase_hit=ExpressionWrapper(Q(search_vector=phrase), output_field=BooleanField()))

    @staticmethod
    def _by_quarter(
        rows: QuerySet[Any], query: ParsedQuery, order: str, limit: int | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The first ``limit`` (``FOUND_LIMIT``) of ``rows`` newest (or oldest) first, read a quarter at a time
        through the indexes that the quarter leads, from the query's dates (a day wider, for time zones) or
        from now back to the oldest row: a quarter's matches are read only while the limit is not reached.
        (One quarter to a probe: a range is a partial match to GIN, which reads every row of the range before
        it meets the words.)"""
        limit = FOUND_LIMIT if limit is None else limit
        if query.types == [MEMBER_TYPE]:  # a few thousand rows at most: read at once
            sql, params = rows.order_by(*_keys(order)).query.sql_with_params()
            return f"SELECT f.* FROM ({sql}) f LIMIT %s", (*params, limit)
        sql, params = rows.filter(period=RawSQL("quarter.period", ())).order_by(*_keys(order)).query.sql_with_params()
        latest = period_of(timezone.now())
        if query.before is not None:
            latest = min(latest, period_of(datetime.combine(query.before + timedelta(days=1), time(), UTC)))
        earliest = (
            0 if query.after is None else period_of(datetime.combine(query.after - timedelta(days=1), time(), UTC))
        )
        first = "GREATEST(COALESCE((SELECT MIN(period) FROM search_searchentry), %s), %s)"
        quarters, bounds = (
            (f"{first}, %s, 1", (latest, earliest, latest))
            if order == "oldest"
            else (f"%s, {first}, -1", (latest, latest, earliest))
        )
        return (
            f"SELECT f.* FROM generate_series({quarters}) AS quarter(period) CROSS JOIN LATERAL ({sql}) f LIMIT %s",
            (*bounds, *params, limit),
        )

    def tally(self, found: QuerySet[SearchEntry], query: ParsedQuery, order: str, offset: int) -> Tally:
        by_date = "oldest" if order == "oldest" else "newest"
        found_sql, params = self._by_quarter(
            _found_values(found, *(("title_hit",) if order == "relevance" else ())), query, by_date
        )
        groups = _groups_sql("json_build_array", "json_agg")
        tags = _tags_sql(
            "json_build_array",
            "json_agg",
            "SELECT CAST(jsonb_array_elements_text(tag_ids) AS integer) AS tag FROM found",
        )
        if order != "relevance":
            return _by_date(found_sql, params, groups, tags, order, offset, "json_agg(id ORDER BY {keys})")
        # Ranked: the newest found and the newest found by their titles (however old: as many as the blocks up
        # to the page's hold), in blocks taken in cheap order (title matches first, then newest), the page's
        # blocks ranked whole.
        first = offset // RANK_BLOCK * RANK_BLOCK
        last = -(-(offset + PAGE_SIZE) // RANK_BLOCK) * RANK_BLOCK
        titled_sql, titled_params = self._by_quarter(
            found.filter(title_vector=self._matched(query)).values("id", "published_at"), query, by_date, last
        )
        # Only when the newest found are not all found: else they hold every title match.
        titled_sql = f"SELECT * FROM ({titled_sql}) t WHERE (SELECT COUNT(*) FROM found) >= %s"
        titled_params = (*titled_params, FOUND_LIMIT)
        candidates = (
            f"SELECT id, published_at, (ROW_NUMBER() OVER (ORDER BY title_hit DESC, {_NEWEST}) - 1) / {RANK_BLOCK}"
            " AS block FROM (SELECT id, title_hit, published_at FROM (SELECT id, title_hit, published_at FROM found"
            " UNION SELECT id, TRUE, published_at FROM titled) pool"
            f" ORDER BY title_hit DESC, {_NEWEST} LIMIT %s OFFSET %s) cheap"
        )
        ranked = self._ranked(SearchEntry.objects.filter(pk__in=RawSQL("SELECT id FROM candidates", ())), query)
        ranked_sql, ranked_params = ranked.values("id", "rank", "phrase_hit").query.sql_with_params()  # type: ignore[misc]  # annotations the stubs cannot see
        order_by = f"c.block, r.phrase_hit DESC, r.rank DESC, c.{_NEWEST.replace(', ', ', c.')}"
        page = (
            f"SELECT json_agg(id ORDER BY position) FROM (SELECT r.id, ROW_NUMBER() OVER (ORDER BY {order_by})"
            " AS position FROM ranked r JOIN candidates c ON c.id = r.id) p"
            f" WHERE position > %s AND position <= %s"
        )
        sql = (
            f"WITH found AS MATERIALIZED ({found_sql}), titled AS MATERIALIZED ({titled_sql}),"
            f" candidates AS MATERIALIZED ({candidates}), ranked AS ({ranked_sql})"
            f" SELECT ({groups}), ({tags}), ({page})"
        )
        within = offset - first
        return _tally(
            sql,
            (*params, *titled_params, last - first, first, *ranked_params, within, within + PAGE_SIZE),
        )

    def snippets(self, entry_ids: list[int], query: ParsedQuery) -> dict[int, str]:
        positive = self._positive(query)
        rows = SearchEntry.objects.filter(pk__in=entry_ids)
        if positive is None:
            return {pk: body[:240] for pk, body in rows.values_list("pk", "body")}
        options: dict[str, Any] = {
            "config": CONFIG,
            "start_sel": START,
            "stop_sel": STOP,
            "max_words": SNIPPET_WORDS,
            "min_words": 12,
            "max_fragments": 2,
            "fragment_delimiter": " … ",
        }
        if not entry_ids:
            return {}
        found = rows.annotate(
            in_body=SearchHeadline(_angles_hidden(_around_a_match("body", query)), positive, **options),
            in_title=SearchHeadline(_angles_hidden(F("title")), positive, **options),
        ).values("id", "body", "in_body", "in_title")
        found_sql, found_params = found.query.sql_with_params()
        # A word matched only inside an address (www.noaa.gov/storm-tide) shows in the words the index read,
        # punctuation as spaces: that third reading of the body (the costliest) is made only for rows where
        # neither the body nor the title shows a match. It reads the columns of the rows above, which stand
        # under the table's own name.
        words = SearchHeadline(
            _punctuation_as_spaces(_around_a_match("body", query)), positive, **options
        ).resolve_expression(rows.query)
        words_sql, words_params = rows.query.get_compiler(connection=connection).compile(words)
        sql = (
            "SELECT id, in_body, CASE WHEN strpos(in_body, %s) > 0 OR strpos(in_title, %s) > 0 THEN '' ELSE"
            f" {words_sql} END, in_title FROM ({found_sql}) AS search_searchentry"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (START, START, *words_params, *found_params))
            found_rows = cursor.fetchall()
        snippets = {}
        for pk, *headlines in found_rows:
            marked = [headline for headline in headlines if START in headline]
            snippets[pk] = (marked[0] if marked else headlines[0] or headlines[2]).translate(_ANGLES_BACK)
        return snippets

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        similar = SearchEntry.objects.filter(heading__trigram_word_similar=word)
        return similar.annotate(similarity=TrigramWordSimilarity(word, "heading")).order_by("-similarity")


class SqliteBackend:
    def matching_in_two_steps(
        self, entries: QuerySet[SearchEntry], query: ParsedQuery
    ) -> tuple[QuerySet[SearchEntry], Expression | None]:
        return self.matching(entries, query), None

    @staticmethod
    def _fts(term: Term) -> str:
        return f'"{term.text}"'  # words are letters and digits only (search.query), so no quote to escape

    def _positive(self, query: ParsedQuery) -> str:
        groups = []
        for group in query.groups:
            either = " OR ".join(self._fts(term) for term in group)
            groups.append(f"({either})" if len(group) > 1 else either)
        return " AND ".join(groups)

    @staticmethod
    def _rows_matching(expression: str) -> RawSQL:
        return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", (expression,))

    def _expression(self, query: ParsedQuery) -> str:
        """The FTS5 query of the words and phrases, without the excluded ones ("" when there are no words)."""
        positive = self._positive(query)
        return " NOT ".join([f"({positive})", *(self._fts(term) for term in query.excluded)]) if positive else ""

    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        expression = self._expression(query)
        if expression:
            return entries.filter(pk__in=self._rows_matching(expression))
        if query.excluded:
            entries = entries.exclude(pk__in=self._rows_matching(" OR ".join(map(self._fts, query.excluded))))
        return entries

    def snippets(self, entry_ids: list[int], query: ParsedQuery) -> dict[int, str]:
        positive = self._positive(query)
        rows = SearchEntry.objects.filter(pk__in=entry_ids)
        if not positive:
            return {pk: body[:240] for pk, body in rows.values_list("pk", "body")}
        snippet = RawSQL(
            "SELECT snippet(search_fts, -1, char(2), char(3), ' … ', %s) FROM search_fts"
            " WHERE search_fts MATCH %s AND rowid = search_searchentry.id",
            (SNIPPET_WORDS, positive),
        )
        return dict(rows.annotate(snippet=snippet).values_list("pk", "snippet"))

    def tally(self, found: QuerySet[SearchEntry], query: ParsedQuery, order: str, offset: int) -> Tally:
        keys = _OLDEST if order == "oldest" else _NEWEST
        every_sql, params = _found_values(found).query.sql_with_params()
        groups = _groups_sql("json_array", "json_group_array")
        tags = _tags_sql(
            "json_array",
            "json_group_array",
            "SELECT CAST(j.value AS INTEGER) AS tag FROM found, json_each(found.tag_ids) j",
        )
        if order != "relevance":
            first = f"SELECT * FROM ({every_sql}) every ORDER BY {keys} LIMIT {FOUND_LIMIT}"
            return _by_date(first, tuple(params), groups, tags, order, offset, "json_group_array(id)")
        found_sql = f"SELECT * FROM every ORDER BY {keys} LIMIT {FOUND_LIMIT}"
        # The newest found and the newest found by their titles (however old), ranked by bm25 of every match
        # in one pass of the FTS5 index (a correlated bm25 per row costs a lookup each), the rows holding the
        # exact phrase first.
        words = query.plain_words
        expression = self._expression(query)
        matches = "SELECT rowid AS id{} FROM search_fts WHERE search_fts MATCH %s"
        ranked = matches.format(", -bm25(search_fts, 10.0, 4.0, 1.0) AS rank")
        phrased, phrase = (matches.format(""), (f'"{" ".join(words)}"',)) if len(words) > 1 else ("SELECT 0 AS id", ())
        titled = (
            f"SELECT id, published_at FROM every WHERE id IN ({matches.format('')}) ORDER BY {keys} LIMIT {FOUND_LIMIT}"
        )
        page = (
            "SELECT json_group_array(id) FROM (SELECT f.id FROM (SELECT id, published_at FROM found UNION"
            " SELECT id, published_at FROM titled) f JOIN ranked r ON r.id = f.id LEFT JOIN phrased p ON p.id = f.id"
            f" ORDER BY p.id IS NOT NULL DESC, r.rank DESC, f.{keys.replace(', ', ', f.')} LIMIT {PAGE_SIZE} OFFSET %s)"
        )
        sql = (
            f"WITH every AS MATERIALIZED ({every_sql}), found AS MATERIALIZED ({found_sql}),"
            f" titled AS MATERIALIZED ({titled}), ranked AS MATERIALIZED ({ranked}),"
            f" phrased AS MATERIALIZED ({phrased}) SELECT ({groups}), ({tags}), ({page})"
        )
        return _tally(sql, (*params, f"{{title}} : ({expression})", expression, *phrase, offset))

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        # No trigram index here: headings sharing the word's first letters, newest first.
        return SearchEntry.objects.filter(heading__icontains=word[:3]).order_by("-published_at")


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
