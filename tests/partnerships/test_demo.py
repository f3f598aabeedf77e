"""``seed_demo`` seeds a partnership in the Charleston demo community: both co-leads, steps in several states,
an invitation list, issues with votes, a few dozen resources (one FOUO), a hazard register and a plan with
goals and tasks; run twice, it adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from partnerships.models import Goal, Hazard, Partnership, Resource, Stakeholder, StepState, Task
from verification.models import Member

# ``seed_demo`` runs once for the module (``seeded_demo``); each test starts from the seeded world and runs
# it a second time to show that adds nothing.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Partnership, Resource, Hazard, Goal, Task, Stakeholder))


def test_seed_demo_builds_a_worked_partnership_once(client: Client) -> None:
    first = counts()
    call_command("seed_demo", stdout=StringIO())

    assert counts() == first
    partnership = Partnership.objects.get(community__slug="charleston-port-partnership")
    assert partnership.public_lead is not None
    assert partnership.private_lead is not None
    assert partnership.public_lead.email == "marcus.bell@charlestonfire.gov"
    assert partnership.private_lead.email == "sam.ortiz@portlogistics.example.com"
    states = set(partnership.steps.values_list("state", flat=True))
    assert {StepState.DONE, StepState.IN_PROGRESS} <= states
    assert Resource.objects.count() >= 24
    assert list(Resource.objects.exclude(marking__slug="unmarked").values_list("marking__slug", flat=True)) == ["fouo"]
    assert Hazard.objects.count() >= 5
    assert Goal.objects.count() >= 2
    assert Task.objects.count() >= 4

    # Sam (private co-lead, not cleared for FOUO) reads the inventory without the marked resource.
    client.force_login(Member.objects.get(email="sam.ortiz@portlogistics.example.com"))
    page = client.get(reverse("partnerships:resources", kwargs={"pk": partnership.pk})).content.decode()
    assert "Generators 500 kW" in page
    assert "Spare substation transformer" not in page
    plan = client.get(reverse("partnerships:plan", kwargs={"pk": partnership.pk})).content.decode()
    assert "Overdue" in plan
