"""The applicant's pages through the real client and templates: profile, application,
status, the sponsor's signed link, the Rules of Behavior and member profiles."""

import io
import os
import re
import time
from datetime import datetime, timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import services
from verification.models import DomainRule, Member, Profile, RulesAcceptance, VerificationApplication

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("verification:profile")
APPLY_URL = reverse("verification:apply")
STATUS_URL = reverse("verification:status")
RULES_URL = reverse("verification:rules")

PROFILE_POST = {
    "first_name": "Dana",
    "last_name": "Reyes",
    "affiliation_type": "responder",
    "discipline": "fire",
    "organisation": "Harris County Fire Marshal's Office",
    "jurisdiction_state": "Texas",
    "jurisdiction_local": "Harris County",
    "title": "Deputy Fire Marshal",
    "work_email": "d.ortiz@hcfmo.example.org",
    "phone": "+1 713 555 0142",
    "expertise": "hazmat, flood response",
    "bio": "Twenty years in fire investigation.",
    "shared_fields": ["title", "expertise"],
}


def signed_in_client(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def png_bytes(size: tuple[int, int] = (8, 8), noise: bool = False) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, "red")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def sponsor_path_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/verification/sponsor/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def applicant_with_profile(**member_fields: object) -> Member:
    member = MemberFactory.create(first_name="Dana", last_name="Ortiz", **member_fields)
    ProfileFactory.create(member=member, work_email="dana.ortiz@county.example.org")
    return member


def verified_member_until(until: datetime) -> Member:
    """``make_verified_member`` always gives a year; move the end date for renewal and expiry tests."""
    member = make_verified_member()
    Member.objects.filter(pk=member.pk).update(verified_until=until)
    member.refresh_from_db()
    return member


def submitted_application(member: Member) -> VerificationApplication:
    return services.application_submit(
        member=member, sponsor_name="Chief Lee", sponsor_email="chief.lee@county.example.org"
    )


# --- Profile -------------------------------------------------------------------


def test_profile_save_stores_the_fields_and_which_ones_the_member_shares() -> None:
    # Given an unverified member without a profile
    member = MemberFactory.create()
    client = signed_in_client(member)

    # When they fill in their profile and tick two fields to share
    response = client.post(PROFILE_URL, PROFILE_POST)

    # Then it is saved, with the shared fields and tags, and they go on to apply
    assert response.status_code == 302
    assert response["Location"] == APPLY_URL
    profile = Profile.objects.get(member=member)
    assert profile.organisation == "Harris County Fire Marshal's Office"
    assert profile.jurisdiction == "Harris County, Texas"
    assert profile.shared_fields == ["title", "expertise"]
    assert sorted(profile.expertise.names()) == ["flood response", "hazmat"]
    assert profile.shares("title")
    assert not profile.shares("phone")
    member.refresh_from_db()
    assert member.display_name == "Dana Reyes"


def test_profile_form_starts_with_the_account_email_and_lists_every_shareable_field() -> None:
    member = MemberFactory.create(email="new.member@county.example.org")

    body = signed_in_client(member).get(PROFILE_URL).content.decode()

    assert 'value="new.member@county.example.org"' in body
    for label in Profile.SHAREABLE_FIELDS.values():
        assert label in body
    assert '<label for="id_organisation">' in body


def test_profile_with_bad_input_shows_clear_errors_and_keeps_what_was_typed() -> None:
    # Given a member filling in their profile
    member = MemberFactory.create()
    client = signed_in_client(member)

    # When the work e-mail is not an address and the organisation is missing
    response = client.post(PROFILE_URL, {**PROFILE_POST, "work_email": "not-an-address", "organisation": ""})

    # Then nothing is saved, the errors say what is wrong, and what was typed is still there
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "This field is required." in body
    assert 'value="not-an-address"' in body
    assert 'value="Deputy Fire Marshal"' in body
    assert "Twenty years in fire investigation." in body
    assert 'value="title" id="id_shared_fields_0" checked' in body
    assert not Profile.objects.filter(member=member).exists()


