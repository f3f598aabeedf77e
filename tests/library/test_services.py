"""Library services: uploads judged by content, scanned, stored under random names, never half-written."""

import io
import socket
import socketserver
import struct
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from library import services
from library.models import Bookmark, Document, DocumentVersion, QuarantinedUpload
from saved import selectors as saved_selectors
from saved import services as saved_services
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def community() -> Community:
    owner = make_verified_member()
    return community_create(creator=owner, name="EMS", slug="ems", marking=Marking.objects.get(slug="unmarked"))


@pytest.fixture
def member(community: Community) -> Member:
    member = make_verified_member()
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return Member.objects.get(pk=member.pk)


def share(member: Member, community: Community, file: SimpleUploadedFile, title: str = "Triage protocol") -> Document:
    unmarked = Marking.objects.get(slug="unmarked")
    return services.document_upload(author=member, community=community, title=title, file=file, marking=unmarked)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [("protocol.pdf", PDF), ("plan.docx", docx_bytes()), ("roster.csv", b"name,unit\nLee,Medic 4\n")],
)
def test_allowed_documents_are_stored_under_random_names_with_their_facts(
    member: Member, community: Community, settings, name: str, content: bytes
) -> None:
    document = share(member, community, upload(name, content))

    version = document.versions.get()
    assert version.original_name == name
    assert name not in version.file.name
    assert version.size == len(content)
    assert version.scan_status == DocumentVersion.ScanStatus.NOT_SCANNED
    assert Path(version.file.path).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "not an allowed type"),
        ("notes.txt", PDF, "Rename it"),
        ("empty.txt", b"", "empty"),
    ],
    ids=["renamed-executable", "wrong-extension", "empty"],
)
def test_bad_files_are_refused_with_a_reason_and_leave_nothing_behind(
    member: Member, community: Community, settings, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        share(member, community, upload(name, content))

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_path_in_a_file_name_never_reaches_the_disk(member: Member, community: Community, settings) -> None:
    document = share(member, community, upload("../../etc/cron.d/notes.txt", b"hello"))

    version = document.versions.get()
    assert version.original_name == "notes.txt"
    assert Path(version.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "documents")


def test_an_oversize_file_is_refused(member: Member, community: Community, settings) -> None:
    settings.MUSTER_UPLOAD_MAX_BYTES = 1024

    with pytest.raises(ValidationError, match="larger than"):
        share(member, community, upload("big.txt", b"a" * 2048))

    assert not Document.objects.exists()


def test_a_failure_after_the_file_is_written_leaves_no_record_and_no_file(
    member: Member, community: Community, settings, monkeypatch
) -> None:
    def broken_feed(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "activity_record", broken_feed)

    with pytest.raises(RuntimeError):
        share(member, community, upload("protocol.pdf", PDF))

    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert stored_files(settings) == []


def test_two_uploads_with_the_same_name_never_collide(member: Member, community: Community) -> None:
    first = share(member, community, upload("plan.pdf", PDF), title="Plan A").versions.get()
    second = share(member, community, upload("plan.pdf", PDF + b"%v2"), title="Plan B").versions.get()

    assert first.file.name != second.file.name
    assert Path(first.file.path).read_bytes() == PDF


def test_a_new_version_keeps_the_old_ones_and_only_author_or_moderator_adds_it(
    member: Member, community: Community
) -> None:
    document = share(member, community, upload("plan.pdf", PDF))
    stranger = make_verified_member()
    membership_set_role(community=community, member=stranger, role=Role.MEMBER)

    with pytest.raises(PermissionDenied):
        services.document_add_version(
            document=document, author=Member.objects.get(pk=stranger.pk), file=upload("plan.pdf", PDF + b"x")
        )
    services.document_add_version(document=document, author=member, file=upload("plan.pdf", PDF + b"%v2"))

    assert list(document.versions.values_list("number", flat=True)) == [2, 1]


def test_a_document_limited_to_named_members_is_hidden_from_everyone_else(member: Member, community: Community) -> None:
    document = share(member, community, upload("roster.pdf", PDF))
    named = make_verified_member()
    other = make_verified_member()

    services.document_restrict(document=document, actor=member, members=[named])

    assert policy.can_view(named, document)
    assert policy.can_view(member, document)
    assert not policy.can_view(other, document)


class FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM protocol on loopback and finds the EICAR test string."""

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        data = b""
        while True:
            (length,) = struct.unpack("!L", self._exactly(4))
            if length == 0:
                break
            data += self._exactly(length)
        verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(verdict)

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            data += self.request.recv(size - len(data))
        return data


@pytest.fixture
def clamd(settings) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MUSTER_CLAMAV_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    yield settings.MUSTER_CLAMAV_ADDRESS
    server.shutdown()
    server.server_close()


def test_with_a_scanner_clean_files_are_marked_clean_and_infected_ones_quarantined(
    member: Member, community: Community, clamd: str, settings
) -> None:
    clean = share(member, community, upload("notes.txt", b"Shelter at the high school."))

    with pytest.raises(ValidationError, match="quarantined"):
        share(member, community, upload("eicar.txt", EICAR), title="Suspicious")

    assert clean.versions.get().scan_status == DocumentVersion.ScanStatus.CLEAN
    quarantined = QuarantinedUpload.objects.get()
    assert quarantined.detail == "Eicar-Test-Signature FOUND"
    assert Document.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD_QUARANTINED).exists()
    assert any("quarantine" in str(path) for path in stored_files(settings))


def test_an_unreachable_scanner_refuses_the_upload_rather_than_let_it_through(
    member: Member, community: Community, settings
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.MUSTER_CLAMAV_ADDRESS = f"127.0.0.1:{sock.getsockname()[1]}"

    with pytest.raises(ValidationError, match="not answering"):
        share(member, community, upload("notes.txt", b"hello"))

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_sharing_a_link_already_shared_points_to_the_existing_bookmark(member: Member, community: Community) -> None:
    unmarked = Marking.objects.get(slug="unmarked")
    first, created = services.bookmark_share(
        author=member, community=community, url="https://www.Ready.gov/plan#top", title="Ready", marking=unmarked
    )

    again, created_again = services.bookmark_share(
        author=member, community=community, url="https://www.ready.gov/plan", title="Ready again", marking=unmarked
    )

    assert (created, created_again) == (True, False)
    assert again == first
    assert Bookmark.objects.count() == 1
    with pytest.raises(ValidationError, match="http"):
        services.bookmark_share(
            author=member, community=community, url="javascript:alert(1)", title="x", marking=unmarked
        )


def test_saved_items_are_personal_and_vanish_when_the_item_is_no_longer_visible(
    member: Member, community: Community
) -> None:
    document = share(member, community, upload("plan.pdf", PDF))
    reader = make_verified_member()
    saved = saved_services.item_save(member=reader, item=document, url="/x/")

    assert list(saved_selectors.saved_items_of(reader)) == [saved]
    assert list(saved_selectors.saved_items_of(member)) == []
    services.document_restrict(document=document, actor=member, members=[member])
    assert list(saved_selectors.saved_items_of(Member.objects.get(pk=reader.pk))) == []


def test_a_new_limit_replaces_the_old_list_of_names(member: Member, community: Community) -> None:
    document = share(member, community, upload("roster.pdf", PDF))
    first, second = make_verified_member(), make_verified_member()
    services.document_restrict(document=document, actor=member, members=[first])

    services.document_restrict(document=document, actor=member, members=[second])

    assert not policy.can_view(Member.objects.get(pk=first.pk), document)
    assert policy.can_view(second, document)
    assert policy.can_view(member, document)
