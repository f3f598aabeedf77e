"""Keeping the search index current, from the content registry and from members' profiles.

A searchable type (``ContentRegistration.search_type`` and ``search_fields``)
is indexed with no search code of its own: its rows are written here when it
is saved or deleted, when its tags change, when a parent's title or marking
changes, and when its feature says its words changed (``content_changed``).
Rows its registration searches with their parent (a thread's opening post)
have no row of their own: saving one re-reads the parent.
Members are indexed by what they share: name, agency and discipline always,
title, jurisdiction and expertise when their profile shares them.

The rows hold plain text only (HTML stripped, control characters dropped),
so what a snippet shows can be escaped and highlighted safely.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from itertools import islice
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.html import strip_tags
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError
from taggit.models import TaggedItem

from muster.cache import cache_key, redis_client
from muster.celery_app import app
from search.models import SearchEntry
from search.query import MEMBER_TYPE
from verification import policy
from verification.models import Discipline, Member, Profile
from verification.registry import ContentRegistration, content_changed, content_registry

logger = logging.getLogger(__name__)

# What sending a task raises when the broker (Redis) is away.
BROKER_ERRORS = (OperationalError, RedisError, OSError)
# The most of one item's words kept (a long document's first 200,000 characters).
BODY_LIMIT = 200_000
BATCH_SIZE = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
# Fields whose change moves a child's heading or banner (a thread renamed or re-marked); the fields of its
# access keys are the registration's (``policy.key_fields``).
_PARENT_FIELDS = frozenset({"title", "community", "community_id", "marking", "marking_id"})


def plain_text(value: object, *, is_html: bool = False, limit: int = BODY_LIMIT) -> str:
    text = str(value or "")
    if is_html:
        text = html.unescape(strip_tags(text))
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def _path_value(item: Any, path: str) -> Any:
    for part in path.split("__"):
        if item is None:
            return None
        item = getattr(item, part)
    return item


def _content_entry(registration: ContentRegistration, item: Any, type_id: int, keys: dict[str, Any]) -> SearchEntry:
    searched = [field for field in registration.search_fields if field != registration.title_field]
    body = "\n".join(
        plain_text(_path_value(item, field), is_html=field in registration.search_html) for field in searched
    )
    tags = list(item.tags.all()) if registration.taggable else []
    published = _path_value(item, registration.published) if registration.published else item.created_at
    author_id = getattr(item, f"{registration.author}_id", None) if registration.author else None
    return SearchEntry(
        content_type_id=type_id,
        object_id=item.pk,
        search_type=registration.search_type,
        heading=plain_text(registration.title(item), limit=300),
        title=plain_text(_path_value(item, registration.title_field))
        if registration.title_field in registration.search_fields
        else "",
        tags=" ".join(tag.name for tag in tags),
        tag_ids=sorted(tag.pk for tag in tags),
        body=plain_text(body),
        marking_id=policy.effective_marking(item).pk,
        author_id=author_id,
        published_at=published,
        **keys,
    )


def _member_entry(member: Member, type_id: int) -> SearchEntry:
    profile: Profile = member.profile
    shared = [profile.title if profile.shares("title") else ""]
    if profile.shares("jurisdiction"):
        shared.append(profile.jurisdiction)
    expertise = " ".join(tag.name for tag in profile.expertise.all()) if profile.shares("expertise") else ""
    return SearchEntry(
        content_type_id=type_id,
        object_id=member.pk,
        search_type=MEMBER_TYPE,
        heading=plain_text(member.display_name, limit=300),
        title=plain_text(member.display_name),
        tags=plain_text(expertise),
        body=plain_text(" ".join([profile.organisation, Discipline(profile.discipline).label, *shared])),
        discipline=profile.discipline,
        published_at=member.date_joined,
    )


def _content_entries(registration: ContentRegistration, items: QuerySet[Any]) -> Iterator[SearchEntry]:
    """The index rows of ``items``, read in batches (each batch's access keys in one more query)."""
    extra = registration.search_extra() if registration.search_extra is not None else {}
    if registration.search_with_parent is not None:
        items = items.exclude(registration.search_with_parent)
    rows = items.annotate(**extra).select_related(*registration.related_for_display()).order_by("pk")
    if registration.taggable:
        rows = rows.prefetch_related("tags")
    type_id = registration.content_type().pk
    found = rows.iterator(chunk_size=BATCH_SIZE)
    while batch := list(islice(found, BATCH_SIZE)):
        keys = policy.access_keys(registration.model, [item.pk for item in batch])
        yield from (_content_entry(registration, item, type_id, keys[item.pk]) for item in batch)


def _write(entries: list[SearchEntry], type_id: int, pks: Iterable[int]) -> None:
    """Replace the rows of these items with ``entries`` (items no longer indexed lose their rows)."""
    with transaction.atomic():
        SearchEntry.objects.filter(content_type_id=type_id, object_id__in=list(pks)).delete()
        SearchEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def index_items(model: type[Model], pks: Iterable[int], *, with_children: bool = True) -> None:
    """Index these items of a searchable type (or these members) again, from what is stored now, and
    their children (a thread's posts show its title and take its marking) unless told they are unchanged."""
    pks = list(pks)
    if not pks:
        return
    type_id = ContentType.objects.get_for_model(model).pk
    if model is Member:
        members = _with_profiles(Member.objects.filter(pk__in=pks))
        _write([_member_entry(member, type_id) for member in members], type_id, pks)
        return
    registration = content_registry.get(model)
    if registration.is_searchable:
        _write(list(_content_entries(registration, model._default_manager.filter(pk__in=pks))), type_id, pks)
    if registration.search_with_parent is not None and registration.parent is not None:
        searched_with_parent = model._default_manager.filter(registration.search_with_parent, pk__in=pks)
        parent_pks = searched_with_parent.values_list(f"{registration.parent}_id", flat=True)
        index_items(registration.parent_model(), list(parent_pks), with_children=False)
    for child in _children_of(model) if with_children else []:
        child_pks = child.model._default_manager.filter(**{f"{child.parent}__in": pks}).values_list("pk", flat=True)
        index_items(child.model, child_pks)


def _children_of(model: type[Model]) -> list[ContentRegistration]:
    return [
        registration
        for registration in content_registry.searchable()
        if registration.parent is not None and registration.parent_model() is model
    ]


def _with_profiles(members: QuerySet[Member]) -> QuerySet[Member]:
    """Members who have a profile, with it and their expertise tags (what ``_member_entry`` reads)."""
    found = members.filter(profile__isnull=False).select_related("profile")
    return found.prefetch_related("profile__expertise")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell


def _replace_type(type_id: int, entries: Iterable[SearchEntry]) -> int:
    """Replace every row of one type, in batches, in one transaction (searches see the old rows until the
    new ones are in); returns how many were written."""
    written = 0
    with transaction.atomic():
        SearchEntry.objects.filter(content_type_id=type_id).delete()
        entries = iter(entries)
        while batch := list(islice(entries, BATCH_SIZE)):
            SearchEntry.objects.bulk_create(batch)
            written += len(batch)
    return written


def rebuild() -> int:
    """Write the whole index anew, type by type; returns the number of rows."""
    written = 0
    for registration in content_registry.searchable():
        type_id = registration.content_type().pk
        written += _replace_type(type_id, _content_entries(registration, registration.model._default_manager.all()))
    member_type = ContentType.objects.get_for_model(Member).pk
    members = _with_profiles(Member.objects.all()).iterator(chunk_size=BATCH_SIZE)
    return written + _replace_type(member_type, (_member_entry(member, member_type) for member in members))


# --- Signals ----------------------------------------------------------------------


# Changed items wait in a Redis set until a worker indexes them, many in one pass: a chat message sent
# every few milliseconds costs its sender one round trip to Redis, not a task, and the worker one pass
# for all of them. ``PENDING`` holds "<model label>:<with children 0/1>:<pk>"; ``SCHEDULED`` is there
# while a task is on its way to take them.
PENDING = "search:pending"
SCHEDULED = "search:scheduled"
TAKEN = "search:taken:{task_id}"
# How long changes gather before the task that takes them runs: search lags a change by about this.
GATHER_SECONDS = 1
# A task the broker lost leaves ``SCHEDULED`` behind this long; the next change then schedules another.
SCHEDULED_SECONDS = 60


def _pending_entry(model: type[Model], pk: int, with_children: bool) -> str:
    return f"{model._meta.label_lower}:{int(with_children)}:{pk}"


def _index_pending_items(items: Iterable[bytes | str]) -> None:
    """Index the items of ``PENDING`` entries, grouped by type (an item also wanted with its children
    is indexed once, with them)."""
    by_type: dict[str, dict[int, bool]] = {}
    for item in items:
        label, children_flag, pk = (item.decode() if isinstance(item, bytes) else item).rsplit(":", 2)
        wanted = by_type.setdefault(label, {})
        wanted[int(pk)] = wanted.get(int(pk), False) or children_flag == "1"
    for label, wanted in sorted(by_type.items()):
        for with_children in (True, False):
            pks = sorted(pk for pk, children in wanted.items() if children is with_children)
            index_items(apps.get_model(label), pks, with_children=with_children)


@app.task(bind=True, ignore_result=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def index_pending(self: Any) -> None:
    """Index every item changed since the last run. The waiting items are first moved aside under this
    task's id, so changes made meanwhile wait for the next task (a change always schedules one once
    ``SCHEDULED`` is gone), and a task redelivered after its worker died finds the same items again.
    If indexing fails they go back to wait, and the task is retried; rows are rewritten from what is
    stored, so indexing an item twice changes nothing."""
    client = redis_client()
    if client is None:
        return
    pending, taken = cache_key(PENDING), cache_key(TAKEN.format(task_id=self.request.id))
    moving = client.pipeline(transaction=True)
    moving.delete(cache_key(SCHEDULED))
    moving.sunionstore(taken, [taken, pending])
    moving.delete(pending)
    moving.execute()
    try:
        _index_pending_items(client.smembers(taken))
    except Exception:
        client.sunionstore(pending, [pending, taken])
        client.delete(taken)
        raise
    client.delete(taken)


_waiting = threading.local()


def _after_commit(model: type[Model], pk: int, *, with_children: bool = True) -> None:
    """Index the item again once the change is committed, in a worker: whoever wrote it (a chat message
    is sent, a page saved) does not wait for the index."""
    entries: set[str] = getattr(_waiting, "entries", set())
    entries.add(_pending_entry(model, pk, with_children))
    _waiting.entries = entries
    transaction.on_commit(_enqueue_waiting)


def _enqueue_waiting() -> None:
    """Queue every item this thread's changes left waiting, in one trip to Redis: the first hook of a
    transaction takes them all (a burst of chat messages saved together), the later ones find theirs gone.
    An item of a change rolled back goes with the next commit's, and is read again as stored, which changes
    nothing (dropping it could drop, with it, what a hook changing items before this one left waiting).

    The items join ``PENDING``, and the change that finds no task on its way schedules one. Where tasks run
    in the caller (the embedded default), or the broker cannot take the task, they are indexed here and now
    instead, so none is ever left out."""
    entries: set[str] = getattr(_waiting, "entries", set())
    if not entries:
        return
    _waiting.entries = set()
    client = redis_client()
    if client is None or app.conf.task_always_eager:
        _index_pending_items(entries)
        return
    adding = client.pipeline(transaction=False)
    adding.sadd(cache_key(PENDING), *entries)
    adding.set(cache_key(SCHEDULED), 1, nx=True, ex=SCHEDULED_SECONDS)
    try:
        _, first = adding.execute()
        if first:
            index_pending.apply_async(countdown=GATHER_SECONDS)
    except BROKER_ERRORS:
        logger.warning("Search indexing done in place: the task broker is unreachable", exc_info=True)
        with suppress(*BROKER_ERRORS):
            client.delete(cache_key(SCHEDULED))  # the next change tries the broker again
        _index_pending_items(entries)


def _saved(sender: type[Model], instance: Model, update_fields: Any = None, raw: bool = False, **kwargs: Any) -> None:
    """A searchable item is read again; its children too when its title, community or marking may have
    moved. A parent that is not searchable itself (a conversation) only passes that on."""
    if raw:
        return
    moving = _PARENT_FIELDS | policy.key_fields(content_registry.get(sender))
    with_children = update_fields is None or bool(moving & set(update_fields))
    if with_children or content_registry.get(sender).is_searchable:
        _after_commit(sender, instance.pk, with_children=with_children)


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk).delete()


def _profile_saved(sender: type[Model], instance: Profile, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after_commit(Member, instance.member_id)


def _member_saved(
    sender: type[Model], instance: Member, update_fields: Any = None, raw: bool = False, **kwargs: Any
) -> None:
    """A member's name is their heading (a sign-in, which saves ``last_login``, changes nothing searched)."""
    if raw or kwargs.get("created"):
        return
    if update_fields is None or {"first_name", "last_name", "email"} & set(update_fields):
        _after_commit(Member, instance.pk)


def _tags_changed(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Profile):
        _after_commit(Member, instance.member_id)
    elif content_registry.is_registered(type(instance)) and content_registry.get(type(instance)).is_searchable:
        _after_commit(type(instance), instance.pk)


def _words_changed(sender: type[Model], pks: Iterable[int], **kwargs: Any) -> None:
    index_items(sender, pks)


def connect_indexing() -> None:
    for registration in content_registry.searchable():
        post_save.connect(_saved, sender=registration.model, dispatch_uid=f"search_{registration.label}_saved")
        post_delete.connect(_deleted, sender=registration.model, dispatch_uid=f"search_{registration.label}_deleted")
        if registration.parent is not None:
            parent = registration.parent_model()
            post_save.connect(_saved, sender=parent, dispatch_uid=f"search_{parent._meta.label_lower}_saved")
    post_delete.connect(_deleted, sender=Member, dispatch_uid="search_member_deleted")
    post_save.connect(_member_saved, sender=Member, dispatch_uid="search_member_saved")
    post_save.connect(_profile_saved, sender=Profile, dispatch_uid="search_profile_saved")
    m2m_changed.connect(_tags_changed, sender=TaggedItem, dispatch_uid="search_tags_changed")
    content_changed.connect(_words_changed, dispatch_uid="search_words_changed")
