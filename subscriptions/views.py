"""The subscriptions page, the Follow control every followable page shows, and one-click unsubscribe."""

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notices import follow
from notices.models import Delivery, Level, MailPreferences
from subscriptions import selectors, services
from subscriptions.forms import FollowForm, PauseForm, PreferencesForm
from verification.gate import public_page, signed_in_member
from verification.models import Member


def _page(
    request: HttpRequest,
    member: Member,
    preferences: MailPreferences,
    preferences_form: PreferencesForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "rows": selectors.followed_rows(member),
        "preferences": preferences,
        "preferences_form": preferences_form,
        "level_choices": Level.choices,
        "delivery_choices": Delivery.choices,
    }
    return render(request, "subscriptions/subscriptions.html", context, status=status)


@require_GET
def subscriptions_list(request: HttpRequest) -> HttpResponse:
    """Everything the member follows, how, and their e-mail settings."""
    member = signed_in_member(request)
    preferences = follow.preferences_of(member)
    return _page(request, member, preferences, PreferencesForm(instance=preferences))


@require_POST
def preferences_save(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = PreferencesForm(request.POST, instance=follow.preferences_of(member))
    if not form.is_valid():
        # The form's instance now holds what was typed; the page's schedule shows what is saved.
        return _page(request, member, follow.preferences_of(member), form, status=400)
    follow.preferences_update(member=member, **{field: form.cleaned_data[field] for field in form.Meta.fields})
    messages.success(request, "Your e-mail settings are saved.")
    return redirect("subscriptions:list")


@require_POST
def pause(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = PauseForm(request.POST)
    paused = form.is_valid() and form.cleaned_data["paused"]
    follow.subscriptions_pause(member=member, paused=paused)
    messages.success(request, "All e-mail updates are paused." if paused else "E-mail updates are back on.")
    return redirect("subscriptions:list")


@require_POST
def follow_target(request: HttpRequest) -> HttpResponse:
    """The Follow control: follow, change how, or stop following something the member may see."""
    member = signed_in_member(request)
    form = FollowForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(f"The Follow control sent something this page cannot read. {errors}")
    data = form.cleaned_data
    try:
        target = selectors.followable_target(member, data["target_type"], data["target_id"])
    except LookupError:
        raise Http404("There is nothing here you can follow.") from None
    if data["unfollow"]:
        follow.unfollow(member=member, target=target)
        messages.success(request, f"You no longer follow {target}.")
    else:
        follow.follow(member=member, target=target, level=data["level"], delivery=data["delivery"])
        level, delivery = Level(data["level"]).label, Delivery(data["delivery"]).label
        messages.success(request, f"Following {target}: {level.lower()}, {delivery.lower()}.")
    return redirect(data["next"])


@require_POST
def mail_failure_clear(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    Member.objects.filter(pk=member.pk).update(mail_failed_at=None, mail_failure="")
    messages.success(request, "We will try your address again.")
    return redirect("subscriptions:list")


@public_page
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session and no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button (link scanners only GET); POST turns it off."""
    try:
        services.unsubscribe_check(token)
    except signing.BadSignature:
        return render(request, "subscriptions/unsubscribe.html", {"state": "invalid"}, status=400)
    except services.StaleLinkError:
        return render(request, "subscriptions/unsubscribe.html", {"state": "stale"}, status=410)
    if request.method == "GET":
        return render(request, "subscriptions/unsubscribe.html", {"state": "confirm", "token": token})
    try:
        done = services.unsubscribe(token)
    except services.StaleLinkError:
        return render(request, "subscriptions/unsubscribe.html", {"state": "stale"}, status=410)
    except signing.BadSignature:
        return render(request, "subscriptions/unsubscribe.html", {"state": "invalid"}, status=400)
    return render(request, "subscriptions/unsubscribe.html", {"state": "done", "done": done})
