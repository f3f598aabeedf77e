"""A tag's page: threads, blog posts and documents carrying the tag, only those the member may see."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services
from discussions.models import Thread
from library import services as library
from library.models import Document
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import Marking, Member
from wiki import services as wiki

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def tag_url(tag: str) -> str:
    return reverse("tags:tag", kwargs={"tag": tag})


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def make_community(owner: Member, slug: str, **fields: Any) -> Community:
    community = community_create(creator=owner, name=slug.title(), slug=slug, marking=marking(), **fields)
    services.board_create(community=community, actor=owner, name="General")
    return community


def join(community: Community, member: Member) -> Member:
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return Member.objects.get(pk=member.pk)


def thread(author: Member, community: Community, title: str, tags: list[str], **fields: Any) -> Thread:
    fields.setdefault("marking", marking())
    board = None if fields.get("kind") == Thread.Kind.BLOG else community.boards.first()
    return services.thread_start(
        author=author, community=community, board=board, title=title, body="Body", tags=tags, **fields
    )


def document(author: Member, community: Community, title: str, tags: list[str], level: str = "unmarked") -> Document:
    made = Document.objects.create(community=community, author=author, marking=marking(level), title=title)
    made.tags.set(tags)
    return made


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def gulf(owner: Member) -> Community:
    return make_community(owner, "gulf")


@pytest.fixture
def port(owner: Member) -> Community:
    return make_community(owner, "port", visibility=Community.Visibility.PRIVATE)


@pytest.fixture
def reader(gulf: Community) -> Member:
    """A member of the open community only, not cleared for FOUO."""
    return join(gulf, make_verified_member(first_name="Dana", last_name="Reyes"))


def test_the_tag_page_shows_threads_blog_posts_and_documents_with_the_tag_that_the_member_may_see_and_nothing_else(
    client: Client, owner: Member, gulf: Community, port: Community, reader: Member
) -> None:
    ems = make_community(owner, "ems", visibility=Community.Visibility.RESTRICTED)
    thread(owner, gulf, "Landfall checklist", ["hurricanes"])
    thread(owner, gulf, "Where do cots go?", ["hurricanes"], kind=Thread.Kind.QUESTION)
    blog_post = thread(owner, gulf, "Notes from the shelter", ["hurricanes", "sheltering"], kind=Thread.Kind.BLOG)
    document(owner, gulf, "Evacuation map", ["hurricanes"])
    # Not tagged, or tagged otherwise.
    thread(owner, gulf, "Untagged thread", [])
    thread(owner, gulf, "Heatwave plan", ["heat"])
    document(owner, gulf, "Untagged document", [])
    # Removed, draft or scheduled.
    removed = thread(owner, gulf, "Removed thread", ["hurricanes"])
    services.post_delete(post=removed.posts.get(), actor=owner)
    thread(reader, gulf, "My own draft", ["hurricanes"], kind=Thread.Kind.BLOG, is_draft=True)
    later = timezone.now() + timedelta(days=2)
    thread(owner, gulf, "Scheduled blog post", ["hurricanes"], kind=Thread.Kind.BLOG, publish_at=later)
    # Marked, restricted, or in communities whose content the reader may not see.
    thread(owner, gulf, "FOUO security plan", ["hurricanes"], marking=marking("fouo"))
    document(owner, gulf, "FOUO guard roster", ["hurricanes"], level="fouo")
    restricted_thread = thread(owner, gulf, "Restricted welfare thread", ["hurricanes"])
    Thread.objects.filter(pk=restricted_thread.pk).update(is_restricted=True)
    restricted_document = document(owner, gulf, "Restricted staff list", ["hurricanes"])
    Document.objects.filter(pk=restricted_document.pk).update(is_restricted=True)
    thread(owner, port, "Private crane outage", ["hurricanes"])
    document(owner, port, "Private berth plan", ["hurricanes"])
    thread(owner, ems, "Restricted-community triage", ["hurricanes"])
    client.force_login(reader)

    page = client.get(tag_url("hurricanes"))

    body = page.content.decode()
    assert page.status_code == 200
    for shown in ("Landfall checklist", "Where do cots go?", "Notes from the shelter", "Evacuation map"):
        assert shown in body
    for hidden in (
        "Untagged",
        "Heatwave",
        "Removed thread",
        "My own draft",
        "Scheduled",
        "FOUO",
        "Restricted",
        "Private",
        "marking-banner",
    ):
        assert hidden not in body
    assert "Discussions, questions and blog posts (3)" in body
    assert "Documents (1)" in body
    assert reverse("discussions:blog_post", kwargs={"slug": "gulf", "pk": blog_post.pk}) in body
    assert tag_url("sheltering") in body


def test_granted_and_cleared_members_see_the_restricted_fouo_and_private_items_the_others_do_not(
    client: Client, owner: Member, gulf: Community, port: Community, reader: Member
) -> None:
    restricted = document(owner, gulf, "Restricted staff list", ["hurricanes"])
    Document.objects.filter(pk=restricted.pk).update(is_restricted=True)
    thread(owner, gulf, "FOUO security plan", ["hurricanes"], marking=marking("fouo"))
    thread(owner, port, "Private crane outage", ["hurricanes"])
    outsider = make_verified_member()
    client.force_login(outsider)
    before = client.get(tag_url("hurricanes")).content.decode()

    policy.grant_item_access(restricted, outsider)
    cleared_member = join(port, join(gulf, make_verified_member(markings=["fouo"])))
    after_grant = client.get(tag_url("hurricanes")).content.decode()
    client.force_login(cleared_member)
    cleared = client.get(tag_url("hurricanes")).content.decode()

    assert "Restricted staff list" not in before
    assert "Restricted staff list" in after_grant
    assert "FOUO security plan" not in after_grant
    assert "Private crane outage" not in after_grant
    assert "FOUO security plan" in cleared
    assert "Private crane outage" in cleared
    assert cleared.count("marking-banner") == 2


def test_a_tag_carried_only_by_items_the_member_may_not_see_reads_like_an_unknown_tag(
    client: Client, owner: Member, port: Community, reader: Member
) -> None:
    thread(owner, port, "Private crane outage", ["Port Security"])
    client.force_login(reader)

    hidden_tag = client.get(tag_url("port-security")).content.decode()
    unknown_tag = client.get(tag_url("no-such-tag")).content.decode()
    client.force_login(owner)
    as_member = client.get(tag_url("port-security")).content.decode()

    assert "Port Security" not in hidden_tag
    assert "Tagged “port-security”" in hidden_tag
    assert "No discussions, questions and blog posts you may see carry this tag." in hidden_tag
    assert main(hidden_tag).replace("port-security", "no-such-tag") == main(unknown_tag)
    assert "Tagged “Port Security”" in as_member
    assert "Private crane outage" in as_member


def test_the_tag_page_is_for_cleared_members_only(client: Client, owner: Member, gulf: Community) -> None:
    thread(owner, gulf, "Landfall checklist", ["hurricanes"])

    anonymous = client.get(tag_url("hurricanes"))
    client.force_login(make_verified_member(accept_rules=False))
    rules_pending = client.get(tag_url("hurricanes"))
    client.force_login(make_verified_member())
    cleared = client.get(tag_url("hurricanes"))

    assert anonymous.status_code == 302
    assert rules_pending.status_code == 302
    assert cleared.status_code == 200
    assert "Landfall checklist" in cleared.content.decode()


def test_threads_and_documents_page_by_25_each_on_their_own(
    client: Client, owner: Member, gulf: Community, reader: Member
) -> None:
    for i in range(26):
        thread(owner, gulf, f"Thread number {i:02}", ["hurricanes"])
    for i in range(3):
        document(owner, gulf, f"Document number {i:02}", ["hurricanes"])
    client.force_login(reader)

    first = client.get(tag_url("hurricanes")).content.decode()
    second = client.get(tag_url("hurricanes"), {"threads_page": 2, "documents_page": 1}).content.decode()

    assert "Thread number 25" in first
    assert "Thread number 00" not in first
    assert "Page 1 of 2" in first
    assert "?threads_page=2" in first
    assert "Thread number 00" in second
    assert "Thread number 25" not in second
    assert "Document number 02" in second
    assert "documents_page=1" in second


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def test_the_tag_page_runs_the_same_queries_for_one_and_fifty_threads_and_documents(
    client: Client, owner: Member, gulf: Community, port: Community
) -> None:
    reader = join(port, join(gulf, make_verified_member(markings=["fouo"])))
    ems = make_community(owner, "ems", visibility=Community.Visibility.RESTRICTED)
    join(ems, reader)
    communities = [gulf, port, ems]

    def add(count: int) -> None:
        for i in range(count):
            community = communities[i % 3]
            level = "fouo" if i % 4 == 0 else "unmarked"
            kind = [Thread.Kind.DISCUSSION, Thread.Kind.QUESTION, Thread.Kind.BLOG][i % 3]
            thread(owner, community, f"Thread {i}", ["hurricanes", f"extra-{i}"], marking=marking(level), kind=kind)
            made = document(owner, community, f"Document {i}", ["hurricanes", f"extra-{i}"], level=level)
            if i % 5 == 0:
                Document.objects.filter(pk=made.pk).update(is_restricted=True)
                policy.grant_item_access(made, reader)

    add(1)
    client.force_login(reader)
    path = tag_url("hurricanes")
    queries_for(client, path)  # warms the process-wide caches (content types), as any running server has

    one = queries_for(client, path)
    add(49)
    fifty = queries_for(client, path)

    assert one == fifty
    body = client.get(path).content.decode()
    assert "Discussions, questions and blog posts (50)" in body
    assert "Documents (50)" in body


def test_the_tag_page_lists_wiki_pages_and_links_the_member_may_see(client) -> None:
    owner = make_verified_member(markings=["fouo"])
    unmarked = Marking.objects.get(slug="unmarked")
    community = community_create(creator=owner, name="Gulf", slug="gulf-tags", marking=unmarked)
    wiki.page_create(
        author=owner, community=community, title="Evacuation routes", body="Route 87", marking=unmarked,
        tags=["evacuation"],
    )  # fmt: skip
    wiki.page_create(
        author=owner, community=community, title="Contraflow plan", body="Secret",
        marking=Marking.objects.get(slug="fouo"), tags=["evacuation"],
    )  # fmt: skip
    library.bookmark_share(
        author=owner, community=community, url="https://www.ready.gov/evacuation", title="Ready.gov evacuation",
        marking=unmarked, tags=["evacuation"],
    )  # fmt: skip
    client.force_login(make_verified_member())

    body = client.get(reverse("tags:tag", kwargs={"tag": "evacuation"})).content.decode()

    assert "Evacuation routes" in body
    assert "Ready.gov evacuation" in body
    assert "Contraflow plan" not in body
