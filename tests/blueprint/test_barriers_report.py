"""The barriers report: after the Congress opens, its delegates write it together (sections with revisions,
comments); a draft is theirs and the editors'; published, members read it and export it as a PDF with the
marking on every page."""

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from blueprint import services
from blueprint.models import BarriersReport, Congress, CongressRole, ReportStatus, SectionKind
from communities.models import ActivityEvent, Community
from muster.revisions import EditConflictError
from notices.follow import events_q, follow, preferences_of
from notices.models import Delivery, Level, Subscription
from subscriptions.services import send_digest
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


# --- Following, saving and tagging the report ---------------------------------------------------------------


def published_report(
    congress: Congress, delegate: Member, community: Community, slug: str = "unmarked"
) -> BarriersReport:
    report = start(congress, delegate, community, slug=slug)
    services.section_add(report=report, author=delegate, title="Liability shields", body="Volunteers fear lawsuits.")
    return services.report_publish(report=report, actor=delegate)


def followed_mail(member: Member) -> list[str]:
    """The member's next daily digest, as the worker sends it: the bodies of the mails that went out."""
    mail.outbox.clear()
    due = preferences_of(member).next_daily_at
    assert due is not None
    send_digest(
        fresh(member),
        list(Subscription.objects.filter(member=member)),
        Delivery.DAILY,
        now=due + timedelta(minutes=1),
        last_visit=None,
    )
    return [str(message.body) for message in mail.outbox]


def test_members_follow_the_report_from_its_page_and_hear_of_sections_revised_and_comments(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = published_report(congress, delegate, blueprint_community)
    member = joined(blueprint_community)
    client.force_login(member)

    page = client.get(report_url(congress)).content.decode()
    followed = client.post(
        reverse("subscriptions:follow"),
        {
            "target_type": "blueprint.barriersreport",
            "target_id": report.pk,
            "level": Level.WATCHING,
            "delivery": Delivery.DAILY,
            "next": report_url(congress),
        },
    )
    section = report.sections.get()
    services.section_edit(
        section=section, author=delegate, title="Liability shields", body="Volunteers fear suits.", base_number=1
    )
    services.report_comment(report=report, author=joined(blueprint_community), text="And donors too.")

    assert "Follow<span" in page
    assert f'value="{Level.WATCHING}" checked' in page  # the control offers what brings revisions and comments
    assert followed.status_code == 302
    events = ActivityEvent.objects.filter(events_q(Subscription.objects.filter(member=member), levels=[Level.WATCHING]))
    assert {(event.verb, event.target_id) for event in events} >= {
        (ActivityEvent.Verb.PUBLISHED, report.pk),
        (ActivityEvent.Verb.EDITED, report.pk),
        (ActivityEvent.Verb.REPLIED, report.pk),
    }
    digest = followed_mail(member)
    assert len(digest) == 1
    assert report.title in digest[0]
    assert Subscription.objects.filter(member=delegate, target_id=report.pk).exists()  # its starter follows it


def test_a_member_who_may_not_see_the_report_cannot_follow_it_and_hears_nothing_of_it(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = published_report(congress, delegate, blueprint_community, slug="fouo")
    uncleared = joined(blueprint_community)
    client.force_login(uncleared)

    refused = client.post(
        reverse("subscriptions:follow"),
        {
            "target_type": "blueprint.barriersreport",
            "target_id": report.pk,
            "level": "watching",
            "delivery": "daily",
            "next": report_url(congress),
        },
    )
    with pytest.raises(PermissionDenied):
        follow(member=uncleared, target=report, level=Level.WATCHING, delivery=Delivery.DAILY)
    # A subscription left from before (say, a clearance since withdrawn) brings nothing either.
    Subscription.objects.create(
        member=uncleared,
        target_type=ContentType.objects.get_for_model(BarriersReport),
        target_id=report.pk,
        level=Level.WATCHING,
        delivery=Delivery.DAILY,
    )
    services.report_comment(report=report, author=delegate, text=f"Comment {SENTINEL}")
    services.section_add(report=report, author=delegate, title=f"More {SENTINEL}", body="Text.")

    assert refused.status_code == 404
    assert not followed_mail(uncleared)
    # The allowed path: a cleared member following it hears of the same activity (withheld: it is marked).
    cleared = joined(blueprint_community, markings=("fouo",))
    follow(member=cleared, target=report, level=Level.WATCHING, delivery=Delivery.DAILY)
    services.report_comment(report=report, author=delegate, text="Another comment.")
    digest = followed_mail(cleared)
    assert len(digest) == 1
    assert SENTINEL not in digest[0]  # e-mail never carries a marked item's title
    assert "FOUO" in digest[0]


def test_a_draft_report_is_followed_only_by_those_it_is_restricted_to(
    congress: Congress, delegate: Member, alternate: Member, blueprint_community: Community
) -> None:
    report = start(congress, delegate, blueprint_community)

    with pytest.raises(PermissionDenied):
        follow(member=joined(blueprint_community), target=report, level=Level.WATCHING, delivery=Delivery.DAILY)
    assert follow(member=alternate, target=report, level=Level.WATCHING, delivery=Delivery.DAILY).target_id == report.pk


def test_members_save_the_report_and_its_writers_tag_it_from_its_page(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = published_report(congress, delegate, blueprint_community)
    member = joined(blueprint_community)
    client.force_login(member)

    member_page = client.get(report_url(congress)).content.decode()
    saved = client.post(
        reverse("saved:save"),
        {"item_type": "blueprint.barriersreport", "item_id": report.pk, "next": report_url(congress)},
    )
    refused = client.post(report_url(congress, "report_tags"), {"tags": "vandalism"})
    client.force_login(delegate)
    tagged = client.post(report_url(congress, "report_tags"), {"tags": "liability, legislation"})
    page = client.get(report_url(congress)).content.decode()
    client.force_login(member)
    tag_page = client.get(reverse("tags:tag", kwargs={"tag": "liability"})).content.decode()
    saved_list = client.get(reverse("saved:list")).content.decode()

    assert 'name="item_type" value="blueprint.barriersreport"' in member_page
    assert report_url(congress, "report_tags") not in member_page  # members read it, its writers tag it
    assert saved.status_code == 302
    assert report.title in saved_list
    assert refused.status_code == 400
    assert tagged.status_code == 302
    assert sorted(report.tags.names()) == ["legislation", "liability"]
    assert reverse("tags:tag", kwargs={"tag": "liability"}) in page
    assert report.title in tag_page


def test_a_marked_reports_tag_page_and_saved_item_stay_hidden_from_members_not_cleared(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    report = published_report(congress, delegate, blueprint_community, slug="fouo")
    services.report_tags_set(report=report, actor=delegate, tags=["liability"])
    uncleared = joined(blueprint_community)
    client.force_login(uncleared)

    saved = client.post(
        reverse("saved:save"),
        {"item_type": "blueprint.barriersreport", "item_id": report.pk, "next": report_url(congress)},
    )
    tag_page = client.get(reverse("tags:tag", kwargs={"tag": "liability"}))

    assert saved.status_code == 404
    assert SENTINEL not in tag_page.content.decode()
    client.force_login(joined(blueprint_community, markings=("fouo",)))
    assert SENTINEL in client.get(reverse("tags:tag", kwargs={"tag": "liability"})).content.decode()
