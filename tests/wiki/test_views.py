"""Wiki pages in the browser's shape: create, read, edit (with conflicts), history, compare, revert,
settings, watching, exports, and who may do each."""

import html
import io
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from notices.models import Subscription
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member
from wiki import services
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

STEPS = "1. Co-leads\n2. Stakeholders\n3. Common issues\n4. Resources\n5. Challenges\n6. Sustainability\n"


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def community() -> Community:
    owner = make_verified_member(markings=["fouo"])
    return community_create(creator=owner, name="Partnerships", slug="ppp", marking=marking())


def joined(community: Community, role: str = Role.MEMBER, **fields: object) -> Member:
    member = make_verified_member(**fields)  # type: ignore[arg-type]
    membership_set_role(community=community, member=member, role=role)
    return Member.objects.get(pk=member.pk)


def create(
    community: Community, author: Member, title: str = "Partnership model", body: str = STEPS, **fields: object
) -> WikiPage:
    fields.setdefault("marking", marking())
    return services.page_create(author=author, community=community, title=title, body=body, **fields)  # type: ignore[arg-type]


def url(name: str, page: WikiPage) -> str:
    return reverse(f"wiki:{name}", kwargs={"slug": page.community.slug, "page": page.slug})


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


# --- Create, read, edit ----------------------------------------------------------------


def test_a_member_creates_a_page_and_reads_it_with_contents_breadcrumbs_and_sub_pages(
    client: Client, community: Community
) -> None:
    member = joined(community)
    parent = create(community, member, title="Partnership model", body="The six steps.")
    client.force_login(member)

    form = client.get(reverse("wiki:create", kwargs={"slug": "ppp"}))
    response = client.post(
        reverse("wiki:create", kwargs={"slug": "ppp"}),
        {
            "title": "Step one: co-leads",
            "body": "## Public co-lead\nCounty OEM.\n\n## Private co-lead\nPort authority.\n",
            "parent": parent.pk,
            "marking": marking().pk,
            "comment": "First draft",
        },
    )

    assert form.status_code == 200
    assert 'name="edit_policy"' not in text_of(form)  # members may not limit editing
    page = WikiPage.objects.get(slug="step-one-co-leads")
    assert response.status_code == 302
    assert response["Location"] == url("page", page)
    body = text_of(client.get(url("page", page)))
    assert 'aria-labelledby="toc-heading"' in body
    assert 'href="#h-public-co-lead"' in body
    assert '<h2 id="h-private-co-lead">Private co-lead</h2>' in body
    breadcrumbs = body.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert ">Partnership model</a>" in breadcrumbs
    assert 'aria-current="page">Step one: co-leads' in breadcrumbs
    assert "Step one: co-leads</a>" in text_of(client.get(url("page", parent)))  # listed among its sub-pages
    assert page.revisions.get().comment == "First draft"


def test_a_page_with_a_taken_title_is_refused_and_the_typed_text_comes_back(
    client: Client, community: Community
) -> None:
    member = joined(community)
    create(community, member)
    client.force_login(member)

    response = client.post(
        reverse("wiki:create", kwargs={"slug": "ppp"}),
        {"title": "Partnership model", "body": "My long careful text", "marking": marking().pk},
    )

    assert response.status_code == 200
    assert "already has a page with that title" in text_of(response)
    assert "My long careful text</textarea>" in text_of(response)
    assert WikiPage.objects.count() == 1


def test_a_member_who_has_not_joined_may_read_an_open_wiki_but_not_write_in_it(
    client: Client, community: Community
) -> None:
    page = create(community, joined(community))
    client.force_login(make_verified_member())

    assert client.get(url("page", page)).status_code == 200
    assert client.get(reverse("wiki:create", kwargs={"slug": "ppp"})).status_code == 403
    assert client.get(url("edit", page)).status_code == 403
    client.force_login(joined(community))
    assert client.get(reverse("wiki:create", kwargs={"slug": "ppp"})).status_code == 200
    assert client.get(url("edit", page)).status_code == 200


def test_a_link_to_a_missing_page_leads_to_the_create_form_with_the_title_filled_in(
    client: Client, community: Community
) -> None:
    member = joined(community)
    page = create(community, member, body="Keep the [[Resource inventory]] current.")
    client.force_login(member)

    body = text_of(client.get(url("page", page)))
    link = re.search(r'<a class="wiki-missing" href="([^"]+)"', body)
    assert link is not None
    form = text_of(client.get(html.unescape(link.group(1))))

    assert 'value="Resource inventory"' in form
    assert "does not exist yet" in form


