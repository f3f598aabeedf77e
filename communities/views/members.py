"""The member list, and the owners' controls: roles, handing over ownership, removing, banning, lifting bans."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from communities import selectors, services
from communities.forms import BanLiftForm, MemberRemoveForm, OwnershipTransferForm, RoleChangeForm
from communities.models import Role
from communities.views.access import (
    PAGE_SIZE,
    known_community,
    require_manager,
    tell_form_errors,
    tell_refusal,
)
from verification import policy


@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    if not policy.can_view_community_content(member, community):
        raise PermissionDenied("The member list is for members of this community.")
    page = Paginator(selectors.community_members(member, community), PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = policy.can_manage_community(member, community)
    bans = None
    if can_manage:
        bans = Paginator(selectors.community_bans(member, community), PAGE_SIZE).get_page(request.GET.get("bans_page"))
    context = {
        "community": community,
        "marking": community.marking,
        "page": page,
        "bans": bans,
        "can_manage": can_manage,
        "roles": Role.choices,
    }
    return render(request, "communities/members.html", context)


@require_POST
def role_change(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    require_manager(member, community)
    form = RoleChangeForm(request.POST, memberships=selectors.community_members(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:members", slug=community.slug)
    person = form.cleaned_data["membership"].member
    role = form.cleaned_data["role"]
    try:
        services.membership_change_role(community=community, actor=member, member=person, role=role)
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, f"{person.display_name} is now {Role(role).label.lower()}.")
    return redirect("communities:members", slug=community.slug)


@require_POST
def ownership_transfer(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    require_manager(member, community)
    form = OwnershipTransferForm(request.POST, memberships=selectors.community_members(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:members", slug=community.slug)
    person = form.cleaned_data["membership"].member
    try:
        services.ownership_transfer(community=community, owner=member, new_owner=person)
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, f"{person.display_name} now owns {community.name}. You stay on as a moderator.")
    return redirect("communities:members", slug=community.slug)


@require_POST
def member_remove(request: HttpRequest, slug: str) -> HttpResponse:
    """Remove a member; with ``ban`` and a reason, they cannot join again until the ban is lifted."""
    member, community = known_community(request, slug)
    require_manager(member, community)
    form = MemberRemoveForm(request.POST, memberships=selectors.community_members(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:members", slug=community.slug)
    person = form.cleaned_data["membership"].member
    reason = form.cleaned_data["ban_reason"]
    try:
        services.membership_remove(community=community, actor=member, member=person, ban_reason=reason)
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, f"{person.display_name} {'is removed and banned' if reason else 'is removed'}.")
    return redirect("communities:members", slug=community.slug)


@require_POST
def ban_lift(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    require_manager(member, community)
    form = BanLiftForm(request.POST, bans=selectors.community_bans(member, community))
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:members", slug=community.slug)
    person = form.cleaned_data["ban"].member
    services.ban_lift(community=community, actor=member, member=person)
    messages.success(request, f"The ban on {person.display_name} is lifted. They may join again.")
    return redirect("communities:members", slug=community.slug)
