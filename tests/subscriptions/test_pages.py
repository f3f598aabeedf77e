"""E-mail updates through the pages, as a member uses them: the Follow control on every followable page
(community, board, thread, wiki page, tag, a member's blog) follows, changes and stops; nothing a member may
not see can be followed (404, nothing written) and bad input changes nothing; joining a community and taking
part in a thread follow automatically without overriding an earlier choice; the subscriptions page lists only
what the member may still see, edits in place, pauses everything, keeps the e-mail settings honest, and costs
the same queries for 1 or 20 subscriptions; one-click unsubscribe (RFC 8058) turns off exactly one thing once;
the failing-address banner clears; and the Follow control and subscriptions page work in a real browser,
phone width included."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from taggit.models import Tag

from communities.models import Community
from communities.services import community_create, membership_remove
from discussions import services
from discussions.models import Board, Thread
from notices import follow
from notices.models import Delivery, Level, MailPreferences, Subscription
from subscriptions.services import send_digests, unsubscribe_url
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems, assert_fits_the_phone_screen
from tests.discussions.factories import joined, marking, signed_in, start
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import Member
from wiki import services as wiki
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

FOLLOW_URL = reverse("subscriptions:follow")
LIST_URL = reverse("subscriptions:list")
ONE_CLICK = "List-Unsubscribe=One-Click"


# --- Given -------------------------------------------------------------------------------


@pytest.fixture
def owner() -> Member:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    vetting.member_handle_ensure(member=owner)
    return owner


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return services.board_create(community=community, actor=owner, name="General", description="Anything goes")


@pytest.fixture
def member(community: Community) -> Member:
    return joined(community, "Dana", "Reyes")


@pytest.fixture
def thread(owner: Member, board: Board) -> Thread:
    return start(owner, board, title="Shelter capacity", tags=["flood"])


@pytest.fixture
def wiki_page(owner: Member, community: Community) -> WikiPage:
    return wiki.page_create(
        author=owner, community=community, title="Evacuation routes", body="Route 87 north.", marking=marking()
    )


def private_community(owner: Member) -> Community:
    return community_create(
        creator=owner,
        name="Harbor Watch",
        slug="harbor",
        marking=marking(),
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.INVITATION,
    )


def thread_url(thread: Thread) -> str:
    return reverse("discussions:thread", kwargs={"slug": thread.community.slug, "pk": thread.pk})


def target_type(target: Any) -> str:
    return str(target._meta.label_lower)


def follow_data(
    target: Any, level: str = Level.WATCHING, delivery: str = Delivery.DAILY, **extra: Any
) -> dict[str, Any]:
    return {
        "target_type": target_type(target),
        "target_id": target.pk,
        "level": level,
        "delivery": delivery,
        "next": "/home/",
        **extra,
    }


def subscription(member: Member, target: Any) -> Subscription | None:
    return follow.subscription_of(member, target)


def assert_follows(member: Member, target: Any, level: str, delivery: str) -> None:
    found = subscription(member, target)
    assert found is not None, f"{member} does not follow {target}"
    assert (found.level, found.delivery) == (level, delivery)


def subscriptions_of(member: Member) -> list[tuple[int, int, str, str]]:
    return list(
        Subscription.objects.filter(member=member)
        .order_by("pk")
        .values_list("target_type_id", "target_id", "level", "delivery")
    )


def subscriptions_of_everyone() -> list[tuple[int, int, int, str, str]]:
    return list(
        Subscription.objects.order_by("pk").values_list("member_id", "target_type_id", "target_id", "level", "delivery")
    )


def page_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def follow_control(body: str) -> str:
    """The Follow control's markup on a page (it must be there, once)."""
    assert body.count('<details class="follow-control">') == 1, "no Follow control, or more than one"
    return body.split('<details class="follow-control">', 1)[1].split("</details>", 1)[0]


def summary(control: str) -> str:
    return re.sub(r"<[^>]+>", "", control.split("<summary", 1)[1].split(">", 1)[1].split("</summary>", 1)[0])


def main(body: str) -> str:
    return body[body.index("<main") : body.index("</main>")]


# Each followable page, by what it follows: (page path, the thing followed).
def community_page(community: Community, **_: Any) -> tuple[str, Any]:
    return reverse("communities:detail", kwargs={"slug": community.slug}), community


def board_page(board: Board, **_: Any) -> tuple[str, Any]:
    return reverse("discussions:board", kwargs={"slug": board.community.slug, "board": board.slug}), board