def test_a_member_edits_a_page_and_the_save_is_a_new_revision(client: Client, community: Community) -> None:
    member = joined(community)
    page = create(community, member)
    client.force_login(member)

    form = text_of(client.get(url("edit", page)))
    response = client.post(
        url("edit", page),
        {"title": page.title, "body": STEPS + "7. Review\n", "comment": "Step 7", "base_number": 1},
    )

    assert 'name="base_number" value="1"' in form
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.revision_number == 2
    assert "7. Review" in page.body
    assert "Saved as revision 2." in text_of(client.get(url("page", page)))


def test_script_in_the_body_is_neutralised_on_the_page(client: Client, community: Community) -> None:
    member = joined(community)
    page = create(
        community, member, title="Tricks", body="<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> text"
    )
    client.force_login(member)

    body = text_of(client.get(url("page", page)))

    article = body.split('class="wiki-body"', 1)[1].split("</article>", 1)[0]
    assert "<script" not in article
    assert re.search(r"<[^>]*\sonerror\s*=", article) is None
    assert "text" in article


# --- Conflicts ----------------------------------------------------------------------


def test_an_overlapping_stale_save_keeps_the_members_text_and_shows_both_versions(
    client: Client, community: Community
) -> None:
    alice, bob = joined(community), joined(community)
    page = create(community, alice)
    services.page_save(
        page=page, editor=alice, title=page.title, body=STEPS.replace("3. Common", "3. Shared"), base_number=1
    )
    client.force_login(bob)

    response = client.post(
        url("edit", page),
        {"title": page.title, "body": STEPS.replace("3. Common", "3. Joint"), "comment": "Mine", "base_number": 1},
    )

    body = html.unescape(text_of(response))
    assert response.status_code == 409
    assert "Someone else changed this page while you were editing" in body
    assert "nothing you typed is lost" in body
    textarea = body.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "3. Joint issues" in textarea
    assert "3. Shared issues" in textarea
    assert "<<<<<<< your version" in textarea
    versions = body.split('id="versions-heading"', 1)[1]
    assert "Revision 2, saved meanwhile" in versions
    assert "3. Shared issues" in versions
    assert "3. Joint issues" in versions
    assert 'name="base_number" value="2"' in body  # the next save is on the new base
    assert 'value="Mine"' in body
    page.refresh_from_db()
    assert page.revision_number == 2


def test_a_resolved_conflict_saves_on_the_new_base_and_leftover_markers_are_refused(
    client: Client, community: Community
) -> None:
    alice, bob = joined(community), joined(community)
    page = create(community, alice)
    services.page_save(
        page=page, editor=alice, title=page.title, body=STEPS.replace("3. Common", "3. Shared"), base_number=1
    )
    client.force_login(bob)
    with_markers = "<<<<<<< your version\n3. Joint\n=======\n3. Shared\n>>>>>>> revision 2\n"

    refused = client.post(url("edit", page), {"title": page.title, "body": with_markers, "base_number": 2})
    resolved = client.post(
        url("edit", page), {"title": page.title, "body": STEPS.replace("3. Common", "3. Joint"), "base_number": 2}
    )

    assert refused.status_code == 200
    assert "still holds conflict markers" in text_of(refused)
    assert "3. Joint\n=======" in html.unescape(text_of(refused))
    assert resolved.status_code == 302
    page.refresh_from_db()
    assert page.revision_number == 3
    assert "3. Joint issues" in page.body


def test_a_stale_save_that_does_not_overlap_merges_and_says_so(client: Client, community: Community) -> None:
    alice, bob = joined(community), joined(community)
    page = create(community, alice)
    services.page_save(
        page=page, editor=alice, title=page.title, body=STEPS.replace("1. Co-leads", "1. Co-leads, two sectors"),
        base_number=1,
    )  # fmt: skip
    client.force_login(bob)

    response = client.post(
        url("edit", page),
        {"title": page.title, "body": STEPS.replace("6. Sustainability", "6. Needs"), "base_number": 1},
        follow=True,
    )

    page.refresh_from_db()
    assert "1. Co-leads, two sectors" in page.body
    assert "6. Needs" in page.body
    assert "merged with the changes others saved meanwhile" in text_of(response)


