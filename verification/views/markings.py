from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from verification.gate import public_page
from verification.models import Marking


@public_page
@require_GET
@cache_control(max_age=300)
def marking_styles(request: HttpRequest) -> HttpResponse:
    """Banner colours come from data; serving them as a stylesheet keeps the CSP free of inline styles."""
    rules = [
        f".marking-{m.slug}{{background:{m.colour};color:{m.text_colour};}}"
        for m in Marking.objects.only("slug", "colour", "text_colour")
    ]
    return HttpResponse("\n".join(rules), content_type="text/css; charset=utf-8")
