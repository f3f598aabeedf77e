"""Discussion services: what holds whichever page or task calls them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import ActivityEvent, Community, Role
from communities.services import community_create, membership_set_role
from discussions import services
from discussions.models import Flag, Mention, Post, PostRevision, Thread
from tests.verification.factories import make_verified_member
from verification import policy
from verification import services as vetting
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def member(community: Community) -> Member:
    member = make_verified_member(first_name="Dana", last_name="Reyes")
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return Member.objects.get(pk=member.pk)


def start(author: Member, community: Community, **fields) -> Thread:
    owner = Member.objects.get(memberships__community=community, memberships__role=Role.OWNER)
    board = community.boards.first() or services.board_create(community=community, actor=owner, name="General")
    defaults = {"title": "Shelter capacity", "body": "How many cots?", "marking": marking()}
    return services.thread_start(author=author, community=community, board=board, **{**defaults, **fields})


def test_a_thread_and_its_replies_join_the_feed_and_keep_their_count(
    member: Member, community: Community, owner: Member
) -> None:
    thread = start(member, community)

    services.post_reply(author=owner, thread=thread, body="About 400.")
    services.post_reply(author=member, thread=thread, body="Thanks!")

    thread.refresh_from_db()
    assert thread.reply_count == 2
    verbs = list(ActivityEvent.objects.filter(target_id=thread.pk).values_list("verb", flat=True))
    assert sorted(verbs) == ["posted", "replied", "replied"]


def test_empty_over_long_and_scripted_text_are_refused_or_neutralised(member: Member, community: Community) -> None:
    with pytest.raises(ValidationError) as empty:
        start(member, community, title="  ", body="")
    with pytest.raises(ValidationError, match="under 20,000"):
        start(member, community, body="x" * 20_001)
    assert set(empty.value.message_dict) == {"title", "body"}
    assert not Thread.objects.exists()

    thread = start(
        member, community, body="Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )

    html = thread.posts.get().body_html
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_no_reply_into_a_locked_thread_or_without_access(member: Member, community: Community, owner: Member) -> None:
    fouo_thread = start(owner, community, marking=marking("fouo"))
    open_thread = start(member, community)
    services.thread_lock(thread=open_thread, actor=owner, locked=True)

    with pytest.raises(ValidationError, match="locked"):
        services.post_reply(author=member, thread=open_thread, body="Me too")
    with pytest.raises(PermissionDenied):
        services.post_reply(author=member, thread=fouo_thread, body="Let me see")
    with pytest.raises(PermissionDenied):
        services.thread_lock(thread=open_thread, actor=member, locked=False)
    assert Post.objects.filter(is_opening=False).count() == 0


def test_mentions_reach_only_members_who_may_see_the_thread(
    member: Member, community: Community, owner: Member
) -> None:
    outsider = make_verified_member(first_name="Otto", last_name="Side")
    for person in (owner, member, outsider):
        vetting.member_handle_ensure(member=person)
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    membership_set_role(community=private, member=member, role=Role.MEMBER)

    thread = start(owner, private, body="@dana-reyes and @otto-side, please look. email@dana-reyes is not one.")

    assert list(Mention.objects.values_list("member__handle", flat=True)) == ["dana-reyes"]
    assert thread.pk


def test_the_asker_or_a_moderator_accepts_an_answer(member: Member, community: Community, owner: Member) -> None:
    question = start(member, community, kind=Thread.Kind.QUESTION)
    answer = services.post_reply(author=owner, thread=question, body="Call the county.")
    other = make_verified_member()
    membership_set_role(community=community, member=other, role=Role.MEMBER)

    with pytest.raises(PermissionDenied):
        services.answer_accept(thread=question, post=answer, actor=Member.objects.get(pk=other.pk))
    with pytest.raises(ValidationError):
        services.answer_accept(thread=question, post=question.posts.get(is_opening=True), actor=member)
    services.answer_accept(thread=question, post=answer, actor=member)

    question.refresh_from_db()
    assert question.accepted_post == answer


def test_every_edit_is_kept_and_only_the_author_edits(member: Member, community: Community, owner: Member) -> None:
    thread = start(member, community)
    opening = thread.posts.get()

    with pytest.raises(PermissionDenied):
        services.post_edit(post=opening, editor=owner, body="Hijacked")
    services.post_edit(post=opening, editor=member, body="How many cots and blankets?", title="Shelter supplies")
    services.post_edit(post=opening, editor=member, body="How many cots, blankets and generators?")

    opening.refresh_from_db()
    thread.refresh_from_db()
    assert thread.title == "Shelter supplies"
    assert list(PostRevision.objects.values_list("body", "title")) == [
        ("How many cots?", "Shelter capacity"),
        ("How many cots and blankets?", "Shelter supplies"),
    ]
    assert opening.edited_at is not None


def test_removing_a_post_keeps_it_as_removed_and_audits_it(member: Member, community: Community, owner: Member) -> None:
    thread = start(member, community)
    reply = services.post_reply(author=owner, thread=thread, body="Off topic")

    services.post_delete(post=reply, actor=owner)

    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.is_removed
    assert thread.reply_count == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.POST_REMOVED, target_id=str(reply.pk)).exists()
    with pytest.raises(ValidationError):
        services.post_delete(post=reply, actor=owner)


def test_flags_then_a_moderator_hides_with_a_reason_and_restores(
    member: Member, community: Community, owner: Member
) -> None:
    thread = start(owner, community)
    reply = services.post_reply(author=owner, thread=thread, body="Buy my generators")

    services.post_flag(post=reply, reporter=member, reason="Advertising")
    with pytest.raises(ValidationError, match="already flagged"):
        services.post_flag(post=reply, reporter=member, reason="Again")
    with pytest.raises(PermissionDenied):
        services.post_hide(post=reply, actor=member, reason="I say so")
    services.post_hide(post=reply, actor=owner, reason="Advertising is not allowed")

    reply.refresh_from_db()
    assert reply.hidden_reason == "Advertising is not allowed"
    assert Flag.objects.get().status == Flag.Status.HIDDEN
    services.post_restore(post=reply, actor=owner, reason="The author explained")
    reply.refresh_from_db()
    assert not reply.is_removed


def test_a_blog_draft_and_a_scheduled_post_are_the_authors_alone_until_published(
    member: Member, community: Community, owner: Member
) -> None:
    draft = services.thread_start(
        author=member,
        community=community,
        board=None,
        kind=Thread.Kind.BLOG,
        title="Lessons from Ike",
        body="Draft text",
        marking=marking(),
        is_draft=True,
    )
    later = services.thread_start(
        author=member, community=community, board=None, kind=Thread.Kind.BLOG, title="Season outlook",
        body="Soon", marking=marking(), publish_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip

    assert policy.can_view(member, draft)
    assert not policy.can_view(owner, draft)
    assert not policy.can_view(owner, later)
    with pytest.raises(PermissionDenied):
        services.post_reply(author=owner, thread=draft, body="Nice")
    with pytest.raises(ValidationError, match="once the post is published"):
        services.post_reply(author=member, thread=draft, body="Note to self")
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PUBLISHED).exists()

    services.blog_post_publish(thread=draft, author=member)
    Thread.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    announced = services.blog_posts_announce_due()

    assert policy.can_view(Member.objects.get(pk=owner.pk), draft)
    assert policy.can_view(Member.objects.get(pk=owner.pk), later)
    assert announced == 1
    assert services.blog_posts_announce_due() == 0
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PUBLISHED).count() == 2


def test_removed_posts_cannot_be_flagged_or_hidden(member: Member, community: Community, owner: Member) -> None:
    thread = start(owner, community)
    reply = services.post_reply(author=owner, thread=thread, body="Wrong thread, sorry")
    services.post_delete(post=reply, actor=owner)

    with pytest.raises(ValidationError, match="already been removed"):
        services.post_flag(post=reply, reporter=member, reason="Spam")
    with pytest.raises(ValidationError, match="already been removed"):
        services.post_hide(post=reply, actor=owner, reason="Spam")
