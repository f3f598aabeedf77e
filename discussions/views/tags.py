"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def tag_page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
