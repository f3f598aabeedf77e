"""Who is asking, which community they may know of, and how a refusal is told."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from communities import selectors
from communities.forms import error_messages
from communities.models import Community
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member

PAGE_SIZE = 25


def known_community(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The member and the community at ``slug``; 404 when the member may not know it exists."""
    member = signed_in_member(request)
    try:
        return member, selectors.community_known_to(member, slug)
    except Community.DoesNotExist:
        raise Http404("No such community.") from None


def require_manager(member: Member, community: Community) -> None:
    if not policy.can_manage_community(member, community):
        raise PermissionDenied("Only the community's owners may do this.")


def tell_refusal(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's refusal as error messages on the next page."""
    for message in error_messages(error):
        messages.error(request, message)


def tell_form_errors(request: HttpRequest, form: Form) -> None:
    """Show an invalid one-button form's errors on the next page (the form itself is not shown again)."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