def test_profile_photo_must_be_a_real_image() -> None:
    member = MemberFactory.create()
    client = signed_in_client(member)
    fake = SimpleUploadedFile("me.png", b"this is not an image", content_type="image/png")

    response = client.post(PROFILE_URL, {**PROFILE_POST, "photo": fake})

    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not Profile.objects.filter(member=member).exists()


def test_profile_photo_larger_than_2_mb_is_refused_and_a_small_one_is_saved() -> None:
    member = MemberFactory.create()
    client = signed_in_client(member)
    large = png_bytes((1100, 1100), noise=True)
    assert len(large) > 2 * 1024 * 1024

    refused = client.post(
        PROFILE_URL, {**PROFILE_POST, "photo": SimpleUploadedFile("big.png", large, content_type="image/png")}
    )
    assert refused.status_code == 200
    assert "larger than 2 MB" in refused.content.decode()
    assert not Profile.objects.filter(member=member).exists()

    accepted = client.post(
        PROFILE_URL, {**PROFILE_POST, "photo": SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")}
    )
    assert accepted.status_code == 302
    profile = Profile.objects.get(member=member)
    assert profile.photo.name.startswith("profile-photos/")

    # Saving again without a new file keeps the photo; ticking "remove" drops it.
    client.post(PROFILE_URL, PROFILE_POST)
    profile.refresh_from_db()
    assert profile.photo
    client.post(PROFILE_URL, {**PROFILE_POST, "remove_photo": "on"})
    profile.refresh_from_db()
    assert not profile.photo


# --- Applying and the sponsor's answer --------------------------------------------


def test_apply_without_a_profile_sends_the_member_to_fill_it_in_first() -> None:
    member = MemberFactory.create()
    client = signed_in_client(member)

    response = client.get(APPLY_URL, follow=True)

    assert response.redirect_chain == [(PROFILE_URL, 302)]
    assert "Fill in your profile first" in response.content.decode()


def test_apply_emails_the_sponsor_a_link_and_the_sponsor_confirms_without_an_account(
    django_capture_on_commit_callbacks,
) -> None:
    # Given an applicant with a profile
    member = applicant_with_profile()
    client = signed_in_client(member)

    # When they name their sponsor and send the application
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            APPLY_URL,
            {"sponsor_name": "Chief Lee", "sponsor_email": "chief.lee@county.example.org", "statement": "Hello"},
        )

    # Then the application waits, and the sponsor has an e-mail with a signed link
    assert response.status_code == 302
    assert response["Location"] == STATUS_URL
    application = VerificationApplication.objects.get(member=member)
    assert application.status == VerificationApplication.Status.SUBMITTED
    assert [message.to for message in mail.outbox] == [["chief.lee@county.example.org"]]
    link = sponsor_path_in(mail.outbox[0])

    # And the sponsor, with no account, sees who applied and what they claim
    sponsor = Client()
    page = sponsor.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Dana Ortiz" in body
    assert "Galveston County Office of Emergency Management" in body
    assert "Galveston County, Texas" in body

    # When the sponsor confirms
    answered = sponsor.post(link, {"answer": "confirm", "comment": "Works for me."}, follow=True)

    # Then the answer is recorded and the page says it is answered
    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.CONFIRMED
    assert application.sponsor_comment == "Works for me."
    assert "Your answer has been recorded" in answered.content.decode()
    assert "already been answered" in answered.content.decode()


def test_sponsor_link_already_answered_changes_nothing() -> None:
    # Given a sponsor who already confirmed
    application = submitted_application(applicant_with_profile())
    services.sponsor_answer(application=application, confirmed=True)
    link = reverse("verification:sponsor", args=[services.sponsor_token(application)])

    # When the link is used again to deny
    response = Client().post(link, {"answer": "deny"})

    # Then the page says it was already answered and the answer stands
    assert response.status_code == 200
    assert "already been answered" in response.content.decode()
    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.CONFIRMED


