"""``manage.py verify_member EMAIL --note "..." [--markings fouo,sbu]``

For the first administrator of a new installation, who has nobody to approve
them. Everyone after them is vetted through the site. The action is audited.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from verification.models import Marking, Member
from verification.services import member_verify_by_operator


class Command(BaseCommand):
    help = "Verify a member without a verifier (first administrator only). Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--note", required=True, help="Why: recorded in the audit log.")
        parser.add_argument("--markings", default="", help="Comma-separated marking slugs, e.g. fouo,sbu.")

    def handle(self, *args: Any, **options: Any) -> None:
        member = Member.objects.filter(email__iexact=options["email"]).first()
        if member is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        slugs = [slug.strip() for slug in options["markings"].split(",") if slug.strip()]
        markings = list(Marking.objects.filter(slug__in=slugs))
        if len(markings) != len(slugs):
            raise CommandError(f"Unknown marking among {', '.join(slugs)}.")
        try:
            member = member_verify_by_operator(member=member, markings=markings, note=options["note"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{member.email} is verified until {member.verified_until:%Y-%m-%d}."))
