"""The verifier's pages: the queue and its filters, the dossier and its three
decisions, suspending and reinstating a member."""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import services
from verification.models import (
    AuditEvent,
    DomainRule,
    Marking,
    MarkingAuthorisation,
    Member,
    RulesOfBehavior,
    VerificationApplication,
)

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


# --- Given ----------------------------------------------------------------------


def make_verifier(**fields: Any) -> Member:
    verifier = make_verified_member(mfa=True, **fields)
    verifier.groups.add(Group.objects.get(name="Verifiers"))
    return verifier


MEMBER_FIELDS = ("email", "first_name", "last_name")


def submit_application(
    member: Member | None = None, *, sponsor_email: str = "chief@county.gov", **fields: Any
) -> VerificationApplication:
    """A member with a profile who has applied, as through the apply page.

    ``email``, ``first_name`` and ``last_name`` go to a new member; any other field to their profile.
    """
    if member is None:
        member = MemberFactory.create(**{key: fields.pop(key) for key in MEMBER_FIELDS if key in fields})
    ProfileFactory.create(member=member, **fields)
    return services.application_submit(member=member, sponsor_name="Chief Ramos", sponsor_email=sponsor_email)


@pytest.fixture
def verifier() -> Member:
    return make_verifier(email="verifier@fema.example.gov", first_name="Vera", last_name="Fier")


@pytest.fixture
def verifier_client(client: Client, verifier: Member) -> Client:
    client.force_login(verifier)
    return client


@pytest.fixture
def application() -> VerificationApplication:
    return submit_application(email="dana.applicant@county.example.org", first_name="Dana", last_name="Applicant")


@pytest.fixture
def sent_mail() -> list[Any]:
    """The outbox from here on (the sponsor's request is already sent)."""
    mail.outbox.clear()
    return mail.outbox


def queue(client: Client, **params: Any) -> str:
    response = client.get(reverse("verification:queue"), params)
    assert response.status_code == 200
    return response.content.decode()


def review_url(application: VerificationApplication) -> str:
    return reverse("verification:review", args=[application.pk])


def marking(slug: str) -> Marking:
    return Marking.objects.get(slug=slug)


# --- Who may come in -------------------------------------------------------------


@pytest.mark.parametrize("page", ["verification:queue", "verification:audit", "home"])
def test_a_verifiers_navigation_names_the_vetting_queue_and_the_audit_log_once_on_every_page(
    verifier_client: Client, page: str
) -> None:
    html = verifier_client.get(reverse(page)).content.decode()
    navigation = html[html.index('<nav id="main-nav"') : html.index("</nav>", html.index('<nav id="main-nav"'))]

    assert navigation.count(">Vetting queue</a>") == 1
    assert navigation.count(">Audit log</a>") == 1


@pytest.mark.parametrize("page", ["queue", "review", "standing"])
def test_verifier_pages_refuse_a_verified_member_who_is_not_a_verifier_and_audit_the_denial(
    client: Client, application: VerificationApplication, verifier: Member, page: str
) -> None:
    url = {
        "queue": reverse("verification:queue"),
        "review": review_url(application),
        "standing": reverse("verification:standing", args=[application.member_id]),
    }[page]
    member = make_verified_member(mfa=True)
    client.force_login(member)

    refused = client.get(url)

    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION_DENIED, actor=member, detail__verb="review applications"
    ).exists()

    client.force_login(verifier)
    assert client.get(url).status_code == 200


def test_a_non_verifier_cannot_decide_by_posting_directly(client: Client, application: VerificationApplication) -> None:
    member = make_verified_member(mfa=True, markings=["fouo"])
    client.force_login(member)

    response = client.post(review_url(application), {"action": "approve", "markings": [marking("fouo").pk]})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED


def test_an_auditor_who_is_not_a_verifier_cannot_work_the_queue(client: Client) -> None:
    auditor = make_verified_member(mfa=True)
    auditor.groups.add(Group.objects.get(name="Auditors"))
    client.force_login(auditor)

    assert client.get(reverse("verification:queue")).status_code == 403


