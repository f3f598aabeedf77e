"""Reads of pilot-community templates and their pilots, already narrowed by the access policy.

A template is community content (``verification.policy.filter_visible``). A pilot is its own community's:
it, its progress, its tasks and its roles are seen by whoever may see that community's content (an open
community's by every cleared member, a private one's by its members only, and only at markings they are
cleared for), through ``policy.filter_content_communities``. Lists run a fixed number of queries however
many rows they show.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from blueprint.models import Entry, Pilot, PilotRole, PilotTask, PilotTemplate, Status
from communities.models import Community
from verification import policy
from verification.models import Marking


def visible_templates(user: policy.AnyUser | None) -> QuerySet[PilotTemplate]:
    return policy.filter_visible(user, PilotTemplate.objects.filter(deleted_at__isnull=True))


def _visible_pilots(user: policy.AnyUser | None) -> QuerySet[Pilot]:
    return Pilot.objects.filter(community__in=policy.filter_content_communities(user, Community.objects.all()))


def template_list(user: policy.AnyUser | None) -> QuerySet[PilotTemplate]:
    """Every template the member may see, national ones first then their locale variants, with the number of
    steps and of the pilots the member may see."""
    visible_pilots = _visible_pilots(user).values("pk")
    return (
        visible_templates(user)
        .select_related("community", "community__marking", "marking", "based_on")
        .annotate(
            step_count=Count("steps", distinct=True),
            pilot_count=Count("pilots", filter=Q(pilots__in=visible_pilots), distinct=True),
        )
        .order_by("title", "locale", "pk")
    )


def template_for(user: policy.AnyUser | None, slug: str) -> PilotTemplate:
    """The template at ``slug`` when the member may see it (a removed one: its community's moderators);
    ``PilotTemplate.DoesNotExist`` otherwise."""
    return (
        policy.filter_visible(user, PilotTemplate.objects.all())
        .select_related("community", "community__marking", "marking", "author", "based_on")
        .prefetch_related("steps", "roles", "pages")
        .get(slug=slug)
    )


def template_entries(user: policy.AnyUser | None, template: PilotTemplate) -> QuerySet[Entry]:
    """The solutions and tools the template bundles that the member may see."""
    entries = template.entries.filter(deleted_at__isnull=True, status=Status.PUBLISHED)
    return (
        policy.filter_visible(user, entries)
        .select_related("marking", "community__marking")
        .order_by("kind", "title", "pk")
    )


def template_variants(user: policy.AnyUser | None, template: PilotTemplate) -> QuerySet[PilotTemplate]:
    """The locale variants of a template the member may see."""
    return visible_templates(user).filter(based_on=template).select_related("marking").order_by("locale", "pk")


def based_on_visible(user: policy.AnyUser | None, template: PilotTemplate) -> PilotTemplate | None:
    """The template a locale variant was customised from, when the member may see it."""
    if template.based_on_id is None:
        return None
    return visible_templates(user).filter(pk=template.based_on_id).first()


def template_pilots(user: policy.AnyUser | None, template: PilotTemplate) -> QuerySet[Pilot]:
    """The template's pilots the member may see, each with its number of tasks and of those done."""
    return (
        _visible_pilots(user)
        .filter(template=template)
        .select_related("community", "community__marking", "started_by")
        .annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__done_at__isnull=False), distinct=True),
        )
        .order_by("-started_at", "-pk")
    )


def pilot_for(user: policy.AnyUser | None, pk: int) -> Pilot:
    """The pilot when the member may see its community's content; ``Pilot.DoesNotExist`` otherwise."""
    return (
        _visible_pilots(user)
        .select_related("community", "community__marking", "started_by")
        .prefetch_related(
            Prefetch("tasks", queryset=PilotTask.objects.select_related("done_by").order_by("position", "pk")),
            Prefetch("roles", queryset=PilotRole.objects.select_related("member").order_by("position", "pk")),
        )
        .get(pk=pk)
    )


def pilot_template(user: policy.AnyUser | None, pilot: Pilot) -> PilotTemplate | None:
    """The template a pilot was started from, when the member may see it."""
    if pilot.template_id is None:
        return None
    return visible_templates(user).filter(pk=pilot.template_id).select_related("marking").first()


def task_of(user: policy.AnyUser | None, pk: int) -> PilotTask:
    """A pilot's task when the member may see the pilot; ``PilotTask.DoesNotExist`` otherwise."""
    return PilotTask.objects.select_related("pilot").get(pk=pk, pilot__in=_visible_pilots(user))


def role_of(user: policy.AnyUser | None, pk: int) -> PilotRole:
    return PilotRole.objects.select_related("pilot").get(pk=pk, pilot__in=_visible_pilots(user))


def markings_for_pilot(user: policy.AnyUser | None, template: PilotTemplate) -> QuerySet[Marking]:
    """Markings the member is cleared for, not below the template's own."""
    cleared = policy.member_access(user).visible_marking_ids
    floor = policy.effective_marking(template).rank
    return Marking.objects.filter(pk__in=cleared, rank__gte=floor).order_by("rank", "slug")


def bundle_choices(user: policy.AnyUser | None) -> QuerySet[Entry]:
    """The published solutions and tools the member may see, for a template to bundle."""
    entries = Entry.objects.filter(kind__in=("solution", "tool"), status=Status.PUBLISHED, deleted_at__isnull=True)
    return policy.filter_visible(user, entries).select_related("marking").order_by("kind", "title", "pk")
