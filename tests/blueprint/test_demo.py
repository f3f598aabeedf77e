"""``seed_demo`` seeds the Blueprint from the seed texts: the five challenges, solutions on partnerships and
mutual aid, tools and a report linked to them, a Galveston and a Charleston case, one FOUO entry, and work
waiting for the editors; run twice, it adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blueprint.models import EditProposal, Entry, EntryLink, Kind, Status
from blueprint.selectors import gaps
from verification import policy
from verification.models import Member
from wiki.models import WikiPage

# ``seed_demo`` runs once for the module (``seeded_demo``); each test starts from the seeded world and runs
# it a second time to show that adds nothing.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def test_seed_demo_builds_a_linked_blueprint_with_one_marked_entry_and_work_for_the_editors(client: Client) -> None:
    first = (Entry.objects.count(), EntryLink.objects.count(), EditProposal.objects.count())
    call_command("seed_demo", stdout=StringIO())

    assert (Entry.objects.count(), EntryLink.objects.count(), EditProposal.objects.count()) == first
    challenges = set(Entry.objects.filter(kind=Kind.CHALLENGE).values_list("title", flat=True))
    assert {
        "Public sector resources stretched beyond capacity",
        "All-hazards preparedness communities cannot afford",
        "Working with special-needs individuals",
        "Managing spontaneous volunteers and donated materiel",
        "Responders diverted to mitigation and law enforcement",
    } == challenges
    assert Entry.objects.filter(kind=Kind.CASE, place__icontains="Galveston").exists()
    assert Entry.objects.filter(kind=Kind.CASE, place__icontains="Charleston").exists()
    assert Entry.objects.filter(kind=Kind.REPORT, links_out__isnull=False).exists()
    assert Entry.objects.filter(kind=Kind.TOOL, links_out__isnull=False).count() >= 2
    assert list(Entry.objects.exclude(marking__slug="unmarked").values_list("kind", flat=True)) == [Kind.TOOL]
    assert Entry.objects.filter(status=Status.PROPOSED).exists()
    assert EditProposal.objects.filter(status=Status.PROPOSED).exists()
    assert Entry.objects.filter(summary_public=True).exists()

    marcus = Member.objects.get(email="marcus.bell@charlestonfire.gov")  # not cleared for FOUO
    open_challenges, _ = gaps(marcus)
    assert "Working with special-needs individuals" in {entry.title for entry in open_challenges}
    roster = Entry.objects.exclude(marking__slug="unmarked").get()
    assert not policy.can_view(marcus, roster)
    assert (
        "Public sector resources stretched beyond capacity" in client.get(reverse("blueprint:index")).content.decode()
    )


def test_seed_demo_seeds_a_congress_with_delegates_alternates_and_ideas_at_each_state() -> None:
    from blueprint.models import Congress, CongressRole, Endorsement, Idea, IdeaStatus

    first = (Idea.objects.count(), Endorsement.objects.count(), Entry.objects.count())
    call_command("seed_demo", stdout=StringIO())

    assert (Idea.objects.count(), Endorsement.objects.count(), Entry.objects.count()) == first
    congress = Congress.objects.get(year=timezone.localdate().year + 1)  # next year's, taking ideas
    roles = set(congress.delegates.values_list("role", flat=True))
    assert roles == {CongressRole.DELEGATE, CongressRole.ALTERNATE}
    states = set(Idea.objects.values_list("status", flat=True))
    assert {IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.NOT_ACCEPTED, IdeaStatus.IN_BLUEPRINT} <= states
    drafted = Idea.objects.get(status=IdeaStatus.IN_BLUEPRINT)
    assert drafted.solution is not None
    assert drafted.solution.kind == Kind.SOLUTION
    assert Idea.objects.exclude(status_reason="").filter(status=IdeaStatus.NOT_ACCEPTED).exists()
    assert Endorsement.objects.exists()


def test_seed_demo_seeds_last_years_published_barriers_report() -> None:
    from blueprint.models import BarriersReport, ReportStatus, SectionKind

    call_command("seed_demo", stdout=StringIO())

    report = BarriersReport.objects.get()
    assert report.congress.year == timezone.localdate().year - 1
    assert report.status == ReportStatus.PUBLISHED
    kinds = set(report.sections.values_list("kind", flat=True))
    assert kinds == {SectionKind.BARRIER, SectionKind.RECOMMENDATION}
    assert "Liability" in report.sections_html


def test_seed_demo_seeds_a_template_customised_for_a_locale_with_running_pilots(client: Client) -> None:
    from blueprint.models import Pilot, PilotTask, PilotTemplate

    first = (PilotTemplate.objects.count(), Pilot.objects.count(), PilotTask.objects.count())
    call_command("seed_demo", stdout=StringIO())

    assert (PilotTemplate.objects.count(), Pilot.objects.count(), PilotTask.objects.count()) == first
    template = PilotTemplate.objects.get(locale="")
    variant = PilotTemplate.objects.get(based_on=template)
    assert variant.locale == "Gulf Coast, Texas"
    assert variant.steps.count() == template.steps.count() + 1
    running = Pilot.objects.get(community__slug="galveston-bay-partnership-pilot")
    done = running.tasks.filter(done_at__isnull=False).count()
    assert 0 < done < running.tasks.count()
    assert WikiPage.objects.filter(community=running.community, title="Partnership charter").exists()
    sam = Member.objects.get(email="sam.ortiz@portlogistics.example.com")  # in the Galveston Bay pilot only
    client.force_login(sam)
    page = client.get(reverse("blueprint:template", kwargs={"slug": variant.slug})).content.decode()
    assert f"{done} of {running.tasks.count()} steps done" in page
    hidden = client.get(reverse("blueprint:template", kwargs={"slug": template.slug})).content.decode()
    assert "Lowcountry Partnership Pilot" not in hidden  # private: its members only
