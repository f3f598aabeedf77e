"""Where each partnership record lives on the site (the registry's ``url`` for each type)."""

from django.urls import reverse

from partnerships.models import Goal, Hazard, Need, Partnership, Resource, Task


def partnership_url(partnership: Partnership) -> str:
    return reverse("partnerships:overview", kwargs={"pk": partnership.pk})


def resource_url(resource: Resource) -> str:
    return reverse("partnerships:resource", kwargs={"pk": resource.pk})


def hazard_url(hazard: Hazard) -> str:
    return reverse("partnerships:hazard", kwargs={"pk": hazard.pk})


def need_url(need: Need) -> str:
    return reverse("partnerships:need", kwargs={"pk": need.pk})


def goal_url(goal: Goal) -> str:
    return reverse("partnerships:goal", kwargs={"pk": goal.pk})


def task_url(task: Task) -> str:
    return reverse("partnerships:task", kwargs={"pk": task.pk})
