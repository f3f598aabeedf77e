"""What every installation's Blueprint starts with: the editors' group and a first list of hazards.

Created after every ``migrate`` (and after the test runner's flushes) by a ``post_migrate`` receiver,
like ``verification.defaults``; every step is idempotent and keeps what staff changed since.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

from blueprint.access import EDITORS_GROUP
from blueprint.models import Hazard

DEFAULT_HAZARDS = (
    ("all-hazards", "All hazards"),
    ("hurricane", "Hurricane"),
    ("flood", "Flood"),
    ("wildfire", "Wildfire"),
    ("earthquake", "Earthquake"),
    ("pandemic", "Pandemic"),
    ("hazardous-materials", "Hazardous materials"),
    ("terrorism", "Terrorism"),
    ("power-outage", "Power outage"),
)


def ensure_defaults(**kwargs: Any) -> None:
    group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
    if created:
        group.permissions.add(Permission.objects.get(content_type__app_label="blueprint", codename="review_entry"))
    for slug, name in DEFAULT_HAZARDS:
        Hazard.objects.get_or_create(slug=slug, defaults={"name": name})
