"""The member directory, member profile pages, member photos and mention suggestions.

Cleared members only: the vetting gate sends everyone else away before these
views run. Views parse input and read through ``members.selectors``,
which narrows every read by the access policy.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from discussions import selectors as discussion_selectors
from members import selectors
from members.selectors import DirectorySearch
from verification import policy
from verification.models import AffiliationType, Discipline, Member

DIRECTORY_PAGE_SIZE = 25
PROFILE_BLOG_POSTS = 5
ANY = ("", "Any")

# The image types a photo may be served as, by its stored name (photos are re-encoded to JPEG or PNG).
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Name or agency",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    discipline = forms.ChoiceField(choices=[ANY, *Discipline.choices], required=False)
    affiliation_type = forms.ChoiceField(label="Affiliation", choices=[ANY, *AffiliationType.choices], required=False)
    state = forms.CharField(label="State", required=False, max_length=60)
    locality = forms.CharField(label="County or city", required=False, max_length=120)
    expertise = forms.CharField(
        label="Expertise", required=False, max_length=100, help_text="One topic, e.g. flooding."
    )

    def search(self) -> DirectorySearch:
        """The search to run; every member (no filter) when the input is not valid."""
        if not self.is_valid():
            return DirectorySearch()
        data = self.cleaned_data
        return DirectorySearch(
            text=data["q"],
            discipline=data["discipline"],
            affiliation_type=data["affiliation_type"],
            state=data["state"],
            locality=data["locality"],
            expertise=data["expertise"],
        )

    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


def _viewer(request: HttpRequest) -> Member:
    if not isinstance(request.user, Member):
        raise PermissionDenied("Sign in first.")
    return request.user


def _visible_member(viewer: Member, pk: int) -> Member:
    try:
        return selectors.visible_member(viewer, pk=pk)
    except Member.DoesNotExist:
        raise Http404("No such member.") from None


@require_GET
def member_directory(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = DirectorySearchForm(request.GET)
    members = selectors.members_for_directory(viewer, form.search())
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [selectors.member_card(member) for member in page]
    return render(
        request, "members/directory.html", {"form": form, "page": page, "cards": cards, "filtered": form.is_filtered()}
    )


@require_GET
def member_profile(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    member = _visible_member(viewer, pk)
    is_owner = member.pk == viewer.pk
    profile = selectors.profile_of(member)
    memberships = list(selectors.known_memberships(viewer, member))
    activity = selectors.recent_public_activity(viewer, member)
    blog_posts = list(discussion_selectors.member_blog(viewer, member)[:PROFILE_BLOG_POSTS])
    # Names and titles of marked communities and items carry the highest of their markings as the page's banner.
    shown = [m.community.marking for m in memberships] + [
        m for e in activity for m in (e.target_marking or e.community.marking, e.community.marking)
    ]
    shown += [m for post in blog_posts for m in (post.marking, post.community.marking)]
    return render(
        request,
        "members/profile.html",
        {
            "member": member,
            "profile": profile,
            "is_owner": is_owner,
            "details": selectors.profile_details(profile, is_owner=is_owner) if profile else [],
            "show_photo": bool(profile and profile.photo and (is_owner or profile.shares("photo"))),
            "memberships": memberships,
            "activity": activity,
            "blog_posts": blog_posts,
            "marking": policy.highest_marking(shown),
        },
    )


@require_GET
def member_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo, only to members who may see the profile and only when shared (or it is their own)."""
    viewer = _viewer(request)
    member = _visible_member(viewer, pk)
    profile = selectors.profile_of(member)
    if profile is None or not profile.photo or not (member.pk == viewer.pk or profile.shares("photo")):
        raise Http404("No photo.")
    content_type = PHOTO_TYPES.get(profile.photo.name.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise Http404("No photo.")  # never serve a stored file as anything but an image
    response = FileResponse(profile.photo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def member_autocomplete(request: HttpRequest) -> JsonResponse:
    """Up to ten visible members whose name matches ``q``, optionally only members of ``community`` (a slug).

    With a place to mention in (``thread``, ``page``, ``conversation`` or ``in_community``: an id), mention
    suggestions instead: only members who may see that place, with their handles; none when the viewer may
    not see it. With ``people``, members to start a conversation with (``people_suggestions``).
    """
    viewer = _viewer(request)
    for scope in (*selectors.MENTION_PLACES, "in_community"):
        if scope in request.GET:
            try:
                pk = int(request.GET[scope])
            except ValueError:
                return JsonResponse([], safe=False)
            place = selectors.mention_place(viewer, scope=scope.removeprefix("in_"), pk=pk)
            mentions = selectors.mention_suggestions(viewer, text=request.GET.get("q", "")[:100], place=place)
            return JsonResponse([{"id": s.id, "name": s.name, "handle": s.handle} for s in mentions], safe=False)
    if "people" in request.GET:
        people = selectors.people_suggestions(viewer, text=request.GET.get("q", "")[:100])
        return JsonResponse([{"id": s.id, "name": s.name, "handle": s.handle} for s in people], safe=False)
    suggestions = selectors.member_suggestions(
        viewer, text=request.GET.get("q", "")[:100], community_slug=request.GET.get("community", "")[:60]
    )
    return JsonResponse([{"id": s.id, "name": s.name} for s in suggestions], safe=False)
