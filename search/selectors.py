"""Search reads: results, facets, suggestions and "did you mean", all over what the member may see.

Every read goes through ``visible_entries``: the index rows the policy lets
the member find, decided over each row's copied access keys
(``policy.filter_visible_by_keys``: listed, published, visible) and, for
members, ``policy.filter_visible_members``, in the same SQL query. Counts and
facets are aggregates of that one filtered query, so nothing hidden is ever
counted. A search is a
fixed number of queries whatever it finds: the facets (one grouped query and
one for tags), the page, its snippets and what the page links to.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Exists, Expression, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import TaggedItem

from saved.models import SavedItem
from search.backends import FACET_LIMIT, PAGE_SIZE, START, STOP, Tally, backend
from search.models import SearchEntry
from search.query import MEMBER_TYPE, STOP_WORDS, ParsedQuery
from verification import policy
from verification.models import Discipline, Marking, Member
from verification.registry import content_registry

SUGGESTION_LIMIT = 8
SPELLING_CANDIDATES = 50


def type_names() -> dict[str, tuple[str, str]]:
    """What each ``type:`` word is called, one and many: the content registry's labels, and members."""
    names = {
        registration.search_type: (registration.type_label, registration.plural)
        for registration in content_registry.searchable()
    }
    names[MEMBER_TYPE] = ("Member", "Members")
    return names


def visible_entries(
    member: Member,
    types: list[str] | None = None,
    *,
    within: QuerySet[SearchEntry] | None = None,
    then: Expression | None = None,
) -> QuerySet[SearchEntry]:
    """The index rows (of ``within``, or all) of published items the member may find (the policy over each
    row's access keys: listed, visible), and of members they may see (when ``types`` allows members).

    ``then`` is a costly condition checked only on the rows the member may find (a ``CASE``, whose order the
    database keeps), never on the others."""
    rows = SearchEntry.objects.all() if within is None else within
    if not policy.member_access(member).may_see_content:
        return rows.none()
    visible = policy.visible_by_keys_q(member) & Q(published_at__lte=timezone.now())
    if not types or MEMBER_TYPE in types:
        members = policy.filter_visible_members(member, Member.objects.all()).values("pk")
        visible |= Q(content_type=ContentType.objects.get_for_model(Member), object_id__in=members)
    if then is None:
        return rows.filter(visible)
    return rows.filter(Case(When(visible, then=then), default=Value(False), output_field=BooleanField()))


def _narrowed(member: Member, entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
    if query.types:
        entries = entries.filter(search_type__in=query.types)
    if query.authors:
        entries = entries.filter(author__handle__in=query.authors)
    if query.communities:
        entries = entries.filter(community__slug__in=query.communities)
    if query.markings:
        entries = entries.filter(marking__slug__in=query.markings)
    if query.disciplines:
        entries = entries.filter(discipline__in=query.disciplines)
    for tag in query.tags:
        tagged = TaggedItem.objects.filter(
            Q(tag__slug=tag) | Q(tag__name__iexact=tag),
            content_type=OuterRef("content_type"),
            object_id=OuterRef("object_id"),
        )
        entries = entries.filter(Exists(tagged))
    if "mine" in query.places:
        entries = entries.filter(author=member)
    if "saved" in query.places:
        saved = SavedItem.objects.filter(
            member=member, item_type=OuterRef("content_type"), item_id=OuterRef("object_id")
        )
        entries = entries.filter(Exists(saved))
    if query.after is not None:
        entries = entries.filter(published_at__date__gt=query.after)
    if query.before is not None:
        entries = entries.filter(published_at__date__lt=query.before)
    return entries


def hits(member: Member, query: ParsedQuery) -> QuerySet[SearchEntry]:
    """What the query finds that the member may see (unordered: ``answer`` orders and counts it)."""
    matched, in_order = backend().matching_in_two_steps(_narrowed(member, SearchEntry.objects.all(), query), query)
    return visible_entries(member, query.types or None, within=matched, then=in_order)


def order_of(query: ParsedQuery) -> str:
    """``relevance``, ``newest`` or ``oldest``: relevance needs words to rank by."""
    return "newest" if query.order == "relevance" and not query.has_words else query.order


@dataclass
class FacetValue:
    label: str
    operator: str  # what the link adds to the query
    count: int
    # Set by ``Facets.link_from``: the query the link searches (with the operator, or without it when the
    # search already has it) and whether it is in the search now.
    query: str = ""
    active: bool = False


@dataclass
class Facets:
    total: int = 0
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)
    # More were found than a search counts (``search.backends.FOUND_LIMIT``): ``total`` is that limit, and
    # the counts are of the newest (or oldest) found.
    bounded: bool = False

    def link_from(self, text: str) -> Facets:
        """Each value links to ``text`` narrowed by it, or, when ``text`` already has it, widened again."""
        for values in self.groups.values():
            for value in values:
                value.active = f" {value.operator} " in f" {text} "
                if value.active:
                    value.query = " ".join(text.replace(value.operator, " ").split())
                else:
                    value.query = f"{text.strip()} {value.operator}"
        return self


