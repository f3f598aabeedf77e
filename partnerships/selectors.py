"""Reads of partnerships and their records, every one narrowed by the access policy first
(``policy.filter_visible``); lists fetch what they show in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from communities.models import Community, Membership
from partnerships.models import (
    DEPLOYABLE,
    FIRST_HOURS,
    Approval,
    ChecklistItem,
    CommonIssue,
    Goal,
    Hazard,
    IssueComment,
    IssueVote,
    Need,
    Partnership,
    Resource,
    ResourceCategory,
    ResourceChange,
    Stakeholder,
    Step,
    Task,
    TaskState,
)
from verification import policy
from verification.models import Marking, Member


def partnerships_for(member: Member) -> QuerySet[Partnership]:
    return policy.filter_visible(member, Partnership.objects.select_related("community", "marking"))


def partnership_visible_to(member: Member, pk: int) -> Partnership:
    return (
        partnerships_for(member)
        .select_related("public_lead__profile", "private_lead__profile", "author")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.select_related("changed_by")))
        .get(pk=pk)
    )


def approvals_of(partnership: Partnership) -> list[Approval]:
    return list(partnership.approvals.all())


def participants(partnership: Partnership) -> QuerySet[Member]:
    """The members of the partnership's community who are verified now, with their profile (for the sector)."""
    ids = Membership.objects.filter(community_id=partnership.community_id).values("member_id")
    return (
        Member.objects.filter(policy.verified_now(), pk__in=ids)
        .select_related("profile")
        .order_by("last_name", "first_name", "pk")
    )


def postable_communities(member: Member) -> QuerySet[Community]:
    return policy.filter_member_communities(member, Community.objects.select_related("marking")).order_by("name")


def markings_for(member: Member, floor: Marking | None = None) -> QuerySet[Marking]:
    """Markings the member is cleared for, not below ``floor`` (the partnership's marking)."""
    markings = Marking.objects.filter(pk__in=policy.member_access(member).visible_marking_ids)
    if floor is not None:
        markings = markings.filter(rank__gte=floor.rank)
    return markings.order_by("rank", "slug")


# --- Resources ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceFilters:
    q: str = ""
    category: str = ""
    kind: str = ""
    availability: str = ""
    within_hours: int | None = None


def resources_of(
    member: Member, partnership: Partnership, filters: ResourceFilters | None = None
) -> QuerySet[Resource]:
    filters = filters or ResourceFilters()
    resources = Resource.objects.filter(partnership=partnership, deleted_at__isnull=True)
    if filters.q:
        for word in filters.q.split()[:10]:
            resources = resources.filter(
                Q(name__icontains=word)
                | Q(owner_organisation__icontains=word)
                | Q(location__icontains=word)
                | Q(capacity_unit__icontains=word)
                | Q(conditions__icontains=word)
            )
    if filters.category:
        resources = resources.filter(category=filters.category)
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.availability:
        resources = resources.filter(availability=filters.availability)
    if filters.within_hours is not None:
        resources = resources.filter(hours_to_deploy__lte=filters.within_hours)
    return policy.filter_visible(member, resources.select_related("marking", "community__marking"))


@dataclass
class CategoryGroup:
    category: str
    label: str
    resources: list[Resource] = field(default_factory=list)


def within_72_hours(member: Member, partnership: Partnership) -> list[CategoryGroup]:
    """Who can provide what within 72 hours: available or limited resources that deploy within 72 hours,
    grouped by category (one query)."""
    resources = resources_of(member, partnership, ResourceFilters(within_hours=FIRST_HOURS)).filter(
        availability__in=DEPLOYABLE
    )
    groups: dict[str, CategoryGroup] = {}
    labels = dict(ResourceCategory.choices)
    for resource in resources.order_by("category", "hours_to_deploy", "name", "pk"):
        group = groups.setdefault(resource.category, CategoryGroup(resource.category, labels[resource.category]))
        group.resources.append(resource)
    return sorted(groups.values(), key=lambda group: group.label)


def resource_visible_to(member: Member, pk: int) -> Resource:
    resources = Resource.objects.select_related("partnership", "marking", "community__marking", "author")
    return policy.filter_visible(member, resources).get(pk=pk)


def resource_changes(resource: Resource) -> QuerySet[ResourceChange]:
    return resource.changes.select_related("actor")


# --- Hazards --------------------------------------------------------------------------------------


