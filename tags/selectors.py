"""Reads for a tag's page: every content type the member may see that carries the tag.

Each content type goes through ``policy.filter_visible`` (so removal, marking,
community and restriction hold as the registry declares them); a list is one query
for its rows, one for the paginator's count and one for the rows' tags,
however many rows there are. A new content type with tags adds one function
here and one section to the page.
"""

from django.db.models import Exists, Q, QuerySet
from django.utils import timezone
from taggit.models import Tag

from discussions.models import Thread
from library.models import Bookmark, Document
from verification import policy
from verification.models import Member
from verification.registry import content_registry
from wiki.models import WikiPage


def _visible_tagged_threads(member: Member, tag_slug: str) -> QuerySet[Thread]:
    threads = Thread.objects.filter(tags__slug=tag_slug, deleted_at__isnull=True, published_at__lte=timezone.now())
    return policy.filter_visible(member, threads)


def _visible_tagged_documents(member: Member, tag_slug: str) -> QuerySet[Document]:
    documents = Document.objects.filter(tags__slug=tag_slug, deleted_at__isnull=True, published_at__lte=timezone.now())
    return policy.filter_visible(member, documents)


def _visible_tagged_pages(member: Member, tag_slug: str) -> QuerySet[WikiPage]:
    return policy.filter_visible(member, WikiPage.objects.filter(tags__slug=tag_slug, deleted_at__isnull=True))


def _visible_tagged_links(member: Member, tag_slug: str) -> QuerySet[Bookmark]:
    return policy.filter_visible(member, Bookmark.objects.filter(tags__slug=tag_slug, deleted_at__isnull=True))


def tagged_pages(member: Member, tag_slug: str) -> QuerySet[WikiPage]:
    """Wiki pages carrying the tag that the member may see, by title."""
    return (
        _visible_tagged_pages(member, tag_slug)
        .select_related("community__marking", "marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("title", "pk")
    )


def tagged_links(member: Member, tag_slug: str) -> QuerySet[Bookmark]:
    """Shared links carrying the tag that the member may see, newest first."""
    return (
        _visible_tagged_links(member, tag_slug)
        .select_related("community__marking", "marking")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("-created_at", "-pk")
    )


def tagged_threads(member: Member, tag_slug: str) -> QuerySet[Thread]:
    """Published threads, questions and blog posts carrying the tag that the member may see, newest first."""
    return (
        _visible_tagged_threads(member, tag_slug)
        .select_related("community__marking", "marking", "author", "board")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("-published_at", "-pk")
    )


def tagged_documents(member: Member, tag_slug: str) -> QuerySet[Document]:
    """Library documents carrying the tag that the member may see, newest first."""
    return (
        _visible_tagged_documents(member, tag_slug)
        .select_related("community__marking", "marking", "author")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("-published_at", "-pk")
    )


def tag_seen_by(member: Member, tag_slug: str) -> Tag | None:
    """The tag when something the member may see carries it (any taggable registered type, read through
    the registry); ``None`` otherwise, so a tag used only on items hidden from them looks exactly like one
    that does not exist."""
    carried = Q(pk__in=[])
    for registration in content_registry.taggable():
        items = registration.model._default_manager.filter(registration.not_removed, tags__slug=tag_slug)
        if registration.published is not None:
            items = items.filter(**{f"{registration.published}__lte": timezone.now()})
        carried |= Q(Exists(policy.filter_visible(member, items)))
    tag: Tag | None = Tag.objects.filter(carried, slug=tag_slug).first()
    return tag
