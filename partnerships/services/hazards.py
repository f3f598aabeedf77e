"""Step 5, the hazard register: hazards scored for likelihood and impact from 1 to 5."""

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction

from partnerships.models import SCORE_MAX, SCORE_MIN, TEXT_MAX, TITLE_MAX, Hazard, HazardCategory, Partnership
from partnerships.services.records import announce, check_edit_record, check_new_record
from partnerships.services.workspace import step_touch
from verification.models import Marking, Member


def _check(
    *, title: str, category: str, likelihood: int | None, impact: int | None, description: str, affected: str
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Name the hazard."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the name under {TITLE_MAX} characters."
    if category not in HazardCategory.values:
        errors["category"] = "Choose natural, technological or human-caused."
    for field, score in (("likelihood", likelihood), ("impact", impact)):
        if score is None or not SCORE_MIN <= score <= SCORE_MAX:
            errors[field] = f"Score the {field} from {SCORE_MIN} to {SCORE_MAX}."
    for field, text in (("description", description), ("organisations_affected", affected)):
        if len(text) > TEXT_MAX:
            errors[field] = f"Keep it under {TEXT_MAX:,} characters."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def hazard_add(
    *,
    partnership: Partnership,
    author: Member,
    marking: Marking,
    title: str,
    category: str,
    likelihood: int | None,
    impact: int | None,
    description: str = "",
    organisations_affected: str = "",
) -> Hazard:
    _check(
        title=title,
        category=category,
        likelihood=likelihood,
        impact=impact,
        description=description,
        affected=organisations_affected,
    )
    check_new_record(author, partnership, marking)
    hazard = Hazard.objects.create(
        partnership=partnership,
        community=partnership.community,
        author=author,
        marking=marking,
        title=title.strip(),
        category=category,
        likelihood=cast(int, likelihood),  # checked above
        impact=cast(int, impact),
        description=description.strip(),
        organisations_affected=organisations_affected.strip(),
    )
    step_touch(partnership=partnership, number=5, actor=author)
    announce(hazard, author)
    return hazard


@transaction.atomic
def hazard_update(
    *,
    hazard: Hazard,
    actor: Member,
    marking: Marking,
    title: str,
    category: str,
    likelihood: int | None,
    impact: int | None,
    description: str = "",
    organisations_affected: str = "",
) -> Hazard:
    hazard = Hazard.objects.select_for_update().select_related("partnership").get(pk=hazard.pk)
    _check(
        title=title,
        category=category,
        likelihood=likelihood,
        impact=impact,
        description=description,
        affected=organisations_affected,
    )
    check_edit_record(actor, hazard.partnership, hazard)
    check_new_record(actor, hazard.partnership, marking)
    hazard.marking = marking
    hazard.title = title.strip()
    hazard.category = category
    hazard.likelihood = likelihood  # type: ignore[assignment]
    hazard.impact = impact  # type: ignore[assignment]
    hazard.description = description.strip()
    hazard.organisations_affected = organisations_affected.strip()
    hazard.save()
    return hazard
