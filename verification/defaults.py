"""The data every installation starts with: the markings, the Rules of Behavior
(version 1) and the Verifiers and Auditors groups.

Created after every ``migrate`` (and after the test runner's flushes) by a
``post_migrate`` receiver; every step is idempotent and never overwrites what
staff have changed since.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

from verification.models import Marking, RulesOfBehavior

DEFAULT_MARKINGS: list[dict[str, Any]] = [
    {
        "slug": "unmarked",
        "name": "Unmarked",
        "banner_text": "Unmarked",
        "colour": "#ffffff",
        "text_colour": "#1b1f24",
        "rank": 0,
    },
    {
        "slug": "fouo",
        "name": "For Official Use Only",
        "banner_text": "For Official Use Only (FOUO)",
        "colour": "#1d4f91",
        "text_colour": "#ffffff",
        "rank": 10,
    },
    {
        "slug": "sbu",
        "name": "Sensitive But Unclassified",
        "banner_text": "Sensitive But Unclassified (SBU)",
        "colour": "#7a1f1f",
        "text_colour": "#ffffff",
        "rank": 20,
    },
]


RULES_OF_BEHAVIOR_V1 = """\
1. Use Muster only for your work in emergency preparedness, response and recovery.
2. Keep For Official Use Only (FOUO) and Sensitive But Unclassified (SBU) material on Muster.
   Do not copy, forward or print it except as its marking and your agency's rules allow.
3. Share only what you have the right to share, and mark it correctly.
4. Do not share your account, your password or your authenticator.
   Report a lost device or a suspected compromise at once.
5. Treat other members with respect. No harassment, solicitation or advertising.
6. Every view and download of marked material is recorded.
   Misuse ends your access and may be reported to your sponsor and agency.
"""

ROLE_GROUPS: dict[str, list[tuple[str, str, str]]] = {
    "Verifiers": [("verification", "member", "review_application"), ("verification", "auditevent", "view_auditevent")],
    "Auditors": [("verification", "auditevent", "view_auditevent")],
}


def ensure_defaults(**kwargs: Any) -> None:
    for fields in DEFAULT_MARKINGS:
        Marking.objects.get_or_create(slug=fields["slug"], defaults=fields)
    if not RulesOfBehavior.objects.exists():
        RulesOfBehavior.objects.create(version=1, text=RULES_OF_BEHAVIOR_V1)
    for name, perms in ROLE_GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.add(
                *(
                    Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=codename)
                    for app, model, codename in perms
                )
            )
