"""The library, links and saved-items pages: uploads and downloads through the pages, bad files, markings,
limits, versions, links, saved items, the feed, and constant queries at 1 and 50 rows."""

import re
import socketserver
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from library import services
from library.models import Bookmark, Document, DocumentVersion, QuarantinedUpload
from saved import services as saved_services
from saved.models import SavedItem
from tests.library.test_services import EICAR, PDF, FakeClamd, docx_bytes
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


# --- Given ---------------------------------------------------------------------------


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def make_community(owner: Member, slug: str = "ems", **fields: Any) -> Community:
    fields.setdefault("marking", marking())
    return community_create(creator=owner, name=slug.upper(), slug=slug, **fields)


def join(community: Community, member: Member, role: str = Role.MEMBER) -> Member:
    membership_set_role(community=community, member=member, role=role)
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def owner() -> Member:
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def community(owner: Member) -> Community:
    return make_community(owner)


@pytest.fixture
def member(community: Community) -> Member:
    return join(community, make_verified_member(first_name="Lee", last_name="Park"))


def upload(
    author: Member,
    community: Community,
    *,
    title: str = "Triage protocol",
    name: str = "protocol.pdf",
    content: bytes = PDF,
    marking_slug: str = "unmarked",
    tags: tuple[str, ...] = (),
) -> Document:
    return services.document_upload(
        author=author,
        community=community,
        title=title,
        file=SimpleUploadedFile(name, content),
        marking=marking(marking_slug),
        tags=tags,
    )


def share_link(author: Member, community: Community, url: str, title: str, marking_slug: str = "unmarked") -> Bookmark:
    bookmark, _ = services.bookmark_share(
        author=author, community=community, url=url, title=title, marking=marking(marking_slug)
    )
    return bookmark


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- Addresses ---------------------------------------------------------------------------


def index_url(community: Community) -> str:
    return reverse("library:index", kwargs={"slug": community.slug})


def upload_url(community: Community) -> str:
    return reverse("library:upload", kwargs={"slug": community.slug})


def document_url(document: Document) -> str:
    return reverse("library:document", kwargs={"slug": document.community.slug, "pk": document.pk})


def download_url(document: Document, number: int = 1) -> str:
    return reverse("library:download", kwargs={"slug": document.community.slug, "pk": document.pk, "number": number})


def version_url(document: Document) -> str:
    return reverse("library:version_upload", kwargs={"slug": document.community.slug, "pk": document.pk})


def access_url(document: Document) -> str:
    return reverse("library:access", kwargs={"slug": document.community.slug, "pk": document.pk})


def links_url(community: Community) -> str:
    return reverse("library:bookmarks", kwargs={"slug": community.slug})


def share_url(community: Community) -> str:
    return reverse("library:bookmark_share", kwargs={"slug": community.slug})


def downloaded(response: Any) -> bytes:
    assert isinstance(response, FileResponse)
    return b"".join(cast(Iterator[bytes], response.streaming_content))


def banners(body: str, slug: str) -> int:
    return len(re.findall(rf'class="marking-banner marking-{slug}"', body))


def readers_section(body: str) -> str:
    """The access page's list of who may see a limited document now."""
    return body.split('id="readers-heading"', 1)[1].split("</section>", 1)[0]


def upload_form(title: str, file: SimpleUploadedFile, marking_slug: str = "unmarked", **fields: str) -> dict[str, Any]:
    return {"title": title, "marking": marking(marking_slug).pk, "file": file, **fields}


def save(client: Client, item_type: str, item_id: int, next_path: str) -> Any:
    return client.post(reverse("saved:save"), {"item_type": item_type, "item_id": item_id, "next": next_path})


# --- Uploads and downloads ------------------------------------------------------------------


