"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def wiki_index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_history(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_compare(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_revert(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_settings(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_watch(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_export_markdown(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def page_print(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
