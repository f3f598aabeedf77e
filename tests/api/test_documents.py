"""Documents through the API: a document's facts and versions, and a version's file streamed with exactly the
download page's checks. Out of sight (a private community, a marking above the member's clearance or the
token's ceiling, a limit to named members) is 404 and nothing of it shows; viewing and downloading a marked
document are audited with the token; a token without ``read`` gets 403 ``scope_missing``."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community
from communities.services import community_create, membership_set_role
from library import services
from library.models import Document
from tests.api.conftest import ApiClient, api_as, make_token
from tests.library.test_services import PDF
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="EMS", slug="ems", marking=marking())


def join(community: Community, member: Member) -> Member:
    membership_set_role(community=community, member=member, role="member")
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def member(community: Community) -> Member:
    return join(community, make_verified_member(first_name="Lee", last_name="Park"))


def upload(author: Member, community: Community, *, marking_slug: str = "unmarked", content: bytes = PDF) -> Document:
    return services.document_upload(
        author=author,
        community=community,
        title="Triage protocol",
        description="Start triage at the door.",
        file=SimpleUploadedFile("protocol.pdf", content),
        marking=marking(marking_slug),
        tags=["triage"],
    )


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def detail_url(document: Document) -> str:
    return f"/api/v1/documents/{document.pk}/"


def download_url(document: Document, number: int = 1) -> str:
    return f"/api/v1/documents/{document.pk}/versions/{number}/download/"


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_member_reads_a_documents_facts_and_versions_newest_first(
    owner: Member, member: Member, community: Community
) -> None:
    document = upload(owner, community)
    services.document_add_version(
        document=document, author=owner, file=SimpleUploadedFile("protocol-v2.pdf", PDF + b"%v2\n"), comment="Fixes"
    )

    response = api_as(member, scopes=["read"]).get(detail_url(document))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["tags"]) == (
        "Triage protocol",
        "Start triage at the door.",
        ["triage"],
    )
    assert (body["community"]["slug"], body["marking"]["slug"]) == ("ems", "unmarked")
    versions = body["versions"]
    assert [(v["number"], v["file_name"], v["size"], v["content_type"]) for v in versions] == [
        (2, "protocol-v2.pdf", len(PDF) + 4, "application/pdf"),
        (1, "protocol.pdf", len(PDF), "application/pdf"),
    ]
    assert versions[0]["comment"] == "Fixes"
    assert versions[1]["download_url"] == f"http://testserver{download_url(document)}"
    assert versions[1]["uploaded_at"]


def test_a_member_downloads_a_version_as_an_attachment_whatever_the_client_accepts(
    owner: Member, member: Member, community: Community
) -> None:
    document = upload(owner, community)
    client = api_as(member, scopes=["read"])

    response = client.get(download_url(document), Accept="application/pdf")

    assert response.status_code == 200
    assert streamed(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="protocol.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_fouo_document_read_and_downloaded_through_a_token_is_audited_with_the_token(
    owner: Member, community: Community
) -> None:
    cleared = join(community, make_verified_member(markings=["fouo"]))
    document = upload(owner, community, marking_slug="fouo")
    token, secret = make_token(cleared, ["read"])
    client = ApiClient(secret)

    read = client.get(detail_url(document))
    downloaded = client.get(download_url(document))

    assert (read.status_code, downloaded.status_code) == (200, 200)
    assert streamed(downloaded) == PDF
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED, target_id=str(document.pk))
    fetched = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOADED_MARKED, target_id=str(document.pk))
    assert (viewed.actor, viewed.detail["token"]) == (cleared, token.pk)
    assert (fetched.actor, fetched.detail["token"], fetched.marking) == (cleared, token.pk, "fouo")


def test_a_document_out_of_sight_is_404_for_its_facts_and_its_file_and_the_refusal_is_audited(
    owner: Member, member: Member, community: Community
) -> None:
    fouo = upload(owner, community, marking_slug="fouo")
    limited = upload(owner, community)
    services.document_restrict(document=limited, actor=owner, members=[owner])
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    hidden = upload(owner, private)
    cleared = join(community, make_verified_member(markings=["fouo"]))
    capped = api_as(cleared, ceiling="unmarked")
    client = api_as(member)
    denials = AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED).count()

    answers = [
        *(
            client.get(url)
            for document in (fouo, limited, hidden)
            for url in (detail_url(document), download_url(document))
        ),
        capped.get(detail_url(fouo)),
        capped.get(download_url(fouo)),
        client.get("/api/v1/documents/999999/"),
    ]

    assert [(r.status_code, error_code(r)) for r in answers] == [(404, "not_found")] * 9
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED).count() == denials + 8
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.VIEWED_MARKED, AuditEvent.Action.DOWNLOADED_MARKED]
    ).exists()


def test_a_missing_version_or_a_missing_file_is_404(owner: Member, member: Member, community: Community) -> None:
    document = upload(owner, community)
    client = api_as(member)
    no_version = client.get(download_url(document, number=2))
    Path(document.versions.get(number=1).file.path).unlink()

    no_file = client.get(download_url(document))

    assert [(r.status_code, error_code(r)) for r in (no_version, no_file)] == [(404, "not_found")] * 2


def test_a_token_without_the_read_scope_reads_and_downloads_nothing(
    owner: Member, member: Member, community: Community
) -> None:
    document = upload(owner, community, marking_slug="unmarked")
    client = api_as(member, scopes=["chat", "write"])

    answers = [client.get(detail_url(document)), client.get(download_url(document))]

    assert [(r.status_code, error_code(r)) for r in answers] == [(403, "scope_missing")] * 2
