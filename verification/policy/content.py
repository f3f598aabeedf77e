"""Content items of every registered type: who may see them, in SQL for a queryset and for one item.

Everything here reads the content registry (``verification.registry``); no
content app is imported. A member may see an item when they may see content
at all, may see its community's content, are cleared for its marking and
its community's, no per-item restriction leaves them out, it is published
(or theirs), and it is not removed (or they moderate its community). An item
with a parent (a post in a thread) takes its parent's visibility and adds its
own removal; a type with a rule of its own (a conversation) answers itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from verification.policy.audit import deny
from verification.policy.communities import can_moderate, content_communities_q
from verification.policy.grants import item_grant_tables, view_codename
from verification.policy.standing import AnyUser, MemberAccess, member_access
from verification.registry import ContentRegistration, content_registry

ModelT = TypeVar("ModelT", bound=models.Model)


def granted_item_ids(model: type[models.Model], member_id: int) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The ids of items on which the member holds ``view_<model>``: directly, and through a group."""
    user_model, group_model = item_grant_tables(model)
    codename = view_codename(model)
    direct = user_model._default_manager.filter(permission__codename=codename, user=member_id)
    through_groups = group_model._default_manager.filter(permission__codename=codename, group__user=member_id)
    return direct.values("content_object_id"), through_groups.values("content_object_id")


def _item_grants(model: type[models.Model], member_id: int) -> Q:
    """Items on which the member holds ``view_<model>``, directly or through a group."""
    direct, through_groups = granted_item_ids(model, member_id)
    return Q(pk__in=direct) | Q(pk__in=through_groups)


def _not_removed_q(access: MemberAccess, registration: ContentRegistration) -> Q:
    """Listed, or in a community the member moderates (moderators see removed items, marked removed)."""
    if not registration.not_removed:
        return Q()
    if not registration.moderators_see_removed:
        return registration.not_removed
    moderated = access.moderated_community_ids()
    if not moderated or registration.community is None:
        return registration.not_removed
    return registration.not_removed | Q(**{f"{registration.community}__in": moderated})


def _visible_q(user: AnyUser | None, access: MemberAccess, registration: ContentRegistration) -> Q:
    """The access rule over one registered type, as a filter on its rows (paths from the registration)."""
    model = registration.model
    if registration.parent is not None:
        parents = filter_visible(user, registration.parent_model()._default_manager.all()).values("pk")
        return Q(**{f"{registration.parent}__in": parents}) & _not_removed_q(access, registration)
    if registration.community is None or registration.marking is None:
        raise ImproperlyConfigured(f"{model._meta.label} needs a community and a marking, or a rule of its own.")
    visible = content_communities_q(user, f"{registration.community}__") & Q(
        **{f"{registration.marking}__in": access.visible_marking_ids}
    )
    if registration.restricted is not None:
        visible &= Q(**{registration.restricted: False}) | _item_grants(model, access.member_id or 0)
    if registration.published is not None:
        published = Q(**{f"{registration.published}__lte": timezone.now()})
        if registration.author is not None:
            published |= Q(**{registration.author: access.member_id})
        visible &= published
    return visible & _not_removed_q(access, registration)