def _facets(tally: Tally) -> Facets:
    """Counts by type, community, marking, year and discipline, and the most used tags."""
    counters: dict[str, Counter[tuple[str, str]]] = {
        name: Counter() for name in ("type", "community", "marking", "year", "discipline")
    }
    names = type_names()
    total = 0
    for row in tally.groups:
        search_type, community_slug, community_name, marking_slug, marking_name, year, discipline, count = row
        total += count
        counters["type"][(names.get(search_type, ("", ""))[1], f"type:{search_type}")] += count
        if community_slug:
            counters["community"][(community_name, f"#{community_slug}")] += count
        if marking_slug:
            counters["marking"][(marking_name, f"marking:{marking_slug}")] += count
        if year:
            counters["year"][(str(year), f"after:{year - 1}-12-31 before:{year + 1}-01-01")] += count
        if discipline:
            counters["discipline"][(Discipline(discipline).label, f"discipline:{discipline}")] += count
    groups = {
        name: [FacetValue(label, operator, count) for (label, operator), count in counter.most_common(FACET_LIMIT)]
        for name, counter in counters.items()
    }
    groups["year"].sort(key=lambda value: value.label, reverse=True)
    groups["tag"] = [FacetValue(name, f"tag:{slug}", count) for slug, name, count in tally.tags]
    groups = {name: values for name, values in groups.items() if values}
    return Facets(total=total, groups=groups, bounded=total >= tally.limit)


