"""Every change to boards, threads, posts and blogs.

Each function checks the acting member through the access policy, changes the
database atomically, and raises ``ValidationError`` (a message for the member)
or ``PermissionDenied``; nothing is half-saved.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from communities.models import ActivityEvent, Community
from communities.services import activity_record
from discussions import notifications
from discussions.models import BODY_MAX, TITLE_MAX, Board, Flag, Mention, Post, PostRevision, ReadState, Thread
from muster.markdown import render_markdown
from muster.mentions import mentioned_handles
from notices import live
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member


def opening_post_html() -> dict[str, Subquery]:
    """What search reads of a thread besides its title: its opening post (a blog post's text)."""
    opening = Post.objects.filter(thread=OuterRef("pk"), is_opening=True).values("body_html")[:1]
    return {"opening_html": Subquery(opening)}


def thread_url(thread: Thread) -> str:
    if thread.is_blog_post:
        return reverse("discussions:blog_post", kwargs={"slug": thread.community.slug, "pk": thread.pk})
    return reverse("discussions:thread", kwargs={"slug": thread.community.slug, "pk": thread.pk})


# --- Boards --------------------------------------------------------------------


@transaction.atomic
def board_create(*, community: Community, actor: Member, name: str, description: str = "", slug: str = "") -> Board:
    if not policy.can_moderate(actor, community):
        raise PermissionDenied("Only moderators manage boards.")
    slug = slug or slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": "Give the board a name."})
    if Board.objects.filter(community=community, slug=slug).exists():
        raise ValidationError({"slug": "This community already has a board with that address."})
    position = Board.objects.filter(community=community).count()
    return Board.objects.create(community=community, name=name, slug=slug, description=description, position=position)


@transaction.atomic
def board_update(*, board: Board, actor: Member, name: str, description: str, position: int) -> Board:
    if not policy.can_moderate(actor, board.community):
        raise PermissionDenied("Only moderators manage boards.")
    board.name, board.description, board.position = name, description, position
    board.save(update_fields=["name", "description", "position"])
    return board


# --- Threads and posts ------------------------------------------------------------


def _check_text(title: str | None, body: str) -> None:
    errors: dict[str, str] = {}
    if title is not None and not title.strip():
        errors["title"] = "Give it a title."
    if title is not None and len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not body.strip():
        errors["body"] = "Write something first."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep it under {BODY_MAX:,} characters (this is {len(body):,})."
    if errors:
        raise ValidationError(errors)


def _recount(thread: Thread) -> None:
    replies = Post.objects.filter(thread=thread, is_opening=False, deleted_at__isnull=True, hidden_at__isnull=True)
    last = replies.order_by("-created_at").values_list("created_at", flat=True).first()
    thread.reply_count = replies.count()
    thread.last_post_at = last or thread.published_at or thread.created_at
    Thread.objects.filter(pk=thread.pk).update(reply_count=thread.reply_count, last_post_at=thread.last_post_at)


def post_url(post: Post) -> str:
    return f"{thread_url(post.thread)}#post-{post.pk}"


def _record_mentions(post: Post) -> list[Member]:
    """Mentions of members who may see the post, each notified once; anyone else is left out silently."""
    handles = mentioned_handles(post.body)
    if not handles:
        return []
    candidates = Member.objects.filter(handle__in=handles)
    if post.author_id is not None:
        candidates = candidates.exclude(pk=post.author_id)
    mentioned = [
        member
        for member in policy.filter_members_who_may_view(post.thread, candidates)
        if Mention.objects.get_or_create(post=post, member=member)[1]
    ]
    notifications.notify_post_mentions(post=post, mentioned=mentioned, url=post_url(post))
    return mentioned


@transaction.atomic
def thread_start(
    *,
    author: Member,
    community: Community,
    board: Board | None,
    title: str,
    body: str,
    marking: Marking,
    kind: str = Thread.Kind.DISCUSSION,
    tags: Iterable[str] = (),
    publish_at: datetime | None = None,
    is_draft: bool = False,
) -> Thread:
    """Start a thread, a question or a blog post, with its opening post.

    Blog posts have no board and may be drafts (``is_draft``) or scheduled (``publish_at`` in the future).
    """
    _check_text(title, body)
    policy.check_post_permission(author, community, marking)
    if kind == Thread.Kind.BLOG:
        board = None
    elif board is None or board.community_id != community.pk:
        raise ValidationError({"board": "Choose one of this community's boards."})
    now = timezone.now()
    published_at = None if is_draft else (publish_at or now)
    thread = Thread.objects.create(
        community=community,
        board=board,
        author=author,
        marking=marking,
        kind=kind,
        title=title.strip(),
        published_at=published_at,
        last_post_at=published_at or now,
    )
    thread.tags.set(list(tags))
    follow_automatically(member=author, target=thread, level=Level.WATCHING)
    post = Post.objects.create(
        thread=thread, author=author, is_opening=True, body=body, body_html=render_markdown(body)
    )
    if thread.is_published:
        _announce(thread)
        _record_mentions(post)
    return thread


def _announce(thread: Thread) -> None:
    verb = ActivityEvent.Verb.PUBLISHED if thread.is_blog_post else ActivityEvent.Verb.POSTED
    activity_record(community=thread.community, actor=thread.author, verb=verb, target=thread)


@transaction.atomic
def blog_post_publish(*, thread: Thread, author: Member, publish_at: datetime | None = None) -> Thread:
    """Publish a draft now, or schedule it."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.author_id != author.pk or not thread.is_blog_post:
        raise PermissionDenied("Only the author publishes their blog post.")
    if thread.is_published:
        raise ValidationError("This post is already published.")
    now = timezone.now()
    thread.published_at = publish_at or now
    thread.last_post_at = thread.published_at
    thread.save(update_fields=["published_at", "last_post_at"])
    if thread.published_at <= now:
        _announce(thread)
        _record_mentions(thread.posts.get(is_opening=True))
    return thread


def blog_posts_announce_due(*, now: datetime | None = None) -> int:
    """Announce scheduled blog posts whose time has come (Celery beat). Idempotent: an
    announced post has its feed event, and is not announced again."""
    now = now or timezone.now()
    due = Thread.objects.filter(kind=Thread.Kind.BLOG, published_at__lte=now, deleted_at__isnull=True).exclude(
        pk__in=ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PUBLISHED, target_type__model="thread").values(
            "target_id"
        )
    )
    announced = 0
    for thread in due.select_related("community", "author"):
        with transaction.atomic():
            _announce(thread)
            _record_mentions(thread.posts.get(is_opening=True))
        announced += 1
    return announced


@transaction.atomic
def post_reply(*, author: Member, thread: Thread, body: str, quote_of: Post | None = None) -> Post:
    _check_text(None, body)
    thread = Thread.objects.select_for_update().select_related("community", "marking").get(pk=thread.pk)
    policy.check_view_permission(author, thread)
    if thread.deleted_at is not None:
        raise ValidationError("This thread has been removed.")
    if thread.is_locked:
        raise ValidationError("This thread is locked: no new replies.")
    if not thread.is_published:
        raise ValidationError("Comments open once the post is published.")
    policy.check_post_permission(author, thread.community, thread.marking)
    if quote_of is not None and (quote_of.thread_id != thread.pk or quote_of.is_removed):
        raise ValidationError("You can only quote a post in this thread.")
    post = Post.objects.create(
        thread=thread, author=author, body=body, body_html=render_markdown(body), quote_of=quote_of
    )
    _recount(thread)
    follow_automatically(member=author, target=thread, level=Level.WATCHING)
    verb = ActivityEvent.Verb.REPLIED
    activity_record(community=thread.community, actor=author, verb=verb, target=thread)
    mentioned = _record_mentions(post)
    notifications.notify_thread_reply(post=post, url=post_url(post), already_told=mentioned)
    live.announce_reply(policy.item_scope(thread), post.pk)
    return post


@transaction.atomic
def post_edit(*, post: Post, editor: Member, body: str, title: str | None = None) -> Post:
    """Authors edit their posts (and the thread title with the opening post); every edit is kept."""
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    thread = post.thread
    _check_text(title if post.is_opening else None, body)
    if post.author_id != editor.pk or not policy.can_view(editor, thread):
        raise PermissionDenied("Only the author edits a post.")
    if post.is_removed:
        raise ValidationError("A removed post cannot be edited.")
    if thread.is_locked and not policy.can_moderate(editor, thread.community):
        raise ValidationError("This thread is locked.")
    PostRevision.objects.create(post=post, editor=editor, body=post.body, title=thread.title if post.is_opening else "")
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    if post.is_opening and title is not None and title.strip() != thread.title:
        thread.title = title.strip()
        thread.save(update_fields=["title", "updated_at"])
    _record_mentions(post)
    return post


@transaction.atomic
def post_delete(*, post: Post, actor: Member, request: object = None) -> Post:
    """Authors and moderators remove a post; it stays as "removed" and the removal is audited."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    thread = post.thread
    is_author = post.author_id == actor.pk and policy.can_view(actor, thread)
    if not (is_author or policy.can_moderate_item(actor, thread)):
        raise PermissionDenied("Only the author or a moderator removes a post.")
    if post.deleted_at is not None:
        raise ValidationError("This post has already been removed.")
    post.deleted_at = timezone.now()
    post.deleted_by = actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    if post.is_opening:
        thread.deleted_at, thread.deleted_by = post.deleted_at, actor
        thread.save(update_fields=["deleted_at", "deleted_by"])
    if thread.accepted_post_id == post.pk:
        Thread.objects.filter(pk=thread.pk).update(accepted_post=None)
    _recount(thread)
    audit_record(AuditEvent.Action.POST_REMOVED, actor=actor, target=post, marking=thread.marking.slug)
    return post


# --- Questions ------------------------------------------------------------------


@transaction.atomic
def answer_accept(*, thread: Thread, post: Post | None, actor: Member) -> Thread:
    """The asker or a moderator marks the accepted answer (or clears it with ``post=None``)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if not thread.is_question:
        raise ValidationError("Only questions have an accepted answer.")
    may = (thread.author_id == actor.pk and policy.can_view(actor, thread)) or policy.can_moderate_item(actor, thread)
    if not may:
        raise PermissionDenied("Only the asker or a moderator accepts an answer.")
    if post is not None and (post.thread_id != thread.pk or post.is_opening or post.is_removed):
        raise ValidationError("Accept one of the replies to this question.")
    thread.accepted_post = post
    thread.save(update_fields=["accepted_post"])
    return thread


# --- Moderation -------------------------------------------------------------------


def _moderated(thread: Thread, actor: Member) -> Thread:
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    if not policy.can_moderate_item(actor, thread):
        raise PermissionDenied("Only the community's moderators do this.")
    return thread


@transaction.atomic
def thread_pin(*, thread: Thread, actor: Member, pinned: bool) -> Thread:
    thread = _moderated(thread, actor)
    thread.is_pinned = pinned
    thread.save(update_fields=["is_pinned"])
    return thread


@transaction.atomic
def thread_lock(*, thread: Thread, actor: Member, locked: bool) -> Thread:
    thread = _moderated(thread, actor)
    thread.is_locked = locked
    thread.save(update_fields=["is_locked"])
    return thread


@transaction.atomic
def thread_move(*, thread: Thread, actor: Member, board: Board) -> Thread:
    thread = _moderated(thread, actor)
    if thread.is_blog_post or board.community_id != thread.community_id:
        raise ValidationError({"board": "Move it to one of this community's boards."})
    thread.board = board
    thread.save(update_fields=["board"])
    return thread


@transaction.atomic
def post_flag(*, post: Post, reporter: Member, reason: str) -> Flag:
    if not reason.strip():
        raise ValidationError({"reason": "Say what is wrong with the post."})
    post = Post.objects.select_related("thread").get(pk=post.pk)
    policy.check_view_permission(reporter, post.thread)
    if post.is_removed:
        raise ValidationError("This post has already been removed.")
    if post.author_id == reporter.pk:
        raise ValidationError("You cannot flag your own post.")
    if Flag.objects.filter(post=post, reporter=reporter, status=Flag.Status.OPEN).exists():
        raise ValidationError("You have already flagged this post; a moderator will look at it.")
    return Flag.objects.create(post=post, reporter=reporter, reason=reason.strip()[:500])


@transaction.atomic
def post_hide(*, post: Post, actor: Member, reason: str) -> Post:
    """A moderator hides a post with a reason its author sees; open flags on it are resolved."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the author a reason."})
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _moderated(post.thread, actor)
    if post.hidden_at is not None:
        raise ValidationError("This post is already hidden.")
    if post.deleted_at is not None:
        raise ValidationError("This post has already been removed.")
    post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), actor, reason.strip()[:500]
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    Flag.objects.filter(post=post, status=Flag.Status.OPEN).update(
        status=Flag.Status.HIDDEN, resolved_by=actor, resolved_at=post.hidden_at
    )
    _recount(post.thread)
    audit_record(AuditEvent.Action.POST_HIDDEN, actor=actor, target=post, reason=post.hidden_reason)
    return post


