"""The Blueprint's indexes: challenges, and the Solutions, Tools, Reports and Cases indexes by heading,
filtered by time window, sector, hazard and tag; and the gap view.

The indexes are open to everyone: anonymous visitors (and members not yet cleared) read the public tier,
heading and summary of the entries an editor made public (``verification.policy.public``); members read
every published entry the access rule lets them see.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blueprint import selectors
from blueprint.access import is_blueprint_editor
from blueprint.models import Kind, Sector, Window
from blueprint.views.common import PAGE_SIZE
from verification import policy
from verification.gate import public_page, signed_in_member

INDEXES: tuple[tuple[str, str, str], ...] = (
    (Kind.CHALLENGE, "Challenges", "blueprint:index"),
    (Kind.SOLUTION, "Solutions", "blueprint:solutions"),
    (Kind.TOOL, "Tools", "blueprint:tools"),
    (Kind.REPORT, "Reports", "blueprint:reports"),
    (Kind.CASE, "Best practice cases", "blueprint:cases"),
)


@public_page
@require_GET
def index(request: HttpRequest, kind: str = Kind.CHALLENGE) -> HttpResponse:
    user = request.user
    public = policy.reads_public_tier(user)
    filters = selectors.IndexFilters.from_query(request.GET)
    page = Paginator(selectors.index_entries(user, kind, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.index_counts(user)
    context = {
        "kind": kind,
        "kind_label": {k: label for k, label, _ in INDEXES}[kind],
        "kind_noun": Kind(kind).label.lower(),
        "indexes": [(k, label, url_name, counts[k]) for k, label, url_name in INDEXES],
        "filters": filters,
        "windows": Window.choices,
        "sectors": Sector.choices,
        "hazards": selectors.hazard_choices(),
        "tags": selectors.tag_choices(user),
        "page": page,
        "public": public,
        "marking": None if public else selectors.banner_of(page.object_list),
    }
    if not public:
        member = signed_in_member(request)
        context |= {
            "own_proposals": list(selectors.own_proposals(member)),
            "is_editor": is_blueprint_editor(member),
        }
    return render(request, "blueprint/index.html", context)


@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """Challenges with no validated solution, and solutions with no tool: where the Blueprint needs work."""
    member = signed_in_member(request)
    challenges, solutions = selectors.gaps(member)
    challenges_list, solutions_list = list(challenges), list(solutions)
    context = {
        "challenges": challenges_list,
        "solutions": solutions_list,
        "indexes": [(k, label, url_name, None) for k, label, url_name in INDEXES],
        "marking": selectors.banner_of([*challenges_list, *solutions_list]),
        "is_editor": is_blueprint_editor(member),
    }
    return render(request, "blueprint/gaps.html", context)
