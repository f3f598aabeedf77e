"""What every API view shares: its own gate (token or session), limits, and headers."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import BaseMetadata
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ApiError
from api.throttling import rate_limit_headers, tightest
from muster.request_limits import too_large_message
from verification.gate import PUBLIC_ATTRIBUTE, VETTING_ATTRIBUTE
from verification.models import Member


def api_body_limit() -> int:
    return int(settings.MUSTER_API_MAX_BODY_BYTES)


class ApiMixin:
    """The site's gate middleware leaves API views alone (a token is read only here, inside DRF); the
    permission classes apply the same rule and answer in JSON."""

    # OPTIONS is not part of the API: DRF would answer it with the view's docstring and its parsers and
    # renderers, an undocumented answer to an undocumented method; without metadata it is 405 like any other.
    metadata_class: str | BaseMetadata | None = None
    # Read by muster.asgi, which refuses a larger body before Django reads it.
    max_body_bytes = staticmethod(api_body_limit)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > api_body_limit():
            raise ApiError("body_too_large", too_large_message(size, api_body_limit()), status_code=413)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        budget = tightest(request)
        if budget is not None:
            for name, value in rate_limit_headers(budget).items():
                response[name] = value
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response

    @property
    def member(self) -> Member:
        # The permission classes let only members in.
        return cast(Member, self.request.user)  # type: ignore[attr-defined]


# Read by verification.middleware: the gate leaves API views to the permission classes above.
setattr(ApiMixin, PUBLIC_ATTRIBUTE, True)
setattr(ApiMixin, VETTING_ATTRIBUTE, True)


class ApiView(ApiMixin, APIView):
    pass


class ApiGenericView(ApiMixin, GenericAPIView[Any]):
    pass