def test_sponsor_must_choose_an_answer_and_keeps_the_comment_typed() -> None:
    application = submitted_application(applicant_with_profile())
    link = reverse("verification:sponsor", args=[services.sponsor_token(application)])

    response = Client().post(link, {"comment": "Not sure what to pick"})

    assert response.status_code == 200
    assert "Please choose an answer." in response.content.decode()
    assert "Not sure what to pick" in response.content.decode()
    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.PENDING


def test_forged_sponsor_link_says_it_is_not_valid_and_reveals_nothing() -> None:
    # Given a real link, and one whose payload points at the same application but was re-signed by no one
    application = submitted_application(applicant_with_profile())
    real_token = services.sponsor_token(application)
    payload, _, signature = real_token.rpartition(":")
    altered = payload.replace(payload[0], "A" if payload[0] != "A" else "B", 1) + ":" + signature

    for token in (altered, "made-up-token", real_token + "x"):
        # When someone opens it
        response = Client().get(reverse("verification:sponsor", args=[token]))

        # Then they get a clear "not valid" page with nothing about the applicant
        assert response.status_code == 404
        body = response.content.decode()
        assert "This link is not valid" in body
        assert "Ortiz" not in body
        assert "Galveston" not in body

    # And a forged POST changes nothing
    Client().post(reverse("verification:sponsor", args=[altered]), {"answer": "confirm"})
    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.PENDING


def test_expired_sponsor_link_says_it_has_expired_with_status_410(settings) -> None:
    # Given a link signed fifteen days ago, when links last fourteen
    settings.MUSTER_SPONSOR_LINK_DAYS = 14
    application = submitted_application(applicant_with_profile())

    class SignedFifteenDaysAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 15 * 24 * 60 * 60)

    token = SignedFifteenDaysAgo(salt=services.SPONSOR_SALT).sign_object(
        {"a": application.pk, "e": application.sponsor_email}
    )

    # When the sponsor opens it, or answers through it
    opened = Client().get(reverse("verification:sponsor", args=[token]))
    answered = Client().post(reverse("verification:sponsor", args=[token]), {"answer": "confirm"})

    # Then they are told it expired, see nothing about the applicant, and nothing changes
    assert opened.status_code == 410
    assert answered.status_code == 410
    assert "This link has expired" in opened.content.decode()
    assert "Ortiz" not in opened.content.decode()
    application.refresh_from_db()
    assert application.sponsor_answer == VerificationApplication.SponsorAnswer.PENDING


