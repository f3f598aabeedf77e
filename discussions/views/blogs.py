"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def community_blog(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def blog_post_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def blog_post_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def blog_post_publish(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def member_blog(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
