"""Step 4, the community resource inventory: adding and changing resources (every change recorded with who
and when), search and filters, who can provide what within 72 hours, CSV import (all or nothing, each bad row
told) and export (the marking in its first lines), and a FOUO resource kept from members not cleared for it
on every path."""

import html
import re
from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import ActivityEvent, Community
from communities.selectors import visible_activity
from partnerships import services
from partnerships.models import Partnership, Resource, ResourceChange, StepState
from tests.partnerships.conftest import SENTINEL, fresh, marking, signed_in
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def words_of(response: Any) -> str:
    """The page's text as a reader meets it: no tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())


def resource_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ambulance strike team",
        "category": "ems",
        "kind": "team",
        "resource_type": "1",
        "capacity": "5",
        "capacity_unit": "ambulances",
        "quantity": "1",
        "location": "Station 4, Texas City",
        "owner_organisation": "Galveston County EMS",
        "contact": "Duty officer, 409-555-0100",
        "conditions": "Mutual aid agreement",
        "hours_to_deploy": "2",
        "availability": "available",
        "availability_on": "2026-06-01",
    }
    data.update(overrides)
    return data


def add(partnership: Partnership, author: Member, slug: str = "unmarked", **overrides: Any) -> Resource:
    data = resource_data(**overrides)
    typed = {
        **data,
        "capacity": data["capacity"] or None,
        "quantity": int(data["quantity"]),
        "hours_to_deploy": int(data["hours_to_deploy"]),
        "availability_on": date.fromisoformat(data["availability_on"]),
    }
    return services.resource_add(partnership=partnership, author=fresh(author), marking=marking(slug), data=typed)


@pytest.fixture
def stocked(
    led: Partnership, private_lead: Member, public_lead: Member, django_capture_on_commit_callbacks: Any
) -> Partnership:
    with django_capture_on_commit_callbacks(execute=True):  # search indexes after commit
        return _stock(led, private_lead, public_lead)


def _stock(led: Partnership, private_lead: Member, public_lead: Member) -> Partnership:
    add(led, public_lead)
    add(
        led,
        private_lead,
        name="Generator 500 kW",
        category="infrastructure",
        kind="equipment",
        owner_organisation="Port Logistics",
        hours_to_deploy="12",
        capacity="500",
        capacity_unit="kW",
    )
    add(
        led,
        private_lead,
        name="Forklifts",
        category="logistics",
        kind="equipment",
        owner_organisation="Port Logistics",
        hours_to_deploy="96",
    )
    add(
        led,
        public_lead,
        name="Shelter cots",
        category="mass_care",
        kind="supplies",
        owner_organisation="Red Cross",
        hours_to_deploy="24",
        availability="committed",
    )
    add(
        led,
        public_lead,
        slug="fouo",
        name=f"Substation spare transformer {SENTINEL}",
        category="infrastructure",
        kind="equipment",
        location=f"Yard 7 {SENTINEL}",
        owner_organisation="CenterPoint",
        hours_to_deploy="6",
    )
    return led  # fmt: skip


# --- Adding and changing -------------------------------------------------------------------------------


def test_a_participant_adds_a_resource_and_its_history_says_who_and_when(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).post(
        reverse("partnerships:resource_add", kwargs={"pk": led.pk}), {**resource_data(), "marking": marking().pk}
    )

    resource = Resource.objects.get()
    assert response.status_code == 302
    assert resource.capacity_unit == "ambulances"
    change = resource.changes.get()
    assert (change.action, change.actor) == (ResourceChange.Action.ADDED, private_lead)
    page = words_of(client.get(response["Location"]))
    assert "Added by Sam Ortiz" in page
    assert led.steps.get(number=4).state == StepState.IN_PROGRESS


def test_a_change_records_each_field_before_and_after(client: Client, led: Partnership, private_lead: Member) -> None:
    resource = add(led, private_lead)

    signed_in(client, private_lead).post(
        reverse("partnerships:resource_edit", kwargs={"pk": resource.pk}),
        {**resource_data(availability="committed", quantity="2"), "marking": marking().pk},
    )

    change = resource.changes.filter(action=ResourceChange.Action.CHANGED).get()
    assert change.fields == {"quantity": ["1", "2"], "availability": ["available", "committed"]}
    assert change.actor == private_lead
    assert "availability: “available” → “committed”" in text_of(
        client.get(reverse("partnerships:resource", kwargs={"pk": resource.pk}))
    )


def test_a_resource_with_bad_input_is_refused_and_what_was_typed_stays(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).post(
        reverse("partnerships:resource_add", kwargs={"pk": led.pk}),
        {**resource_data(hours_to_deploy="soon", location=""), "marking": marking().pk},
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "Enter a whole number." in page
    assert 'value="Ambulance strike team"' in page
    assert "Mutual aid agreement" in page
    assert not Resource.objects.exists()


def test_a_member_outside_the_community_cannot_add_resources(
    client: Client, led: Partnership, outsider: Member
) -> None:
    response = signed_in(client, outsider).post(
        reverse("partnerships:resource_add", kwargs={"pk": led.pk}), {**resource_data(), "marking": marking().pk}
    )

    assert response.status_code == 404
    assert not Resource.objects.exists()


# --- Search, filters, 72 hours ---------------------------------------------------------------------------


def names(response: Any) -> list[str]:
    page = text_of(response)
    return [r.name for r in Resource.objects.order_by("name") if f">{r.name}</a>" in page]


def test_search_and_filters_narrow_the_inventory(client: Client, stocked: Partnership, private_lead: Member) -> None:
    url = reverse("partnerships:resources", kwargs={"pk": stocked.pk})
    signed_in(client, private_lead)

    assert names(client.get(url, {"q": "port logistics"})) == ["Forklifts", "Generator 500 kW"]
    assert names(client.get(url, {"category": "mass_care"})) == ["Shelter cots"]
    assert names(client.get(url, {"kind": "equipment", "within_hours": "24"})) == [
        "Generator 500 kW",
        f"Substation spare transformer {SENTINEL}",
    ]
    assert names(client.get(url, {"availability": "committed"})) == ["Shelter cots"]


def test_who_can_provide_what_within_72_hours_is_grouped_by_category(
    client: Client, stocked: Partnership, private_lead: Member
) -> None:
    page = text_of(
        signed_in(client, private_lead).get(reverse("partnerships:within_72_hours", kwargs={"pk": stocked.pk}))
    )

    assert "Emergency medical services" in page
    assert "Infrastructure systems" in page
    assert page.index("Emergency medical services") < page.index("Ambulance strike team")
    assert page.index("Infrastructure systems") < page.index("Generator 500 kW")
    assert "Forklifts" not in page  # 96 hours
    assert "Shelter cots" not in page  # committed


def test_the_inventory_page_runs_a_fixed_number_of_queries(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    url = reverse("partnerships:resources", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)
    add(led, private_lead)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        add(led, private_lead, name=f"Pump {n}", category="public_works", kind="equipment")
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


# --- CSV ------------------------------------------------------------------------------------------------

HEADER = (
    "name,category,kind,resource_type,capacity,capacity_unit,quantity,location,owner_organisation,contact,"
    "conditions,hours_to_deploy,availability,availability_on,marking"
)


def test_a_clean_csv_imports_every_row_and_records_it(client: Client, led: Partnership, private_lead: Member) -> None:
    text = "\n".join(
        [
            HEADER,
            "Water tanker,Public works,equipment,2,4000,gallons,2,Depot,City of Galveston,,,8,available,2026-06-01,",
            "Forklift team,logistics,Team,untyped,,,1,Pier 10,Port Logistics,,,4,limited,2026-06-01,unmarked",
        ]
    )

    response = signed_in(client, private_lead).post(
        reverse("partnerships:resource_import", kwargs={"pk": led.pk}), {"text": text}
    )

    assert response.status_code == 302
    assert sorted(Resource.objects.values_list("name", "category")) == [
        ("Forklift team", "logistics"),
        ("Water tanker", "public_works"),
    ]
    assert ResourceChange.objects.filter(action=ResourceChange.Action.IMPORTED, actor=private_lead).count() == 2


def test_a_csv_with_bad_rows_reports_each_rows_error_imports_none_and_keeps_the_text(
    client: Client, led: Partnership, uncleared: Member
) -> None:
    text = "\n".join(
        [
            HEADER,
            "Water tanker,public_works,equipment,2,4000,gallons,2,Depot,City of Galveston,,,8,available,2026-06-01,",
            "Bad hours,public_works,equipment,,,,1,Depot,City,,,eight,available,2026-06-01,",
            "Bad category,volcanoes,equipment,,,,1,Depot,City,,,8,available,2026-06-01,",
            "Secret,public_works,equipment,,,,1,Depot,City,,,8,available,2026-06-01,fouo",
            "Unknown marking,public_works,equipment,,,,1,Depot,City,,,8,available,2026-06-01,top-secret",
        ]
    )

    response = signed_in(client, uncleared).post(
        reverse("partnerships:resource_import", kwargs={"pk": led.pk}), {"text": text}
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was imported" in page
    assert "Line 3: hours_to_deploy: Enter a whole number." in page
    assert "Line 4: category: Select a valid choice." in page
    assert "Line 6: marking: no marking called “top-secret”" in page
    assert "Water tanker,public_works" in page  # the CSV kept on the page
    assert not Resource.objects.exists()


def test_a_row_above_the_members_clearance_refuses_the_whole_import(
    client: Client, led: Partnership, uncleared: Member
) -> None:
    text = "\n".join(
        [
            HEADER,
            "Water tanker,public_works,equipment,2,4000,gallons,2,Depot,City of Galveston,,,8,available,2026-06-01,",
            "Secret,public_works,equipment,,,,1,Depot,City,,,8,available,2026-06-01,fouo",
        ]
    )

    response = signed_in(client, uncleared).post(
        reverse("partnerships:resource_import", kwargs={"pk": led.pk}), {"text": text}
    )

    assert response.status_code == 400
    assert "Line 3: marking: You are not cleared for" in text_of(response)
    assert not Resource.objects.exists()


def test_the_export_carries_the_marking_first_and_imports_back(
    client: Client, stocked: Partnership, private_lead: Member
) -> None:
    response = signed_in(client, private_lead).get(reverse("partnerships:resource_export", kwargs={"pk": stocked.pk}))

    body = response.content.decode()
    lines = body.splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert "FOR OFFICIAL USE ONLY" in lines[0].upper()
    assert lines[2].startswith("name,category,kind")
    assert "FOR OFFICIAL USE ONLY" in lines[-1].upper()
    assert SENTINEL in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=private_lead).exists()

    Resource.objects.all().delete()
    again = client.post(reverse("partnerships:resource_import", kwargs={"pk": stocked.pk}), {"text": body})
    assert again.status_code == 302
    assert Resource.objects.count() == 5
    assert Resource.objects.get(name__contains=SENTINEL).marking.slug == "fouo"


# --- A marked resource on every path --------------------------------------------------------------------


def resource_reference(resource: Resource) -> tuple[int, int]:
    return ContentType.objects.get_for_model(Resource).pk, resource.pk


def feed_of(member: Member) -> set[tuple[int | None, int | None]]:
    return {(e.target_type_id, e.target_id) for e in visible_activity(fresh(member), ActivityEvent.objects.all())}


def test_a_fouo_resource_is_hidden_from_an_uncleared_participant_on_every_path(
    client: Client, stocked: Partnership, uncleared: Member
) -> None:
    secret = Resource.objects.get(name__contains=SENTINEL)
    signed_in(client, uncleared)
    pk = {"pk": stocked.pk}

    for url in (
        reverse("partnerships:resources", kwargs=pk),
        reverse("partnerships:within_72_hours", kwargs=pk),
        reverse("partnerships:resource_export", kwargs=pk),
        reverse("partnerships:summary", kwargs=pk),
        reverse("search:search") + "?q=substation+transformer",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SENTINEL not in response.content.decode(), url
        assert "Substation spare transformer" not in response.content.decode(), url
    export = client.get(reverse("partnerships:resource_export", kwargs=pk)).content.decode()
    assert export.splitlines()[0] == f"# {marking().banner_text}"
    assert client.get(reverse("partnerships:resource", kwargs={"pk": secret.pk})).status_code == 404
    assert client.get(reverse("partnerships:resource_edit", kwargs={"pk": secret.pk})).status_code == 404
    assert resource_reference(secret) not in feed_of(uncleared)
    assert resource_reference(Resource.objects.get(name="Forklifts")) in feed_of(uncleared)


def test_a_cleared_participant_sees_the_fouo_resource_under_its_banner_and_the_view_is_audited(
    client: Client, stocked: Partnership, private_lead: Member
) -> None:
    secret = Resource.objects.get(name__contains=SENTINEL)
    signed_in(client, private_lead)

    page = text_of(client.get(reverse("partnerships:resource", kwargs={"pk": secret.pk})))
    listing = text_of(client.get(reverse("partnerships:resources", kwargs={"pk": stocked.pk})))
    found = text_of(client.get(reverse("search:search") + "?q=substation+transformer"))

    assert SENTINEL in page
    assert SENTINEL in listing
    assert "Substation spare transformer" in found
    assert "FOR OFFICIAL USE ONLY" in page.upper()
    assert "FOR OFFICIAL USE ONLY" in listing.upper()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEWED_MARKED, actor=private_lead, target_id=str(secret.pk)
    ).exists()
    assert resource_reference(secret) in feed_of(private_lead)


def test_a_resource_is_never_marked_below_its_partnership(
    community: Community, founder: Member, private_lead: Member
) -> None:
    from django.core.exceptions import ValidationError

    secret = services.partnership_create(
        author=founder, community=community, marking=marking("fouo"), title="Port", jurisdiction="Port"
    )

    with pytest.raises(ValidationError, match="marked at least"):
        add(secret, private_lead, slug="unmarked")


def test_an_exported_cell_a_spreadsheet_would_run_is_written_as_text_and_reads_back(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    add(led, private_lead, contact='=HYPERLINK("http://evil.example")')
    signed_in(client, private_lead)

    body = client.get(reverse("partnerships:resource_export", kwargs={"pk": led.pk})).content.decode()
    assert "'=HYPERLINK" in body

    Resource.objects.all().delete()
    assert (
        client.post(reverse("partnerships:resource_import", kwargs={"pk": led.pk}), {"text": body}).status_code == 302
    )
    assert Resource.objects.get().contact == '=HYPERLINK("http://evil.example")'


def test_the_72_hour_view_runs_a_fixed_number_of_queries(
    client: Client, led: Partnership, private_lead: Member
) -> None:
    url = reverse("partnerships:within_72_hours", kwargs={"pk": led.pk})
    signed_in(client, private_lead).get(url)
    add(led, private_lead)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n, category in enumerate(("public_works", "logistics", "mass_care", "fire")):
        add(led, private_lead, name=f"Item {n}", category=category, kind="equipment")
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_marked_rows_a_list_shows_are_audited_in_one_write(
    client: Client, stocked: Partnership, private_lead: Member
) -> None:
    url = reverse("partnerships:resources", kwargs={"pk": stocked.pk})
    signed_in(client, private_lead).get(url)
    secret = Resource.objects.get(name__contains=SENTINEL)
    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=private_lead)
    assert list(viewed.values_list("target_id", flat=True)) == [str(secret.pk)]

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add(stocked, private_lead, slug="fouo", name="Second secret")
    add(stocked, private_lead, slug="fouo", name="Third secret")
    with CaptureQueriesContext(connection) as three:
        client.get(url)

    assert len(three) == len(one)
    assert viewed.count() == 1 + 1 + 3
