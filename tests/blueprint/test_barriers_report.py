"""The barriers report: after the Congress opens, its delegates write it together (sections with revisions,
comments); a draft is theirs and the editors'; published, members read it and export it as a PDF with the
marking on every page."""

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from blueprint import services
from blueprint.models import BarriersReport, Congress, CongressRole, ReportStatus, SectionKind
from communities.models import Community
from muster.revisions import EditConflictError
from tests.blueprint.conftest import SENTINEL, fresh, joined, marking
from tests.search.conftest import Searcher
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress(editor: Member) -> Congress:
    """A Congress that opened yesterday."""
    starts = timezone.localdate() - timedelta(days=1)
    return services.congress_create(
        actor=editor,
        year=2030,
        title="Congress 2030",
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        place="Washington, DC",
    )


@pytest.fixture
def delegate(congress: Congress, fouo_author: Member, editor: Member) -> Member:
    services.delegate_appoint(congress=congress, member=fouo_author, role=CongressRole.DELEGATE, actor=editor)
    return fresh(fouo_author)


@pytest.fixture
def alternate(congress: Congress, blueprint_community: Community, editor: Member) -> Member:
    member = joined(blueprint_community, markings=("fouo",))
    services.delegate_appoint(congress=congress, member=member, role=CongressRole.ALTERNATE, actor=editor)
    return fresh(member)


def start(congress: Congress, delegate: Member, community: Community, slug: str = "unmarked") -> BarriersReport:
    return services.report_start(
        congress=congress,
        author=delegate,
        community=community,
        marking=marking(slug),
        title=f"Barriers to preparedness {SENTINEL}",
    )


def report_url(congress: Congress, name: str = "report") -> str:
    return reverse(f"blueprint:{name}", kwargs={"year": congress.year})


def test_only_delegates_start_the_report_and_only_once_the_congress_has_opened(
    congress: Congress, delegate: Member, author: Member, blueprint_community: Community
) -> None:
    with pytest.raises(PermissionDenied):
        start(congress, author, blueprint_community)
    Congress.objects.filter(pk=congress.pk).update(
        starts_on=timezone.localdate() + timedelta(days=3), ends_on=timezone.localdate() + timedelta(days=4)
    )
    with pytest.raises(ValidationError, match="once the Congress has opened"):
        start(Congress.objects.get(pk=congress.pk), delegate, blueprint_community)


def test_delegates_write_sections_together_with_revisions_and_conflicts(
    congress: Congress, delegate: Member, alternate: Member, blueprint_community: Community
) -> None:
    report = start(congress, delegate, blueprint_community)
    section = services.section_add(
        report=report,
        author=delegate,
        title="Liability laws",
        body="Line one\nTwo\nThree\nLine four\n",
        kind=SectionKind.BARRIER,
    )
    services.section_edit(
        section=section,
        author=alternate,
        title="Liability laws",
        body="Line one!\nTwo\nThree\nLine four\n",
        base_number=1,
    )
    merged = services.section_edit(
        section=section,
        author=delegate,
        title="Liability laws",
        body="Line one\nTwo\nThree\nLine four!\n",
        base_number=1,
    )

    assert merged.number == 3
    assert merged.body == "Line one!\nTwo\nThree\nLine four!\n"
    with pytest.raises(EditConflictError):
        services.section_edit(
            section=section,
            author=alternate,
            title="Liability laws",
            body="Other\nTwo\nThree\nLine four\n",
            base_number=1,
        )


def test_a_draft_is_for_the_editions_delegates_and_editors_only(
    client: Client,
    congress: Congress,
    delegate: Member,
    alternate: Member,
    editor: Member,
    blueprint_community: Community,
) -> None:
    start(congress, delegate, blueprint_community)
    late = make_verified_member()
    services.delegate_appoint(congress=congress, member=late, role=CongressRole.ALTERNATE, actor=editor)

    for allowed in (alternate, editor, fresh(late)):
        client.force_login(allowed)
        assert client.get(report_url(congress)).status_code == 200
    client.force_login(joined(blueprint_community))
    assert client.get(report_url(congress)).status_code == 404
    assert SENTINEL not in client.get(reverse("blueprint:congress", kwargs={"year": congress.year})).content.decode()


