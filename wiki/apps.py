from django.apps import AppConfig
from django.db.models import Q


class WikiConfig(AppConfig):
    name = "wiki"

    def ready(self) -> None:
        from communities.signals import starter_content_requested
        from verification.registry import register
        from wiki.follows import register_followables
        from wiki.models import WikiPage
        from wiki.receivers import create_starter_pages
        from wiki.services import page_url

        register(
            WikiPage,
            api_fields=("slug", "body", "body_html", "revision_number", "edit_policy"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Wiki page",
            title=str,
            url=page_url,
            taggable=True,
            list_order=("title", "pk"),
            search_type="page",
            search_fields=("title", "body_html"),
            search_html=("body_html",),
            display_related=("community",),
        )
        register_followables()
        starter_content_requested.connect(create_starter_pages, dispatch_uid="wiki_starter_pages")