def hazards_of(member: Member, partnership: Partnership) -> QuerySet[Hazard]:
    hazards = Hazard.objects.filter(partnership=partnership, deleted_at__isnull=True)
    return policy.filter_visible(member, hazards.select_related("marking", "community__marking")).order_by(
        "-likelihood", "-impact", "title", "pk"
    )


def hazard_visible_to(member: Member, pk: int) -> Hazard:
    hazards = Hazard.objects.select_related("partnership", "marking", "community__marking")
    return policy.filter_visible(member, hazards).get(pk=pk)


# --- Steps 2 and 3 --------------------------------------------------------------------------------


def stakeholders_of(partnership: Partnership) -> QuerySet[Stakeholder]:
    return partnership.stakeholders.select_related("inviter", "added_by")


def issues_ranked(member: Member, partnership: Partnership) -> QuerySet[CommonIssue]:
    """Common issues, most votes first, with whether the member voted and how many comments each has."""
    return (
        CommonIssue.objects.filter(partnership=partnership)
        .select_related("proposed_by")
        .annotate(
            vote_count=Count("votes", distinct=True),
            comment_count=Count("comments", distinct=True),
            voted=Exists(IssueVote.objects.filter(issue=OuterRef("pk"), member=member)),
        )
        .order_by("-vote_count", "created_at", "pk")
    )


def issue_of(member: Member, partnership: Partnership, pk: int) -> CommonIssue:
    return issues_ranked(member, partnership).get(pk=pk)


def issue_comments(issue: CommonIssue) -> QuerySet[IssueComment]:
    return issue.comments.select_related("author")


# --- Step 6 ---------------------------------------------------------------------------------------


def needs_of(member: Member, partnership: Partnership) -> QuerySet[Need]:
    needs = Need.objects.filter(partnership=partnership, deleted_at__isnull=True).select_related(
        "marking", "community__marking"
    )
    visible_hazards = hazards_of(member, partnership)
    return policy.filter_visible(member, needs).prefetch_related(
        Prefetch("hazards", queryset=visible_hazards), "issues"
    )


@dataclass
class GoalProgress:
    goal: Goal
    tasks: list[Task]

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.state == TaskState.DONE)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.tasks)) if self.tasks else 0

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.is_overdue)


def goals_of(member: Member, partnership: Partnership) -> QuerySet[Goal]:
    goals = Goal.objects.filter(partnership=partnership, deleted_at__isnull=True).select_related(
        "marking", "community__marking"
    )
    return policy.filter_visible(member, goals)


def goals_with_progress(member: Member, partnership: Partnership) -> list[GoalProgress]:
    """Each goal the member may see with the tasks under it they may see (three queries whatever the count)."""
    goals = goals_of(member, partnership).prefetch_related(
        Prefetch("needs", queryset=needs_of(member, partnership).prefetch_related(None))
    )
    tasks = tasks_of(member, partnership)
    by_goal: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_goal[task.goal_id].append(task)
    return [GoalProgress(goal, by_goal.get(goal.pk, [])) for goal in goals]


def tasks_of(member: Member, partnership: Partnership) -> QuerySet[Task]:
    tasks = Task.objects.filter(partnership=partnership, deleted_at__isnull=True)
    tasks = tasks.select_related("marking", "community__marking", "owner", "co_owner")
    return policy.filter_visible(member, tasks).order_by("due_on", "pk")


def task_visible_to(member: Member, pk: int) -> Task:
    tasks = Task.objects.select_related("partnership", "goal", "marking", "community__marking", "owner", "co_owner")
    return (
        policy.filter_visible(member, tasks)
        .prefetch_related(Prefetch("checklist", queryset=ChecklistItem.objects.order_by("pk")))
        .get(pk=pk)
    )


def need_visible_to(member: Member, pk: int) -> Need:
    needs = Need.objects.select_related("partnership", "marking", "community__marking", "author", "deleted_by")
    need = policy.filter_visible(member, needs).get(pk=pk)
    return need


def goal_visible_to(member: Member, pk: int) -> Goal:
    goals = Goal.objects.select_related("partnership", "marking", "community__marking", "author", "deleted_by")
    return policy.filter_visible(member, goals).get(pk=pk)


def banner_for(partnership: Partnership, records: Iterable[object]) -> Marking:
    """The banner of a page that shows the partnership and these records: the highest marking among them."""
    markings = [policy.effective_marking(partnership)]
    markings += [policy.effective_marking(record) for record in records]
    return max(markings, key=lambda marking: marking.rank)
