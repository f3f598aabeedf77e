"""Blogs: a community's blog with its month archive, writing, scheduling and publishing a post, a post
with its comments (the thread page: comments are replies), and a member's blog."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.views.access import known_community
from discussions import selectors, services
from discussions.forms import ArchiveForm, BlogPostForm, PublishForm
from discussions.models import Thread
from discussions.views.threads import (
    denial_message,
    page_of,
    readable_community,
    render_thread_page,
    visible_thread,
)
from muster.forms import add_service_error
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member

BLOG_PAGE_SIZE = 10


@require_GET
def community_blog(request: HttpRequest, slug: str) -> HttpResponse:
    """Published posts newest first, or one month's (``?year=&month=``); the months; the member's own drafts."""
    member, community = readable_community(request, slug)
    archive = ArchiveForm(request.GET)
    month = archive.month_asked()
    year_month = {"year": month[0], "month": month[1]} if month else {}
    page = page_of(request, Paginator(selectors.community_blog(member, community, **year_month), BLOG_PAGE_SIZE))
    drafts = list(selectors.blog_drafts(member, community))
    shown = [post.marking for post in page] + [post.marking for post in drafts]
    context = {
        "community": community,
        "page": page,
        "months": selectors.blog_months(member, community),
        "month": month,
        "month_start": date(month[0], month[1], 1) if month else None,
        "drafts": drafts,
        "may_write": policy.can_post(member, community, community.marking),
        "marking": policy.highest_marking([community.marking, *shown]),
    }
    return render(request, "discussions/blog_index.html", context)


@require_http_methods(["GET", "POST"])
def blog_post_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Write a blog post: keep it as a draft, publish it now, or schedule it."""
    member, community = readable_community(request, slug)
    form = BlogPostForm(request.POST or None, markings=selectors.markings_for_posting(member, community))
    if (
        request.method == "POST"
        and form.is_valid()
        and not form.warn_unknown_mentions(
            selectors.unknown_mentions(
                member, form.cleaned_data["body"], new_in=community, marking=form.cleaned_data["marking"]
            ),
            "this blog post",
        )
    ):
        data = form.cleaned_data
        try:
            post = services.thread_start(
                author=member,
                community=community,
                board=None,
                kind=Thread.Kind.BLOG,
                title=data["title"],
                body=data["body"],
                marking=data["marking"],
                tags=data["tags"],
                is_draft=form.is_draft(),
                publish_at=form.publish_at_chosen(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied:
            form.add_error(None, denial_message(community))
        else:
            messages.success(request, _saved_message(post))
            return redirect(services.thread_url(post))
    context = {
        "community": community,
        "form": form,
        "may_write": policy.can_post(member, community, community.marking),
        "marking": community.marking,
    }
    return render(request, "discussions/blog_form.html", context)


def _saved_message(post: Thread) -> str:
    if post.published_at is None:
        return "Saved as a draft. Only you can see it until you publish it."
    if not post.is_published:
        return f"Scheduled for {post.published_at:%d %b %Y %H:%M} UTC. Until then only you can see it."
    return "Published."


@require_GET
def blog_post_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A blog post and its comments: the thread page, where comments are replies."""
    member, community = known_community(request, slug)
    return render_thread_page(request, member, visible_thread(member, community, pk, blog=True))


@require_POST
def blog_post_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The author publishes a draft now or schedules it."""
    member, community = known_community(request, slug)
    post = visible_thread(member, community, pk, blog=True)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(services.thread_url(post))
    try:
        post = services.blog_post_publish(thread=post, author=member, publish_at=form.publish_at_chosen())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _saved_message(post))
    return redirect(services.thread_url(post))


@require_GET
def member_blog(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's published blog posts, in every community, that the viewer may see."""
    viewer = signed_in_member(request)
    try:
        author = policy.filter_visible_members(viewer, Member.objects.filter(pk=pk)).get()
    except Member.DoesNotExist:
        raise Http404("No such member.") from None
    page = page_of(request, Paginator(selectors.member_blog(viewer, author), BLOG_PAGE_SIZE))
    shown = [marking for post in page for marking in (post.marking, post.community.marking)]
    context = {
        "author": author,
        "page": page,
        "marking": policy.highest_marking(shown),
    }
    return render(request, "discussions/member_blog.html", context)
