from django.apps import AppConfig
from django.db.models import Q


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self) -> None:
        from library.models import Bookmark, Document
        from library.services import bookmark_url, document_url, latest_file_text
        from verification.registry import register

        register(
            Document,
            api_fields=("description",),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Document",
            title=str,
            url=document_url,
            taggable=True,
            list_order=("-published_at", "-pk"),
            search_type="document",
            search_fields=("title", "description", "file_text"),
            search_extra=latest_file_text,
            display_related=("community",),
        )
        register(
            Bookmark,
            api_fields=("url", "description"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Link",
            title=str,
            url=bookmark_url,
            taggable=True,
            search_type="link",
            search_fields=("title", "description", "url"),
            display_related=("community",),
        )