def thread_page(thread: Thread, **_: Any) -> tuple[str, Any]:
    return thread_url(thread), thread


def wiki_page_page(wiki_page: WikiPage, **_: Any) -> tuple[str, Any]:
    return reverse("wiki:page", args=[wiki_page.community.slug, wiki_page.slug]), wiki_page


def tag_page(thread: Thread, **_: Any) -> tuple[str, Any]:
    return reverse("tags:tag", kwargs={"tag": "flood"}), Tag.objects.get(slug="flood")


def blog_page(owner: Member, **_: Any) -> tuple[str, Any]:
    return reverse("discussions:member_blog", kwargs={"pk": owner.pk}), owner


FOLLOWABLE_PAGES: dict[str, Callable[..., tuple[str, Any]]] = {
    "community": community_page,
    "board": board_page,
    "thread": thread_page,
    "wiki page": wiki_page_page,
    "tag": tag_page,
    "member's blog": blog_page,
}


# --- 1. The Follow control on every followable page ----------------------------------------------------


@pytest.mark.parametrize("which", FOLLOWABLE_PAGES.values(), ids=FOLLOWABLE_PAGES.keys())
def test_every_followable_page_has_a_follow_control_that_follows_at_the_chosen_level_and_delivery(
    which: Callable[..., tuple[str, Any]],
    member: Member,
    owner: Member,
    community: Community,
    board: Board,
    thread: Thread,
    wiki_page: WikiPage,
) -> None:
    # Given a followable page the member may see
    path, target = which(community=community, board=board, thread=thread, wiki_page=wiki_page, owner=owner)
    client = signed_in(member)

    # It shows the Follow control for that thing, with the four levels and the four deliveries
    control = follow_control(page_text(client.get(path)))
    assert f'name="target_type" value="{target_type(target)}"' in control
    assert f'name="target_id" value="{target.pk}"' in control
    assert sorted(re.findall(r'name="level" value="(\w+)"', control)) == sorted(Level.values)
    assert sorted(re.findall(r'<option value="(\w+)"', control)) == sorted(Delivery.values)

    # When the member follows it from there, watching with a daily digest
    response = client.post(FOLLOW_URL, follow_data(target, Level.WATCHING, Delivery.DAILY, next=path))

    # Then they are back on the page, following it as they chose, and the page says so
    assert response.status_code == 302
    assert response["Location"] == path
    followed = subscription(member, target)
    assert followed is not None
    assert (followed.level, followed.delivery) == (Level.WATCHING, Delivery.DAILY)
    control = follow_control(page_text(client.get(path)))
    assert summary(control).startswith("Following · daily digest")
    assert re.search(r'value="watching"\s+checked', control)
    assert re.search(r'value="daily"\s+selected', control)


def test_a_member_changes_how_they_follow_a_thread_mutes_it_and_stops_following(member: Member, thread: Thread) -> None:
    client = signed_in(member)
    path = thread_url(thread)
    assert summary(follow_control(page_text(client.get(path)))).startswith("Follow")
    client.post(FOLLOW_URL, follow_data(thread, Level.WATCHING, Delivery.DAILY, next=path))

    # Changing the delivery keeps one subscription and shows the new delivery
    client.post(FOLLOW_URL, follow_data(thread, Level.NEW_ITEMS, Delivery.IMMEDIATE, next=path))
    changed = subscription(member, thread)
    assert changed is not None
    assert (changed.level, changed.delivery) == (Level.NEW_ITEMS, Delivery.IMMEDIATE)
    assert Subscription.objects.filter(member=member, target_id=thread.pk).count() == 1
    assert summary(follow_control(page_text(client.get(path)))).startswith("Following · immediately")

    # Muting it says so
    client.post(FOLLOW_URL, follow_data(thread, Level.MUTED, Delivery.SITE, next=path))
    assert summary(follow_control(page_text(client.get(path)))).startswith("Muted")

    # "Stop following" removes the subscription, and the control offers Follow again
    control = follow_control(page_text(client.get(path)))
    assert "Stop following" in control
    response = client.post(FOLLOW_URL, {**follow_data(thread, next=path), "unfollow": "1"})
    assert response.status_code == 302
    assert subscription(member, thread) is None
    control = follow_control(page_text(client.get(path)))
    assert summary(control) == "Follow this thread"
    assert "Stop following" not in control


# --- 2. Only what the member may see; bad input changes nothing ---------------------------------------------