def highlighted(text: str) -> SafeString:
    """Escape the plain text first, then turn the backend's markers into ``<mark>``."""
    safe = escape(text.replace(START, "").replace(STOP, "")) if text.count(START) != text.count(STOP) else escape(text)
    return mark_safe(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above


@dataclass
class Result:
    entry: SearchEntry
    type_label: str
    url: str
    snippet: SafeString
    marking: Marking | None


@dataclass
class Answer:
    facets: Facets
    page: Page[Any]
    results: list[Result]


def answer(query: ParsedQuery, found: QuerySet[SearchEntry], order: str, number: Any) -> Answer:
    """The counts, the facets and one page of ``found`` in ``order``, with snippets, links and markings: one
    statement reads the found rows once for all but the page's own rows and snippets."""
    requested = _page_number(number)
    tally = backend().tally(found, query, order, (requested - 1) * PAGE_SIZE)
    facets = _facets(tally)
    paginator: Paginator[Any] = Paginator(range(facets.total), PAGE_SIZE)
    page = paginator.get_page(requested)
    if page.number != requested:  # past the last page: read the last one
        tally = backend().tally(found, query, order, (page.number - 1) * PAGE_SIZE)
    by_id = SearchEntry.objects.select_related("marking", "community__marking", "content_type").in_bulk(tally.page)
    entries = [by_id[pk] for pk in tally.page if pk in by_id]
    snippets = backend().snippets([entry.pk for entry in entries], query)
    names = type_names()
    results = [
        Result(
            entry=entry,
            type_label=names.get(entry.search_type, ("", ""))[0],
            url=_url_of(entry),
            snippet=highlighted(snippets.get(entry.pk, "")),
            marking=_banner(entry),
        )
        for entry in entries
    ]
    page.object_list = results
    return Answer(facets=facets, page=page, results=results)


def _page_number(number: Any) -> int:
    try:
        return max(int(number), 1)
    except (TypeError, ValueError):
        return 1


def search(member: Member, query: ParsedQuery, number: Any) -> Answer:
    return answer(query, hits(member, query), order_of(query), number)


def _banner(entry: SearchEntry) -> Marking | None:
    """The marking that governs the item: its own (or its parent's), or its community's when higher, read
    now (a community re-marked after the item was indexed shows its new marking)."""
    markings = [entry.marking, entry.community.marking if entry.community is not None else None]
    highest = policy.highest_marking(marking for marking in markings if marking is not None)
    return highest if highest is not None and not highest.is_unmarked else None


def _url_of(entry: SearchEntry) -> str:
    if entry.search_type == MEMBER_TYPE:
        return reverse("members:profile", args=[entry.object_id])
    return reverse("search:open", args=[entry.content_type_id, entry.object_id])


_WORD = re.compile(r"\w+", re.UNICODE)


def did_you_mean(member: Member, query: ParsedQuery, text: str) -> str:
    """The query with its misspelt words replaced by the closest words of headings the member may see."""
    corrected = text
    changed = False
    for word in query.plain_words[:4]:
        spelt_like = visible_entries(member, within=backend().spelt_like(word))
        headings = spelt_like.values_list("heading", flat=True)[:SPELLING_CANDIDATES]
        candidates = {found.lower() for heading in headings for found in _WORD.findall(heading)} - STOP_WORDS
        close = difflib.get_close_matches(word, sorted(candidates - {word}), n=1, cutoff=0.7)
        if close:
            corrected = re.sub(rf"\b{re.escape(word)}\b", close[0], corrected, flags=re.IGNORECASE)
            changed = True
    return corrected if changed else ""


@dataclass(frozen=True)
class Suggestion:
    entry: SearchEntry
    type_label: str
    url: str
    marking: Marking | None

    @property
    def heading(self) -> str:
        return self.entry.heading


def marked_for_audit(shown: Iterable[tuple[SearchEntry, Marking | None]]) -> list[tuple[str, int, str, Marking]]:
    """What the audit log keeps of the marked items a search showed: type (``library.Document``), id, title
    and marking."""
    found = []
    for entry, marking in shown:
        if marking is not None:
            model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
            label = model._meta.label if model is not None else entry.search_type
            found.append((label, entry.object_id, entry.heading, marking))
    return found


def suggestions(member: Member, text: str) -> list[Suggestion]:
    """What the box offers as the member types: items whose title has every word typed (anywhere in it),
    and members by name, newest first."""
    words = [word.lower() for word in _WORD.findall(text)][:6]
    if not words or len(words[-1]) < 2:
        return []
    types = [
        registration.search_type
        for registration in content_registry.searchable()
        if registration.title_field in registration.search_fields
    ]
    entries = SearchEntry.objects.filter(search_type__in=[*types, MEMBER_TYPE])
    for word in words:
        entries = entries.filter(heading__icontains=word)
    found = (
        visible_entries(member, within=entries)
        .select_related("marking", "community__marking")
        .order_by("-published_at", "-pk")
    )
    names = type_names()
    return [
        Suggestion(entry, names.get(entry.search_type, ("", ""))[0], _url_of(entry), _banner(entry))
        for entry in found[:SUGGESTION_LIMIT]
    ]
