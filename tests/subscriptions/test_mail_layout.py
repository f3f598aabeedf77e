"""A digest reads on a phone: its HTML part, opened in Chromium at phone width, needs no sideways scrolling
and shows the marking banners and every line's link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from playwright.sync_api import sync_playwright

from communities.services import community_create
from discussions import services as discussions
from notices import follow
from notices.models import Delivery, Level, MailPreferences
from subscriptions import services
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import make_verified_member

pytestmark = pytest.mark.django_db


def test_a_digest_fits_a_phone_screen(chromium_path: str) -> None:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    community = community_create(creator=owner, name="Gulf Coast Hurricane Response", slug="gulf", marking=marking())
    board = discussions.board_create(community=community, actor=owner, name="General")
    reader = joined(community, "Dana", "Reyes", markings=["fouo"])
    follow.follow(member=reader, target=community, level=Level.WATCHING, delivery=Delivery.DAILY)
    MailPreferences.objects.filter(pk=reader.pk).update(
        next_daily_at=timezone.now(), last_daily_at=timezone.now() - timedelta(hours=1)
    )
    long_title = "Sheltering-capacity-across-the-whole-Gulf-Coast-region-" * 3
    thread = start(owner, board, title=long_title[:200])
    start(owner, board, title="Hidden", marking=marking("fouo"))
    discussions.post_reply(author=owner, thread=thread, body="Cots are on the way.")

    assert services.send_digests([reader.pk], Delivery.DAILY) == 1
    digest = mail.outbox[-1]
    assert isinstance(digest, EmailMultiAlternatives)
    html = str(digest.alternatives[0][0])

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path)
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.set_content(html)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        banners = page.get_by_text("For Official Use Only (FOUO)", exact=True).count()
        links = page.locator("a[href*='/communities/gulf/threads/']").count()
        browser.close()

    assert overflow <= 0
    assert banners >= 2  # top and bottom
    assert links == 2  # the unmarked thread by title, the FOUO one as "a new FOUO item"
