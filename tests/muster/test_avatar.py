"""The {% avatar %} tag: initials on a colour of the member's own, their photo only when shared and loaded."""

import pytest
from django.template import Context, Template

from tests.verification.factories import ProfileFactory, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

AVATAR = Template("{% load muster_tags %}{% avatar member size %}")


def render(member: Member | None, size: str = "sm") -> str:
    return AVATAR.render(Context({"member": member, "size": size}))


def test_initials_of_first_and_last_name_on_a_colour_by_member() -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    html = render(dana)
    assert 'data-initials="DR"' in html
    assert f"avatar-c{dana.pk % 8}" in html
    assert 'aria-hidden="true"' in html  # the name beside it is what a screen reader reads


def test_a_member_without_a_name_gets_the_start_of_their_address() -> None:
    member = make_verified_member(first_name="", last_name="", email="ops@county.gov")
    assert 'data-initials="OP"' in render(member)


def test_a_shared_photo_replaces_the_initials_only_when_the_profile_is_loaded(django_assert_num_queries) -> None:
    member = make_verified_member(first_name="Dana", last_name="Reyes")
    ProfileFactory.create(member=member, photo="profile-photos/dana.jpg", shared_fields=["photo"])
    loaded = Member.objects.select_related("profile").get(pk=member.pk)
    with django_assert_num_queries(0):
        html = render(loaded, "md")
    assert f'src="/members/{member.pk}/photo/"' in html
    assert "avatar-md" in html
    bare = Member.objects.get(pk=member.pk)
    with django_assert_num_queries(0):
        assert 'data-initials="DR"' in render(bare)


def test_a_photo_not_shared_stays_hidden() -> None:
    member = make_verified_member(first_name="Dana", last_name="Reyes")
    ProfileFactory.create(member=member, photo="profile-photos/dana.jpg", shared_fields=[])
    loaded = Member.objects.select_related("profile").get(pk=member.pk)
    html = render(loaded)
    assert "<img" not in html
    assert 'data-initials="DR"' in html
