"""Grants: the only guardian writes in the project."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import Group
from django.db import models
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from communities.models import Community
from verification.models import Member

COMMUNITY_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "member_group": ("access_community",),
    "moderator_group": ("access_community", "moderate_community"),
    "owner_group": ("access_community", "moderate_community", "manage_community"),
}


def grant_community_role_permissions(community: Community) -> None:
    """Give each of the community's role groups its object permissions on the community."""
    for group_field, codenames in COMMUNITY_ROLE_PERMISSIONS.items():
        group: Group = getattr(community, group_field)
        for codename in codenames:
            assign_perm(f"communities.{codename}", group, community)


def view_codename(model: type[models.Model]) -> str:
    return f"view_{model._meta.model_name}"


def grant_item_access(item: models.Model, to: Member | Group) -> None:
    """Let a named member or group see a restricted item."""
    assign_perm(view_codename(type(item)), to, item)


def revoke_item_access(item: models.Model, to: Member | Group) -> None:
    remove_perm(view_codename(type(item)), to, item)


def revoke_all_item_access(item: models.Model) -> None:
    """Forget everyone named on the item, before a new list is granted."""
    codename = view_codename(type(item))
    for perm_model in (get_user_obj_perms_model(cast(Any, item)), get_group_obj_perms_model(cast(Any, item))):
        perm_model._default_manager.filter(content_object=item, permission__codename=codename).delete()


def item_grant_tables(model: type[models.Model]) -> tuple[type[models.Model], type[models.Model]]:
    """The direct per-item permission tables of ``model`` (user, group)."""
    # guardian's stubs say "instance", but the functions take the model class too.
    return get_user_obj_perms_model(cast(Any, model)), get_group_obj_perms_model(cast(Any, model))