def filter_visible(user: AnyUser | None, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The items of ``queryset`` the member may see, in one SQL query."""
    registration = content_registry.get(queryset.model)
    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    if registration.visibility is not None:
        return registration.visibility(access, queryset)
    return queryset.filter(_visible_q(user, access, registration))


def visible_references_q(user: AnyUser | None, *, type_field: str, id_field: str) -> Q:
    """Rows pointing (content type, id) at an item the member may see: one subquery per registered type."""
    visible = Q(pk__in=[])
    if not member_access(user).may_see_content:
        return visible
    for registration in content_registry:
        items = filter_visible(user, registration.model._default_manager.all()).values("pk")
        visible |= Q(**{type_field: registration.content_type(), f"{id_field}__in": items})
    return visible


def _listed_q(registration: ContentRegistration) -> Q:
    """Rows of one type that are not removed, nor under a removed parent, whoever asks."""
    listed = registration.not_removed
    if registration.parent is not None:
        parent_model = registration.parent_model()
        parents = parent_model._default_manager.filter(_listed_q(content_registry.get(parent_model)))
        listed &= Q(**{f"{registration.parent}__in": parents.values("pk")})
    return listed


def filter_listed(queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The items of ``queryset`` that are listed (not removed, not hidden, not under a removed parent),
    whoever asks: what leaves the site adds this to the access rule."""
    return queryset.filter(_listed_q(content_registry.get(queryset.model)))


def listed_references_q(*, type_field: str, id_field: str) -> Q:
    """Rows pointing at an item that is listed: not removed, not hidden, not under a removed parent. What
    leaves the site (e-mail) adds this to the access rule, so even moderators never get removed items."""
    listed = Q(pk__in=[])
    for registration in content_registry:
        items = registration.model._default_manager.filter(_listed_q(registration)).values("pk")
        listed |= Q(**{type_field: registration.content_type(), f"{id_field}__in": items})
    return listed


def filter_visible_references(
    user: AnyUser | None, queryset: QuerySet[ModelT], *, type_field: str, id_field: str
) -> QuerySet[ModelT]:
    """The rows of ``queryset`` (feed events, saved items, notifications …) whose item the member may see."""
    if not member_access(user).may_see_content:
        return queryset.none()
    return queryset.filter(visible_references_q(user, type_field=type_field, id_field=id_field))


def resolve_reference(user: AnyUser | None, content_type: ContentType | int, item_id: int) -> models.Model | None:
    """The item a (content type, id) reference points at, when it is registered content the member may see."""
    type_id = content_type if isinstance(content_type, int) else content_type.pk
    registration = content_registry.by_content_type_id().get(type_id)
    if registration is None:
        return None
    items = registration.model._default_manager.filter(pk=item_id).select_related(*registration.related_for_display())
    return filter_visible(user, items).first()


def is_removed(item: models.Model) -> bool:
    """Whether the item fails its type's "not removed" condition (so only moderators see it)."""
    registration = content_registry.get(type(item))
    if not registration.not_removed:
        return False
    return not type(item)._default_manager.filter(registration.not_removed, pk=item.pk).exists()


def can_view(user: AnyUser | None, item: models.Model) -> bool:
    return filter_visible(user, type(item)._default_manager.filter(pk=item.pk)).exists()


def community_of(item: Any) -> Any:
    """The community an item belongs to (read along its registered path), or None."""
    registration = content_registry.get(type(item))
    if registration.community is None:
        return None
    found = item
    for part in registration.community.split("__"):
        found = getattr(found, part)
        if found is None:
            return None
    return found


def can_edit(user: AnyUser | None, item: Any) -> bool:
    """Authors edit what they can still see; moderators edit anything in their community they can see; so do
    those its registration names (``also_edited_by``). A removed item is edited by no one until a moderator
    restores it."""
    if user is None:
        return False
    registration = content_registry.get(type(item))
    listed = type(item)._default_manager.filter(registration.not_removed, pk=item.pk)
    if not filter_visible(user, listed).exists():
        return False
    if item.author_id == user.pk or can_moderate(user, item.community):
        return True
    return registration.also_edited_by is not None and registration.also_edited_by(user, item)


def can_download(user: AnyUser | None, item: models.Model) -> bool:
    return can_view(user, item)


def can_moderate_item(user: AnyUser | None, item: models.Model) -> bool:
    community = community_of(item)
    return community is not None and can_view(user, item) and can_moderate(user, community)


def check_view_permission(user: AnyUser | None, item: models.Model, request: HttpRequest | None = None) -> None:
    if not can_view(user, item):
        raise deny(user, "view", item, request)


def check_edit_permission(user: AnyUser | None, item: models.Model, request: HttpRequest | None = None) -> None:
    if not can_edit(user, item):
        raise deny(user, "edit", item, request)


def check_download_permission(user: AnyUser | None, item: models.Model, request: HttpRequest | None = None) -> None:
    if not can_download(user, item):
        raise deny(user, "download", item, request)
