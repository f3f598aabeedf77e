"""A partnership and its six steps: co-leads from both sectors (from their verified affiliation), step 1 open
until both are named, steps marked done by a co-lead, the overview at a glance, and outputs published only
with both co-leads' approval."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from communities.models import Community
from partnerships import services
from partnerships.guidance import STEPS
from partnerships.models import Output, Partnership, StepState
from tests.partnerships.conftest import fresh, marking, participant, person, signed_in
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return str(html.unescape(response.content.decode()))


def states(partnership: Partnership) -> dict[int, str]:
    return dict(partnership.steps.values_list("number", "state"))


# --- Creating a partnership -----------------------------------------------------------------------------


def test_a_member_starts_a_partnership_in_their_community_and_its_six_steps_start_not_started(
    client: Client, community: Community, founder: Member
) -> None:
    response = signed_in(client, founder).post(
        reverse("partnerships:create"),
        {
            "community": community.pk,
            "title": "Galveston Partnership",
            "jurisdiction": "Galveston County",
            "description": "Both sectors together.",
            "marking": marking().pk,
        },
    )

    partnership = Partnership.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:overview", kwargs={"pk": partnership.pk})
    assert states(partnership) == dict.fromkeys(range(1, 7), StepState.NOT_STARTED)
    page = text_of(client.get(response["Location"]))
    assert "This partnership needs two co-leads" in page
    for step in STEPS:
        assert step.title in page


def test_starting_a_partnership_without_a_name_says_so_and_keeps_what_was_typed(
    client: Client, community: Community, founder: Member
) -> None:
    response = signed_in(client, founder).post(
        reverse("partnerships:create"),
        {"community": community.pk, "title": "  ", "jurisdiction": "Galveston County", "description": "Kept text",
         "marking": marking().pk},
    )  # fmt: skip

    assert response.status_code == 400
    page = text_of(response)
    assert "Give the partnership a name." in page
    assert "Kept text" in page
    assert 'value="Galveston County"' in page
    assert not Partnership.objects.exists()


def test_a_member_cannot_start_a_partnership_in_a_community_they_do_not_belong_to(
    community: Community, outsider: Member
) -> None:
    with pytest.raises(PermissionDenied):
        services.partnership_create(
            author=outsider, community=community, marking=marking(), title="Mine", jurisdiction="Here"
        )


# --- Co-leads -------------------------------------------------------------------------------------------


def test_co_leads_take_the_place_of_their_sector_from_their_verified_affiliation(
    partnership: Partnership, public_lead: Member, private_lead: Member, founder: Member
) -> None:
    services.co_lead_set(partnership=partnership, member=private_lead, actor=founder)
    partnership = services.co_lead_set(partnership=partnership, member=public_lead, actor=fresh(founder))

    assert partnership.public_lead == public_lead
    assert partnership.private_lead == private_lead
    assert states(partnership)[1] == StepState.IN_PROGRESS


def test_a_co_lead_who_is_not_a_participant_is_refused_with_a_clear_message(
    client: Client, partnership: Partnership, founder: Member, outsider: Member
) -> None:
    response = signed_in(client, founder).post(
        reverse("partnerships:co_lead_set", kwargs={"pk": partnership.pk}), {"member": outsider.pk}
    )

    assert response.status_code == 400
    assert "Olly Outsider is not a participant" in text_of(response)
    partnership.refresh_from_db()
    assert partnership.public_lead is None


def test_a_member_without_a_verified_affiliation_cannot_be_co_lead(
    partnership: Partnership, community: Community, founder: Member
) -> None:
    from tests.verification.factories import make_verified_member

    bare = make_verified_member()
    from communities.services import membership_set_role

    membership_set_role(community=community, member=bare, role="member")

    with pytest.raises(ValidationError, match="no verified affiliation"):
        services.co_lead_set(partnership=partnership, member=bare, actor=founder)


def test_only_the_author_a_moderator_or_a_co_lead_names_co_leads(
    partnership: Partnership, community: Community, private_lead: Member
) -> None:
    other = participant(community, sector="public")

    with pytest.raises(PermissionDenied):
        services.co_lead_set(partnership=partnership, member=private_lead, actor=other)


# --- Steps ----------------------------------------------------------------------------------------------


def test_step_one_stays_open_until_both_co_leads_are_named(
    partnership: Partnership, public_lead: Member, private_lead: Member, founder: Member
) -> None:
    services.co_lead_set(partnership=partnership, member=public_lead, actor=founder)

    with pytest.raises(ValidationError, match="Step 1 stays open until both co-leads"):
        services.step_set_state(partnership=partnership, number=1, state=StepState.DONE, actor=fresh(public_lead))

    services.co_lead_set(partnership=partnership, member=private_lead, actor=fresh(founder))
    services.step_set_state(partnership=partnership, number=1, state=StepState.DONE, actor=fresh(public_lead))
    assert states(partnership)[1] == StepState.DONE


def test_removing_a_co_lead_opens_step_one_again(led: Partnership, public_lead: Member) -> None:
    services.step_set_state(partnership=led, number=1, state=StepState.DONE, actor=public_lead)

    services.co_lead_remove(partnership=led, sector="private", actor=fresh(public_lead))

    assert states(led)[1] == StepState.IN_PROGRESS


def test_a_co_lead_marks_a_step_done_from_its_page_and_the_overview_shows_it(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).post(
        reverse("partnerships:step_state", kwargs={"pk": led.pk, "number": 3}), {"state": "done"}
    )

    assert response.status_code == 302
    assert states(led)[3] == StepState.DONE
    overview = text_of(client.get(reverse("partnerships:overview", kwargs={"pk": led.pk})))
    assert "(1 of 6 done)" in overview


def test_a_participant_who_is_not_a_co_lead_cannot_mark_a_step_done(
    client: Client, led: Partnership, community: Community
) -> None:
    other = participant(community, sector="public")

    response = signed_in(client, other).post(
        reverse("partnerships:step_state", kwargs={"pk": led.pk, "number": 3}), {"state": "done"}
    )

    assert response.status_code == 403
    assert states(led)[3] == StepState.NOT_STARTED
    step_page = text_of(client.get(reverse("partnerships:step", kwargs={"pk": led.pk, "number": 3})))
    assert "A co-lead marks the step done." in step_page


@pytest.mark.parametrize("step", STEPS, ids=lambda s: f"step-{s.number}")
def test_each_step_page_carries_the_seed_guidance_and_what_it_asks(
    client: Client, led: Partnership, private_lead: Member, step
) -> None:
    page = text_of(
        signed_in(client, private_lead).get(reverse("partnerships:step", kwargs={"pk": led.pk, "number": step.number}))
    )

    assert step.title in page
    assert step.guidance[0][:80] in page
    assert step.asks in page
    assert "Not started" in page or "In progress" in page


def test_a_seventh_step_does_not_exist(client: Client, led: Partnership, private_lead: Member) -> None:
    response = signed_in(client, private_lead).get(reverse("partnerships:step", kwargs={"pk": led.pk, "number": 7}))

    assert response.status_code == 404


# --- Outputs --------------------------------------------------------------------------------------------


def test_the_summary_is_published_only_when_both_co_leads_approve_it(
    led: Partnership, public_lead: Member, private_lead: Member
) -> None:
    services.output_approve(partnership=led, output=Output.SUMMARY, actor=public_lead)
    summary = next(s for s in services.output_status(led) if s.output == Output.SUMMARY)
    assert not summary.published

    services.output_approve(partnership=led, output=Output.SUMMARY, actor=private_lead)
    led.refresh_from_db()
    statuses = {s.output: s.published for s in services.output_status(led)}
    assert statuses == {Output.SUMMARY: True, Output.PLAN: False}


def test_nothing_is_approved_before_both_co_leads_are_named(
    partnership: Partnership, public_lead: Member, founder: Member
) -> None:
    services.co_lead_set(partnership=partnership, member=public_lead, actor=founder)

    with pytest.raises(ValidationError, match="name them first"):
        services.output_approve(partnership=partnership, output=Output.PLAN, actor=fresh(public_lead))


def test_a_former_co_leads_approval_no_longer_counts(
    led: Partnership, public_lead: Member, private_lead: Member, community: Community
) -> None:
    services.output_approve(partnership=led, output=Output.PLAN, actor=public_lead)
    services.output_approve(partnership=led, output=Output.PLAN, actor=private_lead)
    successor = participant(community, sector="private")

    services.co_lead_set(partnership=led, member=successor, actor=fresh(public_lead))
    led.refresh_from_db()

    plan = next(s for s in services.output_status(led) if s.output == Output.PLAN)
    assert not plan.published


def test_a_participant_who_is_not_a_co_lead_cannot_approve(led: Partnership, community: Community) -> None:
    other = participant(community, sector="public")

    with pytest.raises(PermissionDenied):
        services.output_approve(partnership=led, output=Output.SUMMARY, actor=other)


# --- The access rule ------------------------------------------------------------------------------------


def test_a_restricted_communitys_partnership_is_hidden_from_non_members_and_shown_to_participants(
    client: Client, led: Partnership, outsider: Member, private_lead: Member
) -> None:
    url = reverse("partnerships:overview", kwargs={"pk": led.pk})

    assert signed_in(client, outsider).get(url).status_code == 404
    assert "Galveston Partnership" not in text_of(client.get(reverse("partnerships:list")))

    assert signed_in(client, private_lead).get(url).status_code == 200
    assert "Galveston Partnership" in text_of(client.get(reverse("partnerships:list")))


def test_a_fouo_partnership_is_hidden_from_an_uncleared_participant_and_its_views_are_audited(
    client: Client, community: Community, founder: Member, uncleared: Member
) -> None:
    secret = services.partnership_create(
        author=founder, community=community, marking=marking("fouo"), title="Port security", jurisdiction="Port"
    )
    url = reverse("partnerships:overview", kwargs={"pk": secret.pk})

    assert signed_in(client, uncleared).get(url).status_code == 404

    response = signed_in(client, fresh(founder)).get(url)
    assert response.status_code == 200
    assert "FOR OFFICIAL USE ONLY" in text_of(response).upper()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, target_id=str(secret.pk)).exists()


def test_the_list_runs_a_fixed_number_of_queries(
    client: Client, community: Community, founder: Member, django_assert_max_num_queries
) -> None:
    signed_in(client, founder)
    client.get(reverse("partnerships:list"))  # warm the session and standing

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("partnerships:list")).status_code == 200
        return len(queries)

    services.partnership_create(author=founder, community=community, marking=marking(), title="A", jurisdiction="J")
    one = count()
    for n in range(5):
        services.partnership_create(
            author=fresh(founder), community=community, marking=marking(), title=f"P{n}", jurisdiction="J"
        )
    assert count() == one


def test_person_helper_reads_sectors() -> None:
    from partnerships.access import sector_of

    assert sector_of(person(sector="public")) == "public"
    assert sector_of(person(sector="private")) == "private"


def test_the_main_navigation_leads_to_the_partnerships(client: Client, founder: Member) -> None:
    page = text_of(signed_in(client, founder).get(reverse("partnerships:list")))

    assert '<a href="/partnerships/" aria-current="page">Partnerships</a>' in page


def test_a_co_lead_approves_from_the_overview_and_may_then_withdraw(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    url = reverse("partnerships:overview", kwargs={"pk": led.pk})
    signed_in(client, private_lead)
    assert "Approve the partnership summary" in text_of(client.get(url))

    client.post(reverse("partnerships:approve", kwargs={"pk": led.pk}), {"output": "summary"})

    page = text_of(client.get(url))
    assert "private co-lead approved" in page
    assert "Withdraw my approval of the partnership summary" in page
    assert "Approve the sustainability plan" in page
