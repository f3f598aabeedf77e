"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def bookmark_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def bookmark_share(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def saved_items(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def item_save(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def item_unsave(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
