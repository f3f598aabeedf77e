"""The partnership itself: creating it, naming its co-leads, the state of its six steps, and the co-leads'
approval of what it publishes."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.models import ActivityEvent, Community
from communities.services import activity_record
from partnerships.access import (
    check_co_lead_permission,
    check_name_co_leads_permission,
    is_participant,
    sector_of,
)
from partnerships.guidance import STEP_NUMBERS
from partnerships.models import (
    TEXT_MAX,
    TITLE_MAX,
    Approval,
    Goal,
    Hazard,
    Need,
    Output,
    Partnership,
    Resource,
    ResourceChange,
    Sector,
    Step,
    StepState,
    Task,
)
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_changed


def _check_text(errors: dict[str, str], field: str, value: str, *, limit: int, what: str, required: bool) -> None:
    if required and not value.strip():
        errors[field] = f"Give {what}."
    elif len(value) > limit:
        errors[field] = f"Keep {what} under {limit:,} characters (this is {len(value):,})."


@transaction.atomic
def partnership_create(
    *,
    author: Member,
    community: Community,
    marking: Marking,
    title: str,
    jurisdiction: str,
    description: str = "",
    tags: Iterable[str] = (),
) -> Partnership:
    """A new partnership in a community the author belongs to; its six steps start not started."""
    errors: dict[str, str] = {}
    _check_text(errors, "title", title, limit=TITLE_MAX, what="the partnership a name", required=True)
    _check_text(errors, "jurisdiction", jurisdiction, limit=200, what="the jurisdiction it serves", required=True)
    _check_text(errors, "description", description, limit=TEXT_MAX, what="the description", required=False)
    if marking.rank < community.marking.rank:
        errors["marking"] = f"Items in {community.name} are marked at least {community.marking}."
    if errors:
        raise ValidationError(errors)
    policy.check_post_permission(author, community, marking)
    partnership = Partnership.objects.create(
        community=community,
        author=author,
        marking=marking,
        title=title.strip(),
        jurisdiction=jurisdiction.strip(),
        description=description.strip(),
    )
    partnership.tags.set(list(tags))
    Step.objects.bulk_create(Step(partnership=partnership, number=number) for number in STEP_NUMBERS)
    activity_record(community=community, actor=author, verb=ActivityEvent.Verb.POSTED, target=partnership)
    return partnership


def _lock(partnership: Partnership) -> Partnership:
    return Partnership.objects.select_for_update().select_related("community", "marking").get(pk=partnership.pk)


@transaction.atomic
def partnership_update(
    *,
    partnership: Partnership,
    actor: Member,
    marking: Marking,
    title: str,
    jurisdiction: str,
    description: str = "",
    tags: Iterable[str] | None = None,
) -> Partnership:
    """A co-lead changes the partnership's title, jurisdiction, description, marking (and tags).

    The marking goes up or down only to one the co-lead is cleared for, never below the community's. Raised,
    it raises every record of the partnership marked lower with it (a record is marked no lower than its
    partnership; a resource's history says so), and search reads the new markings again."""
    partnership = _lock(partnership)
    check_co_lead_permission(actor, partnership)
    errors: dict[str, str] = {}
    _check_text(errors, "title", title, limit=TITLE_MAX, what="the partnership a name", required=True)
    _check_text(errors, "jurisdiction", jurisdiction, limit=200, what="the jurisdiction it serves", required=True)
    _check_text(errors, "description", description, limit=TEXT_MAX, what="the description", required=False)
    community = partnership.community
    if marking.rank < community.marking.rank:
        errors["marking"] = f"Items in {community.name} are marked at least {community.marking}."
    elif marking.pk not in policy.member_access(actor).visible_marking_ids:
        errors["marking"] = f"You are not cleared for {marking}."
    if errors:
        raise ValidationError(errors)
    partnership.title = title.strip()
    partnership.jurisdiction = jurisdiction.strip()
    partnership.description = description.strip()
    partnership.marking = marking
    partnership.save(update_fields=["title", "jurisdiction", "description", "marking", "updated_at"])
    if tags is not None:
        partnership.tags.set(list(tags))
    _raise_records(partnership, marking, actor)
    return partnership


RECORD_MODELS = (Resource, Hazard, Need, Goal, Task)


def _raise_records(partnership: Partnership, marking: Marking, actor: Member) -> None:
    """Records of the partnership marked below ``marking`` are raised to it (removed ones too)."""
    for model in RECORD_MODELS:
        lower = model.objects.filter(partnership=partnership, marking__rank__lt=marking.rank)
        found = list(lower.values_list("pk", "marking__slug"))
        if not found:
            continue
        pks = [pk for pk, _ in found]
        model.objects.filter(pk__in=pks).update(marking=marking, updated_at=timezone.now())
        if model is Resource:
            ResourceChange.objects.bulk_create(
                ResourceChange(
                    resource_id=pk,
                    actor=actor,
                    action=ResourceChange.Action.CHANGED,
                    fields={"marking": [slug, marking.slug]},
                )
                for pk, slug in found
            )
        content_changed.send(sender=model, pks=pks)  # search reads their markings again


@transaction.atomic
def co_lead_set(*, partnership: Partnership, member: Member, actor: Member) -> Partnership:
    """Name ``member`` co-lead for their sector (from their verified affiliation); they must be a participant."""
    partnership = _lock(partnership)
    check_name_co_leads_permission(actor, partnership)
    if not is_participant(member, partnership):
        raise ValidationError(
            {"member": f"{member.display_name} is not a participant: co-leads are members of {partnership.community}."}
        )
    if not policy.member_access(member).may_see_content:
        raise ValidationError({"member": f"{member.display_name} is not a verified member in good standing."})
    sector = sector_of(member)
    if sector is None:
        raise ValidationError({"member": f"{member.display_name} has no verified affiliation to read a sector from."})
    field = "public_lead" if sector == Sector.PUBLIC else "private_lead"
    other = "private_lead_id" if sector == Sector.PUBLIC else "public_lead_id"
    if getattr(partnership, other) == member.pk:
        raise ValidationError({"member": f"{member.display_name} is already the other co-lead."})
    setattr(partnership, field, member)
    partnership.save(update_fields=[field, "updated_at"])
    step_touch(partnership=partnership, number=1, actor=actor)
    return partnership


@transaction.atomic
def co_lead_remove(*, partnership: Partnership, sector: str, actor: Member) -> Partnership:
    """Leave one co-lead's place empty; step 1 opens again."""
    partnership = _lock(partnership)
    check_name_co_leads_permission(actor, partnership)
    field = "public_lead" if sector == Sector.PUBLIC else "private_lead"
    setattr(partnership, field, None)
    partnership.save(update_fields=[field, "updated_at"])
    Step.objects.filter(partnership=partnership, number=1, state=StepState.DONE).update(
        state=StepState.IN_PROGRESS, changed_by=actor, changed_at=timezone.now()
    )
    return partnership


def step_touch(*, partnership: Partnership, number: int, actor: Member | None) -> None:
    """Work on a step moves it from not started to in progress (never back from done)."""
    Step.objects.filter(partnership=partnership, number=number, state=StepState.NOT_STARTED).update(
        state=StepState.IN_PROGRESS, changed_by=actor, changed_at=timezone.now()
    )


@transaction.atomic
def step_set_state(*, partnership: Partnership, number: int, state: str, actor: Member) -> Step:
    """A co-lead marks a step done (or opens it again). Step 1 is done only once both co-leads are in place."""
    partnership = _lock(partnership)
    check_co_lead_permission(actor, partnership)
    if state not in StepState.values:
        raise ValidationError({"state": "Choose not started, in progress or done."})
    if number == 1 and state == StepState.DONE and not partnership.has_both_leads:
        raise ValidationError(
            {"state": "Step 1 stays open until both co-leads, one public and one private or community, are named."}
        )
    step = Step.objects.select_for_update().get(partnership=partnership, number=number)
    step.state = state
    step.changed_by = actor
    step.changed_at = timezone.now()
    step.save(update_fields=["state", "changed_by", "changed_at"])
    return step


@dataclass(frozen=True)
class OutputStatus:
    output: str
    label: str
    public_approved: bool
    private_approved: bool

    @property
    def published(self) -> bool:
        return self.public_approved and self.private_approved


def output_status(partnership: Partnership, approvals: list[Approval] | None = None) -> list[OutputStatus]:
    """For each output, whether each current co-lead has approved it (published when both have)."""
    if approvals is None:
        approvals = list(partnership.approvals.all())
    found = {(approval.output, approval.member_id) for approval in approvals}
    return [
        OutputStatus(
            output=output.value,
            label=output.label,
            public_approved=partnership.public_lead_id is not None
            and (output.value, partnership.public_lead_id) in found,
            private_approved=partnership.private_lead_id is not None
            and (output.value, partnership.private_lead_id) in found,
        )
        for output in Output
    ]


@transaction.atomic
def output_approve(*, partnership: Partnership, output: str, actor: Member) -> Approval:
    """A co-lead approves the summary or the plan; once both co-leads have, it is published."""
    partnership = _lock(partnership)
    check_co_lead_permission(actor, partnership)
    if output not in Output.values:
        raise ValidationError({"output": "Choose the summary or the plan."})
    if not partnership.has_both_leads:
        raise ValidationError("Outputs are approved by both co-leads: name them first (step 1).")
    try:
        with transaction.atomic():
            approval = Approval.objects.create(partnership=partnership, output=output, member=actor)
    except IntegrityError:
        raise ValidationError("You have already approved this.") from None
    status = next(s for s in output_status(partnership) if s.output == output)
    if status.published:
        activity_record(
            community=partnership.community, actor=actor, verb=ActivityEvent.Verb.PUBLISHED, target=partnership
        )
    return approval


@transaction.atomic
def output_withdraw(*, partnership: Partnership, output: str, actor: Member) -> None:
    """A co-lead withdraws their approval (the output is no longer published)."""
    partnership = _lock(partnership)
    check_co_lead_permission(actor, partnership)
    Approval.objects.filter(partnership=partnership, output=output, member=actor).delete()
