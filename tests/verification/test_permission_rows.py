"""Guardian permission rows never outlive the objects they are about."""

from typing import Any, cast

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from guardian.models import (
    GroupObjectPermission,
    GroupObjectPermissionBase,
    UserObjectPermission,
    UserObjectPermissionBase,
)
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from communities.models import Community, CommunityContent, CommunityGroupObjectPermission, Role
from communities.services import community_create, community_delete, membership_set_role
from library.models import Document, DocumentGroupObjectPermission, DocumentUserObjectPermission
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import Marking

pytestmark = pytest.mark.django_db


def permission_row_count() -> int:
    models = [
        model for model in apps.get_models() if issubclass(model, (UserObjectPermissionBase, GroupObjectPermissionBase))
    ]
    assert UserObjectPermission in models
    assert GroupObjectPermission in models
    return sum(model._default_manager.count() for model in models)


def test_every_object_with_permissions_has_direct_permission_tables_so_deletes_cascade() -> None:
    guarded = [Community] + [m for m in apps.get_models() if issubclass(m, CommunityContent)]

    for model in guarded:
        assert get_user_obj_perms_model(cast(Any, model))._meta.app_label != "guardian", model
        assert get_group_obj_perms_model(cast(Any, model))._meta.app_label != "guardian", model
    assert Document in guarded


def test_deleting_a_document_removes_its_member_and_group_grants() -> None:
    owner = make_verified_member()
    community = community_create(creator=owner, name="EMS", slug="ems", marking=Marking.objects.get(slug="unmarked"))
    document = Document.objects.create(
        community=community, author=owner, marking=community.marking, title="Protocols", is_restricted=True
    )
    reader = make_verified_member()
    policy.grant_item_access(document, reader)
    policy.grant_item_access(document, Group.objects.create(name="Hospital partners"))
    assert DocumentUserObjectPermission.objects.count() == 1
    assert DocumentGroupObjectPermission.objects.count() == 1

    document.delete()

    assert DocumentUserObjectPermission.objects.count() == 0
    assert DocumentGroupObjectPermission.objects.count() == 0


def test_deleting_a_community_removes_its_role_groups_content_and_every_permission_row() -> None:
    before = permission_row_count()
    owner = make_verified_member()
    community = community_create(creator=owner, name="Port", slug="port", marking=Marking.objects.get(slug="unmarked"))
    membership_set_role(community=community, member=make_verified_member(), role=Role.MODERATOR)
    document = Document.objects.create(
        community=community, author=owner, marking=community.marking, title="Berths", is_restricted=True
    )
    policy.grant_item_access(document, owner)
    assert CommunityGroupObjectPermission.objects.filter(content_object=community).count() == 6
    assert permission_row_count() > before

    community_delete(community=community)

    assert permission_row_count() == before
    assert not Group.objects.filter(name__startswith="community:port:").exists()
    assert not Document.objects.exists()


def test_deleting_a_member_removes_their_grants() -> None:
    owner = make_verified_member()
    community = community_create(creator=owner, name="Fire", slug="fire", marking=Marking.objects.get(slug="unmarked"))
    document = Document.objects.create(
        community=community, author=owner, marking=community.marking, title="Hydrants", is_restricted=True
    )
    reader = make_verified_member()
    policy.grant_item_access(document, reader)

    reader.delete()

    assert DocumentUserObjectPermission.objects.count() == 0
