"""The search box's grammar, read the same for the page, links and the API.

Words and ``"quoted phrases"`` must all match; ``OR`` between two of them
lets either match; ``-word`` and ``-"a phrase"`` must not. Operators narrow:
``@handle`` (author), ``#community`` (its slug), ``tag:a,b`` (every tag),
``type:thread|post|page|document|link|message|member`` (each searchable
registered type's word, and members), ``marking:fouo``,
``in:saved``, ``in:mine``, ``before:2026-05-31``, ``after:2026-01-01`` and
``order:relevance|newest|oldest`` (and ``discipline:fire``, which the
members facet links to). Anything else is searched as words, and
the notes say so. Nothing here raises: bad input becomes notes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from verification.registry import content_registry

MAX_LENGTH = 500
MAX_TERMS = 16
MAX_VALUES = 8
MEMBER_TYPE = "member"
ORDERS = ("relevance", "newest", "oldest")
PLACES = ("saved", "mine")
OPERATORS = ("tag", "type", "marking", "discipline", "in", "before", "after", "order")

# PostgreSQL's English stop words (tsearch_data/english.stop): neither backend searches them, so both find the same.
STOP_WORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "did", "do", "does",
        "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
        "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "s", "same", "she", "should",
        "so", "some", "such", "t", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
        "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "you", "your", "yours",
        "yourself", "yourselves",
    }
)  # fmt: skip

OR_WORD = "OR"
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+", re.UNICODE)
_OPERATOR = re.compile(r"^([a-z]+):(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of words in order."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class ParsedQuery:
    # Every group must match; a group matches when any of its terms does (``a OR b``).
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    communities: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    markings: list[str] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    before: datetime.date | None = None
    after: datetime.date | None = None
    order: str = "relevance"
    notes: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @property
    def has_words(self) -> bool:
        return bool(self.groups)

    @property
    def is_empty(self) -> bool:
        """Nothing to search by: no words and no operator that narrows."""
        narrowing = (
            self.authors,
            self.communities,
            self.tags,
            self.types,
            self.markings,
            self.disciplines,
            self.places,
        )
        return not self.groups and not any(narrowing) and self.before is None and self.after is None

    @property
    def plain_words(self) -> list[str]:
        """The words of the groups that have no alternatives, in order: what "exact phrase first" ranks by."""
        return [word for group in self.groups if len(group) == 1 for word in group[0].words]


def search_types() -> tuple[str, ...]:
    """The words of ``type:``: each searchable registered type's, and members."""
    return (*(registration.search_type for registration in content_registry.searchable()), MEMBER_TYPE)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def _term(text: str) -> Term | None:
    """A term of the words of ``text`` without stop words (a phrase keeps its inner ones), or None."""
    words = _words(text)
    if len(words) == 1 and words[0] in STOP_WORDS:
        return None
    while words and words[0] in STOP_WORDS:
        words = words[1:]
    while words and words[-1] in STOP_WORDS:
        words = words[:-1]
    return Term(words) if words else None


def _date(value: str, name: str, notes: list[str]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        notes.append(f"{name}: needs a date like 2026-05-31; “{value[:40]}” was left out.")
        return None


def _values(value: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,|]", value) if part.strip()][:MAX_VALUES]


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery()
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        text = text[:MAX_LENGTH]
        query.notes.append(f"Only the first {MAX_LENGTH} characters were searched.")
    if text.count('"') % 2:
        query.notes.append("A closing quote was missing: the phrase runs to the end.")
    join_next = False
    for token in _TOKEN.findall(text):
        if len(query.terms) + len(query.excluded) >= MAX_TERMS:
            query.notes.append(f"Only the first {MAX_TERMS} words and phrases were searched.")
            break
        if token == OR_WORD:
            join_next = bool(query.groups)
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        if body.startswith('"'):
            term = _term(body.strip('"'))
        elif not negated and _read_operator(query, token):
            join_next = False
            continue
        elif not negated and _OPERATOR.match(token):
            # An unknown operator: its name and value are searched as words.
            query.groups.extend([Term((word,))] for word in _words(token) if word not in STOP_WORDS)
            join_next = False
            continue
        else:
            term = _term(body)
        if term is None:
            continue
        if negated:
            query.excluded.append(term)
        elif join_next:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        join_next = False
    return query


def _read_operator(query: ParsedQuery, token: str) -> bool:
    """Read ``token`` as an operator into ``query``; False when it is words (an unknown operator too)."""
    if token.startswith("@") and len(token) > 1:
        query.authors.append(token[1:].lower()[:60])
        return True
    if token.startswith("#") and len(token) > 1:
        query.communities.append(token[1:].lower()[:100])
        return True
    match = _OPERATOR.match(token)
    if match is None:
        return False
    name, value = match.group(1).lower(), match.group(2)
    if name not in OPERATORS:
        query.notes.append(f"“{name}:” is not an operator, so it was searched as words.")
        return False
    if not value:
        query.notes.append(f"{name}: needs a value; it was left out.")
        return True
    if name == "tag":
        query.tags.extend(_values(value))
    elif name == "marking":
        query.markings.extend(_values(value))
    elif name == "discipline":
        query.disciplines.extend(_values(value))
    elif name in ("type", "in", "order"):
        _read_choice(query, name, _values(value))
    elif name == "before":
        query.before = _date(value, name, query.notes)
    else:
        query.after = _date(value, name, query.notes)
    return True


def _read_choice(query: ParsedQuery, name: str, values: list[str]) -> None:
    allowed = {"type": search_types(), "in": PLACES, "order": ORDERS}[name]
    known = [value for value in values if value in allowed]
    unknown = [value for value in values if value not in allowed]
    if unknown:
        query.notes.append(f"{name}: can be {', '.join(allowed)}; “{', '.join(unknown)[:60]}” was left out.")
    if name == "type":
        query.types.extend(known)
    elif name == "in":
        query.places.extend(known)
    elif known:
        query.order = known[-1]
