from django.apps import AppConfig
from django.db.models import Q


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        from notices.kinds import register_kind
        from partnerships.access import is_record_co_lead
        from partnerships.addresses import goal_url, hazard_url, need_url, partnership_url, resource_url, task_url
        from partnerships.follows import register_followables
        from partnerships.models import Goal, Hazard, Need, Partnership, Resource, Task
        from partnerships.notifications import (
            TASK_ASSIGNED,
            TASK_OVERDUE,
            describe_task_notification,
            task_targets,
        )
        from partnerships.services.inventory import RESOURCE_FIELDS
        from verification.registry import register

        common = {"not_removed": Q(deleted_at__isnull=True), "title": str, "display_related": ("community",)}
        register(
            Partnership,
            api_fields=("jurisdiction", "description"),
            type_label="Partnership",
            url=partnership_url,
            taggable=True,
            search_type="partnership",
            search_fields=("title", "jurisdiction", "description"),
            **common,
        )
        register(
            Resource,
            # What a member types about a resource, but its name (the item's title).
            api_fields=tuple(field for field in RESOURCE_FIELDS if field != "name"),
            type_label="Partnership resource",
            url=resource_url,
            title_field="name",
            list_order=("name", "pk"),
            search_type="resource",
            search_fields=("name", "owner_organisation", "location", "capacity_unit", "conditions"),
            **common,
        )
        register(
            Hazard,
            api_fields=("category", "description", "likelihood", "impact", "organisations_affected"),
            type_label="Partnership hazard",
            url=hazard_url,
            search_type="hazard",
            search_fields=("title", "description", "organisations_affected"),
            **common,
        )
        register(
            Need,
            api_fields=("area", "priority", "description"),
            type_label="Partnership need",
            url=need_url,
            also_edited_by=is_record_co_lead,
            search_type="need",
            search_fields=("title", "description"),
            **common,
        )
        register(
            Goal,
            api_fields=("description",),
            type_label="Partnership goal",
            url=goal_url,
            also_edited_by=is_record_co_lead,
            search_type="goal",
            search_fields=("title", "description"),
            **common,
        )
        register(
            Task,
            api_fields=("description", "due_on", "state"),
            type_label="Partnership task",
            url=task_url,
            search_type="task",
            search_fields=("title", "description"),
            **common,
        )
        register_followables()
        from communities.signals import content_removed, content_restored
        from partnerships.services.inventory import record_shared_removal, record_shared_restore

        content_removed.connect(record_shared_removal, sender=Resource, dispatch_uid="partnerships_resource_removed")
        content_restored.connect(record_shared_restore, sender=Resource, dispatch_uid="partnerships_resource_restored")
        for key, label in ((TASK_ASSIGNED, "Partnership task assigned"), (TASK_OVERDUE, "Partnership task overdue")):
            register_kind(
                key, label=label, describe=describe_task_notification, target_querysets=task_targets, emailed=True
            )
