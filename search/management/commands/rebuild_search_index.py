from typing import Any

from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "Write the search index anew from every searchable item and member (the database indexes the words)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild()
        self.stdout.write(f"Indexed {written} items and members.")
