"""Boards, threads and posts: lists, the thread page, replies, edits and their history, removal,
accepted answers and reading state.

Views parse input, read through ``discussions.selectors`` (already narrowed by
the access policy) and call one service. A thread the member may not see is
"not found", whatever the reason.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import Community
from communities.views.access import known_community
from discussions import selectors, services
from discussions.forms import (
    AcceptForm,
    PostEditForm,
    PublishForm,
    ReplyForm,
    ThreadForm,
    ThreadListForm,
    quote_markdown,
)
from discussions.models import Board, Post, Thread
from muster.forms import add_service_error
from verification import policy
from verification.models import Member

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25


# --- Finding things ------------------------------------------------------------------


def readable_community(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The member and a community whose discussions they may read: 404 when they may not know it
    exists, 403 when it is for its members only."""
    member, community = known_community(request, slug)
    if not policy.can_view_community_content(member, community):
        raise PermissionDenied("The discussions of this community are for its members.")
    return member, community


def visible_thread(member: Member, community: Community, pk: int, *, blog: bool | None = None) -> Thread:
    try:
        return selectors.thread_in(member, community, pk, blog=blog)
    except Thread.DoesNotExist:
        raise Http404("No such thread.") from None


def visible_post(member: Member, community: Community, pk: int) -> Post:
    try:
        return selectors.post_in(member, community, pk)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None


def page_of(request: HttpRequest, paginator: Paginator) -> Page:  # type: ignore[type-arg]
    number = request.GET.get("page")
    return paginator.get_page(paginator.num_pages if number == "last" else number)


def thread_page_url(thread: Thread, *, page: str = "", anchor: str = "") -> str:
    url = services.thread_url(thread)
    return url + (f"?page={page}" if page else "") + (f"#{anchor}" if anchor else "")


def denial_message(community: Community) -> str:
    return f"Only members of {community.name} who are cleared for this marking may post here."


# --- Boards and thread lists -----------------------------------------------------------