def test_a_save_that_changes_nothing_is_refused_with_the_form_kept(client: Client, community: Community) -> None:
    member = joined(community)
    page = create(community, member)
    client.force_login(member)

    response = client.post(url("edit", page), {"title": page.title, "body": STEPS, "base_number": 1})

    assert response.status_code == 200
    assert "Nothing changed." in text_of(response)


# --- History, compare, revert ---------------------------------------------------------------


def test_history_lists_revisions_with_number_author_time_and_comment(client: Client, community: Community) -> None:
    alice = joined(community, first_name="Alice", last_name="Ng")
    bob = joined(community, first_name="Bob", last_name="Ruiz")
    page = create(community, alice)
    services.page_save(page=page, editor=bob, title=page.title, body="New", base_number=1, comment="Rewrote it")
    client.force_login(alice)

    body = text_of(client.get(url("history", page)))

    assert "Alice Ng" in body
    assert "Bob Ruiz" in body
    assert "Created the page" in body
    assert "Rewrote it" in body
    assert re.search(r"<th scope=\"row\">2 <span class=\"muted\">\(current\)", body)
    assert "<time datetime=" in body


def test_comparing_two_revisions_shows_an_escaped_diff_with_additions_and_removals_in_words(
    client: Client, community: Community
) -> None:
    member = joined(community)
    page = create(community, member)
    services.page_save(
        page=page, editor=member, title=page.title, body=STEPS.replace("4. Resources", "4. <b>Inventory</b>"),
        base_number=1,
    )  # fmt: skip
    client.force_login(member)

    response = client.get(url("compare", page), {"old": 2, "new": 1})  # either order

    body = text_of(response)
    assert response.status_code == 200
    assert "Changes from revision 1 to revision 2" in body
    assert "<del>4. Resources</del>" in body
    assert "<ins>4. &lt;b&gt;Inventory&lt;/b&gt;</ins>" in body
    assert "</span> added</td>" in body
    assert "</span> removed</td>" in body
    same = client.get(url("compare", page), {"old": 1, "new": 1}, follow=True)
    assert "Choose two different revisions" in text_of(same)
    assert client.get(url("compare", page), {"old": 1, "new": 9}).status_code == 404


def test_an_editor_reverts_to_an_earlier_revision_and_a_non_editor_may_not(
    client: Client, community: Community
) -> None:
    member = joined(community)
    page = create(community, member)
    services.page_save(page=page, editor=member, title=page.title, body="Vandalised", base_number=1)
    client.force_login(make_verified_member())  # not in the community

    refused = client.post(url("revert", page), {"revision": 1})
    client.force_login(member)
    reverted = client.post(url("revert", page), {"revision": 1})

    assert refused.status_code == 403
    assert reverted.status_code == 302
    page.refresh_from_db()
    assert page.body == STEPS
    assert page.revision_number == 3
    assert client.get(url("revert", page)).status_code == 405


# --- Who may edit, settings, watching --------------------------------------------------------


def test_a_moderators_only_page_refuses_members_edits_and_accepts_moderators(
    client: Client, community: Community
) -> None:
    moderator = joined(community, Role.MODERATOR)
    member = joined(community)
    page = create(community, moderator, title="Rules", body="Be kind.", edit_policy=WikiPage.EditPolicy.MODERATORS)
    edit = {"title": "Rules", "body": "Be kind. Be brief.", "base_number": 1}

    client.force_login(member)
    member_view = text_of(client.get(url("page", page)))
    member_get = client.get(url("edit", page))
    member_post = client.post(url("edit", page), edit)
    client.force_login(moderator)
    moderator_view = text_of(client.get(url("page", page)))
    moderator_post = client.post(url("edit", page), edit)

    assert url("edit", page) not in member_view
    assert member_get.status_code == 403
    assert member_post.status_code == 403
    assert url("edit", page) in moderator_view
    assert moderator_post.status_code == 302
    page.refresh_from_db()
    assert page.body == "Be kind. Be brief."


def test_only_moderators_are_offered_who_may_edit_when_creating(client: Client, community: Community) -> None:
    client.force_login(joined(community))
    member_form = text_of(client.get(reverse("wiki:create", kwargs={"slug": "ppp"})))
    client.force_login(joined(community, Role.MODERATOR))
    moderator_form = text_of(client.get(reverse("wiki:create", kwargs={"slug": "ppp"})))

    assert 'name="edit_policy"' not in member_form
    assert 'name="edit_policy"' in moderator_form