def test_a_member_uploads_a_document_through_the_page_and_downloads_it_as_an_attachment(
    client: Client, community: Community, member: Member
) -> None:
    client.force_login(member)
    content = docx_bytes()

    response = client.post(
        upload_url(community),
        upload_form(
            "Shelter plan",
            SimpleUploadedFile("shelter plan.docx", content),
            description="Who opens which school",
            tags="sheltering, schools",
        ),
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document_url(document)
    assert document.author == member
    assert document.description == "Who opens which school"
    assert sorted(document.tags.names()) == ["schools", "sheltering"]
    page = client.get(document_url(document)).content.decode()
    assert "Shelter plan" in page
    assert "Word document" in page
    assert "Not scanned" in page
    assert download_url(document) in page

    file = client.get(download_url(document))

    assert file.status_code == 200
    assert file["Content-Disposition"] == 'attachment; filename="shelter plan.docx"'
    assert file["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in file["Cache-Control"]
    assert downloaded(file) == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXECUTABLE, "content is not an allowed type"),
        ("big.txt", b"a" * 2048, "larger than the"),
        ("notes.txt", PDF, "Rename it to match what it is"),
        (".profile.txt", b"hello", "must be a plain name"),
    ],
    ids=["renamed-executable", "oversize", "wrong-extension", "hidden-name"],
)
def test_a_bad_file_re_shows_the_form_with_the_error_and_everything_typed(
    client: Client, community: Community, member: Member, settings: Any, name: str, content: bytes, message: str
) -> None:
    settings.MUSTER_UPLOAD_MAX_BYTES = 1024
    client.force_login(member)

    response = client.post(
        upload_url(community),
        upload_form(
            "Hurricane checklist",
            SimpleUploadedFile(name, content),
            description="Before landfall",
            tags="hurricanes",
        ),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'value="Hurricane checklist"' in body
    assert "Before landfall</textarea>" in body
    assert 'value="hurricanes"' in body
    assert "choose the file again" in body
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_missing_title_and_file_are_both_named_on_the_form(
    client: Client, community: Community, member: Member
) -> None:
    client.force_login(member)

    body = client.post(upload_url(community), {"title": "", "marking": marking().pk}).content.decode()

    assert "Give the document a title." in body
    assert "Choose a file to upload." in body


def test_a_path_in_a_file_name_is_reduced_to_a_plain_name_that_never_leaves_the_upload_folder(
    client: Client, community: Community, member: Member, settings: Any
) -> None:
    client.force_login(member)
    boundary = "muster-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
        for field, value in (("title", "Notes"), ("marking", str(marking().pk)))
    ]
    body = (
        "".join(parts).encode()
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../etc/cron.d/notes.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\nShelter at the high school.\r\n--{boundary}--\r\n"
        ).encode()
    )

    response = client.generic("POST", upload_url(community), body, f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert version.original_name == "notes.txt"
    media = Path(settings.MEDIA_ROOT).resolve()
    assert Path(version.file.path).resolve().is_relative_to(media / "documents")
    assert [path.resolve() for path in stored_files(settings)] == [Path(version.file.path).resolve()]


@pytest.fixture
def clamd(settings: Any) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MUSTER_CLAMAV_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    yield settings.MUSTER_CLAMAV_ADDRESS
    server.shutdown()
    server.server_close()


def test_an_infected_upload_is_quarantined_and_the_uploader_is_told_on_the_form(
    client: Client, community: Community, member: Member, clamd: str
) -> None:
    client.force_login(member)

    body = client.post(
        upload_url(community), upload_form("Shelter notes", SimpleUploadedFile("notes.txt", EICAR))
    ).content.decode()
    clean = client.post(
        upload_url(community), upload_form("Clean notes", SimpleUploadedFile("clean.txt", b"Shelter at noon."))
    )

    assert "Eicar-Test-Signature FOUND" in body
    assert "quarantined" in body
    assert 'value="Shelter notes"' in body
    assert QuarantinedUpload.objects.get().uploaded_by == member
    assert clean.status_code == 302
    assert Document.objects.get().versions.get().scan_status == DocumentVersion.ScanStatus.CLEAN
    assert "Scanned: clean" in client.get(clean["Location"]).content.decode()


def test_only_members_may_upload_and_a_visitor_of_an_open_community_is_told_to_join(
    client: Client, community: Community, member: Member
) -> None:
    visitor = make_verified_member()
    client.force_login(visitor)

    page = client.get(upload_url(community)).content.decode()
    refused = client.post(upload_url(community), upload_form("Plan", SimpleUploadedFile("plan.pdf", PDF)))

    assert "Join the community" in page
    assert 'type="file"' not in page
    assert refused.status_code == 200
    assert not Document.objects.exists()

    client.force_login(member)
    assert (
        client.post(upload_url(community), upload_form("Plan", SimpleUploadedFile("plan.pdf", PDF))).status_code == 302
    )


def test_a_member_may_not_give_a_document_a_marking_they_are_not_cleared_for(
    client: Client, community: Community, member: Member
) -> None:
    client.force_login(member)

    response = client.post(upload_url(community), upload_form("Plan", SimpleUploadedFile("plan.pdf", PDF), "fouo"))

    assert "Select a valid choice" in response.content.decode()
    assert not Document.objects.exists()


# --- Markings, limits and 404s ---------------------------------------------------------------


def test_an_fouo_document_is_not_found_for_an_uncleared_member_and_banners_and_audits_for_a_cleared_one(
    client: Client, community: Community
) -> None:
    author = join(community, make_verified_member(markings=["fouo"]))
    document = upload(author, community, title="Port security plan", marking_slug="fouo")
    uncleared = join(community, make_verified_member())
    cleared = join(community, make_verified_member(markings=["fouo"]))

    client.force_login(uncleared)
    assert client.get(document_url(document)).status_code == 404
    assert client.get(download_url(document)).status_code == 404
    assert "Port security plan" not in client.get(index_url(community)).content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=uncleared).count() == 2

    client.force_login(cleared)
    page = client.get(document_url(document)).content.decode()
    first = client.get(download_url(document))
    second = client.get(download_url(document))

    assert banners(page, "fouo") == 2
    assert page.index("marking-fouo") < page.index("Port security plan</h1>") < page.rindex("marking-fouo")
    assert "Port security plan" in client.get(index_url(community)).content.decode()
    assert downloaded(first) == downloaded(second) == PDF
    downloads = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=cleared)
    assert downloads.count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=cleared).count() == 1


