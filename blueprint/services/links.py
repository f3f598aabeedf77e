"""Typed links between entries and attachments to them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from blueprint.access import can_link_from
from blueprint.models import ALLOWED_LINKS, AttachmentRole, Entry, EntryAttachment, EntryLink, Kind, Relation
from verification import policy
from verification.models import Member
from verification.registry import content_registry

# How far a cycle check walks along links of one relation before it stops looking.
CYCLE_SEARCH_LIMIT = 500


LINK_RULES = (
    "a solution addresses a challenge, a tool implements a solution, a report evaluates a tool, a solution or "
    "another report, and a case demonstrates a solution"
)


def _reaches(start: Entry, goal: Entry, relation: str) -> bool:
    """Whether links of ``relation`` lead from ``start`` to ``goal`` (one query per step along the way)."""
    frontier, seen = {start.pk}, {start.pk}
    while frontier and len(seen) < CYCLE_SEARCH_LIMIT:
        if goal.pk in frontier:
            return True
        step = set(
            EntryLink.objects.filter(source_id__in=frontier, relation=relation).values_list("target_id", flat=True)
        )
        frontier = step - seen
        seen |= step
    return goal.pk in frontier


@transaction.atomic
def link_create(*, source: Entry, target: Entry, relation: str, actor: Member) -> EntryLink:
    """Link two entries with a typed link ("this solution addresses that challenge"). Refused: a pair of
    kinds the relation does not join, a link to itself, a link that exists, one that would make a cycle."""
    if relation not in Relation.values:
        raise ValidationError({"relation": "Choose how the entries are linked."})
    if not can_link_from(actor, source):
        raise PermissionDenied("You may not add links to this entry.")
    if not policy.can_view(actor, target):
        raise ValidationError({"target": "Choose an entry you can see."})
    if source.pk == target.pk:
        raise ValidationError({"target": "An entry cannot link to itself."})
    sources, targets = ALLOWED_LINKS[relation]
    if source.kind not in sources or target.kind not in targets:
        raise ValidationError(
            {
                "target": f"A {Kind(source.kind).label.lower()} cannot “{relation}” a "
                f"{Kind(target.kind).label.lower()}: {LINK_RULES}."
            }
        )
    if EntryLink.objects.filter(source=source, target=target, relation=relation).exists():
        raise ValidationError({"target": f"“{source}” already {relation} “{target}”."})
    if _reaches(target, source, relation):
        raise ValidationError(
            {
                "target": f"This link would make a cycle: “{target}” already {relation} “{source}”, directly or "
                f"through other entries. Links of one kind never go round in a circle."
            }
        )
    return EntryLink.objects.create(source=source, target=target, relation=relation, created_by=actor)


@transaction.atomic
def link_remove(*, link: EntryLink, actor: Member) -> None:
    if not can_link_from(actor, link.source):
        raise PermissionDenied("You may not remove links of this entry.")
    link.delete()


# --- Attachments -----------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, entry: Entry, item: models.Model, role: str, actor: Member) -> EntryAttachment:
    """Attach a document or link the member can see (it stays in its own library, under its own rule)."""
    if not can_link_from(actor, entry):
        raise PermissionDenied("You may not add attachments to this entry.")
    if role not in AttachmentRole.values:
        raise ValidationError({"role": "Choose attachment or white paper."})
    if not content_registry.is_registered(type(item)) or isinstance(item, Entry) or not policy.can_view(actor, item):
        raise ValidationError({"item": "Choose a document or link you can see."})
    attachment, created = EntryAttachment.objects.get_or_create(
        entry=entry,
        item_type=content_registry.get(type(item)).content_type(),
        item_id=item.pk,
        defaults={"role": role, "added_by": actor},
    )
    if not created:
        raise ValidationError({"item": "It is attached already."})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: EntryAttachment, actor: Member) -> None:
    if not can_link_from(actor, attachment.entry):
        raise PermissionDenied("You may not remove attachments of this entry.")
    attachment.delete()