def test_a_moderator_changes_a_pages_settings_and_a_member_may_not(client: Client, community: Community) -> None:
    moderator = joined(community, Role.MODERATOR, markings=["fouo"])
    member = joined(community)
    parent = create(community, member, title="Steps")
    page = create(community, member)
    settings = {"marking": marking("fouo").pk, "edit_policy": "moderators", "parent": parent.pk}

    client.force_login(member)
    refused = client.post(url("settings", page), settings)
    client.force_login(moderator)
    form = client.get(url("settings", page))
    saved = client.post(url("settings", page), settings)

    assert refused.status_code == 403
    assert form.status_code == 200
    assert saved.status_code == 302
    page.refresh_from_db()
    assert (page.marking.slug, page.edit_policy, page.parent_id) == ("fouo", "moderators", parent.pk)


def test_the_author_of_a_page_follows_it_and_a_reader_follows_it_from_the_page(
    client: Client, community: Community
) -> None:
    author = joined(community)
    page = create(community, author)
    reader = make_verified_member()
    client.force_login(reader)
    before = text_of(client.get(url("page", page)))

    followed = client.post(
        reverse("subscriptions:follow"),
        {
            "target_type": "wiki.wikipage",
            "target_id": page.pk,
            "level": "watching",
            "delivery": "daily",
            "next": url("page", page),
        },
    )
    after = text_of(client.get(url("page", page)))

    assert Subscription.objects.filter(member=author, target_id=page.pk, level="watching").exists()
    assert "Follow this wiki page" in before
    assert followed.status_code == 302
    assert "Following · daily digest" in after
    assert Subscription.objects.filter(member=reader, target_id=page.pk, delivery="daily").exists()


# --- Markings and exports --------------------------------------------------------------------


@pytest.fixture
def fouo_page(community: Community) -> WikiPage:
    author = joined(community, markings=["fouo"])
    return create(
        community, author, title="Evacuation routes", body="# Routes\nRoute 87 north.", marking=marking("fouo")
    )


def test_an_fouo_page_is_not_found_for_an_uncleared_member(client: Client, fouo_page: WikiPage) -> None:
    client.force_login(joined(fouo_page.community))

    for name in ("page", "edit", "history", "export_markdown", "print"):
        assert client.get(url(name, fouo_page)).status_code == 404, name
    assert "Evacuation routes" not in text_of(client.get(reverse("wiki:index", kwargs={"slug": "ppp"})))


def test_an_fouo_page_shows_a_cleared_member_its_banner_top_and_bottom_and_the_view_is_audited(
    client: Client, fouo_page: WikiPage
) -> None:
    reader = joined(fouo_page.community, markings=["fouo"])
    client.force_login(reader)

    body = text_of(client.get(url("page", fouo_page)))
    index = text_of(client.get(reverse("wiki:index", kwargs={"slug": "ppp"})))

    header, footer = body.split("<main", 1)[0], body.rsplit("</main>", 1)[1]
    assert 'class="marking-banner marking-fouo"' in header
    assert 'class="marking-banner marking-fouo"' in footer
    assert "Route 87 north." in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=reader).count() == 1
    assert "Evacuation routes" in index
    assert 'class="marking-tag marking-fouo"' in index


def test_the_markdown_export_carries_the_marking_on_its_first_and_last_line_and_is_audited(
    client: Client, fouo_page: WikiPage
) -> None:
    reader = joined(fouo_page.community, markings=["fouo"])
    client.force_login(reader)

    response = client.get(url("export_markdown", fouo_page))

    lines = response.content.decode().strip().splitlines()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="evacuation-routes.md"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert lines[0] == lines[-1] == "For Official Use Only (FOUO)"
    assert "# Evacuation routes" in lines
    assert "Route 87 north." in lines
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=reader).exists()


def test_an_unmarked_export_has_no_banner_lines(client: Client, community: Community) -> None:
    member = joined(community)
    page = create(community, member)
    client.force_login(member)

    lines = text_of(client.get(url("export_markdown", page))).splitlines()

    assert lines[0] == "# Partnership model"
    assert "Unmarked" not in lines


