"""Step 6, sustainability: needs (planning, mitigation, response, recovery; prioritised; linked to hazards and
issues), goals that address needs, tasks under goals with an owner and a co-owner from the other sector, a due
date, a state and a checklist; progress per goal, overdue tasks flagged, the seed's example tasks offered."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from partnerships import services
from partnerships.guidance import EXAMPLE_TASKS
from partnerships.models import ChecklistItem, Goal, Need, Partnership, Task, TaskState
from tests.partnerships.conftest import SENTINEL, fresh, marking, participant, signed_in
from verification.models import Member

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def words_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())


def goal(partnership: Partnership, author: Member, title: str = "A resilient port", slug: str = "unmarked") -> Goal:
    return services.goal_add(partnership=partnership, author=fresh(author), marking=marking(slug), title=title)


def task(goal: Goal, author: Member, owner: Member, co_owner: Member | None = None, **fields: Any) -> Task:
    fields.setdefault("title", "Review business emergency response plans")
    fields.setdefault("due_on", timezone.localdate() + timedelta(days=30))
    return services.task_add(
        goal=goal,
        author=fresh(author),
        marking=marking(fields.pop("slug", "unmarked")),
        owner=owner,
        co_owner=co_owner,
        **fields,
    )


def test_needs_are_prioritised_and_linked_to_the_hazards_and_issues_they_answer(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    flood = services.hazard_add(
        partnership=led, author=private_lead, marking=marking(), title="Flood", category="natural", likelihood=4,
        impact=4,
    )  # fmt: skip
    issue = services.issue_propose(partnership=led, author=fresh(private_lead), title="Fuel for generators")
    signed_in(client, private_lead)

    client.post(
        reverse("partnerships:plan_add", kwargs={"pk": led.pk, "what": "need"}),
        {"title": "Shared evacuation plan", "area": "planning", "priority": "2", "hazards": [flood.pk],
         "issues": [issue.pk], "marking": marking().pk},
    )  # fmt: skip
    client.post(
        reverse("partnerships:plan_add", kwargs={"pk": led.pk, "what": "need"}),
        {"title": "Backup power for shelters", "area": "response", "priority": "1", "marking": marking().pk},
    )

    assert list(Need.objects.values_list("title", flat=True)) == ["Backup power for shelters", "Shared evacuation plan"]
    need = Need.objects.get(title="Shared evacuation plan")
    assert list(need.hazards.all()) == [flood]
    assert list(need.issues.all()) == [issue]
    page = words_of(client.get(reverse("partnerships:plan", kwargs={"pk": led.pk})))
    assert "Backup power for shelters Response High" in page
    assert "Shared evacuation plan Planning Medium Flood ; Fuel for generators" in page


def test_a_task_with_an_owner_and_a_co_owner_from_the_other_sector_is_added_under_its_goal(
    client: Client, led: Partnership, public_lead: Member, private_lead: Member
) -> None:
    found = goal(led, private_lead)
    due = timezone.localdate() + timedelta(days=14)

    response = signed_in(client, private_lead).post(
        reverse("partnerships:plan_add", kwargs={"pk": led.pk, "what": "task"}),
        {"goal": found.pk, "example": EXAMPLE_TASKS[2], "title": "", "owner": private_lead.pk,
         "co_owner": public_lead.pk, "due_on": due.isoformat(), "checklist": "Draft criteria\nAsk the sheriff\n",
         "marking": marking().pk},
    )  # fmt: skip

    created = Task.objects.get()
    assert response.status_code == 302
    assert created.title == "Create a credentialing programme for businesses"
    assert (created.owner, created.co_owner, created.goal) == (private_lead, public_lead, found)
    assert list(created.checklist.values_list("text", flat=True)) == ["Draft criteria", "Ask the sheriff"]


def test_the_seeds_example_tasks_are_offered_on_the_plan(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    goal(led, private_lead)

    page = text_of(signed_in(client, private_lead).get(reverse("partnerships:plan", kwargs={"pk": led.pk})))

    for example in EXAMPLE_TASKS:
        assert f'<option value="{example}">{example}</option>' in page


def test_a_task_due_before_it_is_created_is_refused_and_what_was_typed_stays(
    client: Client, led: Partnership, public_lead: Member, private_lead: Member
) -> None:
    found = goal(led, private_lead)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = signed_in(client, private_lead).post(
        reverse("partnerships:plan_add", kwargs={"pk": led.pk, "what": "task"}),
        {"goal": found.pk, "title": "Pandemic plan", "description": "Countywide", "owner": private_lead.pk,
         "co_owner": public_lead.pk, "due_on": yesterday.isoformat(), "checklist": "Step one",
         "marking": marking().pk},
    )  # fmt: skip

    assert response.status_code == 400
    page = text_of(response)
    assert "A task cannot be due before it is created" in page
    assert 'value="Pandemic plan"' in page
    assert "Countywide" in page
    assert f'value="{yesterday.isoformat()}"' in page
    assert not Task.objects.exists()


def test_a_co_owner_from_the_same_sector_is_refused(
    led: Partnership, community: Community, private_lead: Member
) -> None:
    found = goal(led, private_lead)
    same_sector = participant(community, sector="private")

    with pytest.raises(ValidationError, match="from the other sector"):
        task(found, private_lead, owner=private_lead, co_owner=same_sector)


def test_an_owner_who_is_not_a_participant_is_refused_with_a_message(
    client: Client, led: Partnership, private_lead: Member, outsider: Member
) -> None:
    found = goal(led, private_lead)
    due = timezone.localdate() + timedelta(days=3)

    response = signed_in(client, private_lead).post(
        reverse("partnerships:plan_add", kwargs={"pk": led.pk, "what": "task"}),
        {"goal": found.pk, "title": "Pandemic plan", "owner": outsider.pk, "due_on": due.isoformat(),
         "marking": marking().pk},
    )  # fmt: skip

    assert response.status_code == 400
    assert "Olly Outsider is not a participant of this partnership." in text_of(response)
    assert not Task.objects.exists()


def test_progress_per_goal_counts_done_tasks_and_flags_the_overdue(
    client: Client, led: Partnership, public_lead: Member, private_lead: Member
) -> None:
    found = goal(led, private_lead)
    done = task(found, private_lead, owner=private_lead, co_owner=public_lead, title="Done one")
    late = task(found, private_lead, owner=public_lead, title="Late one")
    task(found, private_lead, owner=public_lead, title="Open one")
    services.task_set_state(task=done, actor=fresh(public_lead), state=TaskState.DONE)
    Task.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))

    page = words_of(signed_in(client, private_lead).get(reverse("partnerships:plan", kwargs={"pk": led.pk})))

    assert "1 of 3 tasks done · 1 overdue" in page
    assert "Late one — To do, due" in page
    assert re.search(r"Late one — To do, due \d+ \w+ \d{4} Overdue", page)
    assert not re.search(r"Done one — Done, due \d+ \w+ \d{4} Overdue", page)


def test_a_checklist_item_is_added_and_ticked_on_the_task_page(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    found = task(goal(led, private_lead), private_lead, owner=private_lead)
    signed_in(client, private_lead)

    client.post(reverse("partnerships:checklist_add", kwargs={"pk": found.pk}), {"text": "Call the chamber"})
    item = ChecklistItem.objects.get()
    client.post(reverse("partnerships:checklist_toggle", kwargs={"pk": found.pk, "item": item.pk}), {"done": "1"})

    item.refresh_from_db()
    assert item.done
    assert "Call the chamber (done)" in words_of(client.get(reverse("partnerships:task", kwargs={"pk": found.pk})))


def test_a_fouo_task_is_kept_from_an_uncleared_participant_and_shown_to_a_cleared_one(
    client: Client, led: Partnership, private_lead: Member, uncleared: Member
) -> None:
    secret = task(goal(led, private_lead), private_lead, owner=private_lead, slug="fouo", title=f"Vault {SENTINEL}")

    signed_in(client, uncleared)
    assert SENTINEL not in client.get(reverse("partnerships:plan", kwargs={"pk": led.pk})).content.decode()
    assert client.get(reverse("partnerships:task", kwargs={"pk": secret.pk})).status_code == 404

    signed_in(client, private_lead)
    assert SENTINEL in text_of(client.get(reverse("partnerships:task", kwargs={"pk": secret.pk})))
    assert SENTINEL in text_of(client.get(reverse("partnerships:plan", kwargs={"pk": led.pk})))


def test_the_plan_runs_a_fixed_number_of_queries(
    client: Client, led: Partnership, public_lead: Member, private_lead: Member
) -> None:
    url = reverse("partnerships:plan", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)
    first = goal(led, private_lead)
    task(first, private_lead, owner=private_lead)
    services.need_add(partnership=led, author=fresh(private_lead), marking=marking(), title="Need", area="recovery",
                      priority=3)  # fmt: skip

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        more = goal(led, private_lead, title=f"Goal {n}")
        task(more, private_lead, owner=public_lead, co_owner=private_lead, title=f"Task {n}")
        services.need_add(partnership=led, author=fresh(private_lead), marking=marking(), title=f"Need {n}",
                          area="recovery", priority=3)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)