def test_a_verifier_without_mfa_is_sent_to_set_it_up_before_the_queue(client: Client) -> None:
    no_mfa = make_verified_member(mfa=False)
    no_mfa.groups.add(Group.objects.get(name="Verifiers"))
    client.force_login(no_mfa)

    response = client.get(reverse("verification:queue"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_queue(client: Client) -> None:
    response = client.get(reverse("verification:queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The queue --------------------------------------------------------------------


def test_queue_shows_open_applications_by_default_and_every_one_on_request(
    verifier_client: Client, verifier: Member
) -> None:
    waiting = submit_application(first_name="Waiting", last_name="Person")
    asked = submit_application(first_name="Asked", last_name="Person")
    services.application_request_information(application=asked, verifier=verifier, question="Which station?")
    decided = submit_application(first_name="Decided", last_name="Person")
    services.application_reject(application=decided, verifier=verifier, reason="Not a responder.")

    default = queue(verifier_client)
    everything = queue(verifier_client, status="all")
    rejected_only = queue(verifier_client, status="rejected")

    assert "Waiting Person" in default
    assert "Asked Person" in default
    assert "Decided Person" not in default
    assert all(name in everything for name in ("Waiting Person", "Asked Person", "Decided Person"))
    assert "Decided Person" in rejected_only
    assert "Waiting Person" not in rejected_only
    assert reverse("verification:review", args=[waiting.pk]) in default


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"sponsor_answer": "confirmed"}, "Confirmed Flagged", "Pending Unflagged"),
        ({"sponsor_answer": "pending"}, "Pending Unflagged", "Confirmed Flagged"),
        ({"flagged": "yes"}, "Confirmed Flagged", "Pending Unflagged"),
        ({"flagged": "no"}, "Pending Unflagged", "Confirmed Flagged"),
        ({"affiliation_type": "contractor"}, "Pending Unflagged", "Confirmed Flagged"),
        ({"discipline": "fire"}, "Confirmed Flagged", "Pending Unflagged"),
        ({"q": "harbor"}, "Pending Unflagged", "Confirmed Flagged"),
        ({"q": "pending.unflagged@"}, "Pending Unflagged", "Confirmed Flagged"),
        ({"q": "confirmed flagged"}, "Confirmed Flagged", "Pending Unflagged"),
    ],
)
def test_queue_filters_narrow_the_list(
    verifier_client: Client, params: dict[str, str], shown: str, hidden: str
) -> None:
    DomainRule.objects.create(domain="fire.example.gov")
    confirmed = submit_application(
        email="confirmed.flagged@fire.example.gov",
        first_name="Confirmed",
        last_name="Flagged",
        discipline="fire",
        organisation="Galveston Fire Department",
    )
    services.sponsor_answer(application=confirmed, confirmed=True, comment="Works for me.")
    submit_application(
        email="pending.unflagged@contractor.example.com",
        first_name="Pending",
        last_name="Unflagged",
        affiliation_type="contractor",
        discipline="utilities",
        organisation="Harbor Power and Light",
    )

    body = queue(verifier_client, **params)

    assert shown in body
    assert hidden not in body


def test_queue_shows_an_error_for_an_unknown_filter_value_and_falls_back_to_open_applications(
    verifier_client: Client,
) -> None:
    submit_application(first_name="Still", last_name="Listed")

    body = queue(verifier_client, status="nonsense")

    assert "Select a valid choice" in body
    assert "Still Listed" in body


def test_queue_pages_by_twenty_five_and_keeps_the_filters_in_page_links(verifier_client: Client) -> None:
    for _ in range(26):
        submit_application(discipline="fire")

    first = queue(verifier_client, discipline="fire")
    second = queue(verifier_client, discipline="fire", page=2)

    assert first.count('<th scope="row">') == 25
    assert "Page 1 of 2" in first
    assert "?discipline=fire&amp;page=2" in first
    assert second.count('<th scope="row">') == 1


def test_queue_takes_the_same_number_of_queries_for_one_and_thirty_applications(
    verifier_client: Client, django_assert_num_queries: Callable[..., Any]
) -> None:
    DomainRule.objects.create(domain=".gov")
    submit_application()
    with CaptureQueriesContext(connection) as one:
        queue(verifier_client, status="all")

    for _ in range(29):
        submit_application()
    with django_assert_num_queries(len(one)):
        body = queue(verifier_client, status="all")
    assert "30 applications" in body


# --- The dossier --------------------------------------------------------------------


