"""Shared links of a community.

Views parse input, read through ``library.selectors`` (already narrowed by the
access policy) and call one service.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from communities.models import Community
from library import selectors, services
from library.forms import BookmarkForm
from library.models import Bookmark
from library.views.documents import PAGE_SIZE, readable_community
from muster.forms import add_service_error
from verification import policy
from verification.models import Member


def links_url(community: Community, *, page: int = 1, bookmark: Bookmark | None = None) -> str:
    url = reverse("library:bookmarks", kwargs={"slug": community.slug})
    return url + (f"?page={page}" if page > 1 else "") + (f"#bookmark-{bookmark.pk}" if bookmark else "")


@dataclass(frozen=True)
class LinkRow:
    bookmark: Bookmark
    path: str  # where the link is listed: what a Save keeps, and where the member comes back to
    may_remove: bool  # its author or a moderator


def render_links_page(
    request: HttpRequest, member: Member, community: Community, form: BookmarkForm, *, status: int = 200
) -> HttpResponse:
    """The community's links the member may see, paged by 25, with the share form."""
    page = Paginator(selectors.community_bookmarks(member, community), PAGE_SIZE).get_page(request.GET.get("page"))
    bookmarks = list(page.object_list)
    may_moderate = policy.can_moderate(member, community)
    rows = [
        LinkRow(
            bookmark,
            links_url(community, page=page.number, bookmark=bookmark),
            may_moderate or bookmark.author_id == member.pk,
        )
        for bookmark in bookmarks
    ]
    context = {
        "community": community,
        "page": page,
        "rows": rows,
        "form": form,
        "may_share": policy.can_post(member, community, community.marking),
        "may_moderate": may_moderate,
        "marking": policy.highest_marking([community.marking, *(bookmark.marking for bookmark in bookmarks)]),
    }
    return render(request, "library/links.html", context, status=status)


@require_GET
def bookmark_list(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = readable_community(request, slug)
    form = BookmarkForm(markings=selectors.markings_for_sharing(member, community))
    return render_links_page(request, member, community, form)


@require_POST
def bookmark_share(request: HttpRequest, slug: str) -> HttpResponse:
    """Share a link. A link already shared here is not shared twice: the member is sent to it."""
    member, community = readable_community(request, slug)
    form = BookmarkForm(request.POST, markings=selectors.markings_for_sharing(member, community))
    if form.is_valid():
        data = form.cleaned_data
        try:
            bookmark, created = services.bookmark_share(
                author=member,
                community=community,
                url=data["url"],
                title=data["title"],
                description=data["description"],
                tags=data["tags"],
                marking=data["marking"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied:
            form.add_error(None, f"Only members of {community.name} cleared for this marking may share links here.")
        else:
            if created:
                messages.success(request, f"“{bookmark.title}” is shared with {community.name}.")
                return redirect(links_url(community, bookmark=bookmark))
            if policy.can_view(member, bookmark):
                messages.info(request, f"Already shared: “{bookmark.title}”. Here it is.")
                page = selectors.bookmark_page_number(member, bookmark, PAGE_SIZE)
                return redirect(links_url(community, page=page, bookmark=bookmark))
            # Shared under a marking or limit the member may not see: say no more than that it exists.
            form.add_error("url", "This address is already shared in this community.")
    return render_links_page(request, member, community, form)
