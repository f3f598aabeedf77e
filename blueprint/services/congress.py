"""The National Congress: editions, their delegates and alternates, delegates' ideas and endorsements, the
editors' decisions and private notes, and an accepted idea's way into the Blueprint as a proposed Solution.

Keyword-only, typed and atomic, like every Blueprint service. Ideas are community content: a delegate
submits one in a community they may post in, under a marking they are cleared for, and every read of it goes
through the access policy. An accepted idea becomes a Solution through ``entry_propose`` (the editors' queue
publishes it as any other), its problem and proposal kept as the entry's first revision.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from blueprint.access import (
    check_manage_congress_permission,
    check_review_entries_permission,
    is_blueprint_editor,
    is_congress_delegate,
)
from blueprint.models import (
    IDEA_TEXT_MAX,
    NOTE_MAX,
    PLACE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Congress,
    CongressRole,
    Delegate,
    Endorsement,
    Entry,
    Idea,
    IdeaNote,
    IdeaStatus,
    Kind,
    Status,
)
from blueprint.services.barriers import report_grant_delegate
from blueprint.services.entries import entry_propose, tag_names
from communities.models import ActivityEvent, Community
from communities.services import activity_record
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member


def congress_url(congress: Congress) -> str:
    return reverse("blueprint:congress", kwargs={"year": congress.year})


def idea_url(idea: Idea) -> str:
    return reverse("blueprint:idea", kwargs={"pk": idea.pk})


# --- Editions and roles ----------------------------------------------------------------------------


@transaction.atomic
def congress_create(*, actor: Member, year: int, title: str, starts_on: date, ends_on: date, place: str) -> Congress:
    """A new edition of the Congress (one per year)."""
    check_manage_congress_permission(actor)
    errors = {}
    if not title.strip():
        errors["title"] = "Give the Congress a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not place.strip():
        errors["place"] = "Say where the Congress meets."
    elif len(place) > PLACE_MAX:
        errors["place"] = f"Keep the place under {PLACE_MAX} characters."
    if ends_on < starts_on:
        errors["ends_on"] = "The Congress cannot end before it starts."
    if Congress.objects.filter(year=year).exists():
        errors["year"] = f"There is already a {year} Congress."
    if errors:
        raise ValidationError(errors)
    return Congress.objects.create(
        year=year, title=title.strip(), starts_on=starts_on, ends_on=ends_on, place=place.strip(), created_by=actor
    )


@transaction.atomic
def delegate_appoint(*, congress: Congress, member: Member, role: str, actor: Member) -> Delegate:
    """Name a verified member delegate or alternate of this edition (or change their role)."""
    check_manage_congress_permission(actor)
    if role not in CongressRole.values:
        raise ValidationError({"role": "Choose delegate or alternate."})
    if not policy.member_access(member).may_see_content:
        raise ValidationError({"member": "Only verified members can be delegates or alternates."})
    delegate, _ = Delegate.objects.update_or_create(
        congress=congress, member=member, defaults={"role": role, "appointed_by": actor}
    )
    report_grant_delegate(congress=congress, member=member, granted=True)
    return delegate


@transaction.atomic
def delegate_remove(*, delegate: Delegate, actor: Member) -> None:
    check_manage_congress_permission(actor)
    report_grant_delegate(congress=delegate.congress, member=delegate.member, granted=False)
    delegate.delete()


# --- Ideas --------------------------------------------------------------------------------------------


def _check_idea_text(*, title: str, problem: str, proposal: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the idea a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    for field, text, what in (("problem", problem, "the problem"), ("proposal", proposal, "what you propose")):
        if not text.strip():
            errors[field] = f"Describe {what}."
        elif len(text) > IDEA_TEXT_MAX:
            errors[field] = f"Keep it under {IDEA_TEXT_MAX:,} characters (this is {len(text):,})."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def idea_submit(
    *,
    congress: Congress,
    author: Member,
    community: Community,
    marking: Marking,
    title: str,
    problem: str,
    proposal: str,
    challenges: Iterable[Entry] = (),
    tags: Iterable[str] = (),
) -> Idea:
    """A delegate or alternate of this edition submits an idea before the Congress opens, in a community they
    may post in; it addresses Blueprint challenges they can see."""
    _check_idea_text(title=title, problem=problem, proposal=proposal)
    if not is_congress_delegate(author, congress.pk):
        raise PermissionDenied("Only delegates and alternates of this Congress submit ideas to it.")
    if not congress.takes_ideas:
        raise ValidationError("Ideas are submitted before the Congress opens; this one has started.")
    policy.check_post_permission(author, community, marking)
    if marking.rank < community.marking.rank:
        raise ValidationError({"marking": f"Items in {community.name} are marked at least {community.marking}."})
    challenges = list(challenges)
    for challenge in challenges:
        if challenge.kind != Kind.CHALLENGE or not policy.can_view(author, challenge):
            raise ValidationError({"challenges": "Choose Blueprint challenges you can see."})
    idea = Idea.objects.create(
        congress=congress,
        community=community,
        author=author,
        marking=marking,
        title=title.strip(),
        problem=problem.strip(),
        proposal=proposal.strip(),
    )
    idea.challenges.set(challenges)
    if tags:
        idea.tags.set(list(tags))
    follow_automatically(member=author, target=idea, level=Level.WATCHING)
    activity_record(community=community, actor=author, verb=ActivityEvent.Verb.POSTED, target=idea)
    return idea


def _locked_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("community", "marking", "congress").get(pk=idea.pk)


@transaction.atomic
def idea_endorse(*, idea: Idea, member: Member) -> Endorsement:
    """Another delegate or alternate of the same edition endorses the idea, once."""
    idea = _locked_idea(idea)
    if not policy.can_view(member, idea):
        raise PermissionDenied("You may not see this idea.")
    if not is_congress_delegate(member, idea.congress_id):
        raise ValidationError("Only delegates and alternates of this Congress endorse its ideas.")
    if idea.author_id == member.pk:
        raise ValidationError("You cannot endorse your own idea.")
    if idea.status == IdeaStatus.NOT_ACCEPTED:
        raise ValidationError("This idea was not accepted; it takes no more endorsements.")
    if Endorsement.objects.filter(idea=idea, member=member).exists():
        raise ValidationError("You have already endorsed this idea: one endorsement per delegate.")
    try:
        with transaction.atomic():
            return Endorsement.objects.create(idea=idea, member=member)
    except IntegrityError:
        raise ValidationError("You have already endorsed this idea: one endorsement per delegate.") from None


class IdeaDecision(models.TextChoices):
    REVIEW = "review", "Take under review"
    ACCEPT = "accept", "Accept"
    NOT_ACCEPT = "not_accept", "Not accept (with a reason)"


# Where each decision may be taken from.
DECISION_FROM = {
    IdeaDecision.REVIEW: (IdeaStatus.SUBMITTED,),
    IdeaDecision.ACCEPT: (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW),
    IdeaDecision.NOT_ACCEPT: (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW),
}
DECISION_TO = {
    IdeaDecision.REVIEW: IdeaStatus.UNDER_REVIEW,
    IdeaDecision.ACCEPT: IdeaStatus.ACCEPTED,
    IdeaDecision.NOT_ACCEPT: IdeaStatus.NOT_ACCEPTED,
}


@transaction.atomic
def idea_review(*, idea: Idea, editor: Member, decision: str, reason: str = "") -> Idea:
    """An editor moves an idea: under review, accepted, or not accepted (with a reason the delegate reads)."""
    check_review_entries_permission(editor)
    if decision not in IdeaDecision.values:
        raise ValidationError({"decision": "Choose what happens to the idea."})
    if decision == IdeaDecision.NOT_ACCEPT and not reason.strip():
        raise ValidationError({"reason": "Give the reason the idea is not accepted: the delegate reads it."})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": f"Keep the reason under {NOTE_MAX:,} characters."})
    idea = _locked_idea(idea)
    if not policy.can_view(editor, idea):
        raise PermissionDenied("You may not see this idea.")
    if idea.author_id == editor.pk:
        raise ValidationError("Another editor decides on your own idea.")
    if idea.status not in DECISION_FROM[IdeaDecision(decision)]:
        raise ValidationError(f"This idea is {idea.get_status_display().lower()}: it cannot be moved that way.")
    was = idea.status
    idea.status = DECISION_TO[IdeaDecision(decision)]
    idea.status_reason = reason.strip() if decision == IdeaDecision.NOT_ACCEPT else ""
    idea.decided_by, idea.decided_at = editor, timezone.now()
    idea.save()
    _record_decision(idea, editor, was=was)
    return idea


def _record_decision(idea: Idea, editor: Member, *, was: str) -> None:
    """An editor's decision on an idea goes to the audit log (who moved it from what to what; the reason stays
    on the idea, under its marking) and to the community's feed, so those who follow the idea hear of it."""
    audit_record(
        AuditEvent.Action.IDEA_DECIDED,
        actor=editor,
        target=idea,
        marking=policy.effective_marking(idea).slug,
        congress=idea.congress.year,
        status_from=was,
        status_to=idea.status,
        solution=idea.solution_id,
    )
    activity_record(community=idea.community, actor=editor, verb=ActivityEvent.Verb.DECIDED, target=idea)