@transaction.atomic
def post_restore(*, post: Post, actor: Member, reason: str) -> Post:
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for restoring the post."})
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _moderated(post.thread, actor)
    if post.hidden_at is None:
        raise ValidationError("This post is not hidden.")
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _recount(post.thread)
    audit_record(AuditEvent.Action.POST_RESTORED, actor=actor, target=post, reason=reason.strip())
    return post


@transaction.atomic
def flag_dismiss(*, flag: Flag, actor: Member) -> Flag:
    flag = Flag.objects.select_for_update().select_related("post__thread").get(pk=flag.pk)
    _moderated(flag.post.thread, actor)
    if flag.status != Flag.Status.OPEN:
        raise ValidationError("This flag has already been dealt with.")
    flag.status, flag.resolved_by, flag.resolved_at = Flag.Status.DISMISSED, actor, timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at"])
    return flag


# --- Reading state ------------------------------------------------------------------


def thread_mark_read(*, member: Member, thread: Thread, up_to: datetime | None = None) -> None:
    """Remember how far the member has read; never moves backwards."""
    up_to = up_to or timezone.now()
    state, created = ReadState.objects.get_or_create(member=member, thread=thread, defaults={"last_read_at": up_to})
    if not created and state.last_read_at < up_to:
        ReadState.objects.filter(pk=state.pk).update(last_read_at=up_to)
    notifications.notifications_mark_read_for_thread(member=member, thread=thread, up_to=up_to)


def community_mark_read(*, member: Member, community: Community) -> int:
    """Mark every thread the member can see in the community as read."""
    now = timezone.now()
    threads = policy.filter_visible(member, Thread.objects.filter(community=community))
    done = 0
    for thread_id in threads.values_list("pk", flat=True):
        ReadState.objects.update_or_create(member=member, thread_id=thread_id, defaults={"last_read_at": now})
        done += 1
    return done
