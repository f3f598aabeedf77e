"""Step 4, the community resource inventory: resources added, changed, removed and imported, every change
recorded with who made it and when (``ResourceChange``). A CSV import is all or nothing: any row in error
and no row is imported."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from communities.models import ActivityEvent
from communities.services import activity_record
from partnerships.access import check_contribute_permission, check_record_marking
from partnerships.models import Partnership, Resource, ResourceChange
from partnerships.services.workspace import step_touch
from verification import policy
from verification.models import Marking, Member

# What a member types about a resource (the form's fields and the CSV's columns, marking aside).
RESOURCE_FIELDS = (
    "name",
    "category",
    "kind",
    "resource_type",
    "capacity",
    "capacity_unit",
    "quantity",
    "location",
    "owner_organisation",
    "contact",
    "conditions",
    "hours_to_deploy",
    "availability",
    "availability_on",
)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown resource fields: {sorted(unknown)}")
    values = {field: data[field] for field in RESOURCE_FIELDS if field in data}
    for field in ("name", "location", "owner_organisation"):
        if not str(values.get(field, "")).strip():
            raise ValidationError({field: "This field is required."})
    return values


def _new_resource(*, partnership: Partnership, author: Member, marking: Marking, data: Mapping[str, Any]) -> Resource:
    check_record_marking(author, partnership, marking)
    resource = Resource(
        partnership=partnership, community=partnership.community, author=author, marking=marking, **_values(data)
    )
    resource.full_clean(exclude=["community", "author", "partnership", "tags"])
    resource.save()
    return resource


@transaction.atomic
def resource_add(*, partnership: Partnership, author: Member, marking: Marking, data: Mapping[str, Any]) -> Resource:
    """A participant adds a resource their organisation (or another) offers."""
    check_contribute_permission(author, partnership)
    resource = _new_resource(partnership=partnership, author=author, marking=marking, data=data)
    ResourceChange.objects.create(
        resource=resource, actor=author, action=ResourceChange.Action.ADDED, fields=_snapshot(resource)
    )
    step_touch(partnership=partnership, number=4, actor=author)
    activity_record(community=partnership.community, actor=author, verb=ActivityEvent.Verb.ADDED, target=resource)
    return resource


def _snapshot(resource: Resource) -> dict[str, list[str]]:
    snapshot = {field: ["", _as_text(getattr(resource, field))] for field in RESOURCE_FIELDS}
    snapshot["marking"] = ["", resource.marking.slug]
    return snapshot


def check_change_resource_permission(member: Member, resource: Resource) -> None:
    check_contribute_permission(member, resource.partnership)
    if not policy.can_view(member, resource):
        raise policy.deny(member, "change", resource, None)


@transaction.atomic
def resource_update(*, resource: Resource, actor: Member, marking: Marking, data: Mapping[str, Any]) -> Resource:
    """A participant who may see the resource changes it; each changed field is recorded, before and after."""
    resource = Resource.objects.select_for_update().select_related("partnership", "marking").get(pk=resource.pk)
    check_change_resource_permission(actor, resource)
    check_record_marking(actor, resource.partnership, marking)
    values = _values(data)
    before = {field: _as_text(getattr(resource, field)) for field in values}
    before_marking = resource.marking.slug
    for field, value in values.items():
        setattr(resource, field, value)
    resource.marking = marking
    resource.full_clean(exclude=["community", "author", "partnership", "tags"])
    resource.save()
    changed = {
        field: [before[field], _as_text(getattr(resource, field))]
        for field in values
        if before[field] != _as_text(getattr(resource, field))
    }
    if before_marking != marking.slug:
        changed["marking"] = [before_marking, marking.slug]
    if changed:
        ResourceChange.objects.create(
            resource=resource, actor=actor, action=ResourceChange.Action.CHANGED, fields=changed
        )
    return resource


@transaction.atomic
def resource_remove(*, resource: Resource, actor: Member) -> None:
    """Removal is soft (moderators still see it, marked removed) and recorded."""
    resource = Resource.objects.select_for_update().select_related("partnership").get(pk=resource.pk)
    check_change_resource_permission(actor, resource)
    if resource.deleted_at is not None:
        return
    resource.deleted_at = timezone.now()
    resource.deleted_by = actor
    resource.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    ResourceChange.objects.create(resource=resource, actor=actor, action=ResourceChange.Action.REMOVED)


def record_shared_removal(sender: type, item: Resource, actor: Member, **kwargs: Any) -> None:
    """A resource removed through the shared remove control goes into its history (``content_removed``)."""
    ResourceChange.objects.create(resource=item, actor=actor, action=ResourceChange.Action.REMOVED)


def record_shared_restore(sender: type, item: Resource, actor: Member, **kwargs: Any) -> None:
    """A resource a moderator restores through the shared restore goes into its history (``content_restored``)."""
    ResourceChange.objects.create(resource=item, actor=actor, action=ResourceChange.Action.RESTORED)


@dataclass(frozen=True)
class ImportRow:
    """One row of a CSV, cleaned: its line number, marking and values."""

    line: int
    marking: Marking
    data: Mapping[str, Any]


class ImportRefusedError(Exception):
    """A CSV with rows in error: nothing was imported. ``errors`` are (line, message) pairs."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} rows in error")
        self.errors = errors


@transaction.atomic
def resources_import(*, partnership: Partnership, author: Member, rows: list[ImportRow]) -> list[Resource]:
    """Add every row, or none: a row the service refuses (a marking above the member's clearance …) refuses
    the whole import, with each row's error."""
    check_contribute_permission(author, partnership)
    if not rows:
        raise ImportRefusedError([(1, "The file has no resource rows under its header.")])
    errors: list[tuple[int, str]] = []
    created: list[Resource] = []
    for row in rows:
        try:
            with transaction.atomic():
                created.append(
                    _new_resource(partnership=partnership, author=author, marking=row.marking, data=row.data)
                )
        except (ValidationError, PermissionDenied) as error:
            errors.append((row.line, "; ".join(_messages(error))))
    if errors:
        raise ImportRefusedError(errors)  # leaving the atomic block undoes the rows already added
    ResourceChange.objects.bulk_create(
        ResourceChange(
            resource=resource, actor=author, action=ResourceChange.Action.IMPORTED, fields=_snapshot(resource)
        )
        for resource in created
    )
    step_touch(partnership=partnership, number=4, actor=author)
    return created


def _messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)]
    if hasattr(error, "error_dict"):
        return [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
    return list(error.messages)
