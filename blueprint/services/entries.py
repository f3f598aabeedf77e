"""Proposing entries, their authors' revisions, and proposed edits of published entries; the helpers the
editors' decisions share (``blueprint.services.review``)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from blueprint.access import EDITORS_GROUP, can_propose_edit, can_revise_proposal
from blueprint.facets import Facets
from blueprint.models import (
    ALLOWED_LINKS,
    BODY_MAX,
    PURPOSE_MAX,
    SECTOR_FIELDS,
    SUMMARY_MAX,
    TITLE_MAX,
    WINDOW_FIELDS,
    EditProposal,
    Entry,
    EntryRevision,
    Hazard,
    Kind,
    Status,
)
from blueprint.services.links import link_create
from communities.models import Community
from muster.markdown import render_markdown
from muster.revisions import rebase_edit, revision_add
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.models import Marking, Member


def tag_names(tags: Iterable[str]) -> list[str]:
    """The tags a member typed from an item's page, trimmed, each once (a clear error for an over-long one)."""
    names = sorted({name.strip() for name in tags if name.strip()})
    if any(len(name) > 100 for name in names):
        raise ValidationError({"tags": "Keep each tag under 100 characters."})
    return names


def entry_url(entry: Entry) -> str:
    return reverse("blueprint:entry", kwargs={"slug": entry.slug})


# --- Checks and helpers -------------------------------------------------------------------------


def _check_text(*, title: str, summary: str, body: str, purpose: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the entry a heading."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the heading under {TITLE_MAX} characters."
    if not summary.strip():
        errors["summary"] = "Write a summary: a few sentences a reader sees first."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX:,} characters (this is {len(summary):,})."
    if len(body) > BODY_MAX:
        errors["body"] = f"Keep the text under {BODY_MAX:,} characters (this is {len(body):,})."
    if len(purpose) > PURPOSE_MAX:
        errors["purpose"] = f"Keep the purpose under {PURPOSE_MAX:,} characters (this is {len(purpose):,})."
    if errors:
        raise ValidationError(errors)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:110] or "entry"
    slug, n = base, 1
    while Entry.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply_facets(entry: Entry, facets: Facets) -> None:
    """Set the columns the facets live in (hazards and tags are set after the entry is saved)."""
    for sector, column in SECTOR_FIELDS.items():
        setattr(entry, column, sector in facets.sectors)
    for window, column in WINDOW_FIELDS.items():
        setattr(entry, column, window in facets.windows)
    entry.place = facets.place
    entry.occurred_on = facets.occurred_on


def _apply_facet_relations(entry: Entry, facets: Facets) -> None:
    entry.hazards.set(Hazard.objects.filter(slug__in=facets.hazards))
    entry.tags.set(list(facets.tags))


def add_revision(
    entry: Entry, facets: Facets, *, author: Member | None, comment: str, reverted_from: EntryRevision | None = None
) -> EntryRevision:
    entry.body_html = render_markdown(entry.body) if entry.body.strip() else ""
    _apply_facets(entry, facets)
    revision = revision_add(
        entry,
        EntryRevision,
        item_field="entry",
        author=author,
        comment=comment,
        reverted_from=reverted_from,
        title=entry.title,
        body=entry.body,
        summary=entry.summary,
        purpose=entry.purpose,
        facets=facets.as_json(),
    )
    _apply_facet_relations(entry, facets)
    return revision


def locked_entry(entry: Entry) -> Entry:
    """The entry, locked for the rest of the transaction."""
    return Entry.objects.select_for_update().select_related("community", "marking").get(pk=entry.pk)


def _editors() -> Group:
    return Group.objects.get(name=EDITORS_GROUP)


# --- Proposing entries ---------------------------------------------------------------------------


