"""Step 5, the hazard register: hazards scored 1 to 5 for likelihood and impact with the organisations they
affect, drawn as an accessible 5 by 5 SVG risk matrix (coloured cells, a numbered point per hazard) with the
same as a table; a score outside 1 to 5 refused and what was typed kept; a FOUO hazard kept from those not
cleared for it."""

import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships import services
from partnerships.models import Hazard, Partnership, StepState
from partnerships.risk import level_of, risk_matrix
from tests.partnerships.conftest import SENTINEL, fresh, marking, signed_in
from verification.models import Member

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def hazard(partnership: Partnership, author: Member, title: str, likelihood: int, impact: int, **fields: Any) -> Hazard:
    return services.hazard_add(
        partnership=partnership,
        author=fresh(author),
        marking=marking(fields.pop("slug", "unmarked")),
        title=title,
        category=fields.pop("category", "natural"),
        likelihood=likelihood,
        impact=impact,
        **fields,
    )


def svg_of(page: str) -> str:
    return page[page.index("<svg") : page.index("</svg>")]


def test_a_participant_adds_a_hazard_and_the_matrix_draws_it_in_its_cell(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    url = reverse("partnerships:hazards", kwargs={"pk": led.pk})
    response = signed_in(client, private_lead).post(
        url,
        {"title": "Loss of power", "category": "technological", "likelihood": "4", "impact": "5",
         "organisations_affected": "Hospitals, port", "description": "", "marking": marking().pk},
    )  # fmt: skip

    assert response.status_code == 302
    assert led.steps.get(number=5).state == StepState.IN_PROGRESS
    page = text_of(client.get(url))
    svg = svg_of(page)
    assert 'role="img"' in svg
    assert "<title id=" in svg
    assert "<desc id=" in svg
    assert svg.count("<rect") == 25
    assert "1. Loss of power: likelihood 4, impact 5" in svg
    # The point sits in the cell of likelihood 4 (the fourth column), impact 5 (the top row).
    matrix = risk_matrix([Hazard.objects.get()])
    (point,) = matrix.points
    cell = next(c for c in matrix.cells if (c.likelihood, c.impact) == (4, 5))
    assert cell.x < point.x < cell.x + matrix.cell
    assert cell.y < point.y < cell.y + matrix.cell
    assert f'cx="{point.x}" cy="{point.y}"' in svg
    assert f'fill="{level_of(20)[1]}"' in svg
    # The table says the same for screen readers.
    table = page[page.index('<table class="data-table risk-table"') :]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.split("</tr>")[1]))
    assert "1 Loss of power Technological 4 5 20 (Extreme) Hospitals, port" in row


def test_cells_are_coloured_by_likelihood_times_impact() -> None:
    matrix = risk_matrix([])
    colours = {(c.likelihood, c.impact): c.level for c in matrix.cells}

    assert colours[(1, 1)] == "Low"
    assert colours[(3, 3)] == "Moderate"
    assert colours[(4, 4)] == "High"
    assert colours[(5, 5)] == "Extreme"
    assert len(colours) == 25


def test_hazards_in_one_cell_sit_side_by_side_with_their_own_numbers(led: Partnership, private_lead: Member) -> None:
    first = hazard(led, private_lead, "Hurricane", 4, 5)
    second = hazard(led, private_lead, "Storm surge", 4, 5)

    matrix = risk_matrix([first, second])

    assert [p.number for p in matrix.points] == [1, 2]
    assert matrix.points[0].x != matrix.points[1].x


@pytest.mark.parametrize(("likelihood", "impact"), [("0", "3"), ("3", "6"), ("-1", "9")])
def test_a_score_outside_one_to_five_is_refused_and_what_was_typed_stays(
    client: Client, led: Partnership, private_lead: Member, likelihood: str, impact: str
) -> None:
    response = signed_in(client, private_lead).post(
        reverse("partnerships:hazards", kwargs={"pk": led.pk}),
        {"title": "Chemical release", "category": "technological", "likelihood": likelihood, "impact": impact,
         "organisations_affected": "Refinery neighbours", "marking": marking().pk},
    )  # fmt: skip

    assert response.status_code == 400
    page = text_of(response)
    assert "from 1 to 5 (you typed" in page
    assert 'value="Chemical release"' in page
    assert "Refinery neighbours" in page
    assert not Hazard.objects.exists()


def test_the_service_refuses_a_score_outside_one_to_five_too(led: Partnership, private_lead: Member) -> None:
    with pytest.raises(ValidationError, match="Score the impact from 1 to 5"):
        hazard(led, private_lead, "Flood", 3, 7)


def test_a_participant_changes_a_hazard_score(client: Client, led: Partnership, private_lead: Member) -> None:
    found = hazard(led, private_lead, "Flood", 3, 3)

    response = signed_in(client, private_lead).post(
        reverse("partnerships:hazard", kwargs={"pk": found.pk}),
        {"title": "Flood", "category": "natural", "likelihood": "5", "impact": "4", "marking": marking().pk},
    )

    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.likelihood, found.impact) == (5, 4)


def test_a_fouo_hazard_is_kept_from_an_uncleared_participant_and_shown_to_a_cleared_one(
    client: Client, led: Partnership, private_lead: Member, uncleared: Member
) -> None:
    secret = hazard(led, private_lead, f"Insider threat {SENTINEL}", 2, 5, slug="fouo", category="human_caused")
    hazard(led, private_lead, "Hurricane", 4, 5)
    url = reverse("partnerships:hazards", kwargs={"pk": led.pk})

    hidden = signed_in(client, uncleared).get(url)
    assert SENTINEL not in hidden.content.decode()
    assert "Hurricane" in hidden.content.decode()
    assert client.get(reverse("partnerships:hazard", kwargs={"pk": secret.pk})).status_code == 404

    shown = text_of(signed_in(client, private_lead).get(url))
    assert SENTINEL in shown
    assert "FOR OFFICIAL USE ONLY" in shown.upper()


def test_the_register_runs_a_fixed_number_of_queries(client: Client, led: Partnership, private_lead: Member) -> None:
    url = reverse("partnerships:hazards", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)
    hazard(led, private_lead, "Hurricane", 4, 5)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        hazard(led, private_lead, f"Hazard {n}", 1 + n % 5, 2)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_the_author_removes_a_hazard_and_it_leaves_the_register(
    client: Client, led: Partnership, private_lead: Member, public_lead: Member
) -> None:
    found = hazard(led, private_lead, "Tornado", 2, 3)
    signed_in(client, private_lead)
    page = client.get(reverse("partnerships:hazard", kwargs={"pk": found.pk})).content.decode()
    assert 'name="item_type" value="partnerships.hazard"' in page

    client.post(
        reverse("communities:item_removal", kwargs={"slug": led.community.slug}),
        {"item_type": "partnerships.hazard", "item_id": found.pk, "action": "remove", "next": "/"},
    )

    found.refresh_from_db()
    assert found.deleted_at is not None
    register = signed_in(Client(), public_lead).get(reverse("partnerships:hazards", kwargs={"pk": led.pk}))
    assert "Tornado" not in register.content.decode()