def assert_follow_refused_then_allowed(denied: Member, allowed: Member, target: Any) -> None:
    """``denied`` gets 404 (the same answer as for nothing at all) and no subscription; ``allowed`` follows it."""
    before = Subscription.objects.count()
    refused = signed_in(denied).post(FOLLOW_URL, follow_data(target))
    assert refused.status_code == 404
    assert Subscription.objects.count() == before
    assert subscription(denied, target) is None
    assert target.title not in refused.content.decode()

    accepted = signed_in(allowed).post(FOLLOW_URL, follow_data(target, Level.WATCHING, Delivery.IMMEDIATE))
    assert accepted.status_code == 302
    followed = subscription(allowed, target)
    assert followed is not None
    assert (followed.level, followed.delivery) == (Level.WATCHING, Delivery.IMMEDIATE)


def test_a_thread_in_a_private_community_cannot_be_followed_by_an_outsider_but_can_by_a_member(
    owner: Member, member: Member
) -> None:
    harbor = private_community(owner)
    harbor_board = services.board_create(community=harbor, actor=owner, name="Docks")
    secret = start(owner, harbor_board, title="Dock 4 inventory")
    insider = joined(harbor, "Ivan", "Insider")

    assert_follow_refused_then_allowed(denied=member, allowed=insider, target=secret)
    # Nor the private community itself, nor its board
    assert signed_in(member).post(FOLLOW_URL, follow_data(harbor)).status_code == 404
    assert signed_in(member).post(FOLLOW_URL, follow_data(harbor_board)).status_code == 404
    assert not Subscription.objects.filter(member=member, target_id__in=[harbor.pk, harbor_board.pk, secret.pk])


def test_a_fouo_thread_cannot_be_followed_without_fouo_but_can_with_it(
    owner: Member, member: Member, board: Board, community: Community
) -> None:
    fouo_thread = start(owner, board, title="Staging for the summit", marking=marking("fouo"))
    cleared = joined(community, "Cleo", "Cleared", markings=["fouo"])

    assert_follow_refused_then_allowed(denied=member, allowed=cleared, target=fouo_thread)


def test_a_removed_thread_cannot_be_followed_but_a_live_one_can(
    owner: Member, member: Member, board: Board, community: Community
) -> None:
    removed = start(owner, board, title="Posted by mistake")
    services.post_delete(post=removed.posts.get(), actor=owner)
    live = start(owner, board, title="Still here")

    refused = signed_in(member).post(FOLLOW_URL, follow_data(removed))
    assert refused.status_code == 404
    assert subscription(member, removed) is None
    accepted = signed_in(member).post(FOLLOW_URL, follow_data(live))
    assert accepted.status_code == 302
    assert subscription(member, live) is not None


def test_a_thread_that_does_not_exist_gets_the_same_404_as_a_hidden_one(member: Member, thread: Thread) -> None:
    response = signed_in(member).post(FOLLOW_URL, {**follow_data(thread), "target_id": thread.pk + 1000})

    assert response.status_code == 404
    assert Subscription.objects.filter(member=member, target_id=thread.pk + 1000).count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"target_type": "nonsense"},
        {"target_type": "auth.group"},  # well formed, but nothing anyone can follow
        {"target_type": "library.document"},  # content, but not followable
        {"target_id": "abc"},
        {"level": ""},
        {"level": "everything"},
        {"delivery": "hourly"},
        {"next": ""},
    ],
    ids=["malformed-type", "unknown-type", "unfollowable-type", "bad-id", "no-level", "bad-level", "bad-delivery",
         "no-next"],
)  # fmt: skip
def test_bad_follow_input_gets_400_and_changes_nothing(member: Member, thread: Thread, change: dict[str, str]) -> None:
    before = subscriptions_of(member)

    response = signed_in(member).post(FOLLOW_URL, {**follow_data(thread), **change})

    assert response.status_code == 400
    assert subscriptions_of(member) == before
    # The same post, well formed, works
    assert signed_in(member).post(FOLLOW_URL, follow_data(thread)).status_code == 302
    assert subscription(member, thread) is not None


def test_a_missing_level_is_refused_even_when_stopping_is_not_asked(member: Member, thread: Thread) -> None:
    data = follow_data(thread)
    del data["level"]

    response = signed_in(member).post(FOLLOW_URL, data)

    assert response.status_code == 400
    assert b"Choose how closely to follow it" in response.content
    assert subscription(member, thread) is None


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/home/", "/\\evil.example", "javascript:alert(1)"]
)
def test_follow_refuses_to_send_the_member_to_another_site(member: Member, thread: Thread, elsewhere: str) -> None:
    client = signed_in(member)

    refused = client.post(FOLLOW_URL, follow_data(thread, next=elsewhere))
    assert refused.status_code == 400
    assert subscription(member, thread) is None

    allowed = client.post(FOLLOW_URL, follow_data(thread, next=thread_url(thread)))
    assert allowed.status_code == 302
    assert allowed["Location"] == thread_url(thread)