def test_the_printable_page_carries_the_marking_top_and_bottom_and_is_audited(
    client: Client, fouo_page: WikiPage
) -> None:
    reader = joined(fouo_page.community, markings=["fouo"])
    client.force_login(reader)

    body = text_of(client.get(url("print", fouo_page)))

    banners = [m.start() for m in re.finditer(r'class="marking-banner marking-fouo"', body)]
    assert len(banners) == 2
    assert banners[0] < body.index("Route 87 north.") < banners[1]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=reader).exists()


def test_exports_are_refused_to_members_who_may_not_see_the_page(client: Client, fouo_page: WikiPage) -> None:
    client.force_login(make_verified_member())  # not cleared for FOUO

    assert client.get(url("export_markdown", fouo_page)).status_code == 404
    assert client.get(url("print", fouo_page)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED).exists()
    client.force_login(joined(fouo_page.community, markings=["fouo"]))
    assert client.get(url("export_markdown", fouo_page)).status_code == 200


def test_a_private_communitys_wiki_is_not_found_for_outsiders_and_open_to_its_members(
    client: Client, community: Community
) -> None:
    owner = make_verified_member()
    private = community_create(
        creator=owner, name="Port", slug="port", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    page = create(private, owner, title="Crane outage")

    client.force_login(make_verified_member())
    outside_index = client.get(reverse("wiki:index", kwargs={"slug": "port"}))
    outside_page = client.get(url("page", page))
    client.force_login(owner)

    assert outside_index.status_code == 404
    assert outside_page.status_code == 404
    assert client.get(url("page", page)).status_code == 200


# --- Constant queries ---------------------------------------------------------------------


def queries_for(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, address: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """The page's query count with one row, then after adding 49 more (after a warm-up request)."""
    queries_for(client, address)
    one = queries_for(client, address)
    add_rows(49)
    return one, queries_for(client, address)


def test_the_wiki_index_runs_the_same_queries_for_one_and_fifty_pages(client: Client, community: Community) -> None:
    member = joined(community, markings=["fouo"])
    hidden_parent = create(community, joined(community, markings=["sbu"]), title="Hidden", marking=marking("sbu"))
    first = create(community, member, title="Page 00")

    def add(count: int) -> None:
        for i in range(1, count + 1):
            parent = [None, first, hidden_parent][i % 3]
            page = create(
                community, member, title=f"Page {i:02d}", parent=parent, marking=marking(["unmarked", "fouo"][i % 2])
            )
            services.page_save(page=page, editor=member, title=page.title, body="Changed", base_number=1)

    client.force_login(member)

    one, fifty = counts_at_one_and_fifty(client, reverse("wiki:index", kwargs={"slug": "ppp"}), add)

    assert one == fifty
    body = text_of(client.get(reverse("wiki:index", kwargs={"slug": "ppp"})))
    assert "Page 49" in body
    assert "Hidden" not in body  # neither listed nor named as a parent


def test_the_history_runs_the_same_queries_for_one_and_fifty_revisions(client: Client, community: Community) -> None:
    member = joined(community)
    page = create(community, member)
    authors = [joined(community) for _ in range(3)]

    def add(count: int) -> None:
        for i in range(count):
            page.refresh_from_db()
            services.page_save(
                page=page, editor=authors[i % 3], title=page.title, body=f"Text {i}", base_number=page.revision_number
            )

    client.force_login(member)

    one, fifty = counts_at_one_and_fifty(client, url("history", page), add)

    assert one == fifty


def test_a_marked_page_exports_as_a_pdf_with_the_marking_on_every_page(client) -> None:
    owner = make_verified_member(markings=["fouo"])
    community = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=Marking.objects.get(slug="unmarked")
    )
    page = services.page_create(
        author=owner, community=community, title="Fuel plan", body="Line\n\n" * 200,
        marking=Marking.objects.get(slug="fouo"),
    )  # fmt: skip
    client.force_login(owner)
    url = reverse("wiki:print", kwargs={"slug": "pilot", "page": page.slug})

    response = client.get(url, {"format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    for printed in reader.pages:
        assert printed.extract_text().count("For Official Use Only (FOUO)") == 2
    uncleared = make_verified_member()
    client.force_login(uncleared)
    assert (
        client.get(reverse("wiki:print", kwargs={"slug": "pilot", "page": page.slug}), {"format": "pdf"}).status_code
        == 404
    )
