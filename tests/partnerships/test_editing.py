"""Members edit what they made: co-leads change the partnership (its marking too, and the access rule and the
search follow it), participants change a task's owners and due date, co-leads and authors change and remove
needs and goals from their pages, a restored resource's history says so, and partnerships carry tags."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from notices.models import Notification
from partnerships import services
from partnerships.models import Goal, Need, Partnership, Resource, ResourceChange, Task
from partnerships.notifications import TASK_ASSIGNED
from tests.partnerships.conftest import SENTINEL, fresh, marking, participant, signed_in
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def words_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())


def edit_url(partnership: Partnership) -> str:
    return reverse("partnerships:edit", kwargs={"pk": partnership.pk})


def edit_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Galveston Bay Partnership",
        "jurisdiction": "Galveston and Chambers Counties",
        "description": "Now both counties.",
        "tags": "hurricanes, ports",
        "marking": marking().pk,
    }
    data.update(changes)
    return data


# --- 1. Co-leads edit the partnership ----------------------------------------------------------------


def test_a_co_lead_changes_the_title_jurisdiction_description_and_tags(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    signed_in(client, private_lead)
    assert "Change the partnership" in text_of(client.get(reverse("partnerships:overview", kwargs={"pk": led.pk})))

    response = client.post(edit_url(led), edit_data())

    assert response.status_code == 302
    led.refresh_from_db()
    assert (led.title, led.jurisdiction, led.description) == (
        "Galveston Bay Partnership",
        "Galveston and Chambers Counties",
        "Now both counties.",
    )
    page = words_of(client.get(response["Location"]))
    assert "Galveston Bay Partnership" in page
    assert re.search(r"Tags: (hurricanes , ports|ports , hurricanes)", page)
    tag_page = text_of(client.get(reverse("tags:tag", kwargs={"tag": "hurricanes"})))
    assert "Galveston Bay Partnership" in tag_page


def test_a_participant_who_is_not_a_co_lead_cannot_change_the_partnership(
    client: Client, led: Partnership, community: Community
) -> None:
    other = participant(community, sector="private", markings=("fouo",))
    signed_in(client, other)

    assert "Change the partnership" not in text_of(client.get(reverse("partnerships:overview", kwargs={"pk": led.pk})))
    assert client.get(edit_url(led)).status_code == 403
    assert client.post(edit_url(led), edit_data()).status_code == 403
    led.refresh_from_db()
    assert led.title == "Galveston Partnership"


def test_a_bad_edit_says_so_and_keeps_what_was_typed(client: Client, led: Partnership, private_lead: Member) -> None:
    response = signed_in(client, private_lead).post(
        edit_url(led), edit_data(title="", description=f"Kept {SENTINEL}", jurisdiction="Chambers County")
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "Give the partnership a name." in page
    assert f"Kept {SENTINEL}" in page
    assert 'value="Chambers County"' in page
    assert 'value="hurricanes, ports"' in page
    led.refresh_from_db()
    assert led.title == "Galveston Partnership"


def test_the_marking_is_never_lowered_below_the_communitys(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    Community.objects.filter(pk=led.community_id).update(marking=marking("fouo"))
    Partnership.objects.filter(pk=led.pk).update(marking=marking("fouo"))

    response = signed_in(client, private_lead).post(edit_url(led), edit_data(marking=marking().pk))

    assert response.status_code == 400
    assert "Galveston Bay Partnership" in text_of(response)  # what was typed stays
    led.refresh_from_db()
    assert led.marking == marking("fouo")


def test_a_co_lead_cannot_mark_the_partnership_above_their_clearance(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).post(edit_url(led), edit_data(marking=marking("sbu").pk))

    assert response.status_code == 400
    led.refresh_from_db()
    assert led.marking == marking()


def test_raising_the_marking_keeps_the_partnership_from_those_not_cleared_on_every_path(
    client: Client,
    led: Partnership,
    private_lead: Member,
    uncleared: Member,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_update(
            partnership=led, actor=fresh(private_lead), marking=marking(), title=f"Osprey {SENTINEL}",
            jurisdiction="Galveston County", description="",
        )  # fmt: skip
    reader = signed_in(Client(), uncleared)
    search = reverse("search:search") + "?q=osprey"
    overview = reverse("partnerships:overview", kwargs={"pk": led.pk})
    assert SENTINEL in reader.get(reverse("partnerships:list")).content.decode()
    assert SENTINEL in reader.get(search).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, private_lead).post(
            edit_url(led), edit_data(title=f"Osprey {SENTINEL}", marking=marking("fouo").pk)
        )

    assert response.status_code == 302
    assert reader.get(overview).status_code == 404
    assert SENTINEL not in reader.get(reverse("partnerships:list")).content.decode()
    assert SENTINEL not in reader.get(search).content.decode()
    # A cleared participant still sees it, under the new banner.
    assert "FOR OFFICIAL USE ONLY" in text_of(client.get(overview)).upper()
    assert SENTINEL in client.get(search).content.decode()


def test_raising_the_marking_raises_the_records_marked_lower_and_the_resource_history_says_so(
    client: Client, led: Partnership, private_lead: Member, uncleared: Member
) -> None:
    resource = services.resource_add(
        partnership=led, author=fresh(private_lead), marking=marking(),
        data={"name": "Forklifts", "category": "logistics", "kind": "equipment", "location": "Pier 10",
              "owner_organisation": "Port", "hours_to_deploy": 4},
    )  # fmt: skip
    need = services.need_add(
        partnership=led, author=fresh(private_lead), marking=marking(), title="Fuel", area="response", priority=1
    )

    signed_in(client, private_lead).post(edit_url(led), edit_data(marking=marking("fouo").pk))

    resource.refresh_from_db()
    need.refresh_from_db()
    assert resource.marking == need.marking == marking("fouo")
    change = ResourceChange.objects.filter(resource=resource, action=ResourceChange.Action.CHANGED).get()
    assert change.fields == {"marking": ["unmarked", "fouo"]}
    assert change.actor == private_lead
    reader = signed_in(Client(), uncleared)
    assert reader.get(reverse("partnerships:resource", kwargs={"pk": resource.pk})).status_code == 404
    assert reader.get(reverse("partnerships:need", kwargs={"pk": need.pk})).status_code == 404


def test_lowering_the_marking_lets_cleared_members_back_in(
    client: Client, led: Partnership, private_lead: Member, uncleared: Member
) -> None:
    Partnership.objects.filter(pk=led.pk).update(marking=marking("fouo"))
    overview = reverse("partnerships:overview", kwargs={"pk": led.pk})
    reader = signed_in(Client(), uncleared)
    assert reader.get(overview).status_code == 404

    signed_in(client, private_lead).post(edit_url(led), edit_data(marking=marking().pk))

    assert reader.get(overview).status_code == 200


def test_a_partnership_is_started_with_tags(client: Client, community: Community, founder: Member) -> None:
    page = text_of(signed_in(client, founder).get(reverse("partnerships:create")))
    assert 'name="tags"' in page

    client.post(
        reverse("partnerships:create"),
        {"community": community.pk, "title": "Port partnership", "jurisdiction": "Galveston", "tags": "ports, fuel",
         "marking": marking().pk},
    )  # fmt: skip

    assert sorted(Partnership.objects.get().tags.names()) == ["fuel", "ports"]


# --- 2. A task's owners and due date ------------------------------------------------------------------


@pytest.fixture
def plan_task(led: Partnership, private_lead: Member) -> Task:
    goal = services.goal_add(partnership=led, author=fresh(private_lead), marking=marking(), title="Ready port")
    return services.task_add(
        goal=goal, author=fresh(private_lead), marking=marking(), title="Pandemic plan", owner=fresh(private_lead),
        due_on=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip


def task_edit(client: Client, task: Task, **data: Any) -> Any:
    return client.post(reverse("partnerships:task_edit", kwargs={"pk": task.pk}), data)


def test_a_participant_changes_a_tasks_owner_co_owner_and_due_date_and_the_new_owners_are_told(
    client: Client, plan_task: Task, community: Community, public_lead: Member, private_lead: Member
) -> None:
    new_owner = participant(community, sector="private", first_name="Ana", last_name="Nuevo")
    due = timezone.localdate() + timedelta(days=40)
    Task.objects.filter(pk=plan_task.pk).update(overdue_notified_at=timezone.now())

    response = task_edit(
        signed_in(client, private_lead), plan_task, owner=new_owner.pk, co_owner=public_lead.pk, due_on=due.isoformat()
    )

    assert response.status_code == 302
    plan_task.refresh_from_db()
    assert (plan_task.owner, plan_task.co_owner, plan_task.due_on) == (new_owner, public_lead, due)
    assert plan_task.overdue_notified_at is None  # a new due date may be announced overdue again
    told = set(Notification.objects.filter(kind=TASK_ASSIGNED).values_list("recipient", flat=True))
    assert {new_owner.pk, public_lead.pk} <= told
    page = words_of(client.get(response["Location"]))
    assert "Owner: Ana Nuevo · co-owner: Dana Reyes" in page


def test_a_task_cannot_be_due_before_it_was_created_and_what_was_typed_stays(
    client: Client, plan_task: Task, public_lead: Member, private_lead: Member
) -> None:
    before = (timezone.localdate(plan_task.created_at) - timedelta(days=1)).isoformat()

    response = task_edit(
        signed_in(client, private_lead), plan_task, owner=private_lead.pk, co_owner=public_lead.pk, due_on=before
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "A task cannot be due before it was created" in page
    assert f'value="{before}"' in page
    assert f'<option value="{public_lead.pk}" selected>' in page
    plan_task.refresh_from_db()
    assert plan_task.co_owner is None


def test_a_co_owner_from_the_same_sector_or_outside_the_partnership_is_refused(
    client: Client, plan_task: Task, community: Community, private_lead: Member, outsider: Member
) -> None:
    same_sector = participant(community, sector="private")
    due = plan_task.due_on.isoformat()
    signed_in(client, private_lead)

    same = task_edit(client, plan_task, owner=private_lead.pk, co_owner=same_sector.pk, due_on=due)
    outside = task_edit(client, plan_task, owner=outsider.pk, due_on=due)

    assert same.status_code == outside.status_code == 400
    assert "from the other sector" in text_of(same)
    assert "Olly Outsider is not a participant of this partnership." in text_of(outside)
    plan_task.refresh_from_db()
    assert (plan_task.owner, plan_task.co_owner) == (private_lead, None)


def test_members_who_may_not_see_or_contribute_cannot_change_a_task(
    client: Client, plan_task: Task, private_lead: Member, uncleared: Member, outsider: Member
) -> None:
    Task.objects.filter(pk=plan_task.pk).update(marking=marking("fouo"))
    due = (plan_task.due_on + timedelta(days=5)).isoformat()

    assert task_edit(signed_in(client, uncleared), plan_task, owner=uncleared.pk, due_on=due).status_code == 404
    assert task_edit(signed_in(client, outsider), plan_task, owner=outsider.pk, due_on=due).status_code == 404
    plan_task.refresh_from_db()
    assert plan_task.owner == private_lead


# --- 3. Needs and goals: their pages, editing and removing ---------------------------------------------


@pytest.fixture
def author(community: Community) -> Member:
    return participant(community, sector="public", first_name="Aldo", last_name="Author")


@pytest.fixture
def need(led: Partnership, author: Member) -> Need:
    return services.need_add(
        partnership=led, author=fresh(author), marking=marking(), title="Backup power", area="response", priority=1
    )


@pytest.fixture
def goal(led: Partnership, author: Member, need: Need) -> Goal:
    return services.goal_add(
        partnership=led, author=fresh(author), marking=marking(), title="Shelters stay lit", needs=[need]
    )


def need_data(**changes: Any) -> dict[str, Any]:
    data = {"title": "Backup power for shelters", "area": "recovery", "priority": "2", "marking": marking().pk}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["author", "private_lead"])
def test_the_author_and_a_co_lead_change_a_need_on_its_page(
    client: Client, need: Need, who: str, request: pytest.FixtureRequest
) -> None:
    editor = request.getfixturevalue(who)
    url = reverse("partnerships:need", kwargs={"pk": need.pk})
    assert "Change the need" in text_of(signed_in(client, editor).get(url))

    response = client.post(url, need_data())

    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.title, need.area, need.priority) == ("Backup power for shelters", "recovery", 2)


def test_another_participant_cannot_change_a_need(client: Client, need: Need, community: Community) -> None:
    other = participant(community, sector="private")
    url = reverse("partnerships:need", kwargs={"pk": need.pk})
    page = text_of(signed_in(client, other).get(url))
    assert "Backup power" in page
    assert "Change the need" not in page
    assert 'name="item_type" value="partnerships.need"' not in page  # no remove button either

    assert client.post(url, need_data()).status_code == 403
    need.refresh_from_db()
    assert need.title == "Backup power"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=other).exists()


def test_a_bad_need_edit_says_so_and_keeps_what_was_typed(client: Client, need: Need, author: Member) -> None:
    url = reverse("partnerships:need", kwargs={"pk": need.pk})

    response = signed_in(client, author).post(url, need_data(title="", description=f"Kept {SENTINEL}"))

    assert response.status_code == 400
    assert f"Kept {SENTINEL}" in text_of(response)
    need.refresh_from_db()
    assert need.title == "Backup power"


def test_a_need_edit_keeps_the_links_to_hazards_the_editor_cannot_see(
    client: Client, need: Need, led: Partnership, author: Member, private_lead: Member
) -> None:
    secret = services.hazard_add(
        partnership=led, author=fresh(private_lead), marking=marking("fouo"), title="Vault", category="natural",
        likelihood=2, impact=2,
    )  # fmt: skip
    need.hazards.add(secret)

    signed_in(client, author).post(reverse("partnerships:need", kwargs={"pk": need.pk}), need_data())

    assert list(need.hazards.all()) == [secret]


@pytest.mark.parametrize("who", ["author", "private_lead"])
def test_the_author_and_a_co_lead_change_a_goal_on_its_page(
    client: Client, goal: Goal, need: Need, who: str, request: pytest.FixtureRequest
) -> None:
    editor = request.getfixturevalue(who)
    url = reverse("partnerships:goal", kwargs={"pk": goal.pk})
    page = text_of(signed_in(client, editor).get(url))
    assert "Change the goal" in page
    assert "Backup power" in page  # the need it addresses

    response = client.post(url, {"title": "Every shelter lit", "description": "", "marking": marking().pk})

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Every shelter lit"
    assert list(goal.needs.all()) == []


def test_a_bad_goal_edit_says_so_and_another_participant_is_refused(
    client: Client, goal: Goal, author: Member, community: Community
) -> None:
    url = reverse("partnerships:goal", kwargs={"pk": goal.pk})
    bad = signed_in(client, author).post(url, {"title": "", "description": f"Kept {SENTINEL}", "marking": marking().pk})
    assert bad.status_code == 400
    assert f"Kept {SENTINEL}" in text_of(bad)

    other = participant(community, sector="private")
    refused = signed_in(Client(), other).post(url, {"title": "Hijacked", "marking": marking().pk})
    assert refused.status_code == 403
    goal.refresh_from_db()
    assert goal.title == "Shelters stay lit"


@pytest.mark.parametrize(("kind", "noun"), [("need", "need"), ("goal", "goal")])
def test_a_co_lead_removes_a_need_or_a_goal_and_a_moderator_restores_it(
    client: Client,
    goal: Goal,
    need: Need,
    led: Partnership,
    private_lead: Member,
    public_lead: Member,
    uncleared: Member,
    kind: str,
    noun: str,
) -> None:
    record = need if kind == "need" else goal
    url = reverse(f"partnerships:{kind}", kwargs={"pk": record.pk})
    removal = reverse("communities:item_removal", kwargs={"slug": led.community.slug})
    page = text_of(signed_in(client, private_lead).get(url))
    assert f'name="item_type" value="partnerships.{noun}"' in page

    client.post(removal, {"item_type": f"partnerships.{noun}", "item_id": record.pk, "action": "remove", "next": url})

    record.refresh_from_db()
    assert record.deleted_at is not None
    plan = reverse("partnerships:plan", kwargs={"pk": led.pk})
    assert record.title not in text_of(signed_in(Client(), uncleared).get(plan))
    assert signed_in(Client(), uncleared).get(url).status_code == 404

    moderator = signed_in(Client(), public_lead)  # the community's creator moderates it
    moderator.post(
        removal, {"item_type": f"partnerships.{noun}", "item_id": record.pk, "action": "restore", "next": url}
    )
    restored = type(record).objects.get(pk=record.pk)
    assert restored.deleted_at is None
    assert record.title in text_of(signed_in(Client(), uncleared).get(plan))


def test_a_participant_who_is_neither_author_nor_co_lead_cannot_remove_a_need(
    client: Client, need: Need, led: Partnership, community: Community
) -> None:
    other = participant(community, sector="private")

    signed_in(client, other).post(
        reverse("communities:item_removal", kwargs={"slug": led.community.slug}),
        {"item_type": "partnerships.need", "item_id": need.pk, "action": "remove", "next": "/"},
    )

    need.refresh_from_db()
    assert need.deleted_at is None


def test_the_plan_links_needs_and_goals_to_their_pages(
    client: Client, goal: Goal, need: Need, led: Partnership, author: Member
) -> None:
    page = text_of(signed_in(client, author).get(reverse("partnerships:plan", kwargs={"pk": led.pk})))

    assert f'href="{reverse("partnerships:need", kwargs={"pk": need.pk})}"' in page
    assert f'href="{reverse("partnerships:goal", kwargs={"pk": goal.pk})}"' in page


def test_a_fouo_need_page_is_kept_from_an_uncleared_participant(
    client: Client, led: Partnership, private_lead: Member, uncleared: Member
) -> None:
    secret = services.need_add(
        partnership=led, author=fresh(private_lead), marking=marking("fouo"), title=f"Vault {SENTINEL}",
        area="response", priority=1,
    )  # fmt: skip

    assert signed_in(client, uncleared).get(reverse("partnerships:need", kwargs={"pk": secret.pk})).status_code == 404
    page = text_of(signed_in(Client(), private_lead).get(reverse("partnerships:need", kwargs={"pk": secret.pk})))
    assert SENTINEL in page
    assert "FOR OFFICIAL USE ONLY" in page.upper()


# --- 4. A restored resource's history -----------------------------------------------------------------


def test_a_resource_restored_by_a_moderator_is_in_its_history(
    client: Client, led: Partnership, private_lead: Member, public_lead: Member
) -> None:
    resource = services.resource_add(
        partnership=led, author=fresh(private_lead), marking=marking(),
        data={"name": "Forklifts", "category": "logistics", "kind": "equipment", "location": "Pier 10",
              "owner_organisation": "Port", "hours_to_deploy": 4},
    )  # fmt: skip
    services.resource_remove(resource=resource, actor=fresh(private_lead))
    url = reverse("partnerships:resource", kwargs={"pk": resource.pk})
    moderator = signed_in(client, public_lead)
    page = text_of(moderator.get(url))
    assert "Restore this resource" in page

    moderator.post(
        reverse("communities:item_removal", kwargs={"slug": led.community.slug}),
        {"item_type": "partnerships.resource", "item_id": resource.pk, "action": "restore", "next": url},
    )

    restored = ResourceChange.objects.filter(resource=resource, action=ResourceChange.Action.RESTORED).get()
    assert restored.actor == public_lead
    history = words_of(moderator.get(url))
    assert "Restored by Dana Reyes" in history
    assert Resource.objects.get(pk=resource.pk).deleted_at is None


def test_a_participant_who_does_not_moderate_cannot_restore_a_resource(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    resource = services.resource_add(
        partnership=led, author=fresh(private_lead), marking=marking(),
        data={"name": "Forklifts", "category": "logistics", "kind": "equipment", "location": "Pier 10",
              "owner_organisation": "Port", "hours_to_deploy": 4},
    )  # fmt: skip
    services.resource_remove(resource=resource, actor=fresh(private_lead))

    signed_in(client, private_lead).post(
        reverse("communities:item_removal", kwargs={"slug": led.community.slug}),
        {"item_type": "partnerships.resource", "item_id": resource.pk, "action": "restore", "next": "/"},
    )

    assert Resource.objects.get(pk=resource.pk).deleted_at is not None
    assert not ResourceChange.objects.filter(resource=resource, action=ResourceChange.Action.RESTORED).exists()