@transaction.atomic
def idea_note_add(*, idea: Idea, editor: Member, text: str) -> IdeaNote:
    """An editor's private note on an idea (only editors read them)."""
    check_review_entries_permission(editor)
    if not text.strip():
        raise ValidationError({"text": "Write the note."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": f"Keep the note under {NOTE_MAX:,} characters."})
    if not policy.can_view(editor, idea):
        raise PermissionDenied("You may not see this idea.")
    return IdeaNote.objects.create(idea=idea, author=editor, text=text.strip())


def idea_entry_body(idea: Idea) -> str:
    return f"## The problem\n\n{idea.problem}\n\n## The proposal\n\n{idea.proposal}\n"


@transaction.atomic
def idea_to_blueprint(*, idea: Idea, editor: Member) -> Entry:
    """An accepted idea becomes a proposed Solution entry, written by the delegate, in the idea's community and
    under its marking, addressing the challenges the idea addresses; the idea's text is its first revision.
    The editors' queue publishes it like any other proposal."""
    check_review_entries_permission(editor)
    idea = _locked_idea(idea)
    if not policy.can_view(editor, idea):
        raise PermissionDenied("You may not see this idea.")
    if idea.status != IdeaStatus.ACCEPTED:
        raise ValidationError("Only an accepted idea goes into the Blueprint.")
    author = idea.author
    if author is None:
        raise ValidationError("The idea's author is no longer a member: propose the solution yourself.")
    challenges = [
        challenge
        for challenge in idea.challenges.filter(deleted_at__isnull=True).exclude(status=Status.DECLINED)
        if policy.can_view(author, challenge)
    ]
    try:
        entry = entry_propose(
            author=author,
            community=idea.community,
            kind=Kind.SOLUTION,
            title=idea.title,
            summary=Truncator(idea.proposal).chars(SUMMARY_MAX),
            body=idea_entry_body(idea),
            purpose=Truncator(idea.problem).chars(4_000),
            marking=idea.marking,
            links=challenges,
            comment=f"From the idea submitted to the {idea.congress.year} Congress",
        )
    except PermissionDenied:
        raise ValidationError(
            f"{author.display_name} may no longer post in {idea.community.name}: the solution cannot be drafted "
            "in their name."
        ) from None
    was = idea.status
    idea.status, idea.solution = IdeaStatus.IN_BLUEPRINT, entry
    idea.decided_by, idea.decided_at = editor, timezone.now()
    idea.save()
    _record_decision(idea, editor, was=was)
    return entry


def can_tag_idea(user: policy.AnyUser | None, idea: Idea) -> bool:
    """Its author, and the Blueprint editors, tag an idea they may see."""
    if idea.deleted_at is None and policy.can_view(user, idea):
        return (user is not None and idea.author_id == user.pk) or is_blueprint_editor(user)
    return False


@transaction.atomic
def idea_tags_set(*, idea: Idea, actor: Member, tags: Iterable[str]) -> Idea:
    """An idea's tags, as its author or an editor sets them from its page."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not can_tag_idea(actor, idea):
        raise PermissionDenied("Only the idea's author and the Blueprint editors tag it.")
    idea.tags.set(tag_names(tags))
    return idea
