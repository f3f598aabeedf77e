"""``manage.py seed_demo``: build (or refresh) the demo world. Safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from blueprint import demo as blueprint_demo
from communities import demo as communities_demo
from discussions import demo as discussions_demo
from library import demo as library_demo
from messaging import demo as messaging_demo
from partnerships import demo as partnerships_demo
from search import index as search_index
from subscriptions import demo as subscriptions_demo
from verification import demo as verification_demo
from wiki import demo as wiki_demo


class Command(BaseCommand):
    help = "Create the demo world drawn from the source documents and print the demo sign-ins. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            sign_ins = verification_demo.seed()
            communities_demo.seed()
            discussions_demo.seed()
            wiki_demo.seed()
            library_demo.seed()
            blueprint_demo.seed()
            partnerships_demo.seed()
            messaging_demo.seed()
            subscriptions_demo.seed()
        search_index.rebuild()  # what the seeds bulk-created, too: searchable at once
        self.stdout.write(self.style.SUCCESS("Demo world ready."))
        self.stdout.write(f"Demo sign-ins (password for all: {verification_demo.DEMO_PASSWORD}):")
        for sign_in in sign_ins:
            self.stdout.write(f"  {sign_in.email:<38} {sign_in.description}")
            if sign_in.totp_secret:
                self.stdout.write(f"  {'':<38} TOTP secret {sign_in.totp_secret} (add it to an authenticator app)")
