"""The site's URLs plus one page that shows marked content, for the marking-banner tests.

No view of the site shows marked content yet; this page renders the base layout
with a marking the way such a view will.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from verification.models import Marking

MARKED_ITEM = engines["django"].from_string(
    """{% extends "base.html" %}
{% block title %}Marked item{% endblock %}
{% block content %}
<h1>Marked item</h1>
<p>Staging areas for the port partnership exercise.</p>
{% endblock %}"""
)


def marked_item(request: HttpRequest, slug: str) -> HttpResponse:
    marking = get_object_or_404(Marking, slug=slug)
    return HttpResponse(MARKED_ITEM.render({"marking": marking}, request))


urlpatterns = [
    path("browser-tests/marked/<slug:slug>/", marked_item, name="browser_tests_marked_item"),
    path("", include("muster.urls")),
]
