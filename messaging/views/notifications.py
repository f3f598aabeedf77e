"""The notification page: what happened, shown through the access policy; mark one or all read."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from messaging.views.conversations import wants_json
from notices import notifications
from notices.models import Notification
from verification import policy
from verification.gate import signed_in_member, vetting_page
from verification.models import Member

logger = logging.getLogger(__name__)

NOTIFICATIONS_PER_PAGE = 25


# --- Notifications ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationRow:
    notification: Notification
    text: str
    at: datetime


def notification_rows(member: Member) -> QuerySet[Notification]:
    """The member's visible notifications with what their lines need, in a constant number of queries."""
    return (
        notifications.notifications_visible_to(member)
        .select_related("actor", "community", "marking")
        .prefetch_related(GenericPrefetch("target", notifications.target_querysets()))
    )


@vetting_page
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Everything the member should know about; members not yet cleared see the decisions on their vetting."""
    member = signed_in_member(request)
    page = Paginator(notification_rows(member), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [NotificationRow(n, notifications.describe(n, member), n.created_at) for n in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "has_unread": any(not row.notification.is_read for row in rows),
        "marking": policy.highest_marking(n.marking for n in page.object_list if n.marking is not None),
    }
    return render(request, "messaging/notifications.html", context)


@vetting_page
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with ``open`` set, go on to what it is about."""
    member = signed_in_member(request)
    found = notifications.notifications_visible_to(member).filter(pk=pk).first()
    if found is None:
        raise Http404("No such notification.")
    notifications.notification_mark_read(notification=found, member=member)
    if wants_json(request):
        return HttpResponse(status=204)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(found.url, allowed_hosts=None):
        return redirect(found.url)
    page = request.POST.get("page", "")
    return redirect(reverse("messaging:notifications") + (f"?page={page}" if page.isdigit() else ""))


@vetting_page
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    marked = notifications.notifications_mark_all_read(member=member)
    if marked:
        messages.success(request, "All notifications are marked read.")
    return redirect("messaging:notifications")
