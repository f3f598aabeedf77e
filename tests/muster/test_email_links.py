"""Every e-mail the site sends names the site (Muster) and links only to ``MUSTER_SITE_URL``, whatever host
the request came in on and whatever ``django.contrib.sites``' row says; the sponsor's e-mail uses the words
of the sponsor's page; confirming the address signs the new member in."""

import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from communities.services import community_create, invitation_create
from discussions import services as discussions
from notices import follow
from notices.models import Delivery, Level, MailPreferences
from subscriptions import services as subscriptions
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import services as vetting
from verification.models import Member, SponsorChoice, VerificationApplication

pytestmark = pytest.mark.django_db

SITE_URL = "https://muster.example.org"
NEW_PASSWORD = "a-long-and-unusual-passphrase-91"
URL = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture(autouse=True)
def _site_elsewhere(settings: Any) -> None:
    """The site runs at an address of its own; the Site row keeps Django's example.com."""
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["testserver", "muster.example.org"]
    assert Site.objects.get(pk=settings.SITE_ID).domain == "example.com"


def parts_of(message: EmailMessage) -> list[str]:
    parts = [str(message.subject), str(message.body)]
    if isinstance(message, EmailMultiAlternatives):
        parts += [str(content) for content, _ in message.alternatives]
    return parts


def assert_reads_right(message: EmailMessage) -> list[str]:
    """The message names Muster, links only to the site's address, and never to example.com or port 8000.
    Returns its links."""
    text = "\n".join(parts_of(message))
    links = URL.findall(text)
    assert links, text
    assert [link for link in links if not link.startswith(f"{SITE_URL}/")] == [], text
    assert "Muster" in text
    assert "example.com" not in text
    assert ":8000" not in text
    return links


def sign_up(client: Client, email: str) -> None:
    client.post(reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def applicant() -> Member:
    member: Member = MemberFactory.create(first_name="Dana", last_name="Ortiz")
    ProfileFactory.create(member=member, work_email="dana.ortiz@county.example.org")
    return member


def test_the_sign_up_confirmation_greets_from_muster_and_links_to_the_site_address(
    client: Client, mailoutbox: list[EmailMessage]
) -> None:
    # When someone signs up through a request that arrived on another host name
    client.defaults["HTTP_HOST"] = "testserver"
    sign_up(client, "new.member@county.gov")

    # Then the confirmation greets from Muster (not example.com) and its link is at MUSTER_SITE_URL
    (confirmation,) = mailoutbox
    assert "Hello from Muster!" in confirmation.body
    links = assert_reads_right(confirmation)
    assert any(link.startswith(f"{SITE_URL}/accounts/confirm-email/") for link in links)
    assert "testserver" not in confirmation.body


def test_confirming_the_address_leaves_the_new_member_signed_in(client: Client, mailoutbox: list[EmailMessage]) -> None:
    # Given someone who signed up and has their confirmation e-mail
    sign_up(client, "new.member@county.gov")
    link = next(link for link in URL.findall(str(mailoutbox[0].body)) if "/accounts/confirm-email/" in link)

    # When they confirm from the link, in the browser they signed up in
    response = client.post(link.removeprefix(SITE_URL), follow=True)

    # Then they are signed in, on their verification page, without being asked to sign in again
    assert response.wsgi_request.user.is_authenticated is True
    assert response.redirect_chain[-1][0] == reverse("verification:status")


def test_the_password_reset_and_already_registered_mails_link_to_the_site_address(
    client: Client, mailoutbox: list[EmailMessage]
) -> None:
    MemberFactory.create(email="real@county.gov")

    client.post(reverse("account_reset_password"), {"email": "real@county.gov"})
    client.post(reverse("account_reset_password"), {"email": "ghost@county.gov"})
    sign_up(Client(), "real@county.gov")

    assert len(mailoutbox) == 3
    for message in mailoutbox:
        assert_reads_right(message)


def test_the_sponsor_request_links_to_the_site_and_uses_the_words_of_the_sponsor_page(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[EmailMessage]
) -> None:
    # When an applicant names their sponsor
    with django_capture_on_commit_callbacks(execute=True):
        vetting.application_submit(
            member=applicant(), sponsor_name="Chief Lee", sponsor_email="chief.lee@county.example.org"
        )

    # Then the sponsor's e-mail links to the site's address
    (request,) = mailoutbox
    (link,) = assert_reads_right(request)
    assert link.startswith(f"{SITE_URL}/verification/sponsor/")

    # And the answers it names are the answers the sponsor's page offers
    page = Client().get(link.removeprefix(SITE_URL)).content.decode()
    for words in (SponsorChoice.CONFIRM.label, SponsorChoice.DENY.label):
        assert words in request.body
        assert words.replace("'", "&#x27;") in page
    assert "Deny" not in request.body


def test_the_approval_links_to_the_site_address(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[EmailMessage]
) -> None:
    application: VerificationApplication = vetting.application_submit(
        member=applicant(), sponsor_name="Chief Lee", sponsor_email="chief.lee@county.example.org"
    )

    with django_capture_on_commit_callbacks(execute=True):
        vetting.application_approve(application=application, verifier=make_verified_member(), markings=[])

    (approval,) = [message for message in mailoutbox if message.to == [application.member.email]]
    assert "You are verified on Muster" in approval.subject
    assert_reads_right(approval)


def test_a_community_invitation_links_to_the_site_address(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[EmailMessage]
) -> None:
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community = community_create(
        creator=owner, name="Gulf Coast", slug="gulf", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    colleague = make_verified_member(first_name="Cal", last_name="Colleague")

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(community=community, inviter=owner, email=colleague.email)
        invitation_create(community=community, inviter=owner, email="newcomer@county.gov")

    assert len(mailoutbox) == 2
    member_link, *_ = assert_reads_right(mailoutbox[0])
    newcomer_link, *_ = assert_reads_right(mailoutbox[1])
    assert member_link == f"{SITE_URL}/communities/invitations/"
    assert newcomer_link == f"{SITE_URL}/accounts/signup/"


def test_a_digest_links_only_to_the_site_address(mailoutbox: list[EmailMessage]) -> None:
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    board = discussions.board_create(community=community, actor=owner, name="General")
    reader = joined(community, "Dana", "Reyes")
    follow.follow(member=reader, target=community, level=Level.WATCHING, delivery=Delivery.DAILY)
    MailPreferences.objects.filter(pk=reader.pk).update(
        next_daily_at=timezone.now(), last_daily_at=timezone.now() - timedelta(hours=1)
    )
    start(owner, board, title="Shelter capacity")

    assert subscriptions.send_digests([reader.pk], Delivery.DAILY) == 1

    links = assert_reads_right(mailoutbox[-1])
    assert any("/threads/" in link or "/t/" in link or "gulf" in link for link in links)


def test_confirming_from_another_browser_confirms_the_address_but_signs_nobody_in(
    client: Client, mailoutbox: list[EmailMessage]
) -> None:
    # Given someone who signed up, and their confirmation link opened in a browser that did not sign up
    sign_up(client, "new.member@county.gov")
    link = next(link for link in URL.findall(str(mailoutbox[0].body)) if "/accounts/confirm-email/" in link)
    elsewhere = Client()

    # When it is confirmed there
    response = elsewhere.post(link.removeprefix(SITE_URL), follow=True)

    # Then nobody is signed in there: the link alone is not a way into the account
    assert response.wsgi_request.user.is_authenticated is False
    assert EmailAddress.objects.get(email="new.member@county.gov").verified is True
