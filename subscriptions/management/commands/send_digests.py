"""Send the due digests (and immediate updates) now, in this process: for trying e-mail updates by hand."""

from typing import Any

from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from notices.models import Delivery, MailPreferences
from subscriptions import services
from subscriptions.tasks import send_immediate_batch


class Command(BaseCommand):
    help = "Send every digest that is due (with --all, every member's digest as if it were due now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", choices=["daily", "weekly", "both"], default="both")
        parser.add_argument("--all", action="store_true", help="Treat every member's digest as due now.")

    def handle(self, *args: Any, **options: Any) -> None:
        periods = [Delivery.DAILY, Delivery.WEEKLY] if options["period"] == "both" else [Delivery(options["period"])]
        now = timezone.now()
        for period in periods:
            if options["all"]:
                MailPreferences.objects.update(**{f"next_{period}_at": now})
            due = services.members_due(period, now=now)
            with get_connection() as connection:
                sent = services.send_digests(due, period, connection=connection)
            self.stdout.write(f"{Delivery(period).label}: {sent} sent to {len(due)} members due.")
        immediate = services.members_with_immediate_updates(now=timezone.now())
        sent = send_immediate_batch(immediate)
        self.stdout.write(f"Immediate updates: {sent} sent.")