def test_apply_refuses_the_applicants_own_address_as_sponsor_and_keeps_what_was_typed() -> None:
    member = applicant_with_profile()
    client = signed_in_client(member)

    response = client.post(
        APPLY_URL, {"sponsor_name": "Me Myself", "sponsor_email": member.email, "statement": "Keep this"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your sponsor must be someone else" in body
    assert 'value="Me Myself"' in body
    assert "Keep this" in body
    assert not VerificationApplication.objects.filter(member=member).exists()


def test_apply_shows_an_error_from_the_service_as_a_form_error_and_keeps_what_was_typed(monkeypatch) -> None:
    # Given a service that refuses the application (as when another tab submitted it a moment earlier)
    member = applicant_with_profile()

    def refuse(**kwargs: object) -> None:
        raise ValidationError("Your application is already waiting for a verifier.")

    monkeypatch.setattr(services, "application_submit", refuse)

    # When the applicant submits
    response = signed_in_client(member).post(
        APPLY_URL, {"sponsor_name": "Chief Lee", "sponsor_email": "chief.lee@county.example.org", "statement": "Hi"}
    )

    # Then the page shows why, with everything they typed
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your application is already waiting for a verifier." in body
    assert 'value="chief.lee@county.example.org"' in body


def test_resubmission_after_more_information_keeps_the_same_application(django_capture_on_commit_callbacks) -> None:
    # Given an application on which a verifier asked a question
    member = applicant_with_profile()
    application = submitted_application(member)
    verifier = make_verified_member(mfa=True)
    services.application_request_information(
        application=application, verifier=verifier, question="Which station do you work at?"
    )
    client = signed_in_client(member)

    # When the applicant opens the apply page, it shows the question and what they sent before
    page = client.get(APPLY_URL).content.decode()
    assert "Which station do you work at?" in page
    assert 'value="chief.lee@county.example.org"' in page
    status_page = client.get(STATUS_URL).content.decode()
    assert "Which station do you work at?" in status_page
    assert "Edit and resubmit your application" in status_page

    # And they answer and send it again with the same sponsor
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            APPLY_URL,
            {"sponsor_name": "Chief Lee", "sponsor_email": "chief.lee@county.example.org", "statement": "Station 4"},
        )

    # Then the same application goes back to the queue, and the sponsor is not asked twice
    assert response.status_code == 302
    assert VerificationApplication.objects.filter(member=member).count() == 1
    application.refresh_from_db()
    assert application.status == VerificationApplication.Status.SUBMITTED
    assert application.statement == "Station 4"
    assert not [message for message in mail.outbox if "chief.lee" in message.to[0]]


def test_a_submitted_application_cannot_be_sent_twice() -> None:
    member = applicant_with_profile()
    submitted_application(member)

    response = signed_in_client(member).get(APPLY_URL, follow=True)

    assert response.redirect_chain == [(STATUS_URL, 302)]
    assert "already waiting for a verifier" in response.content.decode()


def test_auto_approve_domain_rule_verifies_the_member_at_once() -> None:
    # Given a rule approving .gov addresses, and an applicant with a .gov work e-mail
    DomainRule.objects.create(domain=".gov", action=DomainRule.Action.AUTO_APPROVE)
    member = MemberFactory.create(email="responder@county.example.gov")
    ProfileFactory.create(member=member, work_email="responder@county.example.gov")
    client = signed_in_client(member)

    # When they apply
    response = client.post(APPLY_URL, {"sponsor_name": "Chief Lee", "sponsor_email": "lee@county.example.gov"})

    # Then they are verified at once and sent on to the Rules of Behavior
    assert response["Location"] == RULES_URL
    member.refresh_from_db()
    assert member.is_verified
    assert VerificationApplication.objects.get(member=member).status == VerificationApplication.Status.APPROVED


# --- Renewal ------------------------------------------------------------------


def test_expired_member_renews_with_a_short_re_application() -> None:
    # Given a member whose verification ended yesterday, who applied once before
    member = applicant_with_profile(verified_until=timezone.now() - timedelta(days=1))
    previous = submitted_application(member)
    previous.status = VerificationApplication.Status.APPROVED
    previous.save()
    client = signed_in_client(member)

    # When they open the apply page, it is a renewal with their sponsor already filled in
    page = client.get(APPLY_URL).content.decode()
    assert "Renew your verification" in page
    assert 'value="chief.lee@county.example.org"' in page

    # And sending it creates a renewal application
    client.post(APPLY_URL, {"sponsor_name": "Chief Lee", "sponsor_email": "chief.lee@county.example.org"})
    assert member.applications.filter(status=VerificationApplication.Status.SUBMITTED, is_renewal=True).exists()


def test_renewal_opens_30_days_before_verification_ends() -> None:
    # Given a verified member with most of a year left: no renewal yet
    far = make_verified_member()
    ProfileFactory.create(member=far)
    refused = signed_in_client(far).get(APPLY_URL, follow=True)
    assert refused.redirect_chain == [(STATUS_URL, 302)]
    assert "Renewal opens 30 days before" in refused.content.decode()

    # Given a verified member with ten days left: the status page offers renewal and the form opens
    soon = verified_member_until(timezone.now() + timedelta(days=10))
    ProfileFactory.create(member=soon)
    client = signed_in_client(soon)
    assert "Renew your verification" in client.get(STATUS_URL).content.decode()
    assert client.get(APPLY_URL).status_code == 200


# --- Status ---------------------------------------------------------------------


def test_status_page_tells_a_new_member_to_fill_in_their_profile() -> None:
    body = signed_in_client(MemberFactory.create()).get(STATUS_URL).content.decode()

    assert "You are not verified yet." in body
    assert f'href="{PROFILE_URL}"' in body
    assert "Fill in your profile" in body


def test_status_page_shows_a_pending_application_and_the_sponsor_answer() -> None:
    member = applicant_with_profile()
    application = submitted_application(member)
    services.sponsor_answer(application=application, confirmed=True, comment="private note for the verifier")

    body = signed_in_client(member).get(STATUS_URL).content.decode()

    assert "Your application is pending" in body
    assert "Waiting for a verifier" in body
    assert "Chief Lee: confirmed" in body
    assert "private note for the verifier" not in body


def test_status_page_shows_the_reason_for_a_rejection() -> None:
    member = applicant_with_profile()
    application = submitted_application(member)
    services.application_reject(
        application=application, verifier=make_verified_member(mfa=True), reason="Sponsor could not be reached."
    )

    body = signed_in_client(member).get(STATUS_URL).content.decode()

    assert "Rejected" in body
    assert "Sponsor could not be reached." in body
    assert "Apply for verification" in body


def test_status_page_shows_a_suspension_and_its_reason() -> None:
    member = make_verified_member(suspended_at=timezone.now(), suspension_reason="Shared FOUO material outside Muster.")

    body = signed_in_client(member).get(STATUS_URL).content.decode()

    assert "Your account is suspended." in body
    assert "Shared FOUO material outside Muster." in body


def test_status_page_shows_a_verified_member_their_expiry_date_and_the_way_home() -> None:
    until = timezone.now() + timedelta(days=200)
    member = verified_member_until(until)

    body = signed_in_client(member).get(STATUS_URL).content.decode()

    assert f"until <strong>{until:%-d %B %Y}</strong>" in body
    assert f'href="{reverse("home")}"' in body


def test_status_page_sends_a_member_without_mfa_to_set_it_up() -> None:
    member = make_verified_member(markings=["fouo"], mfa=False)

    body = signed_in_client(member).get(STATUS_URL).content.decode()

    assert f'href="{reverse("mfa_activate_totp")}"' in body


def test_status_page_is_for_signed_in_members_only() -> None:
    response = Client().get(STATUS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Rules of Behavior ------------------------------------------------------------


def test_accepting_the_rules_lets_a_verified_member_reach_home() -> None:
    # Given a verified member who has not accepted the current rules
    member = make_verified_member(accept_rules=False)
    client = signed_in_client(member)

    # Then home sends them to the rules, which show the text and an "I accept" form
    assert client.get("/home/")["Location"] == RULES_URL
    page = client.get(RULES_URL).content.decode()
    rules = services.current_rules()
    assert rules is not None
    assert f"Version {rules.version}" in page
    assert "Use Muster only for your work" in page
    assert "I have read and accept the Rules of Behavior" in page

    # When they accept
    response = client.post(RULES_URL, {"version": rules.version, "accept": "on"})

    # Then they go home, and home opens
    assert response["Location"] == reverse("home")
    assert RulesAcceptance.objects.filter(member=member, rules=rules).exists()
    assert client.get("/home/").status_code == 200
    assert "You accepted this version" in client.get(RULES_URL).content.decode()


def test_rules_must_be_ticked_to_be_accepted() -> None:
    member = make_verified_member(accept_rules=False)
    rules = services.current_rules()
    assert rules is not None

    response = signed_in_client(member).post(RULES_URL, {"version": rules.version})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not RulesAcceptance.objects.filter(member=member).exists()


def test_rules_accepted_only_for_the_version_the_member_read() -> None:
    member = make_verified_member(accept_rules=False)
    read = services.current_rules()
    assert read is not None
    newer = services.rules_publish(text="Version two of the rules.")

    response = signed_in_client(member).post(RULES_URL, {"version": read.version, "accept": "on"}, follow=True)

    assert "changed while you were reading" in response.content.decode()
    assert "Version two of the rules." in response.content.decode()
    assert not RulesAcceptance.objects.filter(member=member, rules=newer).exists()


def test_unverified_member_cannot_accept_the_rules() -> None:
    # Given an applicant who is not verified
    member = applicant_with_profile()
    client = signed_in_client(member)
    rules = services.current_rules()
    assert rules is not None

    # Then the rules page shows the text without the form, and a link to their status
    page = client.get(RULES_URL).content.decode()
    assert "Only verified members can accept" in page
    assert "I have read and accept" not in page
    assert f'href="{STATUS_URL}"' in page

    # And a POST does not record an acceptance
    response = client.post(RULES_URL, {"version": rules.version, "accept": "on"})
    assert response["Location"] == STATUS_URL
    assert not RulesAcceptance.objects.filter(member=member).exists()


# --- Member profiles -------------------------------------------------------------


def test_member_profile_hides_unshared_fields_from_others_but_shows_them_to_the_owner() -> None:
    # Given a verified member who shares only their title
    owner = make_verified_member(first_name="Sam", last_name="Reyes")
    profile = ProfileFactory.create(
        member=owner,
        title="Battalion Chief",
        phone="+1 409 555 0100",
        bio="Hurricane veteran.",
        shared_fields=["title"],
    )
    profile.expertise.set(["storm surge"])
    url = reverse("members:profile", args=[owner.pk])

    # When another verified member looks
    other = signed_in_client(make_verified_member()).get(url)

    # Then they see the always-public fields and the title, nothing else
    assert other.status_code == 200
    body = other.content.decode()
    assert "Sam Reyes" in body
    assert "Galveston County Office of Emergency Management" in body
    assert "Emergency management" in body
    assert "Battalion Chief" in body
    for hidden in ("+1 409 555 0100", "Hurricane veteran.", "storm surge", owner.email, "Galveston County, Texas"):
        assert hidden not in body

    # And the owner sees all of their own, marked as private
    own = signed_in_client(owner).get(url).content.decode()
    for shown in ("+1 409 555 0100", "Hurricane veteran.", "storm surge", "Galveston County, Texas"):
        assert shown in own
    assert "only you see this" in own


def test_unverified_member_is_redirected_away_from_member_profiles() -> None:
    # Given a verified member's profile page
    target = make_verified_member()
    ProfileFactory.create(member=target)
    url = reverse("members:profile", args=[target.pk])

    # When an unverified applicant asks for it, the gate sends them to their status
    applicant = signed_in_client(applicant_with_profile())
    denied = applicant.get(url)
    assert denied.status_code == 302
    assert denied["Location"] == STATUS_URL

    # And an anonymous visitor goes to sign in
    assert Client().get(url)["Location"].startswith(reverse("account_login"))

    # While a verified member reaches it
    assert signed_in_client(make_verified_member()).get(url).status_code == 200


def test_member_profile_of_an_unknown_or_unverified_member_is_not_found() -> None:
    viewer = signed_in_client(make_verified_member())
    applicant = applicant_with_profile()

    assert viewer.get(reverse("members:profile", args=[999_999])).status_code == 404
    assert viewer.get(reverse("members:profile", args=[applicant.pk])).status_code == 404


def test_member_photo_is_served_only_when_shared_and_only_to_members_who_may_see_the_profile() -> None:
    # Given a verified member with a photo they do not share yet
    owner = make_verified_member()
    ProfileFactory.create(member=owner, photo=SimpleUploadedFile("me.png", png_bytes(), content_type="image/png"))
    viewer = make_verified_member()
    photo_url = reverse("members:photo", kwargs={"pk": owner.pk})

    # Then another member gets nothing, and the owner sees it
    assert signed_in_client(viewer).get(photo_url).status_code == 404
    own = signed_in_client(owner).get(photo_url)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"
    assert own["X-Content-Type-Options"] == "nosniff"

    # When the owner shares it, other verified members see it; an unverified member never does
    Profile.objects.filter(member=owner).update(shared_fields=["photo"])
    shared = signed_in_client(viewer).get(photo_url)
    assert shared.status_code == 200
    assert b"".join(shared.streaming_content) == png_bytes()  # type: ignore[attr-defined]
    assert signed_in_client(MemberFactory.create()).get(photo_url).status_code == 302
    page = signed_in_client(viewer).get(reverse("members:profile", kwargs={"pk": owner.pk})).content.decode()
    assert photo_url in page
