"""Partnership records on the common paths, through the registry: found by search, followed, in the feed and
in notifications (a task assigned to you, a task overdue), and, marked, kept from those not cleared."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.models import ActivityEvent
from communities.selectors import visible_activity
from notices import follow
from notices.models import Delivery, Level, Notification
from partnerships import services
from partnerships.models import Goal, Hazard, Need, Partnership, Resource, Task
from partnerships.notifications import TASK_ASSIGNED, TASK_OVERDUE
from tests.partnerships.conftest import SENTINEL, fresh, marking, signed_in
from verification.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(
    led: Partnership, public_lead: Member, private_lead: Member, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    author = fresh(private_lead)
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_add(
            partnership=led, author=author, marking=marking(),
            data={"name": "Heron floodlight tower", "category": "public_works", "kind": "equipment",
                  "location": "Depot", "owner_organisation": "City", "hours_to_deploy": 3},
        )  # fmt: skip
        hazard = services.hazard_add(
            partnership=led, author=author, marking=marking(), title="Heron bridge collapse",
            category="technological", likelihood=2, impact=4,
        )  # fmt: skip
        need = services.need_add(
            partnership=led, author=author, marking=marking(), title="Heron crossing detour plan", area="planning",
            priority=1,
        )  # fmt: skip
        goal = services.goal_add(partnership=led, author=author, marking=marking(), title="Heron corridor ready")
        task = services.task_add(
            goal=goal, author=author, marking=marking(), title="Heron detour signage", owner=author,
            co_owner=public_lead, due_on=timezone.localdate() + timedelta(days=5),
        )  # fmt: skip
        Partnership.objects.filter(pk=led.pk).update(description="The Heron county partnership")
        led.refresh_from_db()
        led.save()  # search re-reads the partnership's words
    return {"partnership": led, "resource": resource, "hazard": hazard, "need": need, "goal": goal, "task": task}


@pytest.mark.parametrize(
    ("type_word", "expected"),
    [
        ("partnership", "Galveston Partnership"),
        ("resource", "Heron floodlight tower"),
        ("hazard", "Heron bridge collapse"),
        ("need", "Heron crossing detour plan"),
        ("goal", "Heron corridor ready"),
        ("task", "Heron detour signage"),
    ],
)
def test_every_partnership_type_is_found_by_search(
    client: Client, records: dict[str, Any], private_lead: Member, type_word: str, expected: str
) -> None:
    page = signed_in(client, private_lead).get(reverse("search:search"), {"q": f"heron type:{type_word}"})

    assert expected in page.content.decode()


def test_search_keeps_partnership_records_from_a_member_outside_the_community(
    client: Client, records: dict[str, Any], outsider: Member
) -> None:
    page = signed_in(client, outsider).get(reverse("search:search"), {"q": "heron"}).content.decode()

    for word in ("Heron floodlight tower", "Heron bridge collapse", "Heron detour signage"):
        assert word not in page


def test_records_land_in_the_communitys_feed(records: dict[str, Any], private_lead: Member, outsider: Member) -> None:
    def targets(member: Member) -> set[tuple[str, int | None]]:
        events = visible_activity(fresh(member), ActivityEvent.objects.select_related("target_type"))
        return {(e.target_type.model, e.target_id) for e in events if e.target_type is not None}

    seen = targets(private_lead)
    for key in ("partnership", "resource", "hazard", "need", "goal", "task"):
        assert (key, records[key].pk) in seen
    assert not {name for name, _ in targets(outsider)} & {"partnership", "resource", "task"}


@pytest.mark.parametrize("key", ["partnership", "resource", "hazard", "task"])
def test_a_participant_follows_a_partnership_record_from_its_page(
    client: Client, records: dict[str, Any], public_lead: Member, key: str
) -> None:
    target = records[key]
    url = {
        "partnership": reverse("partnerships:overview", kwargs={"pk": target.pk}),
        "resource": reverse("partnerships:resource", kwargs={"pk": target.pk}),
        "hazard": reverse("partnerships:hazard", kwargs={"pk": target.pk}),
        "task": reverse("partnerships:task", kwargs={"pk": target.pk}),
    }[key]
    page = signed_in(client, public_lead).get(url).content.decode()
    assert 'action="/subscriptions/follow/"' in page

    follow.follow(member=fresh(public_lead), target=target, level=Level.WATCHING, delivery=Delivery.SITE)
    assert follow.subscription_of(fresh(public_lead), target) is not None


def test_following_a_partnership_brings_the_events_of_its_records(records: dict[str, Any]) -> None:
    from notices.follow import followable_for

    events = ActivityEvent.objects.filter(followable_for(Partnership).events([records["partnership"].pk]))
    models = {event.target_type.model for event in events.select_related("target_type") if event.target_type}

    assert {"partnership", "resource", "hazard", "need", "goal", "task"} <= models


def test_an_outsider_cannot_follow_a_partnership_record(records: dict[str, Any], outsider: Member) -> None:
    for model in (Partnership, Resource, Hazard, Need, Goal, Task):
        target = model.objects.first()
        assert target is not None
        assert not follow.may_follow(fresh(outsider), target)


def test_the_co_owner_is_told_a_task_is_theirs(
    client: Client, records: dict[str, Any], public_lead: Member, private_lead: Member
) -> None:
    told = Notification.objects.filter(kind=TASK_ASSIGNED)

    assert list(told.values_list("recipient", flat=True)) == [public_lead.pk]  # not the author, who is owner
    page = signed_in(client, public_lead).get(reverse("messaging:notifications")).content.decode()
    assert "Sam Ortiz gave you the partnership task “Heron detour signage”" in page


def test_a_fouo_task_is_not_announced_to_a_co_owner_not_cleared_for_it(
    led: Partnership, private_lead: Member, uncleared: Member, public_lead: Member
) -> None:
    goal = services.goal_add(partnership=led, author=fresh(private_lead), marking=marking(), title="G")
    services.task_add(
        goal=goal, author=fresh(private_lead), marking=marking("fouo"), title=f"Vault {SENTINEL}", owner=public_lead,
        co_owner=uncleared, due_on=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip

    assert list(Notification.objects.filter(kind=TASK_ASSIGNED).values_list("recipient", flat=True)) == [public_lead.pk]


def test_owners_are_told_once_when_a_task_falls_overdue(
    records: dict[str, Any], public_lead: Member, private_lead: Member
) -> None:
    Task.objects.filter(pk=records["task"].pk).update(due_on=timezone.localdate() - timedelta(days=1))

    assert services.tasks_announce_overdue() == 1
    assert services.tasks_announce_overdue() == 0  # idempotent

    told = Notification.objects.filter(kind=TASK_OVERDUE)
    assert sorted(told.values_list("recipient", flat=True)) == sorted([public_lead.pk, private_lead.pk])


def test_a_done_task_is_never_announced_overdue(records: dict[str, Any], private_lead: Member) -> None:
    services.task_set_state(task=records["task"], actor=fresh(private_lead), state="done")
    Task.objects.filter(pk=records["task"].pk).update(due_on=timezone.localdate() - timedelta(days=1))

    assert services.tasks_announce_overdue() == 0
