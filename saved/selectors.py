"""Reads of a member's saved items: only items they may still see, through the content registry."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from saved.models import SavedItem
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry


def saved_items_of(member: Member) -> QuerySet[SavedItem]:
    """The member's saved items whose items they may still see (and are not removed), newest first."""
    saved = SavedItem.objects.filter(member=member)
    visible = policy.filter_visible_references(member, saved, type_field="item_type", id_field="item_id")
    return visible.select_related("item_type").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class SavedRow:
    saved: SavedItem
    title: str
    url: str
    type_label: str
    marking: Marking | None


def saved_rows(saved_items: Iterable[SavedItem]) -> list[SavedRow]:
    """Each saved item with its item's title, link and marking as they are now, read through the registry
    (one query per content type shown, whatever the rows). The items must be ones the member may see."""
    rows = list(saved_items)
    wanted: dict[int, set[int]] = {}
    for saved in rows:
        wanted.setdefault(saved.item_type_id, set()).add(saved.item_id)
    registrations = content_registry.by_content_type_id()
    items: dict[tuple[int, int], Any] = {}
    for type_id, ids in wanted.items():
        registration = registrations.get(type_id)
        if registration is None:
            continue
        related = ("marking", "community__marking", *registration.display_related)
        for item in registration.model._default_manager.filter(pk__in=ids).select_related(*related):
            items[(type_id, item.pk)] = item
    shown: list[SavedRow] = []
    for saved in rows:
        item = items.get((saved.item_type_id, saved.item_id))
        if item is None:
            continue
        registration = registrations[saved.item_type_id]
        shown.append(
            SavedRow(saved, registration.title(item), registration.url(item), registration.type_label, policy.effective_marking(item))
        )
    return shown


def saved_item_of(member: Member, pk: int) -> SavedItem:
    """One of the member's own saved items (visible or not, so it can always be removed);
    ``SavedItem.DoesNotExist`` for anyone else's."""
    return SavedItem.objects.get(member=member, pk=pk)


def saved_ids(member: Member, model: type[Model], item_ids: Iterable[int]) -> dict[int, int]:
    """For the given items of one type: item id -> the member's saved item id, for those they saved."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = SavedItem.objects.filter(
        member=member, item_type=ContentType.objects.get_for_model(model), item_id__in=ids
    ).values_list("item_id", "pk")
    return dict(rows)


def saveable_item(member: Member, item_type: str, item_id: int) -> Model:
    """The content item ``item_type`` ("app_label.model") number ``item_id``, when the member may see it;
    ``LookupError`` otherwise (an unknown type, a type that is not registered content, or an item hidden from them)."""
    registration = content_registry.by_label(item_type)
    if registration.visibility is not None or registration.parent is not None:
        raise LookupError(item_type)  # conversations, messages and posts are not saved on their own
    items = registration.model._default_manager.filter(registration.not_removed, pk=item_id)
    item = policy.filter_visible(member, items).first()
    if item is None:
        raise LookupError(f"{item_type} {item_id}")
    return item