def test_an_unmarked_download_writes_no_audit_event(client: Client, community: Community, member: Member) -> None:
    document = upload(member, community)
    client.force_login(member)

    assert client.get(download_url(document)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED).exists()


def test_a_limited_document_is_not_found_for_others_and_downloadable_for_named_members(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Roster")
    named = join(community, make_verified_member(email="medic@county.gov"))
    chosen = join(community, make_verified_member())
    other = join(community, make_verified_member())
    client.force_login(member)

    response = client.post(
        access_url(document), {"action": "limit", "emails": "MEDIC@county.gov", "members": [chosen.pk]}
    )

    assert response.status_code == 302
    readers = readers_section(client.get(access_url(document)).content.decode())
    assert "medic@county.gov" in readers
    assert chosen.email in readers
    assert member.email in readers
    assert other.email not in readers
    for reader in (named, chosen):
        client.force_login(reader)
        assert client.get(document_url(document)).status_code == 200
        assert downloaded(client.get(download_url(document))) == PDF
    client.force_login(other)
    assert client.get(document_url(document)).status_code == 404
    assert client.get(download_url(document)).status_code == 404
    assert "Roster" not in client.get(index_url(community)).content.decode()


def test_a_document_limited_to_a_group_is_seen_by_that_groups_members_only(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Roster")
    moderator = join(community, make_verified_member(), Role.MODERATOR)
    other = join(community, make_verified_member())
    client.force_login(member)

    client.post(access_url(document), {"action": "limit", "groups": [community.moderator_group_id]})

    client.force_login(moderator)
    assert client.get(download_url(document)).status_code == 200
    client.force_login(other)
    assert client.get(download_url(document)).status_code == 404


def test_lifting_the_limit_lets_the_community_see_the_document_again(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community)
    other = join(community, make_verified_member())
    services.document_restrict(document=document, actor=member, members=[member])
    client.force_login(other)
    assert client.get(document_url(document)).status_code == 404

    client.force_login(member)
    client.post(access_url(document), {"action": "lift"})

    client.force_login(other)
    assert client.get(document_url(document)).status_code == 200


def test_the_limit_form_names_unknown_addresses_and_keeps_what_was_typed(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community)
    client.force_login(member)

    unknown = client.post(access_url(document), {"action": "limit", "emails": "nobody@nowhere.gov"})
    empty = client.post(access_url(document), {"action": "limit"})

    assert "No member we can find has the e-mail nobody@nowhere.gov" in unknown.content.decode()
    assert "nobody@nowhere.gov</textarea>" in unknown.content.decode()
    assert "Name at least one member or group" in empty.content.decode()
    assert not Document.objects.get().is_restricted


def test_only_the_author_or_a_moderator_may_limit_access_or_add_versions(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community)
    other = join(community, make_verified_member())
    moderator = join(community, make_verified_member(), Role.MODERATOR)

    client.force_login(other)
    page = client.get(document_url(document)).content.decode()
    assert version_url(document) not in page
    assert access_url(document) not in page
    assert client.get(version_url(document)).status_code == 403
    assert client.post(access_url(document), {"action": "lift"}).status_code == 403
    assert client.post(access_url(document), {"action": "limit", "members": [other.pk]}).status_code == 403
    assert not Document.objects.get().is_restricted

    for editor in (member, moderator):
        client.force_login(editor)
        page = client.get(document_url(document)).content.decode()
        assert version_url(document) in page
        assert access_url(document) in page
        assert client.get(version_url(document)).status_code == 200
        assert client.get(access_url(document)).status_code == 200


def test_a_document_of_a_private_community_is_not_found_outside_it(client: Client, owner: Member) -> None:
    private = make_community(owner, "port", visibility=Community.Visibility.PRIVATE)
    document = upload(owner, private)
    client.force_login(make_verified_member())

    assert client.get(index_url(private)).status_code == 404
    assert client.get(document_url(document)).status_code == 404
    assert client.get(download_url(document)).status_code == 404

    client.force_login(join(private, make_verified_member()))
    assert client.get(index_url(private)).status_code == 200
    assert client.get(download_url(document)).status_code == 200


def test_a_restricted_communitys_library_and_links_are_for_its_members(client: Client, owner: Member) -> None:
    restricted = make_community(owner, "port", visibility=Community.Visibility.RESTRICTED)
    document = upload(owner, restricted)
    client.force_login(make_verified_member())

    assert client.get(index_url(restricted)).status_code == 403
    assert client.get(links_url(restricted)).status_code == 403
    assert client.get(document_url(document)).status_code == 404

    client.force_login(join(restricted, make_verified_member()))
    assert client.get(index_url(restricted)).status_code == 200
    assert client.get(links_url(restricted)).status_code == 200
    assert client.get(document_url(document)).status_code == 200


def test_a_document_of_another_community_is_not_found_at_this_communitys_address(
    client: Client, owner: Member, community: Community, member: Member
) -> None:
    other = make_community(owner, "fire")
    document = upload(owner, other)
    client.force_login(member)
    wrong = reverse("library:download", kwargs={"slug": community.slug, "pk": document.pk, "number": 1})

    assert client.get(wrong).status_code == 404
    assert client.get(download_url(document)).status_code == 200


# --- Versions -------------------------------------------------------------------------------


def test_a_new_version_is_listed_and_the_old_one_still_downloads(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, name="plan.pdf")
    client.force_login(member)
    second = PDF + b"%revised\n"

    response = client.post(
        version_url(document), {"file": SimpleUploadedFile("plan-v2.pdf", second), "comment": "New shelter list"}
    )

    assert response.status_code == 302
    page = client.get(document_url(document)).content.decode()
    assert "plan-v2.pdf" in page
    assert "plan.pdf" in page
    assert "New shelter list" in page
    assert page.index("plan-v2.pdf") < page.index("plan.pdf<")
    assert downloaded(client.get(download_url(document, 1))) == PDF
    latest = client.get(download_url(document, 2))
    assert latest["Content-Disposition"] == 'attachment; filename="plan-v2.pdf"'
    assert downloaded(latest) == second
    assert client.get(download_url(document, 3)).status_code == 404


def test_a_bad_new_version_re_shows_the_form_with_the_error_and_the_comment(
    client: Client, community: Community, member: Member, settings: Any
) -> None:
    document = upload(member, community)
    client.force_login(member)
    files_before = stored_files(settings)

    response = client.post(
        version_url(document), {"file": SimpleUploadedFile("plan.pdf", EXECUTABLE), "comment": "Revised roster"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "not an allowed type" in body
    assert 'value="Revised roster"' in body
    assert "choose the file again" in body
    assert document.versions.count() == 1
    assert stored_files(settings) == files_before


# --- Links -------------------------------------------------------------------------------------


def test_a_member_shares_a_link_and_sharing_it_again_redirects_to_the_existing_one(
    client: Client, community: Community, member: Member
) -> None:
    client.force_login(member)
    form = {"url": "https://www.Ready.gov/plan#top", "title": "Ready.gov plan", "marking": marking().pk}

    first = client.post(share_url(community), {**form, "description": "Family plans", "tags": "preparedness"})
    again = client.post(share_url(community), {**form, "url": "https://www.ready.gov/plan", "title": "Again"})

    bookmark = Bookmark.objects.get()
    assert first["Location"] == f"{links_url(community)}#bookmark-{bookmark.pk}"
    assert again.status_code == 302
    assert again["Location"] == f"{links_url(community)}#bookmark-{bookmark.pk}"
    page = client.get(again["Location"]).content.decode()
    assert "Already shared" in page
    assert "Ready.gov plan" in page
    assert "Family plans" in page
    assert 'href="https://www.Ready.gov/plan#top" rel="noopener noreferrer nofollow"' in page
    assert bookmark.title == "Ready.gov plan"


def test_sharing_a_link_listed_on_a_later_page_redirects_to_that_page(
    client: Client, community: Community, member: Member
) -> None:
    old = share_link(member, community, "https://example.gov/old", "Old")
    for i in range(25):
        share_link(member, community, f"https://example.gov/{i}", f"Link {i}")
    client.force_login(member)

    again = client.post(share_url(community), {"url": "https://example.gov/old", "title": "x", "marking": marking().pk})

    assert again["Location"] == f"{links_url(community)}?page=2#bookmark-{old.pk}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "starting with http:// or https://"),
        ("htp//ready.gov", "starting with http:// or https://"),
        ("", "Enter the link&#x27;s web address."),
    ],
    ids=["script", "broken", "empty"],
)
def test_a_broken_link_re_shows_the_share_form_with_the_error_and_the_typed_title(
    client: Client, community: Community, member: Member, url: str, message: str
) -> None:
    client.force_login(member)

    response = client.post(
        share_url(community),
        {"url": url, "title": "Evacuation maps", "description": "Zones A-C", "marking": marking().pk},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'value="Evacuation maps"' in body
    assert "Zones A-C</textarea>" in body
    assert not Bookmark.objects.exists()


def test_a_link_shared_under_a_marking_the_member_may_not_see_is_not_revealed(
    client: Client, community: Community, member: Member
) -> None:
    cleared = join(community, make_verified_member(markings=["fouo"]))
    share_link(cleared, community, "https://example.gov/port", "Port access codes", "fouo")
    client.force_login(member)

    response = client.post(
        share_url(community), {"url": "https://example.gov/port", "title": "Port", "marking": marking().pk}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "already shared in this community" in body
    assert "Port access codes" not in body
    assert "Port access codes" not in client.get(links_url(community)).content.decode()

    client.force_login(cleared)
    page = client.get(links_url(community)).content.decode()
    assert "Port access codes" in page
    assert banners(page, "fouo") == 2


def test_only_members_may_share_links(client: Client, community: Community, member: Member) -> None:
    client.force_login(make_verified_member())
    form = {"url": "https://example.gov/", "title": "Example", "marking": marking().pk}

    assert "Join the community" in client.get(links_url(community)).content.decode()
    assert client.post(share_url(community), form).status_code == 200
    assert not Bookmark.objects.exists()

    client.force_login(member)
    assert client.post(share_url(community), form).status_code == 302
    assert Bookmark.objects.exists()


# --- Saved items ---------------------------------------------------------------------------------


def test_a_member_saves_a_document_and_a_link_then_removes_one(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Triage protocol")
    bookmark = share_link(member, community, "https://example.gov/maps", "Evacuation maps")
    client.force_login(member)

    page = client.get(document_url(document)).content.decode()
    assert reverse("saved:save") in page
    saved_document = save(client, "library.document", document.pk, document_url(document))
    save(client, "library.bookmark", bookmark.pk, f"{links_url(community)}#bookmark-{bookmark.pk}")

    assert saved_document["Location"] == document_url(document)
    saved_page = client.get(reverse("saved:list")).content.decode()
    assert "Triage protocol" in saved_page
    assert "Evacuation maps" in saved_page
    assert f'href="{document_url(document)}"' in saved_page
    saved = SavedItem.objects.get(label="Triage protocol")
    assert reverse("saved:unsave", kwargs={"pk": saved.pk}) in client.get(document_url(document)).content.decode()

    removed = client.post(reverse("saved:unsave", kwargs={"pk": saved.pk}), {"next": document_url(document)})

    assert removed["Location"] == document_url(document)
    saved_page = client.get(reverse("saved:list")).content.decode()
    assert "Triage protocol" not in saved_page
    assert "Evacuation maps" in saved_page


def test_saving_the_same_item_twice_keeps_one_saved_item(client: Client, community: Community, member: Member) -> None:
    document = upload(member, community)
    client.force_login(member)

    save(client, "library.document", document.pk, document_url(document))
    save(client, "library.document", document.pk, document_url(document))

    assert SavedItem.objects.count() == 1


def test_an_item_the_member_may_not_see_cannot_be_saved(client: Client, community: Community, member: Member) -> None:
    cleared = join(community, make_verified_member(markings=["fouo"]))
    secret = upload(cleared, community, title="Port security plan", marking_slug="fouo")
    client.force_login(member)

    assert save(client, "library.document", secret.pk, "/anywhere/").status_code == 404
    assert save(client, "auth.user", member.pk, "/anywhere/").status_code == 404
    assert save(client, "library.nothing", 1, "/anywhere/").status_code == 404
    assert not SavedItem.objects.exists()

    client.force_login(cleared)
    assert save(client, "library.document", secret.pk, document_url(secret)).status_code == 302
    assert SavedItem.objects.filter(member=cleared).exists()


def test_saving_refuses_a_return_address_on_another_site(client: Client, community: Community, member: Member) -> None:
    document = upload(member, community)
    client.force_login(member)

    for address in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert save(client, "library.document", document.pk, address).status_code == 400
    assert not SavedItem.objects.exists()


def test_a_saved_item_is_hidden_when_its_item_becomes_invisible_and_back_when_visible_again(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Triage protocol")
    reader = join(community, make_verified_member())
    client.force_login(reader)
    save(client, "library.document", document.pk, document_url(document))
    assert "Triage protocol" in client.get(reverse("saved:list")).content.decode()

    services.document_restrict(document=document, actor=member, members=[member])

    assert "Triage protocol" not in client.get(reverse("saved:list")).content.decode()
    services.document_unrestrict(document=document, actor=member)
    assert "Triage protocol" in client.get(reverse("saved:list")).content.decode()


def test_saved_items_are_personal_and_someone_elses_cannot_be_removed(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Triage protocol")
    saved = saved_services.item_save(member=member, item=document, url=document_url(document))
    other = join(community, make_verified_member())
    client.force_login(other)

    assert "Triage protocol" not in client.get(reverse("saved:list")).content.decode()
    assert client.post(reverse("saved:unsave", kwargs={"pk": saved.pk})).status_code == 404
    assert SavedItem.objects.filter(pk=saved.pk).exists()

    client.force_login(member)
    assert client.post(reverse("saved:unsave", kwargs={"pk": saved.pk})).status_code == 302
    assert not SavedItem.objects.filter(pk=saved.pk).exists()


def test_the_saved_items_page_carries_the_highest_marking_of_what_it_shows(
    client: Client, community: Community
) -> None:
    cleared = join(community, make_verified_member(markings=["fouo"]))
    secret = upload(cleared, community, title="Port security plan", marking_slug="fouo")
    plain = upload(cleared, community, title="Public map")
    client.force_login(cleared)
    save(client, "library.document", plain.pk, document_url(plain))
    assert banners(client.get(reverse("saved:list")).content.decode(), "fouo") == 0

    save(client, "library.document", secret.pk, document_url(secret))

    assert banners(client.get(reverse("saved:list")).content.decode(), "fouo") == 2


# --- Library list and the feed ---------------------------------------------------------------------


def test_the_library_lists_documents_newest_first_and_filters_by_tag(
    client: Client, community: Community, member: Member
) -> None:
    upload(member, community, title="Older hurricane plan", tags=("hurricanes",))
    upload(member, community, title="Newer flood map", tags=("floods",))
    client.force_login(member)

    everything = client.get(index_url(community)).content.decode()
    floods = client.get(index_url(community), {"tag": "floods"}).content.decode()

    assert everything.index("Newer flood map") < everything.index("Older hurricane plan")
    assert "Newer flood map" in floods
    assert "Older hurricane plan" not in floods
    assert "Show all documents" in floods


def test_uploads_and_shared_links_join_the_community_feed(client: Client, community: Community, member: Member) -> None:
    client.force_login(member)
    client.post(upload_url(community), upload_form("Triage protocol", SimpleUploadedFile("protocol.pdf", PDF)))
    client.post(
        share_url(community), {"url": "https://example.gov/maps", "title": "Evacuation maps", "marking": marking().pk}
    )
    document = Document.objects.get()

    page = client.get(reverse("communities:detail", kwargs={"slug": community.slug})).content.decode()

    assert f'<a href="{document_url(document)}">Triage protocol</a>' in page
    assert "Evacuation maps" in page


def test_the_feed_hides_a_limited_document_from_members_left_out(
    client: Client, community: Community, member: Member
) -> None:
    document = upload(member, community, title="Roster")
    other = join(community, make_verified_member())
    client.force_login(other)
    community_page = reverse("communities:detail", kwargs={"slug": community.slug})
    assert "Roster" in client.get(community_page).content.decode()

    services.document_restrict(document=document, actor=member, members=[member])

    assert "Roster" not in client.get(community_page).content.decode()
    client.force_login(member)
    assert "Roster" in client.get(community_page).content.decode()


# --- Constant queries ------------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, url: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """The page's query count with one row, then again after adding 49 more (after a warm-up request)."""
    queries_for(client, url)
    one = queries_for(client, url)
    add_rows(49)
    return one, queries_for(client, url)


def test_the_library_index_runs_the_same_queries_for_one_and_fifty_documents(
    client: Client, community: Community
) -> None:
    reader = join(community, make_verified_member(markings=["fouo"]))
    author = join(community, make_verified_member(markings=["fouo"]))
    upload(author, community, title="First", tags=("hurricanes",))

    def add(count: int) -> None:
        for i in range(count):
            document = upload(
                author,
                community,
                title=f"Document {i}",
                marking_slug="fouo" if i % 3 == 0 else "unmarked",
                tags=("hurricanes", f"tag-{i % 5}"),
            )
            if i % 4 == 0:
                services.document_add_version(document=document, author=author, file=SimpleUploadedFile("v2.pdf", PDF))
            if i % 7 == 0:
                services.document_restrict(document=document, actor=author, members=[reader])

    client.force_login(reader)

    one, fifty = counts_at_one_and_fifty(client, index_url(community), add)

    assert one == fifty
    page = client.get(index_url(community)).content.decode()
    assert page.count('class="marking-tag marking-fouo"') > 0
    assert queries_for(client, index_url(community) + "?tag=hurricanes&page=2") == fifty


def test_the_links_page_runs_the_same_queries_for_one_and_fifty_links(client: Client, community: Community) -> None:
    reader = join(community, make_verified_member(markings=["fouo"]))
    share_link(reader, community, "https://example.gov/first", "First")

    def add(count: int) -> None:
        for i in range(count):
            bookmark, _ = services.bookmark_share(
                author=reader,
                community=community,
                url=f"https://example.gov/{i}",
                title=f"Link {i}",
                marking=marking("fouo" if i % 3 == 0 else "unmarked"),
                tags=[f"tag-{i % 4}"],
            )
            if i % 2:
                saved_services.item_save(member=reader, item=bookmark, url="/x/")

    client.force_login(reader)

    one, fifty = counts_at_one_and_fifty(client, links_url(community), add)

    assert one == fifty


def test_the_saved_items_page_runs_the_same_queries_for_one_and_fifty_items(
    client: Client, community: Community
) -> None:
    reader = join(community, make_verified_member(markings=["fouo"]))
    first = upload(reader, community, title="First")
    saved_services.item_save(member=reader, item=first, url="/x/")

    def add(count: int) -> None:
        for i in range(count):
            item: Document | Bookmark
            if i % 2:
                item = upload(reader, community, title=f"Document {i}", marking_slug="fouo" if i % 3 else "unmarked")
            else:
                item = share_link(reader, community, f"https://example.gov/{i}", f"Link {i}")
            saved_services.item_save(member=reader, item=item, url="/x/")

    client.force_login(reader)

    one, fifty = counts_at_one_and_fifty(client, reverse("saved:list"), add)

    assert one == fifty


def test_the_community_page_links_to_the_library_and_links_only_for_those_who_may_see_its_content(
    client: Client, owner: Member
) -> None:
    restricted = make_community(owner, "port", visibility=Community.Visibility.RESTRICTED)
    community_page = reverse("communities:detail", kwargs={"slug": restricted.slug})
    client.force_login(make_verified_member())

    outside = client.get(community_page).content.decode()

    assert index_url(restricted) not in outside
    assert links_url(restricted) not in outside
    client.force_login(join(restricted, make_verified_member()))
    inside = client.get(community_page).content.decode()
    assert index_url(restricted) in inside
    assert links_url(restricted) in inside


def test_the_version_and_limit_pages_of_a_marked_document_are_audited_views(
    client: Client, community: Community
) -> None:
    author = join(community, make_verified_member(markings=["fouo"]))
    document = upload(author, community, marking_slug="fouo")
    client.force_login(author)

    for url in (version_url(document), access_url(document)):
        page = client.get(url).content.decode()
        assert banners(page, "fouo") == 2

    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=author).count() == 2
