"""The OpenAPI schema and its reference page, for signed-in verified members only.

drf-spectacular's views open themselves to everyone (``SERVE_PERMISSIONS`` is ``AllowAny``, its
authentication its own); these take the API's own: a token or a session, through the site's gate.
A refusal is the API's JSON error, whatever the page would have been (YAML, HTML or script).
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views.base import ApiMixin


class _MembersOnly(ApiMixin):
    # The project's defaults, as every other API view has them (APIView read them from the settings).
    authentication_classes = APIView.authentication_classes
    permission_classes = APIView.permission_classes
    throttle_classes = APIView.throttle_classes

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
        return response


class SchemaView(_MembersOnly, SpectacularAPIView):
    """The OpenAPI 3.1 schema (YAML, or JSON with ``?format=json``)."""


class ReferenceView(_MembersOnly, SpectacularSwaggerSplitView):
    """The browsable reference (Swagger UI served from the site itself, no inline script)."""
