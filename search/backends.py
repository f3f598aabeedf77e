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

import re
from typing import Any, Protocol

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression, RawSQL
from taggit.models import TaggedItem

from search.models import SearchEntry
from search.query import ParsedQuery, Term

START, STOP = "\x02", "\x03"
# ts_headline reads ``<word>`` as a tag and drops it: the angles go in as private-use characters and come
# back out after it.
_ANGLES = "\ue000\ue001"
_ANGLES_BACK = str.maketrans(_ANGLES, "<>")
SNIPPET_WORDS = 30
# English stemming with accents ignored (search/migrations/0003_words_as_typed.py).
CONFIG = "muster_english"
_WORD = re.compile(r"\w+", re.UNICODE)


class Backend(Protocol):
    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        """The entries that match the words, annotated with ``rank`` and ``phrase_hit`` (exact phrase)."""

    def snippets(self, entry_ids: list[int], query: ParsedQuery) -> dict[int, str]:
        """A highlighted passage of each entry's words, for the page shown (one query)."""

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        """Rows whose heading has a word spelt like ``word``, likeliest first (for "did you mean")."""

    def tagged(self, found: QuerySet[SearchEntry]) -> QuerySet[TaggedItem]:
        """The tag rows of the items ``found`` holds (for the tag facet)."""


def _angles_hidden(field: str) -> Func:
    return Func(F(field), Value("<>"), Value(_ANGLES), function="translate", output_field=TextField())


def _punctuation_as_spaces(field: str) -> Func:
    """The text as the index reads it (search/migrations/0003_words_as_typed.py)."""
    return Func(
        F(field), Value("[[:punct:]]+"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )


class PostgresBackend:
    @staticmethod
    def _tsquery(term: Term) -> SearchQuery:
        text = f'"{term.text}"' if term.is_phrase else term.text
        return SearchQuery(text, search_type="websearch", config=CONFIG)

    def _positive(self, query: ParsedQuery) -> SearchQuery | None:
        combined: SearchQuery | None = None
        for group in query.groups:
            either = self._tsquery(group[0])
            for term in group[1:]:
                either = either | self._tsquery(term)
            combined = either if combined is None else combined & either
        return combined

    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        positive = self._positive(query)
        for term in query.excluded:
            if positive is not None:
                positive = positive & ~self._tsquery(term)
            else:
                entries = entries.exclude(search_vector=self._tsquery(term))
        if positive is None:
            return entries.annotate(rank=Value(0.0, output_field=FloatField()), phrase_hit=Value(False))
        entries = entries.filter(search_vector=positive).annotate(
            rank=SearchRank(F("search_vector"), positive, weights=[0.1, 0.2, 0.4, 1.0])
        )
        words = query.plain_words
        if len(words) < 2:
            return entries.annotate(phrase_hit=Value(False))
        phrase = SearchQuery(" ".join(words), search_type="phrase", config=CONFIG)
        return entries.annotate(phrase_hit=ExpressionWrapper(Q(search_vector=phrase), output_field=BooleanField()))

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
        found = rows.annotate(
            in_body=SearchHeadline(_angles_hidden("body"), positive, **options),
            # A word matched only inside an address (www.noaa.gov/storm-tide) shows in the words the
            # index read, punctuation as spaces.
            in_words=SearchHeadline(_punctuation_as_spaces("body"), positive, **options),
            in_title=SearchHeadline(_angles_hidden("title"), positive, **options),
        ).values_list("pk", "in_body", "in_words", "in_title")
        snippets = {}
        for pk, *headlines in found:
            marked = [headline for headline in headlines if START in headline]
            snippets[pk] = (marked[0] if marked else headlines[0] or headlines[2]).translate(_ANGLES_BACK)
        return snippets

    def tagged(self, found: QuerySet[SearchEntry]) -> QuerySet[TaggedItem]:
        # A semi-join, which PostgreSQL plans from either side.
        matched = found.order_by().filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))
        tagged: QuerySet[TaggedItem] = TaggedItem.objects.filter(Exists(matched))
        return tagged

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        similar = SearchEntry.objects.filter(heading__trigram_word_similar=word)
        return similar.annotate(similarity=TrigramWordSimilarity(word, "heading")).order_by("-similarity")


class SqliteBackend:
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

    def matching(self, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
        positive = self._positive(query)
        excluded = [self._fts(term) for term in query.excluded]
        if not positive:
            if excluded:
                entries = entries.exclude(pk__in=self._rows_matching(" OR ".join(excluded)))
            return entries.annotate(rank=Value(0.0, output_field=FloatField()), phrase_hit=Value(False))
        expression = " NOT ".join([f"({positive})", *excluded])
        rank = RawSQL(
            "SELECT -bm25(search_fts, 10.0, 4.0, 1.0) FROM search_fts"
            " WHERE search_fts MATCH %s AND rowid = search_searchentry.id",
            (expression,),
            output_field=FloatField(),
        )
        entries = entries.filter(pk__in=self._rows_matching(expression)).annotate(rank=rank)
        words = query.plain_words
        if len(words) < 2:
            return entries.annotate(phrase_hit=Value(False))
        phrase = self._rows_matching(f'"{" ".join(words)}"')
        return entries.annotate(
            phrase_hit=Case(When(pk__in=phrase, then=Value(True)), default=Value(False), output_field=BooleanField())
        )

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

    def tagged(self, found: QuerySet[SearchEntry]) -> QuerySet[TaggedItem]:
        # Joined on one number per (type, item), so the found set is read once: SQLite ran a correlated
        # EXISTS again for every tagged row (11.7 s for one search at 50,000 items). Ids stay below 2**40.
        def key() -> CombinedExpression:
            return F("content_type_id") * 2**40 + F("object_id")

        found_keys = found.order_by().annotate(key=key()).values("key")
        tagged: QuerySet[TaggedItem] = TaggedItem.objects.annotate(key=key()).filter(key__in=found_keys)
        return tagged

    def spelt_like(self, word: str) -> QuerySet[SearchEntry]:
        # No trigram index here: headings sharing the word's first letters, newest first.
        return SearchEntry.objects.filter(heading__icontains=word[:3]).order_by("-published_at")


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
