"""E-mail updates as a member finds them in their inbox: daily and weekly digests of what they follow, and
immediate mail about what was said to them, each read through the access policy when it is sent.

Mail goes to Django's locmem outbox; time moves by passing ``now=`` to the services (or by moving the
stored schedule and backdating feed events), never by patching the clock.
"""

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from communities.models import ActivityEvent, Community, Role
from communities.services import community_create, content_remove, membership_remove, membership_set_role
from discussions import services as discussions
from discussions.models import Board, Post, Thread
from library import services as library
from messaging import services as messaging
from messaging.naming import conversation_url
from notices import follow
from notices.models import Delivery, Level, MailPreferences, Subscription
from notices.visits import last_visits, note_visit
from subscriptions import services
from tests.discussions.factories import joined, marking, signed_in
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import MarkingAuthorisation, Member
from wiki import services as wiki

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL.rstrip("/")
WITHHELD = "A new FOUO item in Gulf Coast — sign in to read"
FOUO_BANNER = "For Official Use Only (FOUO)"


# --- Reading the inbox ---------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{SITE}{path}"


def html_of(message: EmailMultiAlternatives) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(content)


def headers_of(message: EmailMultiAlternatives) -> email.message.EmailMessage:
    """The message as the member's mail client reads it (headers decoded)."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def assert_well_formed(message: EmailMultiAlternatives) -> None:
    """Every update has a text and an HTML part, says it is automatic, and offers one-click unsubscribe."""
    assert message.body.strip()
    assert "<html" in html_of(message)
    headers = headers_of(message)
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["List-Unsubscribe"].strip().startswith(f"<{SITE}/subscriptions/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"]


def inbox(member: Member) -> list[EmailMultiAlternatives]:
    found: list[EmailMultiAlternatives] = []
    for message in mail.outbox:
        if message.to == [member.email]:
            assert isinstance(message, EmailMultiAlternatives)  # every update has an HTML part
            assert_well_formed(message)
            found.append(message)
    return found


def only_mail(member: Member) -> EmailMultiAlternatives:
    found = inbox(member)
    assert len(found) == 1, [message.subject for message in found]
    return found[0]


def everything_in(message: EmailMultiAlternatives) -> str:
    headers = headers_of(message)
    return "\n".join([*(f"{name}: {value}" for name, value in headers.items()), str(message.body), html_of(message)])


# --- Moving time ---------------------------------------------------------------------------


def fresh(member: Member) -> Member:
    """The member as a worker loads them (nothing cached from earlier calls)."""
    return Member.objects.get(pk=member.pk)


def send_immediate(member: Member, *, minutes: float, last_visit: datetime | None = None) -> int:
    """The immediate updates as the worker sends them ``minutes`` from now."""
    now = timezone.now() + timedelta(minutes=minutes)
    return services.send_immediate_updates(fresh(member), now=now, last_visit=last_visit)


def send_digests(*members: Member, period: str = Delivery.DAILY) -> int:
    """Each member's digest as the worker sends it at their next digest hour (tomorrow, or the day after
    the last one), with their last visit."""
    visits = last_visits(member.pk for member in members)
    sent = 0
    for member in members:
        due = getattr(MailPreferences.objects.get(pk=member.pk), f"next_{period}_at")
        subscriptions = list(Subscription.objects.filter(member=member))
        now = due + timedelta(minutes=1)
        sent += services.send_digest(fresh(member), subscriptions, period, now=now, last_visit=visits.get(member.pk))
    return sent


def backdate(target: Thread | Post, when: datetime) -> None:
    """The feed events about ``target`` happened at ``when``."""
    thread = target.thread if isinstance(target, Post) else target
    ActivityEvent.objects.filter(target_type__model="thread", target_id=thread.pk).update(created_at=when)


# --- Given ---------------------------------------------------------------------------------


@dataclass
class Gulf:
    community: Community
    board: Board
    alice: Member  # the owner, cleared for FOUO
    bob: Member


@pytest.fixture
def gulf() -> Gulf:
    alice = make_verified_member(markings=["fouo"], first_name="Alice", last_name="Author")
    vetting.member_handle_ensure(member=alice)
    community = community_create(creator=alice, name="Gulf Coast", slug="gulf", marking=marking())
    board = discussions.board_create(community=community, actor=alice, name="General")
    return Gulf(community, board, fresh(alice), joined(community, "Bob", "Replier"))


def start(gulf: Gulf, title: str, *, author: Member | None = None, body: str = "Opening post", **fields) -> Thread:
    return discussions.thread_start(
        author=author or gulf.alice,
        community=gulf.community,
        board=gulf.board,
        title=title,
        body=body,
        marking=fields.pop("marking", marking()),
        **fields,
    )


def reply(thread: Thread, author: Member, body: str = "Agreed.") -> Post:
    return discussions.post_reply(author=author, thread=thread, body=body)


def reader(
    gulf: Gulf, first_name: str = "Rita", *, level: str = Level.WATCHING, delivery: str = Delivery.DAILY, **fields
) -> Member:
    """A member of Gulf Coast who follows it."""
    member = joined(gulf.community, first_name, "Reader", **fields)
    follow.follow(member=member, target=gulf.community, level=level, delivery=delivery)
    return fresh(member)


def text_file(name: str = "checklist.txt", content: bytes = b"Water, radios, cots.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- 1. Digests ------------------------------------------------------------------------------


def test_a_daily_digest_lists_what_is_new_by_community_the_busiest_thread_first_each_with_its_link(gulf: Gulf) -> None:
    rita = reader(gulf)
    bayou = community_create(creator=gulf.alice, name="Bayou Parish", slug="bayou", marking=marking())
    membership_set_role(community=bayou, member=rita, role="member")
    follow.follow(member=rita, target=bayou, level=Level.WATCHING, delivery=Delivery.DAILY)
    bayou_board = discussions.board_create(community=bayou, actor=gulf.alice, name="General")

    shelters = start(gulf, "Shelter capacity")
    for number in range(3):
        reply(shelters, gulf.bob, f"Reply {number}")
    fuel = start(gulf, "Fuel resupply")
    page = wiki.page_create(
        author=gulf.alice, community=gulf.community, title="Evacuation routes", body="Route 1", marking=marking()
    )
    wiki.page_save(page=page, editor=gulf.bob, title="Evacuation routes", body="Route 1 and Route 2", base_number=1)
    document = library.document_upload(
        author=gulf.alice, community=gulf.community, title="Go-kit checklist", file=text_file(), marking=marking()
    )
    blog = discussions.thread_start(
        author=gulf.alice,
        community=gulf.community,
        board=None,
        title="Lessons from Ida",
        body="What we learned.",
        marking=marking(),
        kind=Thread.Kind.BLOG,
    )
    levee = discussions.thread_start(
        author=gulf.alice, community=bayou, board=bayou_board, title="Levee watch", body="Levels?", marking=marking()
    )

    assert send_digests(rita) == 1

    digest = only_mail(rita)
    assert digest.subject == "[Muster] Your daily digest: 10 updates in 2 communities"
    text = digest.body
    # Grouped by community, the busier community first, each with what happened there, counted.
    assert text.index("GULF COAST") < text.index("BAYOU PARISH")
    assert "2 new threads · 3 replies · 1 wiki page · 1 edit · 1 document · 1 blog post" in text
    assert "1 new thread" in text.split("BAYOU PARISH")[1]
    # The most active thread leads its community, with how much happened to it.
    gulf_lines = [line for line in text.split("BAYOU PARISH")[0].splitlines() if line.startswith("- ")]
    assert gulf_lines[0] == "- Shelter capacity — 4 updates"
    assert "- Evacuation routes — 2 updates" in gulf_lines
    assert "- Fuel resupply — posted by Alice Author" in gulf_lines
    assert "- Go-kit checklist — added by Alice Author" in gulf_lines
    assert "- Lessons from Ida — published by Alice Author" in gulf_lines
    # Each item links to itself, in both parts.
    html = html_of(digest)
    for url in (
        discussions.thread_url(shelters),
        discussions.thread_url(fuel),
        wiki.page_url(page),
        library.document_url(document),
        discussions.thread_url(blog),
        discussions.thread_url(levee),
    ):
        assert f"\n  {absolute(url)}\n" in text
        assert f'<a href="{absolute(url)}"' in html
    assert html.index(">Shelter capacity</a>") < html.index(">Evacuation routes</a>")


def test_nothing_new_sends_nothing_and_a_sent_digest_is_not_sent_again(gulf: Gulf) -> None:
    rita = reader(gulf)

    first_hour = MailPreferences.objects.get(pk=rita.pk).next_daily_at
    assert first_hour is not None
    assert send_digests(rita) == 0
    assert inbox(rita) == []
    second_hour = MailPreferences.objects.get(pk=rita.pk).next_daily_at
    assert second_hour == first_hour + timedelta(days=1)  # the schedule moved on all the same

    backdate(start(gulf, "Shelter capacity"), first_hour + timedelta(hours=2))
    assert send_digests(rita) == 1
    assert services.send_digests([rita.pk], Delivery.DAILY) == 0  # a retried batch now: nothing is due
    backdate(start(gulf, "Fuel resupply"), second_hour + timedelta(hours=2))
    assert services.send_digests([rita.pk], Delivery.DAILY) == 0

    assert send_digests(rita) == 1  # the next day: only what came since the last digest
    first, second = inbox(rita)
    assert "Shelter capacity" in first.body
    assert "Fuel resupply" not in first.body
    assert "Fuel resupply" in second.body
    assert "Shelter capacity" not in second.body


def test_only_what_is_new_since_the_last_digest_and_the_last_visit_counts(gulf: Gulf) -> None:
    rita = reader(gulf)
    now = timezone.now()
    MailPreferences.objects.filter(pk=rita.pk).update(last_daily_at=now - timedelta(hours=2))
    backdate(start(gulf, "Before the last digest"), now - timedelta(hours=3))
    backdate(start(gulf, "Seen on the site"), now - timedelta(minutes=90))
    note_visit(rita.pk, now=now - timedelta(hours=1))
    start(gulf, "Since the visit")

    MailPreferences.objects.filter(pk=rita.pk).update(next_daily_at=timezone.now() - timedelta(seconds=1))
    assert services.send_digests([rita.pk], Delivery.DAILY) == 1  # the batch task's call: due now

    text = only_mail(rita).body
    assert "Since the visit" in text
    assert "Before the last digest" not in text
    assert "Seen on the site" not in text


def test_own_posts_muted_threads_and_weekly_subscriptions_stay_out_of_the_daily_digest(gulf: Gulf) -> None:
    rita = reader(gulf)
    noisy = start(gulf, "Noisy thread")
    follow.follow(member=rita, target=noisy, level=Level.MUTED, delivery=Delivery.DAILY)
    reply(noisy, gulf.bob)
    start(gulf, "My own question", author=rita)
    start(gulf, "Road closures")
    bayou = community_create(creator=gulf.alice, name="Bayou Parish", slug="bayou", marking=marking())
    membership_set_role(community=bayou, member=rita, role="member")
    follow.follow(member=rita, target=bayou, level=Level.WATCHING, delivery=Delivery.WEEKLY)
    discussions.thread_start(
        author=gulf.alice,
        community=bayou,
        board=discussions.board_create(community=bayou, actor=gulf.alice, name="General"),
        title="Levee watch",
        body="Levels?",
        marking=marking(),
    )

    assert send_digests(rita) == 1
    daily = only_mail(rita)
    assert "Road closures" in daily.body
    for left_out in ("My own question", "Noisy thread", "Levee watch", "BAYOU PARISH"):
        assert left_out not in everything_in(daily)

    assert send_digests(rita, period=Delivery.WEEKLY) == 1
    weekly = inbox(rita)[1]
    assert weekly.subject.startswith("[Muster] Your weekly digest")
    assert "Levee watch" in weekly.body
    assert "Road closures" not in weekly.body


def test_new_items_only_leaves_replies_out(gulf: Gulf) -> None:
    watcher = reader(gulf, "Wanda")
    newcomer = reader(gulf, "Nell", level=Level.NEW_ITEMS)
    shelters = start(gulf, "Shelter capacity")
    reply(shelters, gulf.bob)
    reply(start(gulf, "Older thread"), gulf.bob)
    backdate(Thread.objects.get(title="Older thread"), timezone.now() - timedelta(days=3))
    reply(Thread.objects.get(title="Older thread"), gulf.bob, "A reply to an old thread")

    assert send_digests(watcher, newcomer) == 2

    assert "2 replies" in only_mail(watcher).body
    assert "Older thread" in only_mail(watcher).body
    text = only_mail(newcomer).body
    assert "1 new thread\n" in text
    assert "repl" not in text
    assert "- Shelter capacity — posted by Alice Author" in text
    assert "Older thread" not in text


def test_the_next_digest_comes_at_the_members_hour_in_their_time_zone_across_daylight_saving(gulf: Gulf) -> None:
    rita = reader(gulf)
    chicago = ZoneInfo("America/Chicago")
    follow.preferences_update(member=rita, time_zone="America/Chicago", digest_hour=7)
    upcoming = MailPreferences.objects.get(pk=rita.pk).next_daily_at
    assert upcoming is not None
    assert upcoming.astimezone(chicago).hour == 7
    assert timezone.now() < upcoming <= timezone.now() + timedelta(days=1)

    subscriptions = list(Subscription.objects.filter(member=rita))

    def after_a_digest_at(utc: datetime) -> datetime:
        MailPreferences.objects.filter(pk=rita.pk).update(next_daily_at=utc)
        services.send_digest(
            fresh(rita), subscriptions, Delivery.DAILY, now=utc + timedelta(minutes=1), last_visit=None
        )
        following = MailPreferences.objects.get(pk=rita.pk).next_daily_at
        assert following is not None
        return following

    # Spring forward (Sunday 14 March 2027): 7:00 CST is 13:00 UTC, 7:00 CDT is 12:00 UTC.
    assert after_a_digest_at(datetime(2027, 3, 13, 13, 0, tzinfo=UTC)) == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)
    assert after_a_digest_at(datetime(2027, 3, 14, 12, 0, tzinfo=UTC)) == datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
    # Fall back (Sunday 7 November 2027).
    assert after_a_digest_at(datetime(2027, 11, 6, 12, 0, tzinfo=UTC)) == datetime(2027, 11, 7, 13, 0, tzinfo=UTC)
    assert datetime(2027, 11, 7, 13, 0, tzinfo=UTC).astimezone(chicago).hour == 7


# --- 2. Access, checked again when the mail is sent --------------------------------------------


def test_a_member_removed_from_a_private_community_hears_nothing_more_of_it(gulf: Gulf) -> None:
    task_force = community_create(
        creator=gulf.alice,
        name="Task Force",
        slug="task-force",
        marking=marking(),
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    board = discussions.board_create(community=task_force, actor=gulf.alice, name="General")
    staying, leaving = joined(task_force, "Stan", "Stays"), joined(task_force, "Lena", "Leaves")
    for member in (staying, leaving):
        follow.follow(member=member, target=task_force, level=Level.WATCHING, delivery=Delivery.DAILY)
    discussions.thread_start(
        author=gulf.alice, community=task_force, board=board, title="Staging plan", body="Pier 9", marking=marking()
    )

    membership_remove(community=task_force, actor=gulf.alice, member=leaving)
    assert send_digests(staying, leaving) == 1

    assert "Staging plan" in only_mail(staying).body
    assert inbox(leaving) == []


def test_a_member_whose_fouo_clearance_is_withdrawn_hears_nothing_of_fouo_items(gulf: Gulf) -> None:
    cleared = reader(gulf, "Cleo", markings=["fouo"])
    withdrawn = reader(gulf, "Will", markings=["fouo"])
    start(
        gulf,
        "Pier 7 staging",
        body=f"Stage behind warehouse C, @{cleared.handle} @{withdrawn.handle}",
        marking=marking("fouo"),
    )
    start(gulf, "Road closures")

    MarkingAuthorisation.objects.filter(member=withdrawn).delete()  # a verifier re-vetted them without FOUO
    assert send_immediate(cleared, minutes=6) == 1
    assert send_immediate(withdrawn, minutes=6) == 0
    assert send_digests(cleared, withdrawn) == 2

    immediate, digest = inbox(cleared)
    assert immediate.subject == f"[Muster] {WITHHELD}"
    assert WITHHELD in digest.body
    [withdrawn_digest] = inbox(withdrawn)  # the unmarked thread only: no line, no banner for the FOUO one
    assert "Road closures" in withdrawn_digest.body
    assert "FOUO" not in everything_in(withdrawn_digest)
    assert "Pier 7" not in everything_in(withdrawn_digest)


def test_removed_items_and_hidden_posts_are_left_out(gulf: Gulf) -> None:
    rita = reader(gulf)
    removed_page = wiki.page_create(
        author=gulf.bob, community=gulf.community, title="Old shelter list", body="Closed", marking=marking()
    )
    wiki.page_create(author=gulf.bob, community=gulf.community, title="Shelter list", body="Open", marking=marking())
    removed_thread = start(gulf, "Posted in error", author=gulf.bob)
    own_hidden, own_shown = start(gulf, "Cots", author=rita), start(gulf, "Generators", author=rita)
    hidden = reply(own_hidden, gulf.bob, "Something rude")
    reply(own_shown, gulf.bob, "We have two spare.")

    content_remove(item=removed_page, actor=gulf.alice)
    discussions.post_delete(post=removed_thread.posts.get(is_opening=True), actor=gulf.alice)
    discussions.post_hide(post=hidden, actor=gulf.alice, reason="Off topic")

    assert send_immediate(rita, minutes=6) == 1
    [immediate] = inbox(rita)
    assert immediate.subject == "[Muster] Bob Replier replied to “Generators”"
    assert "Cots" not in everything_in(immediate)

    assert send_digests(rita) == 1
    digest = inbox(rita)[1]
    assert "Shelter list" in digest.body
    assert "Old shelter list" not in everything_in(digest)
    assert "Posted in error" not in everything_in(digest)


def test_a_moderator_who_still_sees_removed_items_on_the_site_never_gets_them_by_mail(gulf: Gulf) -> None:
    moderator = reader(gulf, "Mona", role=Role.MODERATOR)
    removed = wiki.page_create(
        author=gulf.bob, community=gulf.community, title="Old shelter list", body="Closed", marking=marking()
    )
    wiki.page_create(author=gulf.bob, community=gulf.community, title="Shelter list", body="Open", marking=marking())
    content_remove(item=removed, actor=gulf.alice)

    assert send_digests(moderator) == 1
    shown_on_site = signed_in(moderator).get(wiki.page_url(removed))

    assert shown_on_site.status_code == 200  # moderators see it on the site, marked removed
    digest = only_mail(moderator)
    assert "Shelter list" in digest.body
    assert "Old shelter list" not in everything_in(digest)


def test_suspended_expired_and_unverified_members_get_no_content_mail(gulf: Gulf) -> None:
    verifier = make_verified_member(is_staff=True, mfa=True)
    members = {name: reader(gulf, name) for name in ("Olga", "Sam", "Eve", "Uma")}
    for member in members.values():
        conversation = messaging.direct_conversation_open(member=gulf.bob, other=member)
        messaging.message_send(conversation=conversation, author=gulf.bob, body="Can you cover Saturday?")
    start(gulf, "Shelter capacity")

    vetting.member_suspend(member=members["Sam"], verifier=verifier, reason="Shared a FOUO file")
    Member.objects.filter(pk=members["Eve"].pk).update(verified_until=timezone.now() - timedelta(days=1))
    Member.objects.filter(pk=members["Uma"].pk).update(verified_until=None)  # vetting withdrawn

    for member in members.values():
        send_immediate(member, minutes=6)
    send_digests(*members.values())

    assert [message.subject for message in inbox(members["Olga"])] == [
        "[Muster] 1 new message from Bob Replier",
        "[Muster] Your daily digest: 1 update in 1 community",
    ]
    for name in ("Sam", "Eve", "Uma"):
        assert inbox(members[name]) == [], name


# --- 3. Marked items -------------------------------------------------------------------------


def test_a_fouo_item_is_named_only_by_its_marking_and_community_under_the_marking_banner(gulf: Gulf) -> None:
    rita = reader(gulf, markings=["fouo"])
    pier = start(gulf, "Pier 7 staging", body=f"Stage behind warehouse C, @{rita.handle}", marking=marking("fouo"))
    start(gulf, "Road closures")

    assert send_immediate(rita, minutes=6) == 1
    assert send_digests(rita) == 1

    immediate, digest = inbox(rita)
    assert immediate.subject == f"[Muster] {WITHHELD}"
    assert absolute(discussions.post_url(pier.posts.get(is_opening=True))) in immediate.body
    assert absolute(discussions.thread_url(pier)) in digest.body
    assert f"- {WITHHELD}\n" in digest.body  # no "posted by" for a marked line
    assert "Road closures — posted by Alice Author" in digest.body  # an unmarked item keeps its title
    for message in (immediate, digest):
        assert message.body.startswith(FOUO_BANNER)
        assert message.body.rstrip().endswith(FOUO_BANNER)
        html = html_of(message)
        assert FOUO_BANNER in html[: html.index("Hello")]
        assert WITHHELD in html
        for secret in ("Pier 7", "warehouse C", "Stage behind"):
            assert secret not in everything_in(message)
    assert "Alice Author" not in everything_in(immediate)


# --- 4. Immediate mail about what was said to the member ----------------------------------------


def test_a_direct_message_a_mention_and_a_reply_are_each_mailed_once_after_the_delay(gulf: Gulf) -> None:
    rita = reader(gulf)
    conversation = messaging.direct_conversation_open(member=gulf.bob, other=rita)
    messaging.message_send(conversation=conversation, author=gulf.bob, body="Can you cover Saturday?")
    mentioned = start(gulf, "Volunteer roster", author=gulf.bob, body=f"@{rita.handle} can you lead Sunday?")
    question = start(gulf, "Generator fuel", author=rita)
    answer = reply(question, gulf.bob, "Diesel at the depot.")

    assert send_immediate(rita, minutes=4) == 0
    assert inbox(rita) == []
    assert send_immediate(rita, minutes=6) == 3
    assert send_immediate(rita, minutes=7) == 0

    by_subject = {message.subject: message for message in inbox(rita)}
    assert sorted(by_subject) == [
        "[Muster] 1 new message from Bob Replier",
        "[Muster] Bob Replier mentioned you in “Volunteer roster”",
        "[Muster] Bob Replier replied to “Generator fuel”",
    ]
    links = {
        "[Muster] 1 new message from Bob Replier": conversation_url(conversation),
        "[Muster] Bob Replier mentioned you in “Volunteer roster”": discussions.post_url(
            mentioned.posts.get(is_opening=True)
        ),
        "[Muster] Bob Replier replied to “Generator fuel”": discussions.post_url(answer),
    }
    for subject, link in links.items():
        assert f"\n{absolute(link)}\n" in by_subject[subject].body
        assert f'href="{absolute(link)}"' in html_of(by_subject[subject])
    for words in ("Can you cover Saturday?", "can you lead Sunday?", "Diesel at the depot."):
        assert not any(words in everything_in(message) for message in inbox(rita))  # never the words said


def test_nothing_is_mailed_about_what_the_member_read_on_the_site_first(gulf: Gulf) -> None:
    rita, other = reader(gulf), reader(gulf, "Otto")
    mentioned = start(gulf, "Shelter capacity", author=gulf.bob, body=f"@{rita.handle} @{other.handle} cots?")
    conversations = {}
    for member in (rita, other):
        conversations[member.pk] = messaging.direct_conversation_open(member=gulf.bob, other=member)
        messaging.message_send(conversation=conversations[member.pk], author=gulf.bob, body="Saturday?")

    reading = signed_in(rita)
    assert reading.get(discussions.thread_url(mentioned)).status_code == 200
    assert reading.get(conversation_url(conversations[rita.pk])).status_code == 200

    assert send_immediate(rita, minutes=6) == 0
    assert send_immediate(other, minutes=6) == 2
    assert inbox(rita) == []
    assert sorted(message.subject for message in inbox(other)) == [
        "[Muster] 1 new message from Bob Replier",
        "[Muster] Bob Replier mentioned you in “Shelter capacity”",
    ]


def test_a_burst_of_replies_in_one_thread_is_one_mail(gulf: Gulf) -> None:
    rita = reader(gulf)
    question = start(gulf, "Generator fuel", author=rita)
    for number in range(5):
        reply(question, gulf.bob, f"Update {number}")

    assert send_immediate(rita, minutes=6) == 1
    assert send_immediate(rita, minutes=8) == 0

    message = only_mail(rita)
    assert message.subject == "[Muster] Bob Replier replied to “Generator fuel”"
    assert absolute(discussions.thread_url(question)) in message.body


def test_a_delay_of_thirty_minutes_chosen_by_the_member_is_kept(gulf: Gulf) -> None:
    rita = reader(gulf)
    follow.preferences_update(member=rita, immediate_delay_minutes=30)
    conversation = messaging.direct_conversation_open(member=gulf.bob, other=rita)
    messaging.message_send(conversation=conversation, author=gulf.bob, body="Call me.")

    assert send_immediate(rita, minutes=6) == 0
    assert send_immediate(rita, minutes=29) == 0
    assert inbox(rita) == []
    assert send_immediate(rita, minutes=31) == 1
    assert only_mail(rita).subject == "[Muster] 1 new message from Bob Replier"


def test_over_the_daily_cap_the_rest_waits_for_the_next_daily_digest(gulf: Gulf) -> None:
    rita = reader(gulf, delivery=Delivery.SITE)
    follow.preferences_update(member=rita, daily_cap=2)
    watched = start(gulf, "Road closures")
    follow.follow(member=rita, target=watched, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    senders = [joined(gulf.community, name, "Sender") for name in ("Carol", "Dave", "Erin")]
    for sender in senders:
        conversation = messaging.direct_conversation_open(member=sender, other=rita)
        messaging.message_send(conversation=conversation, author=sender, body="Are you free?")
    reply(watched, gulf.bob, "I-10 is closed at exit 12.")

    assert send_immediate(rita, minutes=6) == 2
    assert send_immediate(rita, minutes=8) == 0
    assert [message.subject for message in inbox(rita)] == [
        "[Muster] 1 new message from Carol Sender",
        "[Muster] 1 new message from Dave Sender",
    ]

    assert send_digests(rita) == 1
    digest = inbox(rita)[2]
    assert "1 new message from Erin Sender" in digest.body
    assert "Road closures" in digest.body
    assert "Carol" not in digest.body
    assert "Dave" not in digest.body
    assert send_immediate(rita, minutes=10) == 0


def test_mails_about_one_thread_share_their_root_and_each_has_its_own_message_id(gulf: Gulf) -> None:
    rita = reader(gulf)
    question = start(gulf, "Generator fuel", author=rita)
    follow.follow(member=rita, target=question, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    other = start(gulf, "Cots", author=rita)
    reply(question, gulf.bob, "Diesel at the depot.")
    assert send_immediate(rita, minutes=6) == 1
    reply(question, gulf.alice, "And at the fire station.")
    reply(other, gulf.bob, "Forty cots.")
    assert send_immediate(rita, minutes=12) == 2

    first, second, third = (headers_of(message) for message in inbox(rita))
    by_subject = {
        message["Subject"]: message for message in (first, second, third) if "Generator fuel" in message["Subject"]
    }
    assert len(by_subject) == 2
    fuel_one, fuel_two = by_subject.values()
    assert fuel_one["In-Reply-To"] == fuel_two["In-Reply-To"] == fuel_one["References"] == fuel_two["References"]
    cots = next(message for message in (first, second, third) if "Cots" in message["Subject"])
    assert cots["In-Reply-To"] != fuel_one["In-Reply-To"]
    assert len({first["Message-ID"], second["Message-ID"], third["Message-ID"]}) == 3
    assert fuel_one["Message-ID"] not in (fuel_one["In-Reply-To"], fuel_two["In-Reply-To"])


def test_every_update_has_both_parts_and_one_click_unsubscribe_that_works(gulf: Gulf) -> None:
    rita = reader(gulf)
    start(gulf, "Shelter capacity")
    conversation = messaging.direct_conversation_open(member=gulf.bob, other=rita)
    messaging.message_send(conversation=conversation, author=gulf.bob, body="Saturday?")
    send_immediate(rita, minutes=6)
    send_digests(rita)

    immediate, digest = inbox(rita)  # inbox() checks both parts and the headers of each
    assert "Shelter capacity" in html_of(digest)
    assert "1 new message from Bob Replier" in html_of(immediate)

    link = headers_of(digest)["List-Unsubscribe"].strip().strip("<>")
    answer = Client().post(link.removeprefix(SITE), data="List-Unsubscribe=One-Click", content_type="text/plain")
    assert answer.status_code == 200
    assert Subscription.objects.get(member=rita, target_id=gulf.community.pk).delivery == Delivery.SITE
    backdate(start(gulf, "Fuel resupply"), timezone.now() + timedelta(days=1))  # during the next day
    assert send_digests(rita) == 0


# --- 5. Following a thread with immediate delivery ------------------------------------------------


def test_a_reply_in_a_thread_followed_immediately_is_mailed_unless_the_member_came_by_since(gulf: Gulf) -> None:
    earlier = timezone.now() - timedelta(days=2)
    watched = start(gulf, "Road closures")
    reply(watched, gulf.alice, "I-10 is open.")
    backdate(watched, earlier + timedelta(hours=1))
    away, around = reader(gulf, "Ada", delivery=Delivery.SITE), reader(gulf, "Ray", delivery=Delivery.SITE)
    # Their settings are old: nothing has been mailed to them for days.
    MailPreferences.objects.filter(member__in=[away, around]).update(immediate_through=earlier)
    for member in (away, around):
        follow.follow(member=member, target=watched, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)

    reply(watched, gulf.bob, "I-10 is closed at exit 12.")
    note_visit(around.pk, now=timezone.now() + timedelta(minutes=1))
    visits = last_visits([away.pk, around.pk])

    assert send_immediate(away, minutes=4, last_visit=visits.get(away.pk)) == 0
    assert send_immediate(away, minutes=6, last_visit=visits.get(away.pk)) == 1
    assert send_immediate(around, minutes=6, last_visit=visits.get(around.pk)) == 0
    assert inbox(around) == []

    message = only_mail(away)
    assert message.subject == "[Muster] Re: Road closures"
    assert "Road closures — replied to by Bob Replier" in message.body  # the reply alone, not the thread's past
    assert absolute(discussions.thread_url(watched)) in message.body
    assert headers_of(message)["List-Unsubscribe"]


def test_an_address_the_relay_refused_for_good_gets_nothing_until_the_member_changes_it(gulf: Gulf) -> None:
    rita = reader(gulf)
    Member.objects.filter(pk=rita.pk).update(mail_failed_at=timezone.now(), mail_failure="550 no such user")
    start(gulf, "Shelter capacity", author=gulf.bob)

    assert send_digests(fresh(rita)) == 0
    assert inbox(rita) == []

    # A new primary address (allauth's e-mail page) clears the refusal, and the next digest goes out
    old = EmailAddress.objects.filter(user=rita, primary=True).first()
    new = EmailAddress.objects.create(user=rita, email="rita@county.gov", verified=True)
    new.set_as_primary()
    email_changed.send(sender=Member, request=None, user=rita, from_email_address=old, to_email_address=new)
    MailPreferences.objects.filter(pk=rita.pk).update(
        next_daily_at=timezone.now(), last_daily_at=timezone.now() - timedelta(hours=1)
    )
    start(gulf, "Generators", author=gulf.bob)

    assert send_digests(fresh(rita)) == 1
    assert "Generators" in only_mail(fresh(rita)).body
