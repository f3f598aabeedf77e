from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from communities.selectors import communities_of
from muster.health import run_checks
from verification.gate import public_page
from verification.models import Member


@public_page
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    down = sorted(name for name, state in results.items() if state != "ok")
    payload = {"status": "down" if down else "ok", "down": down, "checks": results}
    return JsonResponse(payload, status=503 if down else 200)


@public_page
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "pages/landing.html")


@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/about.html")


@public_page
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/help.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Member)  # noqa: S101 - login_required guarantees a member
    return render(request, "pages/home.html", {"communities": communities_of(request.user)})
