"""Removing and restoring an item of any content type: the author or a moderator removes, a moderator restores."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from communities import selectors, services
from communities.forms import ItemRemovalForm, error_messages
from communities.views.access import known_community
from verification import policy


@require_POST
def item_removal(request: HttpRequest, slug: str) -> HttpResponse:
    """Remove (or, for moderators, restore) the item the form names. After a removal the member goes back
    to the item's page only while they may still see it (moderators do), else to the community's page."""
    member, community = known_community(request, slug)
    form = ItemRemovalForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The button sent something this page cannot read.")
    data = form.cleaned_data
    try:
        item = selectors.content_item_in(member, community, data["item_type"], data["item_id"])
    except LookupError:
        raise Http404("No such item.") from None
    community_page = reverse("communities:detail", args=[community.slug])
    try:
        if data["action"] == "restore":
            services.content_restore(item=item, actor=member, request=request)
        else:
            services.content_remove(item=item, actor=member, request=request)
    except (ValidationError, PermissionDenied) as error:
        reasons = error_messages(error) if isinstance(error, ValidationError) else [str(error)]
        for reason in reasons:
            messages.error(request, reason)
        return redirect(form.next_page(community_page))
    if data["action"] == "restore":
        messages.success(request, f"“{item}” is back.")
        return redirect(form.next_page(community_page))
    messages.success(request, f"“{item}” was removed. The community's moderators can still see and restore it.")
    return redirect(form.next_page(community_page) if policy.can_view(member, item) else community_page)
