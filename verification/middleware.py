from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from verification.gate import (
    ACCOUNT_URL_NAME_PREFIXES,
    PUBLIC_ACCOUNT_URL_NAMES,
    PUBLIC_ATTRIBUTE,
    VETTING_ATTRIBUTE,
)
from verification.policy import Barrier, member_access

BARRIER_DESTINATIONS = {
    Barrier.RULES: "verification:rules",
    Barrier.MFA: "mfa_activate_totp",
}


class VettingGateMiddleware:
    """Send every visitor who may not see content yet to the one place they can act."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        view = getattr(view_func, "view_class", view_func)
        url_name = request.resolver_match.url_name if request.resolver_match else None
        is_account_page = url_name is not None and url_name.startswith(ACCOUNT_URL_NAME_PREFIXES)
        if getattr(view_func, PUBLIC_ATTRIBUTE, False) or getattr(view, PUBLIC_ATTRIBUTE, False):
            return None
        if not request.user.is_authenticated:
            if url_name in PUBLIC_ACCOUNT_URL_NAMES:
                return None
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
        if is_account_page or getattr(view_func, VETTING_ATTRIBUTE, False) or getattr(view, VETTING_ATTRIBUTE, False):
            return None
        access = member_access(request.user)
        if access.may_see_content:
            return None
        return HttpResponseRedirect(reverse(BARRIER_DESTINATIONS.get(access.barrier, "verification:status")))
