from django.apps import AppConfig
from django.db.models import Q


class BlueprintConfig(AppConfig):
    name = "blueprint"
    verbose_name = "National Blueprint"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from blueprint.defaults import ensure_defaults
        from blueprint.follows import register_followables
        from blueprint.models import BarriersReport, Entry, Idea, PilotTemplate, Status
        from blueprint.services import entry_url, idea_url, report_url, template_url
        from verification.registry import register

        register(
            Entry,
            listed_for=lambda member: (
                Q(status=Status.PUBLISHED) | Q(author=member, status__in=(Status.PROPOSED, Status.RETURNED))
            ),
            api_fields=(
                "kind",
                "slug",
                "summary",
                "purpose",
                "body",
                "body_html",
                "sector_public",
                "sector_private",
                "sector_community",
                "window_0_12",
                "window_12_24",
                "window_24_72",
                "place",
                "occurred_on",
                "status",
                "evidence",
                "validated_at",
                "review_by",
            ),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Blueprint entry",
            plural_label="Blueprint entries",
            title=str,
            url=entry_url,
            taggable=True,
            list_order=("title", "pk"),
            search_type="entry",
            search_fields=("title", "summary", "purpose", "body_html"),
            search_html=("body_html",),
            display_related=("community",),
            # An editor made its summary public; verification.policy.public adds the rest of the rule.
            public=Q(summary_public=True, status=Status.PUBLISHED),
        )
        register(
            Idea,
            api_fields=("problem", "proposal", "status", "status_reason", "decided_at"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Congress idea",
            plural_label="Congress ideas",
            title=str,
            url=idea_url,
            taggable=True,
            search_type="idea",
            search_fields=("title", "problem", "proposal"),
            display_related=("community",),
        )
        register(
            BarriersReport,
            api_fields=("status", "sections_html"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Congress barriers report",
            title=str,
            url=report_url,
            taggable=True,
            search_type="report",
            search_fields=("title", "sections_html"),
            search_html=("sections_html",),
            display_related=("community", "congress"),
        )
        register(
            PilotTemplate,
            api_fields=("slug", "summary", "locale", "board_name"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Pilot-community template",
            title=str,
            url=template_url,
            taggable=True,
            list_order=("title", "locale", "pk"),
            search_type="template",
            search_fields=("title", "summary", "locale"),
            display_related=("community",),
        )
        register_followables()
        # Runs after auth's own post_migrate (auth is installed first), so the editors' permission exists.
        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="blueprint_defaults")