@require_GET
def board_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's boards with their threads and what is new; with ``?part=recent`` (htmx, from the
    community page), just its most recently active threads."""
    member, community = readable_community(request, slug)
    if request.GET.get("part") == "recent":
        recent = list(selectors.recent_threads(member, community))
        banner = policy.highest_marking([community.marking, *(thread.marking for thread in recent)])
        context = {"community": community, "threads": recent, "banner": banner}
        return render(request, "discussions/_recent_threads.html", context)
    boards = selectors.community_boards(member, community)
    context = {
        "community": community,
        "marking": community.marking,
        "boards": boards,
        "unread_total": sum(row.unread_count for row in boards),
        "can_moderate": policy.can_moderate(member, community),
    }
    return render(request, "discussions/board_list.html", context)


def _board(member: Member, community: Community, slug: str) -> Board:
    try:
        return selectors.board_in(member, community, slug)
    except Board.DoesNotExist:
        raise Http404("No such board.") from None


@require_GET
def board_detail(request: HttpRequest, slug: str, board: str) -> HttpResponse:
    member, community = readable_community(request, slug)
    found = _board(member, community, board)
    form = ThreadListForm(request.GET)
    sort = form.sort_order()
    page = page_of(request, Paginator(selectors.board_threads(member, found, sort), THREADS_PER_PAGE))
    context = {
        "community": community,
        "board": found,
        "form": form,
        "sort": sort,
        "page": page,
        "may_post": policy.can_post(member, community, community.marking),
        "marking": policy.highest_marking([community.marking, *(thread.marking for thread in page)]),
    }
    return render(request, "discussions/board.html", context)


@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, slug: str, board: str) -> HttpResponse:
    member, community = readable_community(request, slug)
    found = _board(member, community, board)
    form = ThreadForm(request.POST or None, markings=selectors.markings_for_posting(member, community))
    if (
        request.method == "POST"
        and form.is_valid()
        and not form.warn_unknown_mentions(
            selectors.unknown_mentions(
                member, form.cleaned_data["body"], new_in=community, marking=form.cleaned_data["marking"]
            )
        )
    ):
        data = form.cleaned_data
        try:
            thread = services.thread_start(
                author=member,
                community=community,
                board=found,
                title=data["title"],
                body=data["body"],
                marking=data["marking"],
                kind=data["kind"],
                tags=data["tags"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied:
            form.add_error(None, denial_message(community))
        else:
            messages.success(request, "Your thread is up.")
            return redirect(services.thread_url(thread))
    context = {
        "community": community,
        "board": found,
        "form": form,
        "may_post": policy.can_post(member, community, community.marking),
        "marking": community.marking,
    }
    return render(request, "discussions/thread_form.html", context)


# --- The thread page ------------------------------------------------------------------


def render_thread_page(
    request: HttpRequest, member: Member, thread: Thread, reply_form: ReplyForm | None = None
) -> HttpResponse:
    """A thread or blog post with its posts (paged), the reply box, and what the member may do.

    Marks the thread read up to the newest post shown and audits the view of a marked thread.
    """
    community = thread.community
    read_up_to = selectors.last_read_at(member, thread)
    page = page_of(request, Paginator(selectors.thread_posts(member, thread, read_up_to), POSTS_PER_PAGE))
    shown = list(page.object_list)
    if shown:
        services.thread_mark_read(member=member, thread=thread, up_to=max(post.created_at for post in shown))
    policy.record_view(member, thread, request)
    if reply_form is None:
        reply_form = ReplyForm(initial=_quote_initial(request, member, thread))
    can_moderate = policy.can_moderate(member, community)
    context = {
        "community": community,
        "thread": thread,
        "tags": list(thread.tags.all()),
        "page": page,
        "posts": shown,
        "reply_form": reply_form,
        "may_reply": _may_reply(member, thread),
        "may_post_here": policy.can_post(member, community, thread.marking),
        "can_moderate": can_moderate,
        "may_accept": thread.is_question and (thread.author_id == member.pk or can_moderate),
        "publish_form": PublishForm() if thread.author_id == member.pk and not thread.is_published else None,
        "marking": policy.effective_marking(thread),
        "post_word": "comment" if thread.is_blog_post else "reply",
        "move_boards": list(community.boards.exclude(pk=thread.board_id)) if can_moderate and thread.board_id else [],
    }
    template = "discussions/blog_post.html" if thread.is_blog_post else "discussions/thread.html"
    return render(request, template, context)


def _may_reply(member: Member, thread: Thread) -> bool:
    return (
        thread.deleted_at is None
        and not thread.is_locked
        and thread.is_published
        and policy.can_post(member, thread.community, thread.marking)
    )


def _quote_initial(request: HttpRequest, member: Member, thread: Thread) -> dict[str, object]:
    """``?quote=<post>`` fills the reply box with that post as a Markdown quote (no script needed)."""
    try:
        pk = int(request.GET.get("quote", ""))
    except ValueError:
        return {}
    quoted = selectors.quotable_post(member, thread, pk)
    return {"body": quote_markdown(quoted), "quote_of": quoted.pk} if quoted else {}


@require_GET
def thread_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member, community = known_community(request, slug)
    return render_thread_page(request, member, visible_thread(member, community, pk, blog=False))


@require_GET
def thread_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One post of a thread (``?post=<id>``) as the thread page shows it, for live.js to add a new reply
    without reloading. The same checks as the thread page: a thread or post the member may not see is 404."""
    member, community = known_community(request, slug)
    thread = visible_thread(member, community, pk)
    try:
        post_id = int(request.GET.get("post", ""))
    except ValueError:
        raise Http404("No such post.") from None
    post = selectors.thread_posts(member, thread, selectors.last_read_at(member, thread)).filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post.")
    policy.record_view(member, thread, request)
    can_moderate = policy.can_moderate(member, community)
    context = {
        "community": community,
        "thread": thread,
        "post": post,
        "may_reply": _may_reply(member, thread),
        "can_moderate": can_moderate,
        "may_accept": thread.is_question and (thread.author_id == member.pk or can_moderate),
        "post_word": "comment" if thread.is_blog_post else "reply",
    }
    return render(request, "discussions/_post_live.html", context)


