"""Vetting services: the rules that hold whichever page or task calls them."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import services
from verification.models import AuditEvent, DomainRule, VerificationApplication

pytestmark = pytest.mark.django_db


def apply(member, sponsor_email: str = "chief@county.example.gov") -> VerificationApplication:
    return services.application_submit(member=member, sponsor_name="Chief Lee", sponsor_email=sponsor_email)


def test_an_unconfirmed_work_email_does_not_satisfy_an_auto_approve_domain_rule() -> None:
    DomainRule.objects.create(domain="fema.example.gov", action=DomainRule.Action.AUTO_APPROVE)
    impostor = MemberFactory.create(email="someone@example.net")
    ProfileFactory.create(member=impostor, work_email="director@fema.example.gov")
    staff = MemberFactory.create(email="planner@fema.example.gov")
    ProfileFactory.create(member=staff)

    impostor_application = apply(impostor)
    staff_application = apply(staff)

    assert impostor_application.domain_rule is None
    assert impostor_application.status == VerificationApplication.Status.SUBMITTED
    impostor.refresh_from_db()
    assert not impostor.is_verified
    assert staff_application.status == VerificationApplication.Status.APPROVED
    staff.refresh_from_db()
    assert staff.is_verified


def test_a_confirmed_second_address_can_match_a_domain_rule() -> None:
    DomainRule.objects.create(domain=".gov", action=DomainRule.Action.FLAG)
    member = MemberFactory.create(email="me@example.net")
    EmailAddress.objects.create(user=member, email="me@county.example.gov", verified=True, primary=False)
    ProfileFactory.create(member=member)

    assert apply(member).domain_rule is not None


def test_a_replaced_sponsor_link_stops_working_even_if_the_first_sponsor_is_named_again(
    django_capture_on_commit_callbacks,
) -> None:
    member = MemberFactory.create()
    ProfileFactory.create(member=member)
    verifier = make_verified_member(mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = apply(member, "a@county.example.gov")
    first_link = services.sponsor_token(first)
    services.application_request_information(application=first, verifier=verifier, question="Who is your sponsor?")
    with django_capture_on_commit_callbacks(execute=True):
        apply(member, "b@county.example.gov")
    services.application_request_information(application=first, verifier=verifier, question="Back to A, please.")
    with django_capture_on_commit_callbacks(execute=True):
        again = apply(member, "a@county.example.gov")

    with pytest.raises(signing.BadSignature):
        services.application_from_sponsor_token(first_link)
    assert services.application_from_sponsor_token(services.sponsor_token(again)).pk == first.pk
    sponsor_mails = [m.to[0] for m in mail.outbox if "affiliation" in m.subject]
    assert sponsor_mails == ["a@county.example.gov", "b@county.example.gov", "a@county.example.gov"]


def test_a_sponsor_cannot_answer_once_the_application_is_decided() -> None:
    member = MemberFactory.create()
    ProfileFactory.create(member=member)
    application = apply(member)
    services.application_reject(application=application, verifier=make_verified_member(), reason="Duplicate")

    with pytest.raises(ValidationError, match="already been decided"):
        services.sponsor_answer(application=application, confirmed=True)

    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.PENDING


def test_only_verified_members_accept_the_rules_of_behavior() -> None:
    rules = services.current_rules()
    assert rules is not None

    with pytest.raises(ValidationError):
        services.rules_accept(member=MemberFactory.create(), rules=rules)
    acceptance = services.rules_accept(member=make_verified_member(accept_rules=False), rules=rules)

    assert acceptance.rules == rules


def test_publishing_new_rules_sends_members_back_to_accept_them() -> None:
    member = make_verified_member()
    client = Client()
    client.force_login(member)
    assert client.get("/home/").status_code == 200

    services.rules_publish(text="Version 2 of the rules.")

    assert client.get("/home/")["Location"] == reverse("verification:rules")
    client.post(reverse("verification:rules"), {"version": 2, "accept": "on"})
    assert client.get("/home/").status_code == 200


def test_exporting_the_audit_log_is_itself_audited() -> None:
    auditor = make_verified_member(mfa=True)
    auditor.groups.add(Group.objects.get(name="Auditors"))
    client = Client()
    client.force_login(auditor)

    response = client.get(reverse("verification:audit_export"), {"action": "sign_in"})
    b"".join(response.streaming_content)  # type: ignore[attr-defined]

    export = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_EXPORTED)
    assert export.actor_id == auditor.pk
    assert export.detail == {"filters": {"action": "sign_in"}}


def test_a_suspended_members_profile_is_not_shown_to_other_members() -> None:
    viewer = make_verified_member()
    suspended = make_verified_member()
    client = Client()
    client.force_login(viewer)
    url = reverse("members:profile", kwargs={"pk": suspended.pk})
    assert client.get(url).status_code == 200

    services.member_suspend(member=suspended, verifier=make_verified_member(), reason="Under review")

    assert client.get(url).status_code == 404
