"""``seed_demo`` seeds the Blueprint from the seed texts: the five challenges, solutions on partnerships and
mutual aid, tools and a report linked to them, a Galveston and a Charleston case, one FOUO entry, and work
waiting for the editors; run twice, it adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from blueprint.models import EditProposal, Entry, EntryLink, Kind, Status
from blueprint.selectors import gaps
from verification import policy
from verification.models import Member

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_linked_blueprint_with_one_marked_entry_and_work_for_the_editors(client: Client) -> None:
    call_command("seed_demo", stdout=StringIO())
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

    call_command("seed_demo", stdout=StringIO())
    first = (Idea.objects.count(), Endorsement.objects.count(), Entry.objects.count())
    call_command("seed_demo", stdout=StringIO())

    assert (Idea.objects.count(), Endorsement.objects.count(), Entry.objects.count()) == first
    congress = Congress.objects.get()
    roles = set(congress.delegates.values_list("role", flat=True))
    assert roles == {CongressRole.DELEGATE, CongressRole.ALTERNATE}
    states = set(Idea.objects.values_list("status", flat=True))
    assert {IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.NOT_ACCEPTED, IdeaStatus.IN_BLUEPRINT} <= states
    drafted = Idea.objects.get(status=IdeaStatus.IN_BLUEPRINT)
    assert drafted.solution is not None
    assert drafted.solution.kind == Kind.SOLUTION
    assert Idea.objects.exclude(status_reason="").filter(status=IdeaStatus.NOT_ACCEPTED).exists()
    assert Endorsement.objects.exists()