def test_the_follow_control_needs_a_signed_in_member(thread: Thread) -> None:
    before = subscriptions_of_everyone()

    response = Client().post(FOLLOW_URL, follow_data(thread))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert subscriptions_of_everyone() == before


# --- 3. Following automatically -------------------------------------------------------------------------


def test_joining_an_open_community_from_its_page_follows_its_new_items_with_the_default_delivery(
    owner: Member, community: Community
) -> None:
    newcomer = make_verified_member(first_name="Nia", last_name="Newcomer")
    weekly_client = signed_in(newcomer)

    response = weekly_client.post(reverse("communities:join", kwargs={"slug": community.slug}))

    assert response.status_code == 302
    joined_sub = subscription(newcomer, community)
    assert joined_sub is not None
    assert (joined_sub.level, joined_sub.delivery) == (Level.NEW_ITEMS, Delivery.WEEKLY)

    # A member whose default is the daily digest gets that instead
    daily = make_verified_member(first_name="Dev", last_name="Daily")
    follow.preferences_update(member=daily, default_delivery=Delivery.DAILY)
    signed_in(daily).post(reverse("communities:join", kwargs={"slug": community.slug}))
    daily_sub = subscription(daily, community)
    assert daily_sub is not None
    assert (daily_sub.level, daily_sub.delivery) == (Level.NEW_ITEMS, Delivery.DAILY)


def test_starting_a_thread_and_replying_from_the_pages_watch_the_thread(
    member: Member, board: Board, thread: Thread, owner: Member
) -> None:
    dana = signed_in(member)

    # Starting a thread watches it
    started = dana.post(
        reverse("discussions:thread_new", kwargs={"slug": board.community.slug, "board": board.slug}),
        {"title": "Generator fuel", "kind": "discussion", "body": "Who has diesel?", "marking": marking().pk},
    )
    assert started.status_code == 302
    mine = Thread.objects.get(title="Generator fuel")
    watched = subscription(member, mine)
    assert watched is not None
    assert (watched.level, watched.delivery) == (Level.WATCHING, Delivery.WEEKLY)

    # Replying to someone else's thread watches it too
    assert subscription(member, thread) is None
    replied = dana.post(
        reverse("discussions:reply", kwargs={"slug": thread.community.slug, "pk": thread.pk}), {"body": "About 400."}
    )
    assert replied.status_code == 302
    watched = subscription(member, thread)
    assert watched is not None
    assert (watched.level, watched.delivery) == (Level.WATCHING, Delivery.WEEKLY)


def test_an_explicit_choice_is_not_overwritten_by_following_automatically(
    owner: Member, community: Community, thread: Thread
) -> None:
    # Given a member who muted a thread and follows an open community closely before joining it
    reader = make_verified_member(first_name="Rae", last_name="Reader")
    client = signed_in(reader)
    assert client.post(FOLLOW_URL, follow_data(thread, Level.MUTED, Delivery.SITE)).status_code == 302
    assert client.post(FOLLOW_URL, follow_data(community, Level.WATCHING, Delivery.IMMEDIATE)).status_code == 302

    # When they join the community and reply to the thread
    client.post(reverse("communities:join", kwargs={"slug": community.slug}))
    client.post(
        reverse("discussions:reply", kwargs={"slug": community.slug, "pk": thread.pk}), {"body": "One more thing."}
    )

    # Then both keep what they chose
    assert thread.posts.count() == 2
    assert_follows(reader, thread, Level.MUTED, Delivery.SITE)
    assert_follows(reader, community, Level.WATCHING, Delivery.IMMEDIATE)


# --- 4. The subscriptions page ---------------------------------------------------------------------------


def test_the_subscriptions_page_lists_everything_followed_with_its_title_and_link(
    member: Member, owner: Member, community: Community, board: Board, thread: Thread, wiki_page: WikiPage
) -> None:
    client = signed_in(member)
    targets = [which(community=community, board=board, thread=thread, wiki_page=wiki_page, owner=owner)
               for which in FOLLOWABLE_PAGES.values()]  # fmt: skip
    for _, target in targets:
        assert client.post(FOLLOW_URL, follow_data(target)).status_code == 302

    body = main(page_text(client.get(LIST_URL)))

    for (path, _), title in zip(
        targets,
        ["Gulf Coast", "General (Gulf Coast)", "Shelter capacity", "Evacuation routes", "#flood", "Olive Owner's blog"],
        strict=True,
    ):
        assert re.search(rf'<a href="{re.escape(path)}">{re.escape(title)}</a>', body.replace("&#x27;", "'")), title
    assert len(re.findall(r'<tr id="subscription-\d+"', body)) == 6


