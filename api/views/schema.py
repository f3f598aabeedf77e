"""The OpenAPI schema and its reference page, for signed-in members only."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views.base import ApiMixin


class SchemaView(ApiMixin, SpectacularAPIView):
    """The OpenAPI 3.1 schema (YAML, or JSON with ``?format=json``)."""


class ReferenceView(ApiMixin, SpectacularSwaggerSplitView):
    """The browsable reference (Swagger UI served from the site itself, no inline script)."""
