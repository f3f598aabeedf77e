"""A community's chat rooms: the list for its members, and new rooms for its moderators."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from communities.views.access import known_community
from messaging import selectors, services
from messaging.forms import (
    RoomForm,
)
from messaging.naming import conversation_url
from muster.forms import add_service_error
from verification import policy

logger = logging.getLogger(__name__)


# --- Community rooms ----------------------------------------------------------------------------


@require_GET
def rooms(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's chat rooms, for its members; others learn they must join first."""
    member, community = known_community(request, slug)
    is_member = policy.is_community_member(member, community)
    room_list = list(selectors.rooms_of(member, community).select_related("marking")) if is_member else []
    context = {
        "community": community,
        "rooms": room_list,
        "is_member": is_member,
        "can_moderate": policy.can_moderate(member, community),
        "marking": policy.highest_marking([community.marking, *(room.marking for room in room_list)]),
    }
    return render(request, "messaging/rooms.html", context)


@require_http_methods(["GET", "POST"])
def room_new(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    policy.check_moderate_permission(member, community, request)
    form = RoomForm(request.POST or None, viewer=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            room = services.room_create(
                community=community, actor=member, title=data["title"], topic=data["topic"], marking=data["marking"]
            )
        except ValidationError as refused:
            add_service_error(form, refused)
        else:
            messages.success(request, f"The room {room.title} is open.")
            return redirect(conversation_url(room))
    context = {"community": community, "form": form, "marking": community.marking}
    return render(request, "messaging/room_new.html", context, status=400 if form.errors else 200)