def test_the_subscriptions_page_leaves_out_what_the_member_can_no_longer_see(owner: Member) -> None:
    # Given an insider who follows a private community and a thread in it
    harbor = private_community(owner)
    harbor_board = services.board_create(community=harbor, actor=owner, name="Docks")
    secret = start(owner, harbor_board, title="Dock 4 inventory")
    insider = joined(harbor, "Ivan", "Insider")
    client = signed_in(insider)
    client.post(FOLLOW_URL, follow_data(harbor))
    client.post(FOLLOW_URL, follow_data(secret))
    body = page_text(client.get(LIST_URL))
    assert "Harbor Watch" in body
    assert "Dock 4 inventory" in body

    # When the owner removes them from the community
    membership_remove(community=harbor, actor=owner, member=insider)

    # Then the page names neither, anywhere
    body = page_text(client.get(LIST_URL))
    assert "Harbor Watch" not in body
    assert "Dock 4 inventory" not in body
    assert "Docks" not in body
    assert "You follow nothing yet" in body


def test_a_subscription_is_edited_in_place_on_the_subscriptions_page(member: Member, thread: Thread) -> None:
    client = signed_in(member)
    client.post(FOLLOW_URL, follow_data(thread, Level.WATCHING, Delivery.DAILY))
    sub = subscription(member, thread)
    assert sub is not None
    row = main(page_text(client.get(LIST_URL))).split(f'id="subscription-{sub.pk}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'value="watching"\s+selected', row)
    assert re.search(r'value="daily"\s+selected', row)
    # The row's form posts what the Follow control posts, back to this page
    posted = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', row))
    del posted["csrfmiddlewaretoken"]
    assert posted == {"target_type": "discussions.thread", "target_id": str(thread.pk), "next": LIST_URL}

    response = client.post(FOLLOW_URL, {**posted, "level": Level.NEW_ITEMS, "delivery": Delivery.WEEKLY})

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    sub.refresh_from_db()
    assert (sub.level, sub.delivery) == (Level.NEW_ITEMS, Delivery.WEEKLY)
    body = page_text(client.get(LIST_URL))
    row = body.split(f'id="subscription-{sub.pk}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'value="new_items"\s+selected', row)
    assert re.search(r'value="weekly"\s+selected', row)
    assert "Following Shelter capacity: new items only, weekly digest." in body

    # And "Stop following" there removes it
    client.post(FOLLOW_URL, {**posted, "unfollow": "1"})
    assert subscription(member, thread) is None


def make_daily_digest_due(member: Member) -> None:
    now = timezone.now()
    MailPreferences.objects.filter(pk=member.pk).update(
        next_daily_at=now - timedelta(minutes=1), last_daily_at=now - timedelta(hours=1)
    )


def test_pausing_everything_sends_no_digest_and_resuming_sends_again(
    member: Member, owner: Member, board: Board, community: Community
) -> None:
    client = signed_in(member)
    client.post(FOLLOW_URL, follow_data(community, Level.WATCHING, Delivery.DAILY))

    # Paused: the page says so, and a due digest with something in it sends nothing
    response = client.post(reverse("subscriptions:pause"), {"paused": "on"})
    assert response.status_code == 302
    assert follow.preferences_of(member).paused
    body = page_text(client.get(LIST_URL))
    assert "E-mail updates are <strong>paused</strong>" in body
    assert "Resume e-mail updates" in body
    start(owner, board, title="Sandbag distribution")
    make_daily_digest_due(member)
    mail.outbox.clear()
    assert send_digests([member.pk], Delivery.DAILY) == 0
    assert mail.outbox == []

    # Resumed: the next due digest with something new goes out
    response = client.post(reverse("subscriptions:pause"), {})
    assert response.status_code == 302
    assert not follow.preferences_of(member).paused
    assert "Pause all e-mail updates" in page_text(client.get(LIST_URL))
    start(owner, board, title="Water distribution")
    make_daily_digest_due(member)
    assert send_digests([member.pk], Delivery.DAILY) == 1
    assert [message.to for message in mail.outbox] == [[member.email]]


def settings_form(**changes: Any) -> dict[str, Any]:
    return {
        "time_zone": "America/Chicago",
        "digest_hour": "6",
        "weekly_day": "2",
        "default_delivery": Delivery.DAILY,
        "personal_delivery": Delivery.DAILY,
        "immediate_delay_minutes": "17",
        "daily_cap": "33",
        **changes,
    }


def test_a_time_zone_that_does_not_exist_gets_a_clear_error_keeps_what_was_typed_and_changes_nothing(
    member: Member,
) -> None:
    client = signed_in(member)
    before = MailPreferences.objects.filter(pk=follow.preferences_of(member).pk).values().get()

    response = client.post(reverse("subscriptions:preferences"), settings_form(time_zone="Mars/Olympus"))

    assert response.status_code == 400
    body = response.content.decode()
    errors = re.findall(r'<p class="error" role="alert">(.*?)</p>', body)
    assert len(errors) == 1
    assert "Mars/Olympus" in errors[0]
    assert "time zone" in errors[0]
    assert re.search(r'<option value="6"\s+selected>06:00</option>', body)
    assert re.search(r'<option value="2"\s+selected>Wednesday</option>', body)
    assert re.search(r'name="immediate_delay_minutes" value="17"', body)
    assert re.search(r'name="daily_cap" value="33"', body)
    assert MailPreferences.objects.filter(pk=member.pk).values().get() == before


def test_a_valid_time_zone_and_hour_move_the_next_daily_digest_to_that_hour_there(member: Member) -> None:
    client = signed_in(member)
    before = timezone.now()

    response = client.post(reverse("subscriptions:preferences"), settings_form())

    assert response.status_code == 302
    preferences = follow.preferences_of(member)
    assert (preferences.time_zone, preferences.digest_hour, preferences.weekly_day) == ("America/Chicago", 6, 2)
    assert preferences.immediate_delay_minutes == 17
    assert preferences.next_daily_at is not None
    assert preferences.next_weekly_at is not None
    local = preferences.next_daily_at.astimezone(ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (6, 0)
    assert before < preferences.next_daily_at <= before + timedelta(days=1, hours=1)
    weekly = preferences.next_weekly_at.astimezone(ZoneInfo("America/Chicago"))
    assert (weekly.weekday(), weekly.hour) == (2, 6)
    assert "Your e-mail settings are saved." in page_text(client.get(LIST_URL))


def test_the_subscriptions_page_costs_the_same_queries_with_1_and_with_20_subscriptions(
    member: Member, owner: Member, board: Board
) -> None:
    threads = [start(owner, board, title=f"Thread {number:02d}") for number in range(20)]
    client = signed_in(member)

    def queries_with(count: int) -> int:
        Subscription.objects.filter(member=member, target_id__in=[t.pk for t in threads]).delete()
        for followed in threads[:count]:
            follow.follow(member=member, target=followed, level=Level.WATCHING, delivery=Delivery.DAILY)
        client.get(LIST_URL)  # warm the content-type cache and the session
        with CaptureQueriesContext(connection) as queries:
            body = page_text(client.get(LIST_URL))
        assert body.count('<tr id="subscription-') == count
        return len(queries)

    assert queries_with(1) == queries_with(20)


# --- 5. One-click unsubscribe (RFC 8058) -------------------------------------------------------------------


def one_click(client: Client, url: str) -> Any:
    return client.post(url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def mail_client() -> Client:
    """A mail client: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def test_one_click_unsubscribe_turns_off_just_that_subscription(
    member: Member, thread: Thread, community: Community, mail_client: Client
) -> None:
    follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    follow.follow(member=member, target=community, level=Level.NEW_ITEMS, delivery=Delivery.DAILY)
    sub = subscription(member, thread)
    assert sub is not None
    url = unsubscribe_url(member, f"sub:{sub.pk}", sub.updated_at)
    preferences = MailPreferences.objects.filter(pk=member.pk).values().get()

    # A link scanner's GET shows what it would turn off, and changes nothing
    shown = mail_client.get(url)
    assert shown.status_code == 200
    assert b"Turn off the e-mail this link came from?" in shown.content
    sub.refresh_from_db()
    assert sub.delivery == Delivery.IMMEDIATE

    # The mail client's one-click POST turns off that one subscription's e-mail
    response = one_click(mail_client, url)

    assert response.status_code == 200
    assert b"Done: we turned off" in response.content
    sub.refresh_from_db()
    assert (sub.level, sub.delivery) == (Level.WATCHING, Delivery.SITE)
    assert_follows(member, community, Level.NEW_ITEMS, Delivery.DAILY)
    assert MailPreferences.objects.filter(pk=member.pk).values().get() == preferences


def test_the_daily_and_personal_links_turn_off_only_what_they_name(
    member: Member, thread: Thread, community: Community, mail_client: Client
) -> None:
    follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.DAILY)
    follow.follow(member=member, target=community, level=Level.NEW_ITEMS, delivery=Delivery.WEEKLY)
    preferences = follow.preferences_of(member)
    assert preferences.personal_delivery == Delivery.IMMEDIATE

    # The daily digest's link: every daily subscription to the site, nothing else
    daily = one_click(mail_client, unsubscribe_url(member, "daily", preferences.updated_at))
    assert daily.status_code == 200
    assert_follows(member, thread, Level.WATCHING, Delivery.SITE)
    assert_follows(member, community, Level.NEW_ITEMS, Delivery.WEEKLY)
    preferences.refresh_from_db()
    assert preferences.personal_delivery == Delivery.IMMEDIATE

    # The personal link (the preferences changed, so a fresh stamp): personal e-mail off, subscriptions untouched
    subscriptions = subscriptions_of(member)
    personal = one_click(mail_client, unsubscribe_url(member, "personal", preferences.updated_at))
    assert personal.status_code == 200
    preferences.refresh_from_db()
    assert preferences.personal_delivery == Delivery.SITE
    assert subscriptions_of(member) == subscriptions


def forged(url: str) -> list[str]:
    """The link with its signature altered, its payload altered, cut short, and signed with another salt."""
    token = url.rstrip("/").rsplit("/", 1)[1]
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_salt = signing.dumps(signing.loads(token, salt="muster.subscriptions.unsubscribe"), salt="elsewhere")
    return [
        f"{payload}:{flipped}",
        f"{payload[:-1] + ('x' if payload[-1] != 'x' else 'y')}:{signature}",
        token[: len(token) // 2],
        other_salt,
    ]


def test_a_forged_or_altered_unsubscribe_link_gets_400_and_changes_nothing(
    member: Member, thread: Thread, mail_client: Client
) -> None:
    follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    sub = subscription(member, thread)
    assert sub is not None
    genuine = unsubscribe_url(member, f"sub:{sub.pk}", sub.updated_at)
    personal = unsubscribe_url(member, "personal", follow.preferences_of(member).updated_at)

    for bad in forged(genuine) + forged(personal):
        path = reverse("subscriptions:unsubscribe", kwargs={"token": bad})
        for response in (mail_client.get(path), one_click(mail_client, path)):
            assert response.status_code == 400, bad
            assert b"This unsubscribe link is not valid" in response.content
    sub.refresh_from_db()
    assert sub.delivery == Delivery.IMMEDIATE
    assert follow.preferences_of(member).personal_delivery == Delivery.IMMEDIATE

    # The genuine link still works
    assert one_click(mail_client, genuine).status_code == 200
    sub.refresh_from_db()
    assert sub.delivery == Delivery.SITE


def test_a_used_unsubscribe_link_gets_410_when_replayed_and_changes_nothing(
    member: Member, thread: Thread, mail_client: Client
) -> None:
    follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    sub = subscription(member, thread)
    assert sub is not None
    url = unsubscribe_url(member, f"sub:{sub.pk}", sub.updated_at)
    assert one_click(mail_client, url).status_code == 200
    sub.refresh_from_db()
    used_at = sub.updated_at

    # Replayed at once (a mail client retrying, a second click): 410, and the subscription is not touched
    again = one_click(mail_client, url)
    assert again.status_code == 410
    assert b"already used" in again.content
    sub.refresh_from_db()
    assert (sub.delivery, sub.updated_at) == (Delivery.SITE, used_at)

    # The member turns e-mail back on from the site; replaying the link does not turn it off again
    signed_in(member).post(FOLLOW_URL, follow_data(thread, Level.WATCHING, Delivery.IMMEDIATE))
    replayed = one_click(mail_client, url)

    assert replayed.status_code == 410
    assert b"already used" in replayed.content
    sub.refresh_from_db()
    assert sub.delivery == Delivery.IMMEDIATE


def test_an_unsubscribe_link_from_before_the_member_changed_the_subscription_gets_410(
    member: Member, thread: Thread, mail_client: Client
) -> None:
    follow.follow(member=member, target=thread, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    sub = subscription(member, thread)
    assert sub is not None
    old_link = unsubscribe_url(member, f"sub:{sub.pk}", sub.updated_at)
    preferences = follow.preferences_of(member)
    old_personal = unsubscribe_url(member, "personal", preferences.updated_at)

    # The member changes the subscription and their settings after the mails went out
    client = signed_in(member)
    client.post(FOLLOW_URL, follow_data(thread, Level.NEW_ITEMS, Delivery.DAILY))
    client.post(reverse("subscriptions:preferences"), settings_form(personal_delivery=Delivery.IMMEDIATE))

    for link in (old_link, old_personal):
        response = one_click(mail_client, link)
        assert response.status_code == 410
        assert b"Nothing was changed" in response.content
    sub.refresh_from_db()
    assert (sub.level, sub.delivery) == (Level.NEW_ITEMS, Delivery.DAILY)
    assert follow.preferences_of(member).personal_delivery == Delivery.IMMEDIATE

    # A link made after the change works
    assert one_click(mail_client, unsubscribe_url(member, f"sub:{sub.pk}", sub.updated_at)).status_code == 200


# --- 6. The failing-address banner ---------------------------------------------------------------------


def test_a_member_whose_address_fails_sees_a_warning_and_can_ask_to_try_again(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(mail_failed_at=timezone.now(), mail_failure="550 No such user")
    client = signed_in(member)

    home = page_text(client.get(reverse("home")))
    assert f"E-mail to {member.email} has been failing" in home
    listed = page_text(client.get(LIST_URL))
    assert "“550 No such user”" in listed
    assert "Try my address again" in listed

    response = client.post(reverse("subscriptions:mail_failure_clear"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.mail_failed_at, member.mail_failure) == (None, "")
    assert "has been failing" not in page_text(client.get(reverse("home")))
    assert "Try my address again" not in page_text(client.get(LIST_URL))


def test_a_member_whose_address_works_sees_no_warning(member: Member) -> None:
    client = signed_in(member)

    assert "has been failing" not in page_text(client.get(reverse("home")))
    assert "Try my address again" not in page_text(client.get(LIST_URL))


# --- 7. In a real browser --------------------------------------------------------------------------------

browser = browser_fixtures.browser
desktop = browser_fixtures.desktop
phone = browser_fixtures.phone
_unhashed_static_files = browser_fixtures._unhashed_static_files


def sign_in_by_cookie(browser_page: BrowserPage, member: Member) -> None:
    """The session a browser holds once ``member`` signed in (the sign-in form is tested elsewhere)."""
    client = Client()
    client.force_login(member)
    session = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": browser_page.base_url}
    browser_page.page.context.add_cookies([session])  # type: ignore[list-item]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_follows_a_thread_in_a_browser_and_finds_it_on_the_subscriptions_page_on_a_phone_too(
    desktop: BrowserPage, phone: BrowserPage, member: Member, thread: Thread
) -> None:
    sign_in_by_cookie(desktop, member)

    # When the member opens the Follow control on a thread, chooses Watching and Immediately, and saves
    desktop.open(thread_url(thread))
    control = desktop.page.locator(".follow-control")
    control.locator("summary", has_text="Follow").click()
    control.get_by_label("Watching").check()
    control.get_by_label("E-mail me").select_option(label="Immediately")
    control.get_by_role("button", name="Save how you follow this thread").click()
    desktop.settle()

    # Then the control says they follow it, and the subscriptions page lists it
    expect(desktop.page.locator(".follow-control summary")).to_contain_text("Following · immediately")
    assert_follows(member, thread, Level.WATCHING, Delivery.IMMEDIATE)
    desktop.open(LIST_URL)
    expect(desktop.page.get_by_role("link", name="Shelter capacity")).to_be_visible()
    # Each row's buttons say which subscription they change
    expect(desktop.page.get_by_role("button", name="Save how you follow Shelter capacity")).to_be_visible()
    expect(desktop.page.get_by_role("button", name="Stop following Shelter capacity")).to_be_visible()
    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []

    # On a phone, the subscriptions page and the open Follow control fit the screen
    sign_in_by_cookie(phone, member)
    phone.open(LIST_URL)
    expect(phone.page.get_by_role("link", name="Shelter capacity")).to_be_visible()
    assert_fits_the_phone_screen(phone.page)
    phone.open(thread_url(thread))
    phone.page.locator(".follow-control summary").click()
    expect(phone.page.locator(".follow-control").get_by_label("Watching")).to_be_visible()
    assert_fits_the_phone_screen(phone.page)
    assert phone.trouble.all() == []
