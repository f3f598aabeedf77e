"""What the partnership pages share: the partnership (or record) the member may see, else 404; and the
context every workspace page carries (the partnership, whether the member contributes or co-leads)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from partnerships import selectors
from partnerships.access import can_contribute, is_co_lead
from partnerships.models import Partnership
from verification.gate import signed_in_member
from verification.models import Member


def visible_partnership(request: HttpRequest, pk: int) -> tuple[Member, Partnership]:
    member = signed_in_member(request)
    try:
        return member, selectors.partnership_visible_to(member, pk)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership.") from None


def workspace_context(member: Member, partnership: Partnership, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "partnership": partnership,
        "can_contribute": can_contribute(member, partnership),
        "is_co_lead": is_co_lead(member, partnership),
        "marking": extra.pop("marking", None) or partnership.marking,
    }
    context.update(extra)
    return context


def tell_errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)
