"""A community's home page, pinning feed items, and the owners' settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import CommunitySettingsForm, PinForm
from communities.views.access import (
    PAGE_SIZE,
    known_community,
    require_manager,
    tell_form_errors,
)
from verification import policy

PINNED_LIMIT = 10


@require_GET
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Description, tags, member count and join controls for anyone who may know the community;
    its feed, pinned items and leaders only for those who may see its content."""
    member, community = known_community(request, slug)
    may_see_content = policy.can_view_community_content(member, community)
    feed = selectors.community_feed(member, community)
    page = Paginator(feed, PAGE_SIZE).get_page(request.GET.get("page")) if may_see_content else None
    if page is not None:
        page.object_list = selectors.with_targets(page.object_list)
    context = {
        "community": community,
        "marking": community.marking,
        "tags": list(community.tags.all()),
        "standing": selectors.standings(member, [community])[community.pk],
        "may_see_content": may_see_content,
        "is_member": policy.is_community_member(member, community),
        "can_moderate": policy.can_moderate(member, community),
        "can_manage": policy.can_manage_community(member, community),
        "may_invite": policy.can_invite(member, community),
        "leaders": list(selectors.community_leaders(member, community)),
        "pinned": selectors.with_targets(selectors.pinned_events(member, community)[:PINNED_LIMIT]),
        "page": page,
    }
    policy.record_view(member, community, request)
    return render(request, "communities/detail.html", context)


@require_POST
def pin(request: HttpRequest, slug: str) -> HttpResponse:
    """Moderators pin a feed item to the top of the community page, or unpin it."""
    member, community = known_community(request, slug)
    form = PinForm(request.POST, events=selectors.community_feed(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:detail", slug=community.slug)
    pinned = form.cleaned_data["pinned"]
    services.activity_pin(event=form.cleaned_data["event"], moderator=member, pinned=pinned)
    messages.success(request, "Pinned to the top of the page." if pinned else "Unpinned.")
    return redirect("communities:detail", slug=community.slug)


@require_http_methods(["GET", "POST"])
def community_settings(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    require_manager(member, community)
    initial = CommunitySettingsForm.initial_for(community, [tag.name for tag in community.tags.all()])
    form = CommunitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_update(community=community, actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("communities:detail", slug=community.slug)
    return render(
        request, "communities/settings.html", {"community": community, "form": form, "marking": community.marking}
    )
