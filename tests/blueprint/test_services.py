"""Blueprint services: proposals, the editors' decisions, validation, edits over newer revisions, reverts,
typed links and their cycles, and the public summary."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from blueprint import services
from blueprint.models import EditProposal, Entry, EntryLink, Evidence, Kind, Relation, Status
from communities.models import ActivityEvent, Community
from communities.services import community_create
from muster.revisions import EditConflictError
from tests.blueprint.conftest import Propose, Publish, fresh, joined, make_editor, marking
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import Member

pytestmark = pytest.mark.django_db

STEPS = "1. Co-leads\n2. Stakeholders\n3. Common issues\n4. Resources\n5. Challenges\n6. Sustainability\n"


def edit(entry: Entry, proposer: Member, **changes: object) -> EditProposal:
    entry = Entry.objects.get(pk=entry.pk)
    fields: dict[str, object] = {
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "purpose": entry.purpose,
        "facets": services.Facets.of(entry),
        "base_number": entry.revision_number,
    }
    fields |= changes
    return services.entry_edit_propose(entry=entry, proposer=fresh(proposer), **fields)  # type: ignore[arg-type]


# --- Proposals ---------------------------------------------------------------------------------


def test_a_proposed_entry_is_seen_by_its_author_and_the_editors_only(
    propose: Propose, author: Member, editor: Member, reader: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Volunteers arrive unasked")

    assert entry.status == Status.PROPOSED
    assert entry.revision_number == 1
    assert policy.can_view(fresh(author), entry)
    assert policy.can_view(fresh(editor), entry)
    assert not policy.can_view(fresh(reader), entry)


def test_a_proposal_without_a_heading_or_summary_is_refused_by_field(propose: Propose) -> None:
    with pytest.raises(ValidationError) as refused:
        propose(Kind.CHALLENGE, "  ", summary="")

    assert set(refused.value.error_dict) == {"title", "summary"}
    assert Entry.objects.count() == 0


def test_a_member_may_not_propose_in_a_community_they_do_not_belong_to(propose: Propose, reader: Member) -> None:
    with pytest.raises(PermissionDenied):
        propose(Kind.CHALLENGE, "Outsider", author=reader)


def test_a_member_not_cleared_for_fouo_may_not_propose_an_fouo_entry(propose: Propose) -> None:
    with pytest.raises(PermissionDenied):
        propose(Kind.TOOL, "Contact roster", marking_slug="fouo")


def test_a_new_solution_links_to_the_challenges_it_addresses(propose: Propose, publish: Publish) -> None:
    challenge = publish(propose(Kind.CHALLENGE, "Resources stretched"))

    solution = propose(Kind.SOLUTION, "Mutual aid", purpose="Neighbours help.", links=[challenge])

    link = EntryLink.objects.get()
    assert (link.source, link.relation, link.target) == (solution, Relation.ADDRESSES, challenge)
    assert solution.purpose == "Neighbours help."


# --- The editors' decisions ----------------------------------------------------------------------


def test_publishing_validates_the_entry_opens_it_to_members_and_tells_the_feed(
    propose: Propose, editor: Member, reader: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Special needs")

    services.entry_review(entry=entry, editor=editor, decision=services.Decision.PUBLISH, evidence=Evidence.EVALUATED)

    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED
    assert not entry.is_restricted
    assert (entry.validated_by, entry.evidence) == (editor, Evidence.EVALUATED)
    assert entry.validated_at is not None
    assert entry.review_by == timezone.localdate() + timedelta(days=365)
    assert policy.can_view(fresh(reader), entry)
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PUBLISHED, target_id=entry.pk).exists()


def test_sending_back_needs_notes_and_the_author_revises_and_proposes_again(
    propose: Propose, author: Member, editor: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Special needs", body="Draft")
    with pytest.raises(ValidationError) as no_notes:
        services.entry_review(entry=entry, editor=editor, decision=services.Decision.RETURN)

    services.entry_review(entry=entry, editor=editor, decision=services.Decision.RETURN, note="Say who is affected.")
    entry.refresh_from_db()
    services.entry_revise(
        entry=entry, author=fresh(author), title=entry.title, summary=entry.summary, body="Draft\n\nElderly residents.",
        purpose="", facets=services.Facets(), base_number=1,
    )  # fmt: skip
    services.entry_resubmit(entry=entry, author=fresh(author))

    assert "note" in no_notes.value.error_dict
    entry.refresh_from_db()
    assert entry.status == Status.PROPOSED
    assert entry.status_note == "Say who is affected."
    assert entry.revision_number == 2


def test_declining_needs_a_reason_and_keeps_the_entry_from_members(
    propose: Propose, editor: Member, reader: Member, author: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Off topic")
    with pytest.raises(ValidationError):
        services.entry_review(entry=entry, editor=editor, decision=services.Decision.DECLINE, note="  ")

    services.entry_review(entry=entry, editor=editor, decision=services.Decision.DECLINE, note="Not about the 72h.")

    entry.refresh_from_db()
    assert entry.status == Status.DECLINED
    assert not policy.can_view(fresh(reader), entry)
    assert policy.can_view(fresh(author), entry)  # the author reads the reason


def test_only_editors_review_and_never_their_own_entries(
    propose: Propose, author: Member, editor: Member, blueprint_community: Community
) -> None:
    entry = propose(Kind.CHALLENGE, "Resources stretched")
    with pytest.raises(PermissionDenied):
        services.entry_review(entry=entry, editor=fresh(author), decision=services.Decision.PUBLISH, evidence="case")

    own = propose(Kind.CHALLENGE, "Editor's own", author=joined(blueprint_community))
    own_editor = make_editor()
    own.author = own_editor
    own.save()
    with pytest.raises(ValidationError) as refused:
        services.entry_review(entry=own, editor=own_editor, decision=services.Decision.PUBLISH, evidence="case")

    assert "validated by a second person" in str(refused.value)


def test_an_editor_not_cleared_for_fouo_never_sees_nor_reviews_an_fouo_proposal(propose: Propose, fouo_author) -> None:
    entry = propose(Kind.TOOL, "Contact roster", author=fouo_author, marking_slug="fouo")
    uncleared_editor = make_editor()

    assert not policy.can_view(uncleared_editor, entry)
    with pytest.raises(PermissionDenied):
        services.entry_review(entry=entry, editor=uncleared_editor, decision=services.Decision.PUBLISH, evidence="case")


def test_publishing_needs_an_evidence_level_and_a_future_review_date(propose: Propose, editor: Member) -> None:
    entry = propose()

    with pytest.raises(ValidationError) as no_evidence:
        services.entry_review(entry=entry, editor=editor, decision=services.Decision.PUBLISH)
    with pytest.raises(ValidationError) as past:
        services.entry_review(
            entry=entry, editor=editor, decision=services.Decision.PUBLISH, evidence="case",
            review_by=timezone.localdate(),
        )  # fmt: skip

    assert "evidence" in no_evidence.value.error_dict
    assert "review_by" in past.value.error_dict
    entry.refresh_from_db()
    assert entry.status == Status.PROPOSED


def test_an_entry_past_its_review_by_date_is_due_for_review_until_validated_again(published, editor: Member) -> None:
    entry = published()
    Entry.objects.filter(pk=entry.pk).update(review_by=timezone.localdate() - timedelta(days=1))
    entry.refresh_from_db()
    assert entry.is_due_for_review

    services.entry_validate(entry=entry, editor=editor, evidence=Evidence.EVALUATED)

    entry.refresh_from_db()
    assert not entry.is_due_for_review
    assert entry.evidence == Evidence.EVALUATED


# --- Edits: revisions, merges, conflicts, reverts ------------------------------------------------


def test_a_proposed_edit_changes_nothing_until_an_editor_publishes_it_as_the_next_revision(
    published, reader: Member, editor: Member
) -> None:
    entry = published(body=STEPS)

    proposal = edit(entry, reader, body=STEPS + "7. Review\n", comment="Step 7")
    entry.refresh_from_db()
    assert entry.body == STEPS
    services.edit_proposal_review(proposal=proposal, editor=editor, decision="publish", evidence="evaluated")

    entry.refresh_from_db()
    assert entry.revision_number == 2
    assert entry.body == STEPS + "7. Review\n"
    assert [(r.number, r.author_id, r.comment) for r in entry.revisions.order_by("number")] == [
        (1, entry.author_id, "Proposed the entry"),
        (2, reader.pk, "Step 7"),
    ]
    assert entry.evidence == Evidence.EVALUATED


def test_an_edit_over_a_newer_revision_that_does_not_overlap_is_merged(published, reader, editor) -> None:
    entry = published(body=STEPS)
    first = edit(entry, reader, body=STEPS.replace("1. Co-leads", "1. Co-leads from both sectors"))
    services.edit_proposal_review(proposal=first, editor=editor, decision="publish", evidence="case")

    second = edit(entry, make_verified_member(), body=STEPS.replace("6. Sustainability", "6. Needs"), base_number=1)

    assert second.base_number == 2
    assert "1. Co-leads from both sectors" in second.body
    assert "6. Needs" in second.body


def test_an_edit_over_a_newer_revision_that_overlaps_saves_nothing_and_returns_both_versions(
    published, reader, editor
) -> None:
    entry = published(body=STEPS)
    first = edit(entry, reader, body=STEPS.replace("3. Common", "3. Shared"))
    services.edit_proposal_review(proposal=first, editor=editor, decision="publish", evidence="case")

    with pytest.raises(EditConflictError) as conflict:
        edit(entry, make_verified_member(), body=STEPS.replace("3. Common", "3. Joint"), base_number=1)

    assert conflict.value.current.number == 2
    assert "3. Joint" in conflict.value.merged_with_markers
    assert "3. Shared" in conflict.value.merged_with_markers
    assert EditProposal.objects.count() == 1


def test_publishing_an_edit_that_overlaps_one_published_since_is_refused_with_what_to_do(
    published, reader, editor
) -> None:
    entry = published(body=STEPS)
    early = edit(entry, reader, body=STEPS.replace("3. Common", "3. Shared"))
    late = edit(entry, make_verified_member(), body=STEPS.replace("3. Common", "3. Joint"))
    services.edit_proposal_review(proposal=early, editor=editor, decision="publish", evidence="case")

    with pytest.raises(ValidationError) as refused:
        services.edit_proposal_review(proposal=late, editor=editor, decision="publish", evidence="case")

    assert "Send it back" in str(refused.value)
    late.refresh_from_db()
    assert late.status == Status.PROPOSED


def test_an_edit_that_changes_nothing_is_refused(published, reader) -> None:
    entry = published(body=STEPS)

    with pytest.raises(ValidationError, match="Nothing changed"):
        edit(entry, reader)


def test_an_editor_reverts_to_an_earlier_revision_as_a_new_one_and_others_may_not(published, reader, editor) -> None:
    entry = published(body=STEPS)
    vandal = edit(entry, reader, body="Vandalised")
    services.edit_proposal_review(proposal=vandal, editor=editor, decision="publish", evidence="case")

    with pytest.raises(PermissionDenied):
        services.entry_revert(entry=entry, editor=fresh(reader), revision=entry.revisions.get(number=1))
    services.entry_revert(entry=entry, editor=editor, revision=entry.revisions.get(number=1))

    entry.refresh_from_db()
    assert entry.body == STEPS
    assert entry.revision_number == 3
    assert entry.revisions.get(number=3).reverted_from.number == 1


# --- Links -----------------------------------------------------------------------------------------


def test_links_join_only_the_kinds_their_relation_names(propose: Propose, publish: Publish, editor: Member) -> None:
    challenge = publish(propose(Kind.CHALLENGE, "Resources stretched"))
    tool = publish(propose(Kind.TOOL, "Inventory"))

    with pytest.raises(ValidationError) as refused:
        services.link_create(source=tool, target=challenge, relation=Relation.IMPLEMENTS, actor=editor)

    assert "A tool cannot “implements” a challenge" in str(refused.value)
    assert "a tool implements a solution" in str(refused.value)
    assert not EntryLink.objects.exists()


def test_a_link_to_itself_or_one_that_exists_is_refused(propose: Propose, publish: Publish, editor: Member) -> None:
    challenge = publish(propose(Kind.CHALLENGE, "Resources stretched"))
    solution = publish(propose(Kind.SOLUTION, "Mutual aid", links=[challenge]))

    with pytest.raises(ValidationError, match="already addresses"):
        services.link_create(source=solution, target=challenge, relation=Relation.ADDRESSES, actor=editor)
    with pytest.raises(ValidationError, match="cannot link to itself"):
        services.link_create(source=solution, target=solution, relation=Relation.ADDRESSES, actor=editor)


def test_a_link_that_would_close_a_cycle_of_the_same_relation_is_refused_with_a_clear_message(
    propose: Propose, publish: Publish, editor: Member
) -> None:
    first, second, third = (publish(propose(Kind.REPORT, f"Report {n}")) for n in (1, 2, 3))
    services.link_create(source=first, target=second, relation=Relation.EVALUATES, actor=editor)
    services.link_create(source=second, target=third, relation=Relation.EVALUATES, actor=editor)

    with pytest.raises(ValidationError) as refused:
        services.link_create(source=third, target=first, relation=Relation.EVALUATES, actor=editor)

    assert "would make a cycle" in str(refused.value)
    assert "“Report 1” already evaluates “Report 3”" in str(refused.value)
    assert EntryLink.objects.count() == 2


def test_only_editors_and_the_author_of_a_proposal_add_links(
    propose: Propose, publish: Publish, reader: Member, author: Member
) -> None:
    challenge = publish(propose(Kind.CHALLENGE, "Resources stretched"))
    published_solution = publish(propose(Kind.SOLUTION, "Mutual aid"))
    own_proposal = propose(Kind.SOLUTION, "Partnership")

    with pytest.raises(PermissionDenied):
        services.link_create(source=published_solution, target=challenge, relation="addresses", actor=fresh(reader))
    with pytest.raises(PermissionDenied):
        services.link_create(source=published_solution, target=challenge, relation="addresses", actor=fresh(author))
    services.link_create(source=own_proposal, target=challenge, relation="addresses", actor=fresh(author))


# --- The public summary ------------------------------------------------------------------------------


def test_an_editor_makes_a_published_unmarked_summary_public_and_nothing_else(
    propose: Propose, publish: Publish, editor: Member, fouo_author: Member
) -> None:
    entry = publish(propose(Kind.CHALLENGE, "Resources stretched"))
    marked = publish(propose(Kind.TOOL, "Roster", author=fouo_author, marking_slug="fouo"))
    waiting = propose(Kind.CHALLENGE, "Waiting")

    services.entry_set_public(entry=entry, editor=editor, public=True)
    with pytest.raises(ValidationError, match="never public"):
        services.entry_set_public(entry=marked, editor=editor, public=True)
    with pytest.raises(ValidationError, match="Publish the entry"):
        services.entry_set_public(entry=waiting, editor=editor, public=True)

    assert policy.is_public(entry)
    assert not policy.is_public(marked)


def test_a_non_editor_may_not_make_a_summary_public(published, author: Member) -> None:
    entry = published()

    with pytest.raises(PermissionDenied):
        services.entry_set_public(entry=entry, editor=fresh(author), public=True)


def test_entries_may_live_in_a_private_community_and_stay_there(editor: Member) -> None:
    owner = make_verified_member()
    private = community_create(
        creator=owner, name="Port", slug="port", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    entry = services.entry_propose(
        author=fresh(owner), community=private, kind=Kind.CHALLENGE, title="Crane outage", summary="Cranes stop.",
        marking=marking(),
    )  # fmt: skip

    assert not policy.can_view(editor, entry)  # an editor outside the community never sees it
    assert policy.can_view(fresh(owner), entry)
