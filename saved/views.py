"""Each member's saved items: the list, and the Save and Remove buttons every content page shows."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from saved import selectors, services
from saved.forms import SaveForm, UnsaveForm
from saved.models import SavedItem
from verification import policy
from verification.gate import signed_in_member

PAGE_SIZE = 25


@require_GET
def saved_items(request: HttpRequest) -> HttpResponse:
    """The member's saved items they may still see, newest first, paged by 25."""
    member = signed_in_member(request)
    page = Paginator(selectors.saved_items_of(member), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.saved_rows(page.object_list)
    context = {
        "page": page,
        "rows": rows,
        "marking": policy.highest_marking(row.marking for row in rows if row.marking is not None),
    }
    return render(request, "saved/saved.html", context)


@require_POST
def item_save(request: HttpRequest) -> HttpResponse:
    """Save an item the member may see (any registered type) to their saved items; 404 for anything else."""
    member = signed_in_member(request)
    form = SaveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The Save button sent something this page cannot read.")
    data = form.cleaned_data
    try:
        item = selectors.saveable_item(member, data["item_type"], data["item_id"])
    except LookupError:
        raise Http404("No such item.") from None
    services.item_save(member=member, item=item, url=data["next"], note=data["note"])
    messages.success(request, f"Saved “{item}” to your saved items.")
    return redirect(data["next"])


@require_POST
def item_unsave(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        saved = selectors.saved_item_of(member, pk)
    except SavedItem.DoesNotExist:
        raise Http404("No such saved item.") from None
    services.item_unsave(member=member, saved=saved)
    messages.success(request, "Removed from your saved items.")
    return redirect(UnsaveForm(request.POST).next_page(reverse("saved:list")))
