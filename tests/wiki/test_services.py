"""Wiki services: revisions, merges, conflicts, reverts, links."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities import selectors as community_selectors
from communities.models import ActivityEvent, Community, Role
from communities.services import community_create, membership_set_role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member
from wiki import services
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

STEPS = "1. Co-leads\n2. Stakeholders\n3. Common issues\n4. Resources\n5. Challenges\n6. Sustainability\n"


@pytest.fixture
def community() -> Community:
    owner = make_verified_member()
    return community_create(
        creator=owner, name="Partnerships", slug="ppp", marking=Marking.objects.get(slug="unmarked")
    )


def editor(community: Community, role: str = Role.MEMBER) -> Member:
    member = make_verified_member()
    membership_set_role(community=community, member=member, role=role)
    return Member.objects.get(pk=member.pk)


def create(community: Community, author: Member, title: str = "Partnership model", body: str = STEPS) -> WikiPage:
    marking = Marking.objects.get(slug="unmarked")
    return services.page_create(author=author, community=community, title=title, body=body, marking=marking)


def test_every_save_is_a_numbered_revision_with_author_and_comment(community: Community) -> None:
    alice, bob = editor(community), editor(community)
    page = create(community, alice)

    services.page_save(
        page=page, editor=bob, title=page.title, body=STEPS + "7. Review\n", base_number=1, comment="Step 7"
    )

    page.refresh_from_db()
    assert page.revision_number == 2
    assert [(r.number, r.author_id, r.comment) for r in page.revisions.order_by("number")] == [
        (1, alice.pk, "Created the page"),
        (2, bob.pk, "Step 7"),
    ]


def test_edits_on_a_stale_base_that_do_not_overlap_are_merged(community: Community) -> None:
    alice, bob = editor(community), editor(community)
    page = create(community, alice)
    services.page_save(
        page=page, editor=alice, title=page.title, body=STEPS.replace("1. Co-leads", "1. Co-leads from both sectors"),
        base_number=1,
    )  # fmt: skip

    services.page_save(
        page=page, editor=bob, title=page.title, body=STEPS.replace("6. Sustainability", "6. Needs, goals, tasks"),
        base_number=1,
    )  # fmt: skip

    page.refresh_from_db()
    assert "1. Co-leads from both sectors" in page.body
    assert "6. Needs, goals, tasks" in page.body
    assert page.revision_number == 3


def test_overlapping_edits_on_a_stale_base_save_nothing_and_return_both_versions(community: Community) -> None:
    alice, bob = editor(community), editor(community)
    page = create(community, alice)
    services.page_save(
        page=page, editor=alice, title=page.title, body=STEPS.replace("3. Common", "3. Shared"), base_number=1
    )

    with pytest.raises(services.EditConflictError) as conflict:
        services.page_save(
            page=page, editor=bob, title=page.title, body=STEPS.replace("3. Common", "3. Joint"), base_number=1
        )

    page.refresh_from_db()
    assert page.revision_number == 2
    assert conflict.value.current.number == 2
    assert "3. Joint" in conflict.value.merged_with_markers
    assert "3. Shared" in conflict.value.merged_with_markers
    assert "<<<<<<<" in conflict.value.merged_with_markers


def test_revert_adds_a_revision_with_the_old_text(community: Community) -> None:
    alice = editor(community)
    page = create(community, alice)
    services.page_save(page=page, editor=alice, title=page.title, body="Vandalised", base_number=1)

    services.page_revert(page=page, editor=alice, revision=page.revisions.get(number=1))

    page.refresh_from_db()
    assert page.body == STEPS
    assert page.revision_number == 3
    assert page.revisions.get(number=3).reverted_from.number == 1  # type: ignore[union-attr]


def test_moderator_only_pages_refuse_members_and_accept_moderators(community: Community) -> None:
    moderator = editor(community, Role.MODERATOR)
    member = editor(community)
    page = services.page_create(
        author=moderator, community=community, title="Rules", body="Be kind.",
        marking=Marking.objects.get(slug="unmarked"), edit_policy=WikiPage.EditPolicy.MODERATORS,
    )  # fmt: skip

    with pytest.raises(PermissionDenied):
        services.page_save(page=page, editor=member, title="Rules", body="Be mean.", base_number=1)
    services.page_save(page=page, editor=moderator, title="Rules", body="Be kind. Be brief.", base_number=1)


def test_links_to_missing_pages_offer_to_create_them_until_the_page_exists(community: Community) -> None:
    author = editor(community)
    page = create(community, author, body="See [[Resource inventory]] and [[Partnership model|this page]].")

    assert 'class="wiki-missing"' in page.body_html
    assert "?title=Resource+inventory" in page.body_html
    create(community, author, title="Resource inventory", body="Generators, cots, forklifts.")

    page.refresh_from_db()
    assert 'class="wiki-missing"' not in page.body_html
    assert "/wiki/resource-inventory/" in page.body_html
    assert ">this page</a>" in page.body_html


def test_a_taken_title_and_script_are_handled(community: Community) -> None:
    author = editor(community)
    page = create(community, author, body="# Heading\n<script>alert(1)</script>[[<img src=x onerror=alert(1)>]]")

    with pytest.raises(ValidationError, match="already has a page"):
        create(community, author)
    assert "<script" not in page.body_html
    assert re.search(r"<[^>]*\sonerror\s*=", page.body_html) is None  # never an attribute of a tag
    assert "<img" not in page.body_html
    assert 'href="#h-heading"' in page.toc_html


def test_raising_a_pages_marking_hides_its_earlier_feed_events_from_uncleared_members(community: Community) -> None:
    moderator = make_verified_member(markings=["fouo"])
    membership_set_role(community=community, member=moderator, role=Role.MODERATOR)
    moderator = Member.objects.get(pk=moderator.pk)
    page = create(community, moderator, title="Fuel plan")
    reader = make_verified_member()
    assert community_selectors.visible_activity(reader, ActivityEvent.objects.filter(target_id=page.pk)).exists()

    services.page_settings(
        page=page, actor=moderator, marking=Marking.objects.get(slug="fouo"), edit_policy=page.edit_policy, parent=None
    )

    assert not community_selectors.visible_activity(reader, ActivityEvent.objects.filter(target_id=page.pk)).exists()
