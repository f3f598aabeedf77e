"""The audit log: append-only in the ORM, the admin and (on PostgreSQL) the
database; verifiers and auditors filter it, page through it and export it as CSV."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.verification.factories import make_verified_member
from verification.audit import audit_record
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("verification:audit")
EXPORT_URL = reverse("verification:audit_export")


# --- Given ----------------------------------------------------------------------


def member_in(group: str, **fields: Any) -> Member:
    member = make_verified_member(mfa=True, **fields)
    member.groups.add(Group.objects.get(name=group))
    return member


@pytest.fixture
def auditor() -> Member:
    return member_in("Auditors", email="audrey@inspector.example.gov")


@pytest.fixture
def auditor_client(client: Client, auditor: Member) -> Client:
    client.force_login(auditor)
    return client


def event(action: str = AuditEvent.Action.VIEWED_MARKED, *, at: datetime | None = None, **fields: Any) -> AuditEvent:
    """An audit row as the services would write it, at a chosen time."""
    if at is not None:
        fields["at"] = at
    return AuditEvent.objects.create(action=action, **fields)


def export_rows(client: Client, **params: Any) -> list[list[str]]:
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content)))


# --- Who may read it ---------------------------------------------------------------


@pytest.mark.parametrize("url", [AUDIT_URL, EXPORT_URL])
def test_audit_log_and_export_refuse_a_member_who_is_neither_verifier_nor_auditor_and_audit_the_denial(
    client: Client, url: str
) -> None:
    member = make_verified_member(mfa=True, markings=["fouo"])
    client.force_login(member)

    refused = client.get(url)

    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION_DENIED, actor=member, detail__verb="read the audit log"
    ).exists()

    for group in ("Auditors", "Verifiers"):
        reader = member_in(group)
        client.force_login(reader)
        assert client.get(url).status_code == 200, group


def test_a_suspended_auditor_is_kept_out_of_the_audit_log(client: Client, auditor: Member) -> None:
    client.force_login(auditor)
    assert client.get(AUDIT_URL).status_code == 200

    Member.objects.filter(pk=auditor.pk).update(suspended_at=datetime(2026, 1, 1, tzinfo=UTC))

    response = client.get(AUDIT_URL)
    assert response.status_code == 302
    assert response["Location"] == "/verification/"


# --- Reading and filtering -----------------------------------------------------------


@pytest.fixture
def varied_events() -> None:
    event(
        AuditEvent.Action.VIEWED_MARKED,
        actor_email="ann@fire.example.gov",
        target_type="library.Document",
        target_id="7",
        target_label="Flood plan",
        marking="fouo",
        at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    event(
        AuditEvent.Action.SUSPENDED,
        actor_email="vera@verifiers.example.gov",
        target_type="verification.Member",
        target_id="42",
        target_label="Bob Example",
        at=datetime(2026, 3, 10, 9, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"action": "suspended"}, "Bob Example", "Flood plan"),
        ({"action": "viewed_marked"}, "Flood plan", "Bob Example"),
        ({"actor_email": "ann@fire"}, "Flood plan", "Bob Example"),
        ({"actor_email": "VERA@verifiers.example.gov"}, "Bob Example", "Flood plan"),
        ({"target_type": "verification.member"}, "Bob Example", "Flood plan"),
        ({"target_type": "library.Document", "target_id": "7"}, "Flood plan", "Bob Example"),
        ({"target_id": "42"}, "Bob Example", "Flood plan"),
        ({"marking": "fouo"}, "Flood plan", "Bob Example"),
        ({"date_from": "2026-03-05"}, "Bob Example", "Flood plan"),
        ({"date_to": "2026-03-01"}, "Flood plan", "Bob Example"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-10"}, "Bob Example", "Flood plan"),
    ],
)
def test_audit_log_filters_narrow_the_list(
    auditor_client: Client, varied_events: None, params: dict[str, str], shown: str, hidden: str
) -> None:
    response = auditor_client.get(AUDIT_URL, params)

    assert response.status_code == 200
    body = response.content.decode()
    assert shown in body
    assert hidden not in body


def test_audit_log_shows_an_error_and_no_entries_for_a_date_range_that_ends_before_it_starts(
    auditor_client: Client, varied_events: None
) -> None:
    response = auditor_client.get(AUDIT_URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})

    body = response.content.decode()
    assert "The end date is before the start date." in body
    assert 'value="2026-03-10"' in body  # what was typed is kept
    assert "Flood plan" not in body
    assert auditor_client.get(EXPORT_URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"}).status_code == 400


def test_audit_log_pages_by_fifty_newest_first(auditor_client: Client) -> None:
    for number in range(51):
        event(target_label=f"Item {number:02d}", at=datetime(2026, 1, 1, 0, number, tzinfo=UTC))

    first = auditor_client.get(AUDIT_URL, {"action": "viewed_marked"}).content.decode()
    second = auditor_client.get(AUDIT_URL, {"action": "viewed_marked", "page": "2"}).content.decode()

    assert "Page 1 of 2" in first
    assert first.index("Item 50") < first.index("Item 49")
    assert "Item 00" not in first
    assert "Item 00" in second
    assert "Item 01" not in second
    assert "?action=viewed_marked&amp;page=2" in first


def test_audit_log_takes_the_same_number_of_queries_for_one_and_thirty_entries(
    auditor_client: Client, django_assert_num_queries: Callable[..., Any]
) -> None:
    event(marking="fouo", actor_email="someone@example.gov", detail={"verb": "view"})
    with CaptureQueriesContext(connection) as one:
        auditor_client.get(AUDIT_URL, {"action": "viewed_marked"})

    for _ in range(29):
        event(marking="fouo", actor_email="someone@example.gov", detail={"verb": "view"})
    with django_assert_num_queries(len(one)):
        body = auditor_client.get(AUDIT_URL, {"action": "viewed_marked"}).content.decode()
    assert "30 entries" in body


# --- Exporting -----------------------------------------------------------------------


def test_csv_export_has_a_header_row_and_only_the_filtered_entries(auditor_client: Client, varied_events: None) -> None:
    rows = export_rows(auditor_client, marking="fouo")

    header, *entries = rows
    assert header[:3] == ["at", "action", "actor_email"]
    assert len(entries) == 1
    entry = dict(zip(header, entries[0], strict=True))
    assert entry["action"] == "viewed_marked"
    assert entry["actor_email"] == "ann@fire.example.gov"
    assert entry["target_type"] == "library.Document"
    assert entry["target_id"] == "7"
    assert entry["target_label"] == "Flood plan"
    assert entry["marking"] == "fouo"
    assert entry["at"].startswith("2026-03-01T12:00:00")


def test_csv_export_is_refused_to_a_verified_member_without_the_audit_role(
    client: Client, auditor: Member, varied_events: None
) -> None:
    outsider = make_verified_member()
    client.force_login(outsider)
    assert client.get(EXPORT_URL).status_code == 403

    client.force_login(auditor)
    assert len(export_rows(client)) > 1


def test_csv_export_defuses_values_a_spreadsheet_would_run_as_formulas(auditor_client: Client) -> None:
    event(target_label='=HYPERLINK("http://evil.example","click")', actor_email="+1@example.gov")

    header, entry = export_rows(auditor_client, action="viewed_marked")

    row = dict(zip(header, entry, strict=True))
    assert row["target_label"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["actor_email"] == "'+1@example.gov"


# --- Append-only ---------------------------------------------------------------------


def test_audit_rows_cannot_be_updated_or_deleted_through_the_orm() -> None:
    row = audit_record(AuditEvent.Action.SIGN_IN, actor=None, actor_email="kept@example.gov")

    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(actor_email="changed@example.gov")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    row.actor_email = "changed@example.gov"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()

    assert AuditEvent.objects.get(pk=row.pk).actor_email == "kept@example.gov"


def test_admin_lets_staff_read_audit_rows_but_not_add_change_or_delete_them(client: Client) -> None:
    superuser = make_verified_member(mfa=True, is_staff=True, is_superuser=True)
    row = audit_record(AuditEvent.Action.SIGN_IN, actor=None, actor_email="kept@example.gov")
    model_admin = admin_site.get_model_admin(AuditEvent)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    client.force_login(superuser)
    change_url = reverse("admin:verification_auditevent_change", args=[row.pk])

    assert model_admin.has_view_permission(request, row)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    changelist = client.get(reverse("admin:verification_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"actor_email": "changed@example.gov"}).status_code == 403
    assert (
        client.post(reverse("admin:verification_auditevent_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.get(reverse("admin:verification_auditevent_add")).status_code == 403
    bulk_delete = client.post(
        reverse("admin:verification_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk_delete.status_code in (200, 302)  # "No action selected": the bulk delete is not offered
    assert AuditEvent.objects.get(pk=row.pk).actor_email == "kept@example.gov"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE verification_auditevent SET actor_email = 'changed@example.gov' WHERE id = %s",
        "DELETE FROM verification_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_or_removes_audit_rows_on_postgresql(statement: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only.")
    row = audit_record(AuditEvent.Action.SIGN_IN, actor=None, actor_email="kept@example.gov")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [row.pk])

    assert AuditEvent.objects.get(pk=row.pk).actor_email == "kept@example.gov"
