"""The words inside an uploaded document are read once, after the upload commits, for search: PDF, Word,
plain text and Markdown; a damaged file gives no text and never fails its upload; each version keeps its own."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument
from weasyprint import HTML  # type: ignore[import-untyped]

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from library import services
from library.models import Document, DocumentVersion
from library.tasks import extract_version_text
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def community() -> Community:
    owner = make_verified_member()
    return community_create(creator=owner, name="EMS", slug="ems", marking=Marking.objects.get(slug="unmarked"))


@pytest.fixture
def member(community: Community) -> Member:
    member = make_verified_member()
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return Member.objects.get(pk=member.pk)


def pdf(text: str) -> bytes:
    return bytes(HTML(string=f"<p>{text}</p>").write_pdf())


def word(paragraph: str, cell: str) -> bytes:
    document = WordDocument()
    document.add_paragraph(paragraph)
    document.add_table(rows=1, cols=1).rows[0].cells[0].text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def share(member: Member, community: Community, name: str, content: bytes, capture: Capture) -> DocumentVersion:
    with capture(execute=True):
        document = services.document_upload(
            author=member,
            community=community,
            title="Shelter plan",
            file=SimpleUploadedFile(name, content),
            marking=Marking.objects.get(slug="unmarked"),
        )
    return DocumentVersion.objects.get(document=document, number=1)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("plan.pdf", pdf("Sandbag inventory for Galveston Island"), "Sandbag inventory for Galveston Island"),
        ("plan.docx", word("Generator fuel rotation", "Pier 7 staging"), "Generator fuel rotation\nPier 7 staging"),
        ("plan.txt", b"Water, radios, cots.\n", "Water, radios, cots."),
        (
            "plan.md",
            "# Shelters\n\nCots: **200**, caf\u00e9 open".encode(),
            "# Shelters\n\nCots: **200**, caf\u00e9 open",
        ),
    ],
)
def test_the_text_inside_a_pdf_word_text_or_markdown_upload_is_read_once_it_commits(
    member: Member,
    community: Community,
    django_capture_on_commit_callbacks: Capture,
    name: str,
    content: bytes,
    words: str,
) -> None:
    version = share(member, community, name, content, django_capture_on_commit_callbacks)

    assert version.text_extracted_at is not None
    assert version.text == words


def test_a_damaged_pdf_is_shared_with_no_text_and_an_image_has_none_to_read(
    member: Member, community: Community, django_capture_on_commit_callbacks: Capture
) -> None:
    damaged = share(
        member,
        community,
        "broken.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n\xff\xfe",
        django_capture_on_commit_callbacks,
    )
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    image = share(member, community, "map.png", png, django_capture_on_commit_callbacks)

    assert Document.objects.filter(pk=damaged.document_id).exists()
    assert (damaged.text, image.text) == ("", "")
    assert damaged.text_extracted_at is not None


def test_each_version_keeps_its_own_text_and_reading_again_changes_nothing(
    member: Member, community: Community, django_capture_on_commit_callbacks: Capture
) -> None:
    first = share(member, community, "plan.txt", b"Cots in the gym.\n", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_add_version(
            document=first.document, author=member, file=SimpleUploadedFile("plan.txt", b"Cots in the church hall.\n")
        )
    read_at = DocumentVersion.objects.get(pk=second.pk).text_extracted_at

    extract_version_text(second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, second.text) == ("Cots in the gym.", "Cots in the church hall.")
    assert second.text_extracted_at == read_at


def test_the_text_is_read_only_after_the_upload_commits(
    member: Member, community: Community, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.document_upload(
            author=member,
            community=community,
            title="Shelter plan",
            file=SimpleUploadedFile("plan.txt", b"Cots.\n"),
            marking=Marking.objects.get(slug="unmarked"),
        )
    version = DocumentVersion.objects.get()

    assert version.text_extracted_at is None  # nothing read inside the upload's transaction
    for callback in callbacks:
        callback()
    version.refresh_from_db()
    assert version.text == "Cots."  # read once the upload committed