@require_http_methods(["GET", "POST"])
def thread_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Reply to a thread or comment on a blog post. A refused reply comes back with the text kept."""
    member, community = known_community(request, slug)
    thread = visible_thread(member, community, pk)
    if request.method == "GET":
        form = ReplyForm(initial=_quote_initial(request, member, thread))
        return _reply_page(request, member, thread, form)
    form = ReplyForm(request.POST)
    if form.is_valid() and not form.warn_unknown_mentions(
        selectors.unknown_mentions(member, form.cleaned_data["body"], thread=thread),
        "this blog post" if thread.is_blog_post else "this thread",
    ):
        quote_pk = form.cleaned_data["quote_of"]
        quoted = selectors.quotable_post(member, thread, quote_pk) if quote_pk else None
        try:
            post = services.post_reply(author=member, thread=thread, body=form.cleaned_data["body"], quote_of=quoted)
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied:
            form.add_error(None, denial_message(community))
        else:
            messages.success(request, "Your comment is posted." if thread.is_blog_post else "Your reply is posted.")
            return redirect(thread_page_url(thread, page="last", anchor=f"post-{post.pk}"))
    return _reply_page(request, member, thread, form)


def _reply_page(request: HttpRequest, member: Member, thread: Thread, form: ReplyForm) -> HttpResponse:
    """The reply box on its own page (a refused reply, or a quote without the thread page); it shows the
    thread's title and perhaps a quoted post, so a marked thread's view is audited."""
    policy.record_view(member, thread, request)
    context = {
        "community": thread.community,
        "thread": thread,
        "form": form,
        "mode": "reply",
        "action": reverse("discussions:reply", kwargs={"slug": thread.community.slug, "pk": thread.pk}),
        "marking": policy.effective_marking(thread),
        "post_word": "comment" if thread.is_blog_post else "reply",
    }
    return render(request, "discussions/post_form.html", context)


@require_POST
def answer_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member, community = known_community(request, slug)
    thread = visible_thread(member, community, pk, blog=False)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        raise Http404("No such post.")
    post = visible_post(member, community, form.cleaned_data["post"]) if form.cleaned_data["post"] else None
    try:
        services.answer_accept(thread=thread, post=post, actor=member)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Answer accepted." if post else "The accepted answer is cleared.")
    return redirect(services.thread_url(thread))


# --- One post: edit, history, removal ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member, community = known_community(request, slug)
    post = visible_post(member, community, pk)
    if post.author_id != member.pk:
        raise PermissionDenied("Only the author edits a post.")
    thread = post.thread
    initial = {"body": post.body, "title": thread.title}
    form = PostEditForm(request.POST or None, initial=initial, with_title=post.is_opening)
    if (
        request.method == "POST"
        and form.is_valid()
        and not form.warn_unknown_mentions(selectors.unknown_mentions(member, form.cleaned_data["body"], thread=thread))
    ):
        try:
            services.post_edit(
                post=post, editor=member, body=form.cleaned_data["body"], title=form.cleaned_data.get("title")
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your changes are saved; the earlier text is kept in the history.")
            return redirect(services.thread_url(thread) + f"#post-{post.pk}")
    policy.record_view(member, thread, request)
    context = {
        "community": community,
        "thread": thread,
        "post": post,
        "form": form,
        "mode": "edit",
        "action": reverse("discussions:post_edit", kwargs={"slug": community.slug, "pk": post.pk}),
        "marking": policy.effective_marking(thread),
        "post_word": "comment" if thread.is_blog_post else "reply",
    }
    return render(request, "discussions/post_form.html", context)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed" or "same"
    text: str


@dataclass(frozen=True)
class Version:
    """One text of a post: who wrote it, when, and what changed from the text before."""

    number: int
    author: Member | None
    at: datetime
    title: str
    title_before: str | None
    body: str
    changes: list[DiffLine]


def text_changes(before: str, after: str) -> list[DiffLine]:
    """Line by line (difflib); the template escapes every line."""
    kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
    lines = difflib.ndiff(before.splitlines(), after.splitlines())
    return [DiffLine(kinds[line[:2]], line[2:]) for line in lines if line[:2] in kinds]


def post_versions(post: Post, thread: Thread) -> list[Version]:
    """Every text the post had, newest first: each revision holds the text an edit replaced, by the edit's author."""
    revisions = selectors.post_revisions(post)
    # texts[i] was replaced by the edit revisions[i] records; the last text is the current one.
    texts = [(revision.title, revision.body) for revision in revisions] + [(thread.title, post.body)]
    authors: list[tuple[Member | None, datetime]] = [(post.author, post.created_at)] + [
        (revision.editor, revision.created_at) for revision in revisions
    ]
    versions = []
    for index, ((title, body), (author, at)) in enumerate(zip(texts, authors, strict=True)):
        previous = texts[index - 1] if index else None
        versions.append(
            Version(
                number=index + 1,
                author=author,
                at=at,
                title=title if post.is_opening else "",
                title_before=previous[0] if previous and post.is_opening and previous[0] != title else None,
                body=body,
                changes=text_changes(previous[1], body) if previous else [],
            )
        )
    return versions[::-1]


@require_GET
def post_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every edit of a post: who, when, what changed. A removed post's history is for moderators (and,
    when a moderator hid it, its author)."""
    member, community = known_community(request, slug)
    post = visible_post(member, community, pk)
    thread = post.thread
    can_moderate = policy.can_moderate(member, community)
    if post.is_removed and not (can_moderate or (post.deleted_at is None and post.author_id == member.pk)):
        raise Http404("This post was removed.")
    policy.record_view(member, thread, request)
    context = {
        "community": community,
        "thread": thread,
        "post": post,
        "versions": post_versions(post, thread),
        "marking": policy.effective_marking(thread),
    }
    return render(request, "discussions/post_history.html", context)


@require_POST
def post_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Authors and moderators remove a post; it stays in the thread as removed."""
    member, community = known_community(request, slug)
    post = visible_post(member, community, pk)
    try:
        services.post_delete(post=post, actor=member, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The thread is removed." if post.is_opening else "The post is removed.")
    return redirect(services.thread_url(post.thread) + ("" if post.is_opening else f"#post-{post.pk}"))


# --- Reading state ------------------------------------------------------------------------


@require_POST
def community_mark_read(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = readable_community(request, slug)
    services.community_mark_read(member=member, community=community)
    messages.success(request, f"Everything in {community.name} is marked read.")
    return redirect("discussions:boards", slug=community.slug)
