"""The editors' decisions: publish (validated, with evidence level and review-by date), send back with notes,
decline with a reason; validating again, reverting, making a summary public, and re-marking an entry (a new
marking, or another community)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from blueprint.access import check_review_entries_permission
from blueprint.facets import Facets
from blueprint.models import EditProposal, Entry, EntryRevision, Evidence, Status
from blueprint.services.entries import add_revision, locked_entry, rebased_edit
from communities.models import ActivityEvent, Community
from communities.services import activity_record
from muster.revisions import EditConflictError, check_revert, revert_comment
from verification import policy
from verification.models import Marking, Member

REVIEW_PERIOD_DAYS = 365


class Decision(models.TextChoices):
    PUBLISH = "publish", "Publish"
    RETURN = "return", "Send back with notes"
    DECLINE = "decline", "Decline"


def default_review_by() -> date:
    return timezone.localdate() + timedelta(days=REVIEW_PERIOD_DAYS)


def _check_not_own(entry_author_id: int | None, editor: Member) -> None:
    if entry_author_id == editor.pk:
        raise ValidationError("Another editor reviews what you wrote: an entry is validated by a second person.")


def _validate(entry: Entry, *, editor: Member, evidence: str, review_by: date | None) -> None:
    if evidence not in Evidence.values:
        raise ValidationError({"evidence": "Choose the evidence level: anecdote, case or evaluated."})
    review_by = review_by or default_review_by()
    if review_by <= timezone.localdate():
        raise ValidationError({"review_by": "The review-by date must be in the future."})
    now = timezone.now()
    entry.validated_by, entry.validated_at, entry.evidence, entry.review_by = editor, now, evidence, review_by


def _check_note(decision: str, note: str) -> None:
    if decision == Decision.RETURN and not note.strip():
        raise ValidationError({"note": "Say what should change: the notes go back with it."})
    if decision == Decision.DECLINE and not note.strip():
        raise ValidationError({"note": "Give the reason for declining."})
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose to publish, send back or decline."})


@transaction.atomic
def entry_review(
    *,
    entry: Entry,
    editor: Member,
    decision: str,
    note: str = "",
    evidence: str = "",
    review_by: date | None = None,
) -> Entry:
    """An editor decides on a proposed entry: publish it (validated, with the evidence level and a
    review-by date), send it back with notes, or decline it with a reason."""
    check_review_entries_permission(editor)
    _check_note(decision, note)
    entry = locked_entry(entry)
    if not policy.can_view(editor, entry):
        raise PermissionDenied("You may not see this entry.")
    if entry.status != Status.PROPOSED:
        raise ValidationError(f"This entry is not waiting for an editor ({entry.get_status_display().lower()}).")
    _check_not_own(entry.author_id, editor)
    now = timezone.now()
    entry.reviewed_by, entry.reviewed_at, entry.status_note = editor, now, note.strip()
    if decision == Decision.PUBLISH:
        _validate(entry, editor=editor, evidence=evidence, review_by=review_by)
        entry.status, entry.is_restricted, entry.published_at = Status.PUBLISHED, False, now
        entry.save()
        policy.revoke_all_item_access(entry)
        activity_record(community=entry.community, actor=editor, verb=ActivityEvent.Verb.PUBLISHED, target=entry)
        return entry
    entry.status = Status.RETURNED if decision == Decision.RETURN else Status.DECLINED
    entry.save()
    return entry


@transaction.atomic
def edit_proposal_review(
    *,
    proposal: EditProposal,
    editor: Member,
    decision: str,
    note: str = "",
    evidence: str = "",
    review_by: date | None = None,
) -> EditProposal:
    """An editor decides on a proposed edit. Publishing makes it the entry's next revision (merged with
    what was published since it was proposed; when that overlaps, nothing changes and the editor is told
    to send it back) and validates the entry again."""
    check_review_entries_permission(editor)
    _check_note(decision, note)
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk)
    entry = locked_entry(proposal.entry)
    if not policy.can_view(editor, entry):
        raise PermissionDenied("You may not see this entry.")
    if proposal.status != Status.PROPOSED:
        raise ValidationError(f"This edit is not waiting for an editor ({proposal.get_status_display().lower()}).")
    _check_not_own(proposal.proposer_id, editor)
    now = timezone.now()
    proposal.decided_by, proposal.decided_at, proposal.editor_note = editor, now, note.strip()
    if decision == Decision.PUBLISH:
        if not entry.is_published:
            raise ValidationError("The entry is no longer published.")
        try:
            body, kept = rebased_edit(
                entry,
                base_number=proposal.base_number,
                title=proposal.title,
                summary=proposal.summary,
                body=proposal.body,
                purpose=proposal.purpose,
            )
        except EditConflictError as conflict:
            raise ValidationError(
                f"Revision {conflict.current.number} was published after this edit was proposed, and they change "
                "the same lines. Send it back so the proposer can bring it up to date."
            ) from None
        entry.title, entry.summary, entry.body, entry.purpose = kept["title"], kept["summary"], body, kept["purpose"]
        _validate(entry, editor=editor, evidence=evidence, review_by=review_by)
        entry.reviewed_by, entry.reviewed_at = editor, now
        revision = add_revision(
            entry,
            Facets.from_json(proposal.facets),
            author=proposal.proposer,
            comment=proposal.comment or "Proposed edit",
        )
        proposal.status, proposal.published_as = Status.PUBLISHED, revision
        proposal.save()
        activity_record(community=entry.community, actor=editor, verb=ActivityEvent.Verb.EDITED, target=entry)
        return proposal
    proposal.status = Status.RETURNED if decision == Decision.RETURN else Status.DECLINED
    proposal.save()
    return proposal


@transaction.atomic
def entry_validate(*, entry: Entry, editor: Member, evidence: str, review_by: date | None = None) -> Entry:
    """An editor reviews a published entry again (when it is due): new evidence level and review-by date."""
    check_review_entries_permission(editor)
    entry = locked_entry(entry)
    if not policy.can_view(editor, entry) or not entry.is_published:
        raise ValidationError("Only a published entry you can see is validated.")
    _validate(entry, editor=editor, evidence=evidence, review_by=review_by)
    entry.save()
    return entry


@transaction.atomic
def entry_revert(*, entry: Entry, editor: Member, revision: EntryRevision) -> EntryRevision:
    """An editor brings back an earlier revision of a published entry as a new revision."""
    check_review_entries_permission(editor)
    entry = locked_entry(entry)
    if not policy.can_view(editor, entry) or not entry.is_published:
        raise PermissionDenied("You may not change this entry.")
    check_revert(entry, revision, item_field="entry", noun="entry")
    entry.title, entry.summary, entry.body, entry.purpose = (
        revision.title,
        revision.summary,
        revision.body,
        revision.purpose,
    )
    new = add_revision(
        entry,
        Facets.from_json(revision.facets),
        author=editor,
        comment=revert_comment(revision),
        reverted_from=revision,
    )
    activity_record(community=entry.community, actor=editor, verb=ActivityEvent.Verb.EDITED, target=entry)
    return new


@transaction.atomic
def entry_set_public(*, entry: Entry, editor: Member, public: bool) -> Entry:
    """An editor lets anonymous visitors read the entry's heading and summary, or stops it. The policy
    (``verification.policy.public``) still decides: a marked entry, or one of a closed community, never shows."""
    check_review_entries_permission(editor)
    entry = locked_entry(entry)
    if not policy.can_view(editor, entry):
        raise PermissionDenied("You may not see this entry.")
    if public:
        if not entry.is_published:
            raise ValidationError("Publish the entry before making its summary public.")
        if not policy.effective_marking(entry).is_unmarked:
            raise ValidationError("A marked entry is never public.")
        if entry.community.visibility != Community.Visibility.OPEN:
            raise ValidationError("Only entries of an open community can be public.")
    entry.summary_public = public
    entry.save(update_fields=["summary_public", "updated_at"])
    return entry


@transaction.atomic
def entry_remark(*, entry: Entry, editor: Member, marking: Marking, community: Community | None = None) -> Entry:
    """An editor gives an entry (proposed or published) another marking, or moves it to another community.

    The access rule then reads the new keys on every path: members not cleared for the new marking (or who may
    not see the new community) no longer find it on its page, in lists, search (saving the marking or the
    community re-indexes it), the feed or their saved items and followed things. The editor must be cleared
    for the marking, and may move an entry only into a community they post in; the entry is never marked below
    its community, nor above a pilot-community template that bundles it. A marked entry, or one that leaves an
    open community, stops being public.
    """
    check_review_entries_permission(editor)
    entry = locked_entry(entry)
    if not policy.can_view(editor, entry):
        raise PermissionDenied("You may not see this entry.")
    community = community or entry.community
    moved = community.pk != entry.community_id
    if not moved and marking.pk == entry.marking_id:
        raise ValidationError("Nothing changed: choose another marking or community.")
    if marking.pk not in policy.member_access(editor).visible_marking_ids:
        raise ValidationError({"marking": f"You are not cleared for {marking}: another editor must mark it so."})
    if moved and not policy.can_post(editor, community, marking):
        raise ValidationError({"community": f"You may move entries only into communities you post in ({community})."})
    if marking.rank < community.marking.rank:
        raise ValidationError({"marking": f"Entries in {community.name} are marked at least {community.marking}."})
    rank = max(marking.rank, community.marking.rank)
    for template in entry.pilot_templates.filter(deleted_at__isnull=True).select_related("marking", "community"):
        if policy.effective_marking(template).rank < rank:
            raise ValidationError(
                {"marking": f"The pilot-community template “{template}” bundles this entry and is marked lower."}
            )
    entry.marking, entry.community = marking, community
    if not marking.is_unmarked or community.visibility != Community.Visibility.OPEN:
        entry.summary_public = False
    # Saving the key fields (marking, community) makes the search index read the entry's access keys again.
    entry.save(update_fields=["marking", "community", "summary_public", "updated_at"])
    return entry
