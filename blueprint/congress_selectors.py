"""Reads of the National Congress, already narrowed by the access policy.

Every verified member sees the editions and their delegates; ideas are community content and come through
``verification.policy.filter_visible`` (a marked idea, or one of a private community, is seen only by members
the access rule admits). The challenges an idea addresses are shown only where the reader may see them too.
Editors' notes on an idea are read by editors only. Lists run a fixed number of queries however many rows
they show.
"""

from django.db.models import Count, Prefetch, QuerySet

from blueprint.access import can_manage_congress, is_blueprint_editor, may_see_congress
from blueprint.models import (
    BarriersReport,
    Congress,
    Delegate,
    Endorsement,
    Entry,
    Idea,
    IdeaNote,
    IdeaStatus,
    Kind,
    ReportComment,
    ReportSection,
)
from blueprint.models import Status as EntryStatus
from verification import policy
from verification.models import Marking, Member

# The states an idea is in while the editors still have something to do with it.
OPEN_STATES = (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.ACCEPTED)


def congresses(user: policy.AnyUser | None) -> QuerySet[Congress]:
    """Every edition, newest first, with its number of delegates and alternates (none for the uncleared)."""
    if not may_see_congress(user):
        return Congress.objects.none()
    return Congress.objects.annotate(delegate_count=Count("delegates")).order_by("-year")


def congress_for(user: policy.AnyUser | None, year: int) -> Congress:
    """The edition of ``year`` for a verified member; ``Congress.DoesNotExist`` otherwise."""
    return congresses(user).get(year=year)


def delegates_of(user: policy.AnyUser | None, congress: Congress) -> QuerySet[Delegate]:
    """The edition's delegates and alternates the member may see (verified members)."""
    members = policy.filter_visible_members(user, Member.objects.all())
    return (
        congress.delegates.filter(member__in=members.values("pk"))
        .select_related("member")
        .order_by("role", "member__last_name", "member__first_name", "pk")
    )


def role_at(member: Member, congress: Congress) -> Delegate | None:
    """The member's role at this edition, if any."""
    return congress.delegates.filter(member=member).first()


def visible_ideas(user: policy.AnyUser | None) -> QuerySet[Idea]:
    return policy.filter_visible(user, Idea.objects.all())


def _challenges_seen_by(user: policy.AnyUser | None) -> QuerySet[Entry]:
    return policy.filter_visible(user, Entry.objects.filter(kind=Kind.CHALLENGE)).select_related(
        "marking", "community__marking"
    )


def _for_lists(user: policy.AnyUser | None, ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    return (
        ideas.select_related("author", "community", "community__marking", "marking", "congress")
        .annotate(endorsement_count=Count("endorsements", distinct=True))
        .prefetch_related(Prefetch("challenges", queryset=_challenges_seen_by(user), to_attr="visible_challenges"))
    )


def congress_ideas(user: policy.AnyUser | None, congress: Congress) -> QuerySet[Idea]:
    """The edition's ideas the member may see, newest first, with their endorsements counted."""
    ideas = visible_ideas(user).filter(congress=congress, deleted_at__isnull=True)
    return _for_lists(user, ideas).order_by("-created_at", "-pk")


def ideas_to_review(editor: Member, congress: Congress) -> QuerySet[Idea]:
    """The edition's ideas an editor may see that wait for a decision or for the Blueprint, oldest first."""
    ideas = visible_ideas(editor).filter(congress=congress, deleted_at__isnull=True, status__in=OPEN_STATES)
    return _for_lists(editor, ideas).order_by("created_at", "pk")


def idea_visible_to(user: policy.AnyUser | None, pk: int) -> Idea:
    """The idea when the member may see it; ``Idea.DoesNotExist`` otherwise."""
    return _for_lists(user, visible_ideas(user).filter(pk=pk)).select_related("decided_by", "solution").get()


def idea_endorsements(user: policy.AnyUser | None, idea: Idea) -> QuerySet[Endorsement]:
    members = policy.filter_visible_members(user, Member.objects.all())
    return idea.endorsements.filter(member__in=members.values("pk")).select_related("member").order_by("created_at")


def has_endorsed(member: Member, idea: Idea) -> bool:
    return idea.endorsements.filter(member=member).exists()


def idea_notes(user: policy.AnyUser | None, idea: Idea) -> QuerySet[IdeaNote]:
    """The editors' private notes on an idea: for editors only (an empty list for everyone else)."""
    if not is_blueprint_editor(user):
        return IdeaNote.objects.none()
    return idea.editor_notes.select_related("author").order_by("created_at", "pk")


def idea_solution(user: policy.AnyUser | None, idea: Idea) -> Entry | None:
    """The Solution entry an idea became, when the member may see it (a proposal is its author's and the
    editors' until published)."""
    if idea.solution_id is None:
        return None
    return policy.filter_visible(user, Entry.objects.filter(pk=idea.solution_id)).first()


def ideas_behind(user: policy.AnyUser | None, entry: Entry) -> QuerySet[Idea]:
    """The Congress ideas the member may see that became this entry."""
    return visible_ideas(user).filter(solution=entry).select_related("congress", "marking", "community__marking")


def challenge_choices(member: Member) -> QuerySet[Entry]:
    """The published Blueprint challenges a delegate may say their idea addresses."""
    return (
        policy.filter_visible(member, Entry.objects.filter(kind=Kind.CHALLENGE, status=EntryStatus.PUBLISHED))
        .filter(deleted_at__isnull=True)
        .order_by("title", "pk")
    )


def appointable_members(user: policy.AnyUser | None) -> QuerySet[Member]:
    """Members an editor or staff may name delegate or alternate: verified members they see."""
    if not can_manage_congress(user):
        return Member.objects.none()
    return policy.filter_visible_members(user, Member.objects.all())


def banner_of_ideas(ideas: list[Idea]) -> Marking | None:
    """The banner of a page listing these ideas: the highest marking governing any of them (or a challenge
    they show)."""
    markings = [policy.effective_marking(idea) for idea in ideas]
    for idea in ideas:
        markings += [policy.effective_marking(challenge) for challenge in getattr(idea, "visible_challenges", ())]
    return policy.highest_marking(markings)


# --- The barriers report -------------------------------------------------------------------------------


def report_for(user: policy.AnyUser | None, congress: Congress) -> BarriersReport:
    """The edition's report when the member may see it (a draft: its delegates and the editors);
    ``BarriersReport.DoesNotExist`` otherwise."""
    return (
        policy.filter_visible(user, BarriersReport.objects.filter(congress=congress))
        .select_related("congress", "community", "community__marking", "marking", "author")
        .get()
    )


def visible_report(user: policy.AnyUser | None, congress: Congress) -> BarriersReport | None:
    try:
        return report_for(user, congress)
    except BarriersReport.DoesNotExist:
        return None


def report_sections(report: BarriersReport) -> QuerySet[ReportSection]:
    return report.sections.order_by("position", "pk")


def report_comments(report: BarriersReport) -> QuerySet[ReportComment]:
    return report.comments.select_related("author", "section").order_by("created_at", "pk")


def section_of(report: BarriersReport, pk: int) -> ReportSection:
    return report.sections.get(pk=pk)
