"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def library_index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def document_upload(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def document_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def version_upload(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def document_access(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def version_download(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
