"""Moderators' pages: boards, pinning, locking and moving threads, hiding and restoring posts, and the
moderation queue; and the members' flag form.

Each view looks the community up as the member may know it (404 otherwise),
finds the thread or post among those the member may see (404 otherwise),
checks moderation through the policy (403, audited), parses the form and calls
one service. After a POST: a message and a redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from communities.models import Community
from communities.views.access import PAGE_SIZE, known_community, tell_form_errors, tell_refusal
from discussions import selectors_moderation as selectors
from discussions import services
from discussions.models import Board, Post, Thread
from discussions.moderation_forms import (
    BoardEditForm,
    BoardForm,
    FlagDismissForm,
    FlagForm,
    PostHideForm,
    ThreadModerationForm,
)
from muster.pagination import page_links
from verification import policy
from verification.models import Member

THREAD_DONE = {
    "pin": "Pinned to the top of its board.",
    "unpin": "Unpinned.",
    "lock": "Locked: nobody can reply until it is unlocked.",
    "unlock": "Unlocked: members can reply again.",
}


def _thread(member: Member, community: Community, pk: int) -> Thread:
    try:
        return selectors.thread_in(member, community, pk)
    except Thread.DoesNotExist:
        raise Http404("No such thread.") from None


def _post(member: Member, community: Community, pk: int) -> Post:
    try:
        return selectors.post_in(member, community, pk)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None


def _back(request: HttpRequest, default: str) -> str:
    """Where to go after a POST: the page the form was on (``next``, this site only), else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# --- Boards ----------------------------------------------------------------------------


def _render_boards(request: HttpRequest, community: Community, member: Member, form: BoardForm) -> HttpResponse:
    context = {
        "community": community,
        "marking": community.marking,
        "boards": list(selectors.community_boards(member, community)),
        "form": form,
    }
    return render(request, "discussions/board_form.html", context)


@require_http_methods(["GET", "POST"])
def board_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The moderators' board page: the community's boards in order, each with its edit link, and a form
    for a new one."""
    member, community = known_community(request, slug)
    policy.check_moderate_permission(member, community, request)
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(community=community, actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Board “{board.name}” added.")
            return redirect("discussions:board_create", slug=community.slug)
    return _render_boards(request, community, member, form)


@require_http_methods(["GET", "POST"])
def board_edit(request: HttpRequest, slug: str, board: str) -> HttpResponse:
    """Moderators rename a board, describe it, or move it in the order."""
    member, community = known_community(request, slug)
    policy.check_moderate_permission(member, community, request)
    try:
        found = selectors.board_in(member, community, board)
    except Board.DoesNotExist:
        raise Http404("No such board.") from None
    form = BoardEditForm(request.POST or None, initial=BoardEditForm.initial_for(found))
    if request.method == "POST" and form.is_valid():
        try:
            services.board_update(board=found, actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Board “{found.name}” saved.")
            return redirect("discussions:board_create", slug=community.slug)
    context = {"community": community, "marking": community.marking, "board": found, "form": form}
    return render(request, "discussions/board_form.html", context)


# --- Threads -----------------------------------------------------------------------------


@require_POST
def thread_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Pin, unpin, lock, unlock, or move a thread.

    POST ``action`` (pin, unpin, lock, unlock, move), ``board`` (a board's id, to move) and optionally
    ``next`` (where to return; the thread by default).
    """
    member, community = known_community(request, slug)
    thread = _thread(member, community, pk)
    policy.check_moderate_permission(member, community, request)
    back = _back(request, services.thread_url(thread))
    form = ThreadModerationForm(request.POST, boards=selectors.community_boards(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "move":
            board = form.cleaned_data["board"]
            services.thread_move(thread=thread, actor=member, board=board)
            done = f"Moved to {board.name}."
        elif action in ("pin", "unpin"):
            services.thread_pin(thread=thread, actor=member, pinned=action == "pin")
            done = THREAD_DONE[action]
        else:
            services.thread_lock(thread=thread, actor=member, locked=action == "lock")
            done = THREAD_DONE[action]
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, done)
    return redirect(back)


# --- Posts ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def post_flag(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member tells the moderators what is wrong with a post they can see (not their own, once)."""
    member, community = known_community(request, slug)
    try:
        post = selectors.post_to_flag(member, community, pk)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_flag(post=post, reporter=member, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: the moderators will look at the post.")
            return redirect(services.thread_url(post.thread))
    if request.method == "GET":
        policy.record_view(member, post.thread, request)
    context = {
        "community": community,
        "post": post,
        "thread": post.thread,
        "form": form,
        "marking": policy.effective_marking(post.thread),
    }
    return render(request, "discussions/flag_form.html", context)


@require_POST
def post_hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A moderator hides a post with a reason its author sees, or restores it with a reason for the log.

    POST ``action`` (hide or restore), ``reason`` and optionally ``next`` (the thread by default).
    """
    member, community = known_community(request, slug)
    post = _post(member, community, pk)
    policy.check_moderate_permission(member, community, request)
    back = _back(request, services.thread_url(post.thread))
    form = PostHideForm(request.POST)
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect(back)
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["action"] == "hide":
            services.post_hide(post=post, actor=member, reason=reason)
            done = "The post is hidden; its author sees your reason, and its open flags are resolved."
        else:
            services.post_restore(post=post, actor=member, reason=reason)
            done = "The post is shown again."
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, done)
    return redirect(back)


# --- The queue -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def moderation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Flagged posts with their open flags (hide the post, or dismiss a flag) and hidden posts (restore):
    for the community's moderators. POST ``flag`` dismisses that flag."""
    member, community = known_community(request, slug)
    policy.check_moderate_permission(member, community, request)
    if request.method == "POST":
        form = FlagDismissForm(request.POST, flags=selectors.open_flags(member, community))
        if not form.is_valid():
            tell_form_errors(request, form)
            return redirect(request.get_full_path())
        try:
            services.flag_dismiss(flag=form.cleaned_data["flag"], actor=member)
        except ValidationError as error:
            tell_refusal(request, error)
        else:
            messages.success(request, "Flag dismissed; the post stays as it is.")
        return redirect(request.get_full_path())
    flagged = Paginator(selectors.flagged_posts(member, community), PAGE_SIZE).get_page(request.GET.get("page"))
    hidden = Paginator(selectors.hidden_posts(member, community), PAGE_SIZE).get_page(request.GET.get("hidden_page"))
    shown = [community.marking] + [post.thread.marking for post in [*flagged, *hidden]]
    context = {
        "community": community,
        "flagged": flagged,
        "flagged_links": page_links(request, flagged, "page", "Pages of flagged posts"),
        "hidden": hidden,
        "hidden_links": page_links(request, hidden, "hidden_page", "Pages of hidden posts"),
        "marking": policy.highest_marking(shown),
    }
    return render(request, "discussions/moderation_queue.html", context)