def test_a_published_report_is_read_and_commented_by_members(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = start(congress, delegate, blueprint_community)
    with pytest.raises(ValidationError, match="at least one section"):
        services.report_publish(report=report, actor=delegate)
    services.section_add(
        report=report,
        author=delegate,
        title="Amend the Stafford Act",
        body="Let private partners …",
        kind=SectionKind.RECOMMENDATION,
    )
    services.report_publish(report=report, actor=delegate)
    member = joined(blueprint_community)
    client.force_login(member)

    page = client.get(report_url(congress))
    refused = client.post(report_url(congress, "report_comment"), {"text": ""})
    commented = client.post(report_url(congress, "report_comment"), {"text": "Add the Good Samaritan laws."})

    assert BarriersReport.objects.get().status == ReportStatus.PUBLISHED
    assert "Amend the Stafford Act" in page.content.decode()
    assert refused.status_code == 400
    assert commented.status_code == 302
    assert report.comments.get().author == member
    assert client.post(report_url(congress, "section_add"), {"title": "x", "kind": "barrier"}).status_code == 400


def test_a_marked_report_is_hidden_from_members_not_cleared_and_its_pdf_is_marked_on_every_page(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = start(congress, delegate, blueprint_community, slug="fouo")
    for n in range(40):
        services.section_add(report=report, author=delegate, title=f"Barrier {n}", body="Long text.\n\n" * 20)
    services.report_publish(report=report, actor=delegate)

    client.force_login(joined(blueprint_community))
    assert client.get(report_url(congress)).status_code == 404
    assert client.get(report_url(congress, "report_pdf")).status_code == 404

    client.force_login(joined(blueprint_community, markings=("fouo",)))
    response = client.get(report_url(congress, "report_pdf"))
    if response.status_code == 503:
        pytest.skip("WeasyPrint's system libraries are missing here")
    pages = PdfReader(BytesIO(response.content)).pages
    assert len(pages) > 1
    assert all("FOUO" in page.extract_text() for page in pages)


def test_an_edit_over_a_newer_revision_shows_both_versions_and_keeps_what_was_typed(
    client: Client, congress: Congress, delegate: Member, alternate: Member, blueprint_community: Community
) -> None:
    report = start(congress, delegate, blueprint_community)
    section = services.section_add(report=report, author=delegate, title="Culture", body="Stovepipes\n")
    services.section_edit(
        section=section, author=alternate, title="Culture", body="Stovepipes everywhere\n", base_number=1
    )
    client.force_login(delegate)

    response = client.post(
        reverse("blueprint:section_edit", kwargs={"year": congress.year, "pk": section.pk}),
        {"title": "Culture", "body": "Stovepipes in government\n", "base_number": 1},
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Stovepipes in government" in text
    assert "Stovepipes everywhere" in text
    assert "while you were editing" in text


def test_the_report_is_found_by_the_words_of_its_sections_by_those_who_may_read_it(
    congress: Congress,
    delegate: Member,
    blueprint_community: Community,
    editor: Member,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = start(congress, delegate, blueprint_community)
    with django_capture_on_commit_callbacks(execute=True):
        services.section_add(
            report=report, author=delegate, title="Liability shields", body="Volunteers fear lawsuits."
        )
    member = Searcher(joined(blueprint_community))

    assert Searcher(delegate).headings("lawsuits type:report") == [report.title]
    assert member.headings("lawsuits") == []  # a draft: the delegates' and editors' only
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(report=report, actor=delegate)
    assert member.headings("lawsuits") == [report.title]
    assert member.headings("shields") == [report.title]