def test_dossier_shows_snapshot_sponsor_answer_domain_rule_earlier_applications_and_authorisations(
    verifier_client: Client, verifier: Member
) -> None:
    DomainRule.objects.create(domain="county.example.gov", note="County government")
    member = MemberFactory.create(email="ray@county.example.gov", first_name="Ray", last_name="Nguyen")
    first = submit_application(member, organisation="Old County Office", title="Deputy")
    services.application_reject(application=first, verifier=verifier, reason="Sponsor could not be reached.")
    MarkingAuthorisation.objects.create(member=member, marking=marking("fouo"), granted_by=verifier)
    second = services.application_submit(member=member, sponsor_name="Chief Ramos", sponsor_email="ramos@county.gov")
    services.sponsor_answer(application=second, confirmed=True, comment="Ray runs our shelter plans.")

    response = verifier_client.get(review_url(second))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Old County Office" in body  # the profile as submitted
    assert "Emergency management" in body  # the discipline's label, not its code
    assert "Chief Ramos" in body
    assert "Confirmed" in body
    assert "Ray runs our shelter plans." in body
    assert "county.example.gov" in body
    assert "County government" in body
    assert "Sponsor could not be reached." in body  # the earlier application
    assert review_url(first) in body
    assert "For Official Use Only" in body  # the current authorisation
    assert reverse("verification:standing", args=[member.pk]) in body


def test_dossier_offers_every_marking_but_unmarked_as_labelled_checkboxes_in_a_fieldset(
    verifier_client: Client, application: VerificationApplication
) -> None:
    body = verifier_client.get(review_url(application)).content.decode()

    assert re.search(r"<fieldset[^>]*>\s*<legend>Marking authorisations", body)
    assert f'value="{marking("fouo").pk}"' in body
    assert f'value="{marking("sbu").pk}"' in body
    assert f'name="markings" value="{marking("unmarked").pk}"' not in body
    assert '<label for="id_reason">' in body
    assert '<label for="id_question">' in body


def test_dossier_takes_the_same_number_of_queries_however_many_earlier_applications(
    verifier_client: Client, verifier: Member, django_assert_num_queries: Callable[..., Any]
) -> None:
    DomainRule.objects.create(domain=".gov")
    member = MemberFactory.create()
    ProfileFactory.create(member=member)

    def reapply_after_rejection() -> VerificationApplication:
        application = services.application_submit(member=member, sponsor_name="Chief", sponsor_email="c@county.gov")
        services.application_reject(application=application, verifier=verifier, reason="Try again.")
        return application

    reapply_after_rejection()
    latest = services.application_submit(member=member, sponsor_name="Chief", sponsor_email="c@county.gov")
    with CaptureQueriesContext(connection) as one_earlier:
        verifier_client.get(review_url(latest))

    latest.refresh_from_db()
    services.application_reject(application=latest, verifier=verifier, reason="Try again.")
    for _ in range(5):
        reapply_after_rejection()
    latest = services.application_submit(member=member, sponsor_name="Chief", sponsor_email="c@county.gov")
    with django_assert_num_queries(len(one_earlier)):
        body = verifier_client.get(review_url(latest)).content.decode()
    assert body.count("Try again.") == 7


def test_dossier_of_an_unknown_application_is_not_found(verifier_client: Client) -> None:
    assert verifier_client.get(reverse("verification:review", args=[999999])).status_code == 404


# --- Deciding ---------------------------------------------------------------------------


