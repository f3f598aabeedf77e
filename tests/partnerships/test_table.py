"""Steps 2 and 3: the invitation list by sector, prefilled with the seed's stakeholder categories (each row an
organisation with a contact, who invites it and where it stands), and the common issues, discussed and ranked
by the participants' votes, one per participant per issue."""

import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community
from partnerships import services
from partnerships.guidance import PRIVATE_CATEGORIES, PUBLIC_CATEGORIES
from partnerships.models import CommonIssue, InvitationState, Partnership, Stakeholder, StepState
from tests.partnerships.conftest import fresh, participant, signed_in
from verification.models import Member

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def words_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())


# --- Step 2 ---------------------------------------------------------------------------------------------


def test_the_invitation_list_shows_every_seed_category_by_sector(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    page = text_of(signed_in(client, private_lead).get(reverse("partnerships:stakeholders", kwargs={"pk": led.pk})))

    assert page.index("Private and community sector") < page.index("Public sector")
    for category in (*PRIVATE_CATEGORIES, *PUBLIC_CATEGORIES):
        assert f"<h3>{category}</h3>" in page
    assert "Chamber of Commerce" in page
    assert "Local, state, federal and tribal entities" in page


def test_an_organisation_is_added_with_its_contact_and_inviter_and_moves_through_its_states(
    client: Client, led: Partnership, private_lead: Member, public_lead: Member
) -> None:
    url = reverse("partnerships:stakeholders", kwargs={"pk": led.pk})
    signed_in(client, private_lead).post(
        url,
        {"sector": "private", "category": "Utilities", "organisation": "CenterPoint Energy",
         "contact": "Emergency desk 713-555-0101", "inviter": public_lead.pk},
    )  # fmt: skip
    row = Stakeholder.objects.get()
    assert (row.inviter, row.state, row.added_by) == (public_lead, InvitationState.TO_INVITE, private_lead)
    assert led.steps.get(number=2).state == StepState.IN_PROGRESS

    client.post(reverse("partnerships:stakeholder_state", kwargs={"pk": led.pk, "row": row.pk}), {"state": "joined"})

    row.refresh_from_db()
    assert row.state == InvitationState.JOINED
    page = words_of(client.get(url))
    assert "Utilities Organisation Contact Who invites State CenterPoint Energy Emergency desk 713-555-0101" in page
    assert "Dana Reyes" in page


def test_an_organisation_without_a_name_is_refused_and_what_was_typed_stays(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).post(
        reverse("partnerships:stakeholders", kwargs={"pk": led.pk}),
        {"sector": "public", "category": "Fire", "organisation": "", "contact": "Chief Ruiz"},
    )

    assert response.status_code == 400
    assert 'value="Chief Ruiz"' in text_of(response)
    assert not Stakeholder.objects.exists()


def test_the_one_who_invites_must_be_a_participant(led: Partnership, private_lead: Member, outsider: Member) -> None:
    with pytest.raises(ValidationError, match="not a participant"):
        services.stakeholder_add(
            partnership=led, actor=private_lead, sector="public", category="Fire", organisation="GFD", inviter=outsider
        )


def test_an_outsider_can_neither_see_nor_change_the_list(client: Client, led: Partnership, outsider: Member) -> None:
    response = signed_in(client, outsider).post(
        reverse("partnerships:stakeholders", kwargs={"pk": led.pk}),
        {"sector": "public", "category": "Fire", "organisation": "GFD"},
    )

    assert response.status_code == 404
    assert not Stakeholder.objects.exists()


# --- Step 3 ---------------------------------------------------------------------------------------------


def issue(partnership: Partnership, author: Member, title: str) -> CommonIssue:
    return services.issue_propose(partnership=partnership, author=fresh(author), title=title)


def test_issues_are_ranked_by_votes_one_per_participant(
    client: Client, led: Partnership, community: Community, private_lead: Member, public_lead: Member
) -> None:
    fuel = issue(led, private_lead, "Fuel for generators after landfall")
    reentry = issue(led, public_lead, "Re-entry passes for business staff")
    third = participant(community, sector="private")
    for voter in (private_lead, public_lead, third):
        services.issue_vote(issue=reentry, member=fresh(voter))
    services.issue_vote(issue=fuel, member=fresh(third))

    with pytest.raises(ValidationError, match="one vote per participant"):
        services.issue_vote(issue=reentry, member=fresh(third))

    page = words_of(signed_in(client, private_lead).get(reverse("partnerships:issues", kwargs={"pk": led.pk})))
    assert page.index("Re-entry passes for business staff — 3 votes") < page.index(
        "Fuel for generators after landfall — 1 vote"
    )


def test_a_participant_votes_and_withdraws_from_the_page(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    found = issue(led, private_lead, "Fuel for generators")
    vote = reverse("partnerships:issue_vote", kwargs={"pk": led.pk, "issue": found.pk})
    signed_in(client, private_lead)

    client.post(vote)
    client.post(vote)  # a second vote is refused, not counted
    assert found.votes.count() == 1
    client.post(vote, {"withdraw": "1"})
    assert found.votes.count() == 0


def test_each_issue_has_its_discussion(client: Client, led: Partnership, private_lead: Member) -> None:
    found = issue(led, private_lead, "Fuel for generators")
    url = reverse("partnerships:issue", kwargs={"pk": led.pk, "issue": found.pk})

    signed_in(client, private_lead).post(url, {"text": "The port has two tankers we could share."})
    empty = client.post(url, {"text": "   "})

    assert empty.status_code == 400
    page = words_of(client.get(url))
    assert "The port has two tankers we could share. Sam Ortiz" in page
    assert led.steps.get(number=3).state == StepState.IN_PROGRESS


def test_an_outsider_cannot_vote(client: Client, led: Partnership, private_lead: Member, outsider: Member) -> None:
    found = issue(led, private_lead, "Fuel")

    response = signed_in(client, outsider).post(
        reverse("partnerships:issue_vote", kwargs={"pk": led.pk, "issue": found.pk})
    )

    assert response.status_code == 404
    assert not found.votes.exists()


def test_the_issues_page_runs_a_fixed_number_of_queries(client: Client, led: Partnership, private_lead: Member) -> None:
    url = reverse("partnerships:issues", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)
    services.issue_vote(issue=issue(led, private_lead, "First"), member=fresh(private_lead))

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        services.issue_vote(issue=issue(led, private_lead, f"Issue {n}"), member=fresh(private_lead))
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_the_invitation_list_runs_a_fixed_number_of_queries(
    client: Client, led: Partnership, private_lead: Member, public_lead: Member
) -> None:
    url = reverse("partnerships:stakeholders", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)

    def add(n: int) -> None:
        services.stakeholder_add(
            partnership=led, actor=fresh(private_lead), sector="public", category="Fire", organisation=f"Dept {n}",
            inviter=public_lead,
        )  # fmt: skip

    add(0)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 6):
        add(n)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)