@transaction.atomic
def entry_propose(
    *,
    author: Member,
    community: Community,
    kind: str,
    title: str,
    summary: str,
    marking: Marking,
    body: str = "",
    purpose: str = "",
    facets: Facets | None = None,
    links: Iterable[Entry] = (),
    comment: str = "",
) -> Entry:
    """A new entry, waiting for an editor: until published only its author and the editors see it (it is
    restricted to them). ``links`` are the entries it links to with its kind's relation (a solution's
    challenges, a tool's solutions …)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose what kind of entry this is."})
    _check_text(title=title, summary=summary, body=body, purpose=purpose)
    policy.check_post_permission(author, community, marking)
    if marking.rank < community.marking.rank:
        raise ValidationError({"marking": f"Entries in {community.name} are marked at least {community.marking}."})
    entry = Entry(
        community=community,
        author=author,
        marking=marking,
        kind=kind,
        title=title.strip(),
        slug=_unique_slug(title),
        summary=summary.strip(),
        body=body,
        purpose=purpose.strip() if kind == Kind.SOLUTION else "",
        status=Status.PROPOSED,
        is_restricted=True,
    )
    add_revision(entry, facets or Facets(), author=author, comment=comment or "Proposed the entry")
    policy.grant_item_access(entry, author)
    policy.grant_item_access(entry, _editors())
    relation = relation_from(kind)
    for target in links:
        if relation is None:
            raise ValidationError({"links": "This kind of entry links to nothing: others link to it."})
        link_create(source=entry, target=target, relation=relation, actor=author)
    follow_automatically(member=author, target=entry, level=Level.WATCHING)
    return entry


def relation_from(kind: str) -> str | None:
    """The relation an entry of ``kind`` links to others with (a challenge has none: others address it)."""
    return next((relation for relation, (sources, _) in ALLOWED_LINKS.items() if kind in sources), None)


@transaction.atomic
def entry_revise(
    *,
    entry: Entry,
    author: Member,
    title: str,
    summary: str,
    body: str,
    purpose: str,
    facets: Facets,
    base_number: int,
    comment: str = "",
) -> EntryRevision:
    """The author changes their entry while it waits for an editor (or came back with notes): a new
    revision, merged with what they saved meanwhile in another window, or ``EditConflictError``."""
    _check_text(title=title, summary=summary, body=body, purpose=purpose)
    entry = locked_entry(entry)
    if not can_revise_proposal(author, entry):
        raise PermissionDenied("Only its author changes an entry that waits for an editor.")
    body, kept = rebased_edit(entry, base_number=base_number, title=title, summary=summary, body=body, purpose=purpose)
    _refuse_no_change(entry, kept, body, facets)
    entry.title, entry.summary, entry.body, entry.purpose = kept["title"], kept["summary"], body, kept["purpose"]
    return add_revision(entry, facets, author=author, comment=comment or "Revised the proposal")


def rebased_edit(
    entry: Entry, *, base_number: int, title: str, summary: str, body: str, purpose: str
) -> tuple[str, dict[str, Any]]:
    current = entry.revisions.get(number=entry.revision_number)
    fields = {"title": title.strip(), "summary": summary.strip(), "purpose": purpose.strip()}
    return rebase_edit(
        revisions=entry.revisions.all(), current=current, base_number=base_number, body=body, fields=fields
    )


def _refuse_no_change(entry: Entry, kept: Mapping[str, Any], body: str, facets: Facets) -> None:
    same_text = (kept["title"], kept["summary"], body, kept["purpose"]) == (
        entry.title,
        entry.summary,
        entry.body,
        entry.purpose,
    )
    if same_text and facets == Facets.of(entry):
        raise ValidationError("Nothing changed.")


@transaction.atomic
def entry_resubmit(*, entry: Entry, author: Member) -> Entry:
    """An entry sent back with notes goes back to the editors once its author has revised it."""
    entry = locked_entry(entry)
    if not can_revise_proposal(author, entry) or entry.status != Status.RETURNED:
        raise ValidationError("Only an entry sent back to you can be proposed again.")
    entry.status = Status.PROPOSED
    entry.save(update_fields=["status", "updated_at"])
    return entry


# --- Proposing edits of published entries ---------------------------------------------------------


@transaction.atomic
def entry_edit_propose(
    *,
    entry: Entry,
    proposer: Member,
    title: str,
    summary: str,
    body: str,
    purpose: str,
    facets: Facets,
    base_number: int,
    comment: str = "",
) -> EditProposal:
    """Any member who sees a published entry proposes an edit of it, made on top of revision
    ``base_number``. An edit over a newer revision is merged with it, or comes back as
    ``EditConflictError`` (nothing saved); an editor publishes it as the next revision."""
    _check_text(title=title, summary=summary, body=body, purpose=purpose)
    entry = locked_entry(entry)
    if not can_propose_edit(proposer, entry):
        raise PermissionDenied("You may not propose an edit of this entry.")
    body, kept = rebased_edit(entry, base_number=base_number, title=title, summary=summary, body=body, purpose=purpose)
    _refuse_no_change(entry, kept, body, facets)
    return EditProposal.objects.create(
        entry=entry,
        proposer=proposer,
        base_number=entry.revision_number,
        title=kept["title"],
        summary=kept["summary"],
        body=body,
        purpose=kept["purpose"] if entry.kind == Kind.SOLUTION else "",
        facets=facets.as_json(),
        comment=comment[:300],
    )
