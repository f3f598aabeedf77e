"""The access rule over copied keys: rows that stand for items (``verification.models.AccessKeys``).

A reader that keeps rows of its own about items of every type (the search
index) cannot afford to join each row back to its item and build every
type's visible set on each read. It copies the item's keys with
``access_keys`` when it writes a row, and reads with
``filter_visible_by_keys``: the rule of ``content.py``, read from those
columns. Only the gate's own fields are copied (the gate is the item whose
rule governs: the item itself, or the parent it takes its visibility from);
its community, the member's standing, grants and a conversation's
participants are read live, so a copier only has to re-read an item (and its
children) when the item itself changes. tests/search/test_access_keys.py
holds the two rules equal for every type and member.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone

from communities.models import Community
from verification.policy.communities import content_communities_q
from verification.policy.content import filter_listed, filter_visible, granted_item_ids
from verification.policy.standing import AnyUser, member_access
from verification.registry import ContentRegistration, content_registry

ModelT = TypeVar("ModelT", bound=models.Model)


def gate_of(registration: ContentRegistration) -> tuple[ContentRegistration, str]:
    """The registration whose rule governs items of this type, and the lookup prefix that leads to it
    (``""`` for the item itself, ``"thread__"`` for a post)."""
    prefix = ""
    while registration.parent is not None:
        prefix += f"{registration.parent}__"
        registration = content_registry.get(registration.parent_model())
    return registration, prefix


def key_fields(registration: ContentRegistration) -> frozenset[str]:
    """The fields of this type whose change moves the keys of its rows or of its children's rows."""
    paths = [registration.community, registration.marking, registration.restricted]
    paths += [registration.published, registration.author, registration.parent]
    names = {path.split("__")[0] for path in paths if path}
    names |= {lookup.split("__")[0] for lookup in _lookups(registration.not_removed)}
    return frozenset(names | {f"{name}_id" for name in names})


def _lookups(condition: Q) -> list[str]:
    found: list[str] = []
    for child in condition.children:
        if isinstance(child, Q):
            found += _lookups(child)
        elif isinstance(child, tuple):
            found.append(child[0])
    return found


def access_keys(model: type[models.Model], pks: list[int]) -> dict[int, dict[str, Any]]:
    """The ``AccessKeys`` column values of these items, by id (two queries)."""
    registration = content_registry.get(model)
    gate, prefix = gate_of(registration)
    columns: dict[str, Any] = {
        "gate_id": F(f"{prefix}pk") if prefix else F("pk"),
        "community_id": F(registration.community) if registration.community else Value(None),
    }
    if gate.visibility is None:
        columns["gate_marking_id"] = F(f"{prefix}{gate.marking}")
        if gate.restricted is not None:
            columns["restricted"] = F(f"{prefix}{gate.restricted}")
        if gate.published is not None:
            columns["gate_published_at"] = F(f"{prefix}{gate.published}")
        if gate.author is not None:
            columns["gate_author_id"] = F(f"{prefix}{gate.author}")
    items = model._default_manager.filter(pk__in=pks)
    listed = set(filter_listed(items).values_list("pk", flat=True))
    gate_type_id = gate.content_type().pk
    rows = items.values("pk", **{f"key_{name}": value for name, value in columns.items()})
    return {
        row["pk"]: {
            "gate_type_id": gate_type_id,
            "listed": row["pk"] in listed,
            **{name: row[f"key_{name}"] for name in columns},
        }
        for row in rows
    }


# Stands for the member in the grants statement compiled once per set of types, replaced as it runs.
_ANY_MEMBER = -1


@lru_cache(maxsize=8)
def _grants_statement(types: tuple[tuple[type[models.Model], int], ...]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of every view grant on items of these (model, content type id) pairs: compiled once, for the
    ORM spends more time putting its fourteen parts together than the database spends answering."""
    reads = [
        grants.annotate(type_id=Value(type_id)).values_list("type_id", "content_object_id")
        for model, type_id in types
        for grants in granted_item_ids(model, _ANY_MEMBER)
    ]
    sql, params = reads[0].union(*reads[1:], all=True).query.sql_with_params()
    return sql, tuple(params)


def _granted_gates(registrations: list[ContentRegistration], member_id: int) -> dict[int, set[int]]:
    """The items of these types the member holds a view grant on (directly or through a group), by content
    type id, read in one query: as constants, they cost the statement that reads them nothing to plan."""
    if not registrations:
        return {}
    sql, params = _grants_statement(tuple((r.model, r.content_type().pk) for r in registrations))
    granted: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(member_id if param == _ANY_MEMBER else param for param in params))
        for type_id, item_id in cursor.fetchall():
            granted.setdefault(type_id, set()).add(int(item_id))
    return granted


def visible_by_keys_q(user: AnyUser | None) -> Q:
    """Rows carrying ``AccessKeys`` whose item the member may see and that is listed (removed items and
    items under removed parents are found by no one, moderators included). Only for a member who may
    see content.

    Gates of the common rule share one condition (each part of it written once, so the statement stays
    small): a community whose content the member may see, a marking they are cleared for, no restriction or
    a grant on the gate, and published (or theirs). A gate with a rule of its own (a conversation) is
    asked of that rule."""
    access = member_access(user)
    member_id = access.member_id or 0
    gates = [registration for registration in content_registry if registration.parent is None]
    common = [registration for registration in gates if registration.visibility is None]
    granted = Q(restricted=False)
    restrictable = [registration for registration in common if registration.restricted is not None]
    for type_id, gate_ids in _granted_gates(restrictable, member_id).items():
        granted |= Q(gate_type_id=type_id, gate_id__in=sorted(gate_ids))
    unscheduled = [registration.content_type().pk for registration in common if registration.published is None]
    published = Q(gate_published_at__lte=timezone.now()) | Q(gate_author=member_id)
    if unscheduled:
        published |= Q(gate_type_id__in=unscheduled)
    visible = (
        Q(
            gate_type_id__in=[registration.content_type().pk for registration in common],
            community__in=Community.objects.filter(content_communities_q(user)).values("pk"),
            gate_marking__in=access.visible_marking_ids,
        )
        & granted
        & published
    )
    for registration in gates:
        if registration.visibility is not None:
            own = filter_visible(user, registration.model._default_manager.all()).values("pk")
            visible |= Q(gate_type_id=registration.content_type().pk, gate_id__in=own)
    return visible & Q(listed=True)


def filter_visible_by_keys(user: AnyUser | None, rows: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The rows of ``rows`` (a model with ``AccessKeys``) the member may find, in one SQL query."""
    if not member_access(user).may_see_content:
        return rows.none()
    return rows.filter(visible_by_keys_q(user))
