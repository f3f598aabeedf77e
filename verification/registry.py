"""The content registry: every content type says once how the access rule reads it.

Each content model registers from its app's ``AppConfig.ready()`` (the way
Wagtail's apps register their permission policies): where its community is,
its marking, its per-item restriction, when it is published, who wrote it,
what "not removed" means, the parent it takes its visibility from, how to
name and link it, whether it carries tags, and which fields search reads.
The policy, the feed, saved items, tags, notifications and everything that
reads every content type ask this registry and never import the apps.

A feature whose items follow a rule of their own (a conversation admits its
participants, not its community) registers that rule as ``visibility``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.dispatch import Signal

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from verification.policy.standing import MemberAccess

# A feature's own visibility rule: the member's standing -> the rows of ``queryset`` they may see.
VisibilityRule = Callable[["MemberAccess", "QuerySet[Any]"], "QuerySet[Any]"]
# The same rule read from the other side: an item -> the members of ``queryset`` who may see it.
AudienceRule = Callable[[Any, "QuerySet[Any]"], "QuerySet[Any]"]


@dataclass(frozen=True)
class ContentRegistration:
    """How one content model is read by the access rule and by every cross-type reader.

    Paths are Django lookups from the model: ``community`` leads to a
    ``communities.Community``, ``marking`` to a ``verification.Marking``.
    ``not_removed`` is the condition that keeps an item listed; moderators of
    its community still see it (marked removed). ``Q()`` says "never removed",
    and must be said: a registration without it is refused.
    """

    model: type[models.Model]
    not_removed: Q
    type_label: str
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    # The title as a database path, for lists that read titles of many types in one query.
    title_field: str = "title"
    community: str | None = "community"
    marking: str | None = "marking"
    restricted: str | None = "is_restricted"
    published: str | None = "published_at"
    author: str | None = "author"
    parent: str | None = None
    taggable: bool = False
    # How lists of several types name and order this one (the tag page; later search and the API).
    plural_label: str = ""
    list_order: tuple[str, ...] = ("-created_at", "-pk")
    # Search (the ``search`` app) indexes a type that names its ``search_type`` (the word of ``type:``) and
    # the fields it reads. The title is searched when ``title_field`` is among them; a child shows its
    # parent's title and is found by its own words. ``search_html`` fields hold sanitised HTML, read as its text;
    # ``search_extra`` returns annotations the other fields may name (a document's file text).
    search_type: str = ""
    search_fields: tuple[str, ...] = ()
    search_html: tuple[str, ...] = ()
    search_extra: Callable[[], dict[str, Any]] | None = None
    # Rows searched as part of their parent, not on their own (a thread's opening post): the parent's
    # ``search_extra`` reads them, and saving one re-reads the parent.
    search_with_parent: Q | None = None
    # What title() and url() read, fetched with the rows that show them.
    display_related: tuple[str, ...] = ()
    visibility: VisibilityRule | None = None
    audience: AudienceRule | None = None
    # Moderators of its community still see it once removed (marked removed); False when removal wipes it.
    moderators_see_removed: bool = True
    # Removed and restored on its own (communities.services.content_remove); False for a type whose
    # feature removes it otherwise (a thread goes with its opening post).
    removable: bool = True
    # Who else edits and removes an item besides its author and its community's moderators (the co-leads of
    # a partnership its need belongs to): ``(member, item) -> bool``, asked only of members who may see it.
    also_edited_by: Callable[[Any, Any], bool] | None = None
    # The type's own fields the API shows with every item (its ``/api/v1/content/<label>/``), beside what every
    # item carries (title, link, community, marking, author, times, tags). Plain fields only: what the access
    # rule reads (community, marking, restriction) is shown by the API itself, and a reference to another item
    # would show what the reader may not see.
    api_fields: tuple[str, ...] = ()
    # What the type's lists hold for a member, where that is narrower than what its pages open: ``member ->
    # Q`` (the Blueprint's indexes list published entries and the member's own proposals; an editor finds
    # the others in a queue of its own). None: every item the member may see is listed.
    listed_for: Callable[[Any], Q] | None = None
    # The API token scope that reads the type (``read``; chat is read with ``chat``, as the chat endpoints are).
    api_scope: str = "read"
    # Items anonymous visitors may read the public part of (a Blueprint entry's summary) when this holds;
    # ``verification.policy.public`` adds the rest of the public rule. None: nothing of the type is public.
    public: Q | None = None

    @property
    def is_searchable(self) -> bool:
        return bool(self.search_type and self.search_fields)

    @property
    def plural(self) -> str:
        return self.plural_label or f"{self.type_label}s"

    @property
    def label(self) -> str:
        """``app_label.model_name``: how saved items, notifications and the API name the type."""
        return self.model._meta.label_lower

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    def related_for_display(self) -> tuple[str, ...]:
        """What to ``select_related`` to show items of this type: title, link and the marking that governs
        them (a child's is its parent's)."""
        governing = f"{self.parent}__" if self.parent is not None else ""
        return (f"{governing}marking", f"{governing}community__marking", *self.display_related)

    def parent_model(self) -> type[models.Model]:
        """The model of ``parent`` (a post's thread)."""
        parent = self.model._meta.get_field(self.parent or "").related_model
        if not isinstance(parent, type) or not issubclass(parent, models.Model):
            raise ImproperlyConfigured(f"{self.model._meta.label}: parent {self.parent!r} is not a model.")
        return parent


class ContentRegistry:
    def __init__(self) -> None:
        self._by_model: dict[type[models.Model], ContentRegistration] = {}

    def register(self, model: type[models.Model], **options: Any) -> ContentRegistration:
        if "not_removed" not in options:
            raise ImproperlyConfigured(
                f"{model._meta.label} must say what 'not removed' means (not_removed=Q() when it is never removed)."
            )
        registration = ContentRegistration(model=model, **options)
        self._by_model[model] = registration
        return registration

    def unregister(self, model: type[models.Model]) -> None:
        self._by_model.pop(model, None)

    def get(self, model: type[models.Model]) -> ContentRegistration:
        try:
            return self._by_model[model]
        except KeyError:
            raise ImproperlyConfigured(f"{model._meta.label} is not registered as content.") from None

    def is_registered(self, model: type[models.Model]) -> bool:
        return model in self._by_model

    def __iter__(self) -> Iterator[ContentRegistration]:
        return iter(list(self._by_model.values()))

    def by_label(self, label: str) -> ContentRegistration:
        """The registration for ``app_label.model_name``; ``LookupError`` for anything else."""
        for registration in self:
            if registration.label == label.lower():
                return registration
        raise LookupError(label)

    def by_content_type_id(self) -> dict[int, ContentRegistration]:
        return {registration.content_type().pk: registration for registration in self}

    def taggable(self) -> list[ContentRegistration]:
        return [registration for registration in self if registration.taggable]

    def searchable(self) -> list[ContentRegistration]:
        return [registration for registration in self if registration.is_searchable]


content_registry = ContentRegistry()
register = content_registry.register

# Sent by a feature when an item's words change without a save of the item (a document's file text read
# after upload): readers that keep copies of the words (search) read them again. ``sender`` is the model,
# ``pks`` the items.
content_changed = Signal()


# --- Start-up checks -------------------------------------------------------------


def _target_of(model: type[models.Model], path: str) -> type[models.Model] | None:
    """The model a chain of foreign keys leads to, or None when the path is not one."""
    current: type[models.Model] = model
    for part in path.split("__"):
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        related = getattr(found, "related_model", None)
        if not found.many_to_one or not isinstance(related, type):
            return None
        current = related
    return current


def _field_or_none(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _has_field(model: type[models.Model], path: str) -> bool:
    *fks, last = path.split("__")
    target = _target_of(model, "__".join(fks)) if fks else model
    if target is None:
        return False
    try:
        target._meta.get_field(last)
    except FieldDoesNotExist:
        return False
    return True


def registration_errors(registration: ContentRegistration) -> list[str]:
    """Everything wrong with one registration, in words (empty when it is sound)."""
    model = registration.model
    name = model._meta.label
    errors: list[str] = []
    for path in registration.api_fields:
        field = _field_or_none(model, path)
        if field is None or field.is_relation:
            errors.append(f"{name}: API field {path!r} is not a plain field of the model.")
    if registration.visibility is not None:
        if registration.audience is None:
            errors.append(f"{name}: a visibility rule of its own needs its audience rule (who may see an item).")
        return errors  # a feature's own rule: it answers for itself
    if registration.community is None or _target_of(model, registration.community) is not apps.get_model(
        "communities", "Community"
    ):
        errors.append(f"{name}: community path {registration.community!r} does not lead to a community.")
    if registration.parent is not None:
        parent = _target_of(model, registration.parent)
        if parent is None or not content_registry.is_registered(parent):
            errors.append(f"{name}: parent {registration.parent!r} is not a registered content type.")
        return errors
    if registration.marking is None or _target_of(model, registration.marking) is not apps.get_model(
        "verification", "Marking"
    ):
        errors.append(f"{name}: marking path {registration.marking!r} does not lead to a marking.")
    for option in ("restricted", "published", "author"):
        path = getattr(registration, option)
        if path is not None and not _has_field(model, path):
            errors.append(f"{name}: {option} field {path!r} does not exist.")
    if registration.restricted is not None:
        errors.extend(_permission_table_errors(model))
    return errors


def _permission_table_errors(model: type[models.Model]) -> list[str]:
    """Per-item restriction is read in one SQL query only through direct object-permission tables
    (guardian's ``UserObjectPermissionBase`` and ``GroupObjectPermissionBase`` with a foreign key to the model)."""
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    def has_direct(base: type[models.Model]) -> bool:
        return any(
            issubclass(candidate, base) and _target_of(candidate, "content_object") is model
            for candidate in apps.get_models()
        )

    if has_direct(UserObjectPermissionBase) and has_direct(GroupObjectPermissionBase):
        return []
    return [f"{model._meta.label}: per-item restriction needs direct object-permission tables (guardian)."]


@checks.register()
def check_content_registry(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Start-up fails when a content model is not registered, or registered wrongly."""
    from communities.models import CommunityContent

    messages: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if issubclass(model, CommunityContent) and not content_registry.is_registered(model):
            messages.append(
                checks.Error(
                    f"{model._meta.label} is community content but is not registered with the content registry.",
                    hint="Call verification.registry.register(...) from the app's AppConfig.ready().",
                    obj=model,
                    id="muster.E001",
                )
            )
    for registration in content_registry:
        for error in registration_errors(registration):
            messages.append(checks.Error(error, obj=registration.model, id="muster.E002"))
    return messages
