"""Steps 2 and 3: bringing others to the table (the invitation list by sector) and the common issues the
participants propose, discuss and rank by their votes."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.access import check_contribute_permission, is_participant
from partnerships.models import (
    TEXT_MAX,
    TITLE_MAX,
    CommonIssue,
    InvitationState,
    IssueComment,
    IssueVote,
    Partnership,
    Sector,
    Stakeholder,
)
from partnerships.services.workspace import step_touch
from verification.models import Member


@transaction.atomic
def stakeholder_add(
    *,
    partnership: Partnership,
    actor: Member,
    sector: str,
    category: str,
    organisation: str,
    contact: str = "",
    inviter: Member | None = None,
) -> Stakeholder:
    check_contribute_permission(actor, partnership)
    errors: dict[str, str] = {}
    if sector not in Sector.values:
        errors["sector"] = "Choose the public or the private and community sector."
    if not category.strip():
        errors["category"] = "Choose a category."
    if not organisation.strip():
        errors["organisation"] = "Name the organisation."
    elif len(organisation) > 200:
        errors["organisation"] = "Keep the name under 200 characters."
    if len(contact) > 200:
        errors["contact"] = "Keep the contact under 200 characters."
    if inviter is not None and not is_participant(inviter, partnership):
        errors["inviter"] = f"{inviter.display_name} is not a participant: the one who invites is."
    if errors:
        raise ValidationError(errors)
    stakeholder = Stakeholder.objects.create(
        partnership=partnership,
        sector=sector,
        category=category.strip()[:120],
        organisation=organisation.strip(),
        contact=contact.strip(),
        inviter=inviter,
        added_by=actor,
    )
    step_touch(partnership=partnership, number=2, actor=actor)
    return stakeholder


@transaction.atomic
def stakeholder_set_state(*, stakeholder: Stakeholder, actor: Member, state: str) -> Stakeholder:
    check_contribute_permission(actor, stakeholder.partnership)
    if state not in InvitationState.values:
        raise ValidationError({"state": "Choose to invite, invited, joined or declined."})
    stakeholder.state = state
    stakeholder.save(update_fields=["state"])
    return stakeholder


@transaction.atomic
def issue_propose(*, partnership: Partnership, author: Member, title: str, description: str = "") -> CommonIssue:
    check_contribute_permission(author, partnership)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Say what the issue is, specifically."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep it under {TITLE_MAX} characters."
    if len(description) > TEXT_MAX:
        errors["description"] = f"Keep the description under {TEXT_MAX:,} characters."
    if errors:
        raise ValidationError(errors)
    issue = CommonIssue.objects.create(
        partnership=partnership, title=title.strip(), description=description.strip(), proposed_by=author
    )
    step_touch(partnership=partnership, number=3, actor=author)
    return issue


@transaction.atomic
def issue_vote(*, issue: CommonIssue, member: Member) -> IssueVote:
    """One vote per participant per issue."""
    check_contribute_permission(member, issue.partnership)
    try:
        with transaction.atomic():
            return IssueVote.objects.create(issue=issue, member=member)
    except IntegrityError:
        raise ValidationError("You have already voted for this issue: one vote per participant.") from None


@transaction.atomic
def issue_unvote(*, issue: CommonIssue, member: Member) -> None:
    check_contribute_permission(member, issue.partnership)
    IssueVote.objects.filter(issue=issue, member=member).delete()


@transaction.atomic
def issue_comment(*, issue: CommonIssue, author: Member, text: str) -> IssueComment:
    check_contribute_permission(author, issue.partnership)
    if not text.strip():
        raise ValidationError({"text": "Write something to add to the discussion."})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"Keep it under {TEXT_MAX:,} characters."})
    return IssueComment.objects.create(issue=issue, author=author, text=text.strip())
