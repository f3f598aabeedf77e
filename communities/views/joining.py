"""Joining a community: at once, by request, by invitation; the moderators' queue; leaving."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import DecideJoinRequestForm, InvitationAnswerForm, InvitationForm, JoinRequestForm
from communities.models import Invitation, JoinRequest
from communities.views.access import (
    PAGE_SIZE,
    known_community,
    tell_form_errors,
    tell_refusal,
)
from verification import policy
from verification.gate import signed_in_member


@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    try:
        services.membership_join(community=community, member=member)
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, f"Welcome to {community.name}.")
    return redirect("communities:detail", slug=community.slug)


@require_http_methods(["GET", "POST"])
def join_request_create(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(community=community, member=member, message=form.cleaned_data["message"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Request sent. A moderator will answer, and you will be told by e-mail.")
            return redirect("communities:detail", slug=community.slug)
    context = {"community": community, "form": form, "marking": community.marking}
    return render(request, "communities/request.html", context)


@require_POST
def join_request_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    try:
        join_request = selectors.pending_join_request_of(member, community)
        services.join_request_withdraw(join_request=join_request, member=member)
    except JoinRequest.DoesNotExist:
        messages.error(request, "You have no request waiting for this community.")
    except ValidationError as error:
        tell_refusal(request, error)
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("communities:detail", slug=community.slug)


@require_http_methods(["GET", "POST"])
def join_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """The moderators' queue of requests to join, each approved or declined with an optional note."""
    member, community = known_community(request, slug)
    policy.check_moderate_permission(member, community, request)
    waiting = selectors.join_requests_to_decide(member, community)
    if request.method == "POST":
        form = DecideJoinRequestForm(request.POST, requests=waiting)
        if not form.is_valid():
            tell_form_errors(request, form)
            return redirect(request.get_full_path())
        data = form.cleaned_data
        approve = data["decision"] == "approve"
        try:
            decided = services.join_request_decide(
                join_request=data["join_request"], moderator=member, approve=approve, note=data["note"]
            )
        except ValidationError as error:
            tell_refusal(request, error)
        else:
            name = decided.member.display_name
            messages.success(request, f"{name} {'is in' if approve else 'was declined'}; they have been e-mailed.")
        return redirect(request.get_full_path())
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"community": community, "page": page, "marking": community.marking}
    return render(request, "communities/requests.html", context)


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                community=community, inviter=member, email=data["email"], message=data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {data['email']}.")
            return redirect("communities:invite", slug=community.slug)
    elif not policy.can_invite(member, community):
        # The service refuses too; saying so before the member types saves them the trouble.
        raise PermissionDenied("Only members invite; to an invitation-only community, only moderators do.")
    context = {"community": community, "form": form, "marking": community.marking}
    return render(request, "communities/invite.html", context)


@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """The member's open invitations, each to accept or decline."""
    member = signed_in_member(request)
    page = Paginator(selectors.invitations_for(member), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "communities/invitations.html", {"page": page})


@require_POST
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        invitation = selectors.invitations_for(member).get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect("communities:invitations")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.invitation_answer(invitation=invitation, member=member, accept=accept)
    except ValidationError as error:
        tell_refusal(request, error)
        return redirect("communities:invitations")
    if not accept:
        messages.success(request, f"Invitation to {invitation.community.name} declined.")
        return redirect("communities:invitations")
    messages.success(request, f"Welcome to {invitation.community.name}.")
    return redirect("communities:detail", slug=invitation.community.slug)


@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = known_community(request, slug)
    try:
        services.membership_leave(community=community, member=member)
    except ValidationError as error:
        tell_refusal(request, error)
        return redirect("communities:detail", slug=community.slug)
    messages.success(request, f"You have left {community.name}.")
    return redirect("communities:directory")