def test_approving_with_fouo_grants_the_authorisation_sets_verified_until_and_emails_the_applicant(
    verifier_client: Client,
    verifier: Member,
    application: VerificationApplication,
    sent_mail: list[Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = verifier_client.post(
            review_url(application), {"action": "approve", "markings": [marking("fouo").pk], "note": "Welcome."}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("verification:queue")
    application.refresh_from_db()
    applicant = Member.objects.get(pk=application.member_id)
    assert application.status == VerificationApplication.Status.APPROVED
    assert application.decided_by == verifier
    assert applicant.verified_until is not None
    assert applicant.verified_until > timezone.now()
    grant = MarkingAuthorisation.objects.get(member=applicant)
    assert grant.marking.slug == "fouo"
    assert grant.granted_by == verifier
    assert [message.to for message in sent_mail] == [[applicant.email]]
    assert "approved" in str(sent_mail[0].body)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.APPLICATION_APPROVED, actor=verifier, target_id=str(application.pk)
    ).exists()


def test_approving_without_ticking_a_marking_clears_for_unmarked_material_only(
    verifier_client: Client, application: VerificationApplication
) -> None:
    response = verifier_client.post(review_url(application), {"action": "approve"})

    assert response.status_code == 302
    assert not MarkingAuthorisation.objects.filter(member_id=application.member_id).exists()
    assert Member.objects.get(pk=application.member_id).is_verified


def test_a_renewal_dossier_keeps_the_current_authorisations_ticked(verifier_client: Client, verifier: Member) -> None:
    member = make_verified_member(markings=["sbu"], verified_until=timezone.now() + timedelta(days=20))
    renewal = submit_application(member)
    assert renewal.is_renewal

    body = verifier_client.get(review_url(renewal)).content.decode()

    assert f'value="{marking("sbu").pk}" id="id_markings_1" checked' in body


def test_rejecting_without_a_reason_shows_an_error_and_changes_nothing(
    verifier_client: Client, application: VerificationApplication, sent_mail: list[Any]
) -> None:
    before = AuditEvent.objects.count()

    response = verifier_client.post(review_url(application), {"action": "reject", "reason": "   "})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the applicant a reason." in body
    assert "The decision was not recorded." in body
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED
    assert application.decided_by is None
    assert AuditEvent.objects.count() == before
    assert sent_mail == []


def test_rejecting_with_a_reason_sends_the_reason_to_the_applicant(
    verifier_client: Client,
    application: VerificationApplication,
    sent_mail: list[Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = verifier_client.post(
            review_url(application), {"action": "reject", "reason": "We could not confirm your agency."}
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.REJECTED
    assert application.decision_note == "We could not confirm your agency."
    assert len(sent_mail) == 1
    assert "We could not confirm your agency." in str(sent_mail[0].body)
    assert not Member.objects.get(pk=application.member_id).is_verified


def test_asking_for_more_information_sets_the_status_and_emails_the_question(
    verifier_client: Client,
    application: VerificationApplication,
    sent_mail: list[Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = verifier_client.post(
            review_url(application), {"action": "more_info", "question": "Which county do you serve?"}
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.MORE_INFO
    assert application.decision_note == "Which county do you serve?"
    assert [message.to for message in sent_mail] == [[application.member.email]]
    assert "Which county do you serve?" in str(sent_mail[0].body)


def test_asking_without_a_question_keeps_what_was_typed_elsewhere_out_and_shows_the_error(
    verifier_client: Client, application: VerificationApplication
) -> None:
    response = verifier_client.post(review_url(application), {"action": "more_info", "question": ""})

    assert response.status_code == 200
    assert "Ask the applicant a question." in response.content.decode()
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED


def test_a_verifier_cannot_decide_their_own_application_and_sees_why(client: Client) -> None:
    applicant_verifier = make_verifier()
    applicant_verifier.verified_until = timezone.now() + timedelta(days=10)  # renewal is due
    applicant_verifier.save()
    own = submit_application(applicant_verifier)
    client.force_login(applicant_verifier)

    page = client.get(review_url(own)).content.decode()
    response = client.post(review_url(own), {"action": "reject", "reason": "Let me decide myself."})

    assert "This is your own application." in page
    assert response.status_code == 200
    assert "Verifiers cannot decide their own application." in response.content.decode()
    own.refresh_from_db()
    assert own.status == VerificationApplication.Status.SUBMITTED


def test_deciding_an_application_someone_already_decided_shows_the_error_and_keeps_the_text(
    verifier_client: Client, application: VerificationApplication
) -> None:
    other = make_verifier()
    services.application_reject(application=application, verifier=other, reason="Duplicate account.")

    response = verifier_client.post(
        review_url(application), {"action": "more_info", "question": "Is this your second account?"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "This application has already been decided." in body
    assert "Duplicate account." in body  # the decision that stands
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.REJECTED


def test_a_failed_decision_shows_what_the_verifier_typed(
    verifier_client: Client, application: VerificationApplication
) -> None:
    too_long = "x" * 2001

    response = verifier_client.post(review_url(application), {"action": "reject", "reason": too_long})

    assert response.status_code == 200
    assert too_long in response.content.decode()


def test_an_unknown_decision_is_a_bad_request(verifier_client: Client, application: VerificationApplication) -> None:
    response = verifier_client.post(review_url(application), {"action": "promote"})

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED


# --- Suspending and reinstating -----------------------------------------------------------


def test_suspending_keeps_the_member_out_of_home_and_reinstating_lets_them_back(
    verifier_client: Client, verifier: Member
) -> None:
    member = make_verified_member()
    member_client = Client()
    member_client.force_login(member)
    standing_url = reverse("verification:standing", args=[member.pk])
    assert member_client.get("/home/").status_code == 200

    suspended = verifier_client.post(standing_url, {"action": "suspend", "reason": "Shared FOUO on social media."})

    assert suspended.status_code == 302
    assert suspended["Location"] == standing_url
    refused = member_client.get("/home/")
    assert refused.status_code == 302
    assert refused["Location"] == "/verification/"
    page = verifier_client.get(standing_url).content.decode()
    assert "Shared FOUO on social media." in page
    assert "Reinstate" in page

    reinstated = verifier_client.post(standing_url, {"action": "reinstate", "reason": "Reviewed with the sponsor."})

    assert reinstated.status_code == 302
    assert member_client.get("/home/").status_code == 200
    assert list(
        AuditEvent.objects.filter(target_type="verification.Member", target_id=str(member.pk))
        .filter(action__in=[AuditEvent.Action.SUSPENDED, AuditEvent.Action.REINSTATED])
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [(AuditEvent.Action.SUSPENDED, verifier.pk), (AuditEvent.Action.REINSTATED, verifier.pk)]


def test_suspending_without_a_reason_shows_an_error_and_changes_nothing(verifier_client: Client) -> None:
    member = make_verified_member()

    response = verifier_client.post(
        reverse("verification:standing", args=[member.pk]), {"action": "suspend", "reason": ""}
    )

    assert response.status_code == 200
    assert "Give a reason." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_suspended


def test_a_verifier_cannot_suspend_themselves(verifier_client: Client, verifier: Member) -> None:
    response = verifier_client.post(
        reverse("verification:standing", args=[verifier.pk]), {"action": "suspend", "reason": "Testing."}
    )

    assert response.status_code == 200
    assert "You cannot suspend yourself." in response.content.decode()
    verifier.refresh_from_db()
    assert not verifier.is_suspended


def test_standing_page_shows_the_members_verification_and_authorisations(verifier_client: Client) -> None:
    member = make_verified_member(markings=["fouo"], email="kim@ems.example.gov")

    body = verifier_client.get(reverse("verification:standing", args=[member.pk])).content.decode()

    assert "kim@ems.example.gov" in body
    assert "Verified until" in body
    assert "For Official Use Only" in body
    assert "Not suspended" in body
    assert '<label for="id_reason">' in body


def test_standing_of_an_unknown_member_is_not_found(verifier_client: Client) -> None:
    assert verifier_client.get(reverse("verification:standing", args=[999999])).status_code == 404


# --- The admin --------------------------------------------------------------------------------


def test_admin_shows_applications_but_leaves_deciding_to_the_queue(
    client: Client, application: VerificationApplication
) -> None:
    superuser = make_verified_member(mfa=True, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    change_url = reverse("admin:verification_verificationapplication_change", args=[application.pk])

    assert client.get(reverse("admin:verification_verificationapplication_changelist")).status_code == 200
    assert client.get(change_url).status_code == 200
    refused = client.post(change_url, {"status": "approved"})

    assert refused.status_code == 403
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED


def test_admin_publishes_new_rules_of_behavior_as_a_new_version_and_never_edits_a_published_one(
    client: Client,
) -> None:
    superuser = make_verified_member(mfa=True, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    current = RulesOfBehavior.objects.order_by("-version").first()
    assert current is not None

    edited = client.post(
        reverse("admin:verification_rulesofbehavior_change", args=[current.pk]), {"text": "Rewritten history."}
    )
    added = client.post(reverse("admin:verification_rulesofbehavior_add"), {"text": "1. Be careful."})

    assert added.status_code == 302
    newest = RulesOfBehavior.objects.order_by("-version").first()
    assert newest is not None
    assert (newest.version, newest.text) == (current.version + 1, "1. Be careful.")
    assert edited.status_code == 403
    current.refresh_from_db()
    assert current.text != "Rewritten history."
