"""The directory, autocomplete, creating a community, and staff approval of new communities."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import CommunityForm, DirectoryForm, ReviewForm
from communities.models import Community
from communities.views.access import PAGE_SIZE, known_community, tell_form_errors, tell_refusal
from verification.gate import signed_in_member

REVIEWED_MESSAGES = {
    "approve": "{name} is approved and open to members.",
    "decline": "{name} is declined. Its creator no longer sees it.",
}


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = DirectoryForm(request.GET)
    filters = form.filters()
    communities = selectors.community_directory(member, **filters)
    page = Paginator(communities, PAGE_SIZE).get_page(request.GET.get("page"))
    standing_of = selectors.standings(member, list(page.object_list))
    rows = [(community, standing_of[community.pk]) for community in page.object_list]
    tags = list(selectors.directory_tags(member))
    listed = {tag.slug for tag in tags}
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "tags": tags,
        # A topic followed from a card may be outside the most-used list; keep it ticked.
        "other_tags": [slug for slug in filters["tags"] if slug not in listed],
    }
    return render(request, "communities/directory.html", context)


@require_GET
def autocomplete(request: HttpRequest) -> JsonResponse:
    """``[{"slug": ..., "name": ...}, ...]``: at most ten communities the member may know of."""
    member = signed_in_member(request)
    return JsonResponse(selectors.community_autocomplete(member, request.GET.get("q", "")[:200]), safe=False)


@require_http_methods(["GET", "POST"])
def community_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    markings = selectors.markings_for(member)
    form = CommunityForm(request.POST or None, markings=markings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_create(
                creator=member,
                name=data["name"],
                slug=data["slug"],
                marking=data["marking"],
                description=data["description"],
                visibility=data["visibility"],
                join_policy=data["join_policy"],
                tags=data["tags"],
            )
        except ValidationError as error:
            if not request.POST.get("slug"):
                # Show the address made from the name, so the member can change just that.
                typed = request.POST.copy()
                typed["slug"] = data["slug"]
                form = CommunityForm(typed, markings=markings)
                form.is_valid()
            form.add_error(None, error)
        else:
            if community.status == Community.Status.PENDING:
                messages.info(request, "Your community waits for staff approval. Only you and staff can see it.")
            else:
                messages.success(request, f"{community.name} is ready. Invite the people you work with.")
            return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/create.html", {"form": form})


@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """Staff: communities that wait for approval."""
    member = signed_in_member(request)
    if not member.is_staff:
        raise PermissionDenied("Only staff approve new communities.")
    page = Paginator(selectors.communities_waiting_for_approval(member), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "communities/pending.html", {"page": page})


@require_POST
def review(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:pending")
    decision = form.cleaned_data["decision"]
    try:
        services.community_review(community=community, staff=member, approve=decision == "approve")
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, REVIEWED_MESSAGES[decision].format(name=community.name))
    return redirect("communities:pending")
