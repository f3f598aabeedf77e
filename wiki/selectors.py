"""Reads of wiki pages and revisions, already narrowed by the access policy.

Every page read starts from ``policy.filter_visible``; a page the member may
not see does not exist for them. Lists run a fixed number of queries however
many rows they show: markings, parents and authors are joined, the parent's
visibility and the current revision are a subquery and one prefetch.
"""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from communities.models import Community
from verification import policy
from verification.models import Marking, Member
from wiki.models import Revision, WikiPage

# How deep the breadcrumbs look up the tree (each step is one small query).
BREADCRUMB_DEPTH = 12


def visible_pages(member: Member, community: Community) -> QuerySet[WikiPage]:
    """The community's wiki pages the member may see."""
    return policy.filter_visible(member, WikiPage.objects.filter(community=community))


def wiki_index(member: Member, community: Community) -> QuerySet[WikiPage]:
    """The pages the member may see, by title, with marking, parent (``parent_visible`` tells whether the
    member may see it) and ``current_revisions`` (a one-item list: the last change and who made it)."""
    parent_visible = Exists(visible_pages(member, community).filter(pk=OuterRef("parent_id")))
    current = Revision.objects.filter(number=F("page__revision_number")).select_related("author")
    return (
        visible_pages(member, community)
        .annotate(parent_visible=parent_visible)
        .select_related("marking", "parent")
        .prefetch_related(Prefetch("revisions", queryset=current, to_attr="current_revisions"))
        .order_by("title", "pk")
    )


def page_visible_to(member: Member, community: Community, slug: str) -> WikiPage:
    """The page at ``slug`` if the member may see it; ``WikiPage.DoesNotExist`` otherwise."""
    return (
        visible_pages(member, community)
        .select_related("community", "community__marking", "marking", "author")
        .get(slug=slug)
    )


def breadcrumbs(member: Member, page: WikiPage) -> list[WikiPage]:
    """The page's ancestors the member may see, from the top of the tree down.

    Stops at the first ancestor the member may not see: nothing above it is named.
    """
    visible = visible_pages(member, page.community).only("pk", "parent_id", "title", "slug", "community_id")
    ancestors: list[WikiPage] = []
    seen = {page.pk}
    parent_id = page.parent_id
    while parent_id is not None and parent_id not in seen and len(ancestors) < BREADCRUMB_DEPTH:
        parent = visible.filter(pk=parent_id).first()
        if parent is None:
            break
        ancestors.append(parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    return list(reversed(ancestors))


def child_pages(member: Member, page: WikiPage) -> QuerySet[WikiPage]:
    return visible_pages(member, page.community).filter(parent=page).select_related("marking").order_by("title")


def parent_choices(member: Member, community: Community, *, excluding: WikiPage | None = None) -> QuerySet[WikiPage]:
    """Pages the member may place a page under."""
    pages = visible_pages(member, community).order_by("title")
    return pages.exclude(pk=excluding.pk) if excluding is not None else pages


def markings_for_page(member: Member, community: Community) -> QuerySet[Marking]:
    """Markings the member is cleared for, never below the community's own."""
    cleared = policy.member_access(member).visible_marking_ids
    return Marking.objects.filter(pk__in=cleared, rank__gte=community.marking.rank).order_by("rank", "slug")


# --- Revisions -----------------------------------------------------------------


def page_history(page: WikiPage) -> QuerySet[Revision]:
    """A visible page's revisions, newest first, with their authors."""
    return page.revisions.select_related("author", "reverted_from").order_by("-number")


def revision_of(page: WikiPage, number: int) -> Revision:
    """One revision of a visible page; ``Revision.DoesNotExist`` otherwise."""
    return page.revisions.select_related("author").get(number=number)
