"""No e-mail the platform sends carries a word of a marked item.

One unique string is written into the title, body, file name and description of every kind of item a
mail might report (thread, blog post, reply, wiki page and its edit, document, link, chat message in a
room, message in a group conversation, direct message), all FOUO, by someone else. Cleared members follow
all of it (daily, weekly and immediate), are mentioned, replied to and messaged; then every mail is sent:
the immediate updates and digests through their Celery beat tasks, and the account mails (vetting
decision, sponsor request, expiry notices, join-request decisions, invitations). The string must appear
in no header, subject, text or HTML part of any of them, while the mails do say FOUO and link to each item.

The same scenario with unmarked items and another string shows the string where titles are allowed:
the search below does see subjects, headers, text and HTML, so the marked run could fail.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from communities.models import ActivityEvent, Community
from communities.services import (
    community_create,
    invitation_create,
    join_request_create,
    join_request_decide,
)
from discussions import services as discussions
from discussions.models import Thread
from library import services as library
from messaging import services as messaging
from messaging.naming import conversation_url, message_url
from notices import follow
from notices.models import Delivery, EmailDelivery, Level, MailPreferences, Notification, Subscription
from subscriptions import tasks as subscription_tasks
from tests.discussions.factories import joined
from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import services as vetting
from verification.models import Marking, Member
from wiki import services as wiki

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL.rstrip("/")
MARKED_SENTINEL = "SENTINEL-7f3a"
WITHHELD = re.compile(r"A new FOUO item( in Harbor Ops)? — sign in to read")
UNMARKED_SENTINEL = "SENTINEL-UNMARKED-2b9c"


def absolute(path: str) -> str:
    return f"{SITE}{path}"


def html_parts(message: EmailMessage) -> list[str]:
    return [str(content) for content, _ in getattr(message, "alternatives", [])]


def parsed(message: EmailMessage) -> email.message.EmailMessage:
    """The message as a mail client reads it off the wire."""
    found = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert isinstance(found, email.message.EmailMessage)
    return found


def decoded_headers(message: EmailMessage) -> str:
    return "\n".join(f"{name}: {value}" for name, value in parsed(message).items())


def searchable(message: EmailMessage) -> str:
    """Everything a mail client could show: every header decoded, every part decoded, and the raw bytes."""
    parts = [str(part.get_content()) for part in parsed(message).walk() if not part.is_multipart()]
    raw = message.message().as_bytes().decode("utf-8", "replace")
    texts = [decoded_headers(message), *parts, str(message.subject), str(message.body), *html_parts(message), raw]
    return "\n".join(texts)


@dataclass
class Outcome:
    marking: Marking
    recipients: dict[str, Member]
    # Each recipient's links to what they were told of (absolute).
    expected_links: dict[str, list[str]]
    direct_links: dict[str, str]
    content_mails: dict[str, list[EmailMessage]] = field(default_factory=dict)
    account_mails: list[EmailMessage] = field(default_factory=list)


def run_every_mail(capture_on_commit, *, slug: str, sentinel: str) -> Outcome:
    """Build the scenario with items at marking ``slug``, then send every mail the platform sends."""
    s = sentinel
    level = Marking.objects.get(slug=slug)
    alice = make_verified_member(markings=["fouo"], first_name="Alice", last_name="Author")
    vetting.member_handle_ensure(member=alice)
    harbor = community_create(
        creator=alice,
        name="Harbor Ops",
        slug="harbor",
        marking=level,
        description=f"{s} community description",
        join_policy=Community.JoinPolicy.REQUEST,
    )
    board = discussions.board_create(community=harbor, actor=alice, name="General")
    recipients = {
        name: joined(harbor, name, "Recipient", markings=["fouo"]) for name in ("Daily", "Weekly", "Immediate")
    }
    deliveries = {"Daily": Delivery.DAILY, "Weekly": Delivery.WEEKLY, "Immediate": Delivery.IMMEDIATE}
    own_threads = {}
    for name, member in recipients.items():
        own_threads[name] = discussions.thread_start(
            author=member,
            community=harbor,
            board=board,
            title=f"{s} question from {name}",
            body=f"{s} my question",
            marking=level,
        )
        follow.preferences_update(member=member, personal_delivery=deliveries[name])
        follow.follow(member=member, target=harbor, level=Level.WATCHING, delivery=deliveries[name])
        follow.follow(member=member, target=alice, level=Level.WATCHING, delivery=deliveries[name])  # her blog
    mentions = " ".join(f"@{member.handle}" for member in recipients.values())

    thread = discussions.thread_start(
        author=alice,
        community=harbor,
        board=board,
        title=f"{s} thread",
        body=f"{s} thread body {mentions}",
        marking=level,
    )
    blog = discussions.thread_start(
        author=alice,
        community=harbor,
        board=None,
        title=f"{s} blog post",
        body=f"{s} blog body {mentions}",
        marking=level,
        kind=Thread.Kind.BLOG,
    )
    replies = {
        name: discussions.post_reply(author=alice, thread=own_threads[name], body=f"{s} reply body")
        for name in recipients
    }
    page = wiki.page_create(
        author=alice, community=harbor, title=f"{s} wiki page", body=f"{s} wiki body", marking=level, comment=s
    )
    wiki.page_save(page=page, editor=alice, title=page.title, body=f"{s} wiki body, edited", base_number=1, comment=s)
    document = library.document_upload(
        author=alice,
        community=harbor,
        title=f"{s} document",
        description=f"{s} document description",
        file=SimpleUploadedFile(f"{s}.txt", f"{s} file contents\n".encode()),
        marking=level,
    )
    bookmark, _ = library.bookmark_share(
        author=alice,
        community=harbor,
        url=f"https://example.gov/{s}",
        title=f"{s} link",
        description=f"{s} link description",
        marking=level,
    )
    room = messaging.room_create(community=harbor, actor=alice, title=f"{s} room", topic=f"{s} topic", marking=level)
    room_message = messaging.message_send(conversation=room, author=alice, body=f"{s} room message {mentions}")
    group = messaging.group_conversation_create(
        creator=alice, title=f"{s} group", participants=list(recipients.values()), marking=level
    )
    messaging.message_send(conversation=group, author=alice, body=f"{s} group message")
    direct_links = {}
    for name, member in recipients.items():
        direct = messaging.direct_conversation_open(member=alice, other=member)
        messaging.message_send(conversation=direct, author=alice, body=f"{s} direct message")
        direct_links[name] = absolute(conversation_url(direct))

    shared = [
        absolute(discussions.thread_url(thread)),
        absolute(discussions.thread_url(blog)),
        absolute(wiki.page_url(page)),
        absolute(library.document_url(document)),
        absolute(library.bookmark_url(bookmark)),
        absolute(message_url(room_message)),
        absolute(conversation_url(group)),
    ]
    expected_links = {
        name: [*shared, absolute(discussions.post_url(replies[name])), direct_links[name]] for name in recipients
    }

    # All of it happened ten minutes ago; the daily and weekly digests are due now.
    ten_minutes_ago = timedelta(minutes=10)
    ActivityEvent.objects.update(created_at=F("created_at") - ten_minutes_ago)
    Notification.objects.update(created_at=F("created_at") - ten_minutes_ago)
    Subscription.objects.update(
        created_at=F("created_at") - ten_minutes_ago, updated_at=F("updated_at") - ten_minutes_ago
    )
    MailPreferences.objects.update(immediate_through=F("immediate_through") - ten_minutes_ago)
    due = timezone.now() - timedelta(minutes=1)
    MailPreferences.objects.filter(member=recipients["Daily"]).update(next_daily_at=due)
    MailPreferences.objects.filter(member=recipients["Weekly"]).update(next_weekly_at=due)

    subscription_tasks.send_due_immediate_updates()
    subscription_tasks.send_due_digests()
    content_mails = {name: [m for m in mail.outbox if m.to == [member.email]] for name, member in recipients.items()}
    content_count = len(mail.outbox)

    # The account mails: a vetting decision (and its sponsor request), expiry notices, join-request
    # decisions and invitations, about this community.
    verifier = make_verified_member(markings=["fouo"], is_staff=True)
    with capture_on_commit(execute=True):
        applicant = MemberFactory.create(first_name="Ann", last_name="Applicant")
        ProfileFactory.create(member=applicant)
        application = vetting.application_submit(
            member=applicant, sponsor_name="Chief", sponsor_email="chief@county.gov"
        )
        vetting.application_approve(application=application, verifier=verifier, markings=[level])
        make_verified_member(first_name="Soon", last_name="Lapsing", verified_until=timezone.now() + timedelta(days=5))
        make_verified_member(first_name="Just", last_name="Lapsed", verified_until=timezone.now() - timedelta(days=1))
        vetting.verification_expiry_sweep()
        for approve in (True, False):
            outsider = make_verified_member(markings=["fouo"], first_name="Otto", last_name=f"Outsider{approve}")
            join_request = join_request_create(community=harbor, member=outsider, message=f"{s} let me in")
            join_request_decide(join_request=join_request, moderator=alice, approve=approve, note=f"{s} decision note")
        invitation_create(community=harbor, inviter=alice, email="newcomer@example.gov", message=f"{s} invitation")
        invited = make_verified_member(markings=["fouo"], first_name="Ivy", last_name="Invited")
        invitation_create(community=harbor, inviter=alice, email=invited.email, message=f"{s} invitation")

    return Outcome(
        marking=level,
        recipients=recipients,
        expected_links=expected_links,
        direct_links=direct_links,
        content_mails=content_mails,
        account_mails=list(mail.outbox[content_count:]),
    )


def assert_every_mail_went_out(outcome: Outcome) -> None:
    """The scenario did send each kind of mail (a test that sent nothing would prove nothing)."""
    subjects = [message.subject for message in outcome.account_mails]
    assert "[Muster] You are verified on Muster" in subjects
    assert "[Muster] Please confirm Ann Applicant's affiliation" in subjects
    assert "[Muster] Your Muster verification ends in 7 days" in subjects
    assert "[Muster] Your Muster verification has ended" in subjects
    assert "[Muster] You have joined a community on Muster" in subjects
    assert "[Muster] Your request to join a community on Muster was declined" in subjects
    assert subjects.count("[Muster] You are invited to a community on Muster") == 2
    daily, weekly, immediate = (outcome.content_mails[name] for name in ("Daily", "Weekly", "Immediate"))
    assert [message.subject.split(":")[0] for message in daily] == ["[Muster] Your daily digest"]
    assert [message.subject.split(":")[0] for message in weekly] == ["[Muster] Your weekly digest"]
    assert len(immediate) >= 8  # one per thread or conversation: nothing was folded away unseen
    sent = EmailDelivery.objects.filter(category__in=["digest", "immediate"], sent_at__isnull=False).count()
    assert sent == len(daily) + len(weekly) + len(immediate)
    for name, links in outcome.expected_links.items():
        told = "\n".join(message.body + "".join(html_parts(message)) for message in outcome.content_mails[name])
        for link in links:
            assert link in told, f"{name} was not sent a link to {link}"


def test_no_mail_carries_a_word_of_a_marked_item(django_capture_on_commit_callbacks) -> None:
    outcome = run_every_mail(django_capture_on_commit_callbacks, slug="fouo", sentinel=MARKED_SENTINEL)

    assert_every_mail_went_out(outcome)
    assert len(mail.outbox) >= 17
    for message in mail.outbox:
        assert MARKED_SENTINEL not in searchable(message), f"{message.subject!r} to {message.to} leaks it"

    # The same mails say what they hold back, under the marking's banner (top and bottom), and link to it
    # (assert_every_mail_went_out); a direct conversation is always unmarked, and its mail says who wrote.
    immediate = outcome.content_mails["Immediate"]
    direct = [m for m in immediate if m.subject == "[Muster] 1 new message from Alice Author"]
    assert len(direct) == 1
    for message in [*outcome.content_mails["Daily"], *outcome.content_mails["Weekly"], *immediate]:
        if message in direct:
            continue
        parts = [message.body, *html_parts(message)]
        for part in map(str, parts):
            assert part.count("For Official Use Only (FOUO)") == 2
            assert WITHHELD.search(part), part  # a group conversation has no community to name
        if message in immediate:
            assert message.subject.startswith("[Muster] A new FOUO item")
            assert message.subject.endswith("— sign in to read")
    declined = next(m for m in outcome.account_mails if "declined" in m.subject)
    assert "a FOUO community" in declined.body


def test_the_search_sees_titles_where_they_are_allowed(django_capture_on_commit_callbacks) -> None:
    outcome = run_every_mail(django_capture_on_commit_callbacks, slug="unmarked", sentinel=UNMARKED_SENTINEL)

    assert_every_mail_went_out(outcome)
    immediate = outcome.content_mails["Immediate"]
    digests = outcome.content_mails["Daily"] + outcome.content_mails["Weekly"]
    assert any(UNMARKED_SENTINEL in decoded_headers(message) for message in immediate)  # the Subject header
    assert any(UNMARKED_SENTINEL in message.body for message in immediate)
    for digest in digests:
        assert f"{UNMARKED_SENTINEL} thread" in digest.body
        assert f"{UNMARKED_SENTINEL} thread" in html_parts(digest)[0]
        assert "FOUO" not in searchable(digest)
    declined = next(m for m in outcome.account_mails if "declined" in m.subject)
    assert f"{UNMARKED_SENTINEL} decision note" in searchable(declined)
    # Bodies are never quoted, marked or not: only titles, names and links.
    for message in mail.outbox:
        for body_only in ("thread body", "reply body", "room message", "group message", "direct message"):
            assert f"{UNMARKED_SENTINEL} {body_only}" not in searchable(message)
