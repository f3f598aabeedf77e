"""Reads of a member's saved items: only items they may still see, through the content registry."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, IntegerField, Model, OuterRef, QuerySet, Subquery, When

from saved.models import SavedItem
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry


def saved_items_of(member: Member) -> QuerySet[SavedItem]:
    """The member's saved items whose items they may still see (and are not removed), newest first, each
    with its item's title and marking as they are now (``item_title``, ``item_marking_id``): one subquery
    per registered type, in one query whatever the rows."""
    saved = SavedItem.objects.filter(member=member)
    visible = policy.filter_visible_references(member, saved, type_field="item_type", id_field="item_id")
    return (
        visible.select_related("item_type")
        .annotate(item_title=_per_type("title"), item_marking_id=_per_type("marking"))
        .order_by("-created_at", "-pk")
    )


def _per_type(what: str) -> Case:
    """The saved item's item's title (or marking id), read from its own table through the registry."""
    whens = []
    for registration in content_registry:
        path = registration.title_field if what == "title" else registration.marking
        if path is None:
            continue
        if what == "marking":
            path = f"{path}_id" if "__" not in path else f"{path}__pk"
        item = registration.model._default_manager.filter(pk=OuterRef("item_id")).values(path)[:1]
        whens.append(When(item_type=registration.content_type(), then=Subquery(item)))
    if what == "title":
        return Case(*whens, output_field=CharField())
    return Case(*whens, output_field=IntegerField())


@dataclass(frozen=True)
class SavedRow:
    saved: SavedItem
    title: str
    type_label: str
    marking: Marking | None


def saved_rows(saved_items: Iterable[SavedItem]) -> list[SavedRow]:
    """Rows for the saved-items page from ``saved_items_of`` (no further query but the markings, once)."""
    markings = {marking.pk: marking for marking in Marking.objects.all()}
    registrations = content_registry.by_content_type_id()
    rows: list[SavedRow] = []
    for saved in saved_items:
        registration = registrations.get(saved.item_type_id)
        type_label = registration.type_label if registration is not None else saved.item_type.name
        title = getattr(saved, "item_title", None) or saved.label
        rows.append(SavedRow(saved, title, type_label, markings.get(getattr(saved, "item_marking_id", None) or 0)))
    return rows


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
