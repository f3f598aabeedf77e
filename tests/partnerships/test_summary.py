"""The printer-friendly summary of the whole partnership and its PDF: co-leads, steps, the invitation list,
issues by votes, who can provide what within 72 hours, the hazard register with its risk matrix and the plan;
the marking on every PDF page; only what the reader may see; and whether both co-leads approved it."""

import html
import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from partnerships import services
from partnerships.models import Output, Partnership
from tests.partnerships.conftest import SENTINEL, fresh, marking, signed_in
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def words_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


@pytest.fixture
def worked(led: Partnership, public_lead: Member, private_lead: Member) -> Partnership:
    author = fresh(private_lead)
    services.stakeholder_add(
        partnership=led, actor=author, sector="private", category="Utilities", organisation="CenterPoint Energy"
    )
    services.issue_propose(partnership=led, author=author, title="Fuel for generators")
    services.resource_add(
        partnership=led, author=author, marking=marking(),
        data={"name": "Water tanker", "category": "public_works", "kind": "equipment", "location": "Depot",
              "owner_organisation": "City of Galveston", "hours_to_deploy": 8},
    )  # fmt: skip
    for n in range(12):  # enough rows for more than one page
        services.resource_add(
            partnership=led, author=author, marking=marking(),
            data={"name": f"Pump {n}", "category": "public_works", "kind": "equipment", "location": f"Lift station {n}",
                  "owner_organisation": "Public Works", "hours_to_deploy": 4},
        )  # fmt: skip
    services.hazard_add(
        partnership=led, author=author, marking=marking("fouo"), title=f"Insider threat {SENTINEL}",
        category="human_caused", likelihood=2, impact=5,
    )  # fmt: skip
    services.hazard_add(
        partnership=led, author=author, marking=marking(), title="Hurricane", category="natural", likelihood=4,
        impact=5,
    )  # fmt: skip
    goal = services.goal_add(partnership=led, author=author, marking=marking(), title="A resilient port")
    services.task_add(
        goal=goal, author=author, marking=marking(), title="Pandemic plan", owner=author, co_owner=public_lead,
        due_on=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    return led


def test_the_summary_shows_the_whole_partnership_on_one_page(
    client: Client, worked: Partnership, private_lead: Member
) -> None:
    page = words_of(signed_in(client, private_lead).get(reverse("partnerships:summary", kwargs={"pk": worked.pk})))

    assert "Public sector: Dana Reyes · Private or community sector: Sam Ortiz" in page
    assert "Identify public and private sector stakeholders to co-share leadership — In progress" in page
    assert "CenterPoint Energy" in page
    assert "Fuel for generators (0 votes)" in page
    assert "City of Galveston: Water tanker x 1, 8 h" in page
    assert "Risk matrix: likelihood across, impact up" in page
    assert "A resilient port — 0 of 1 done" in page
    assert "Draft: not yet approved by both co-leads." in page
    assert SENTINEL in page
    assert "FOR OFFICIAL USE ONLY" in page.upper()


def test_the_summary_says_published_once_both_co_leads_approve(
    client: Client, worked: Partnership, public_lead: Member, private_lead: Member
) -> None:
    services.output_approve(partnership=worked, output=Output.SUMMARY, actor=public_lead)
    services.output_approve(partnership=worked, output=Output.SUMMARY, actor=private_lead)

    page = words_of(signed_in(client, private_lead).get(reverse("partnerships:summary", kwargs={"pk": worked.pk})))

    assert "Published: approved by both co-leads." in page


def test_the_pdf_carries_the_marking_on_every_page_and_the_risk_matrix(
    client: Client, worked: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).get(reverse("partnerships:summary_pdf", kwargs={"pk": worked.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    assert len(pages) > 1
    assert all("FOUO" in page.extract_text() for page in pages)
    text = " ".join(page.extract_text() for page in pages)
    assert "Impact (1 minor" in text  # the matrix's axis, drawn in the PDF
    assert "Hurricane" in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=private_lead).exists()


def test_a_reader_not_cleared_for_fouo_gets_a_summary_and_pdf_without_the_fouo_hazard(
    client: Client, worked: Partnership, uncleared: Member
) -> None:
    signed_in(client, uncleared)

    page = client.get(reverse("partnerships:summary", kwargs={"pk": worked.pk})).content.decode()
    pdf = client.get(reverse("partnerships:summary_pdf", kwargs={"pk": worked.pk}))

    assert SENTINEL not in page
    assert "Hurricane" in page
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert SENTINEL not in text
    assert "FOUO" not in text


def test_an_outsider_gets_no_summary(client: Client, worked: Partnership, outsider: Member) -> None:
    signed_in(client, outsider)

    assert client.get(reverse("partnerships:summary", kwargs={"pk": worked.pk})).status_code == 404
    assert client.get(reverse("partnerships:summary_pdf", kwargs={"pk": worked.pk})).status_code == 404
