"""The resource inventory as CSV: reading an import (each row checked like the form, every error reported by
line) and writing an export that carries its marking in its first and last lines."""

import csv
import io
from collections.abc import Iterable

from django import forms

from partnerships.models import Availability, Resource, ResourceCategory, ResourceKind, ResourceType
from partnerships.services.inventory import RESOURCE_FIELDS, ImportRow
from verification.models import Marking

COLUMNS = (*RESOURCE_FIELDS, "marking")
# A cell a spreadsheet would run as a formula is written with a leading apostrophe, and read back without it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _uncell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


REQUIRED_COLUMNS = ("name", "category", "kind", "location", "owner_organisation", "hours_to_deploy")
MAX_ROWS = 2_000


def _choice_by_value_or_label(choices: type, value: str) -> str:
    """CSV columns take a choice's value ("ems") or its label ("Emergency medical services")."""
    wanted = value.strip().lower()
    for choice_value, label in choices.choices:  # type: ignore[attr-defined]
        if wanted in (str(choice_value).lower(), str(label).lower()):
            return str(choice_value)
    return value.strip()


class ResourceRowForm(forms.ModelForm):  # type: ignore[type-arg]
    marking = forms.CharField(required=False)

    class Meta:
        model = Resource
        fields = RESOURCE_FIELDS

    def clean_marking(self) -> str:
        return str(self.cleaned_data.get("marking") or "").strip().lower()


def _normalised(row: dict[str, str]) -> dict[str, str]:
    data = {key: _uncell((value or "").strip()) for key, value in row.items() if key}
    for field, choices in (
        ("category", ResourceCategory),
        ("kind", ResourceKind),
        ("resource_type", ResourceType),
        ("availability", Availability),
    ):
        if data.get(field):
            data[field] = _choice_by_value_or_label(choices, data[field])
    data.setdefault("quantity", "1")
    if not data.get("quantity"):
        data["quantity"] = "1"
    if not data.get("resource_type"):
        data["resource_type"] = ResourceType.UNTYPED
    if not data.get("availability"):
        data["availability"] = Availability.AVAILABLE
    return data


def read_rows(text: str, *, default_marking: Marking) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """The rows of a CSV, cleaned; and the errors, each with the line it is on. Lines starting with ``#``
    (an export's marking lines) are skipped."""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        return [], [(1, f"The header lacks the columns {', '.join(missing)} (expected: {', '.join(COLUMNS)}).")]
    reader.fieldnames = header
    markings = {marking.slug: marking for marking in Marking.objects.all()}
    rows: list[ImportRow] = []
    errors: list[tuple[int, str]] = []
    for index, raw in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            errors.append((line, f"Import at most {MAX_ROWS:,} rows at a time."))
            break
        if None in raw:
            errors.append((line, "This row has more cells than the header has columns."))
            continue
        form = ResourceRowForm(_normalised(raw))
        if not form.is_valid():
            problems = [f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items()]
            errors.append((line, "; ".join(problems)))
            continue
        slug = form.cleaned_data["marking"]
        marking = markings.get(slug) if slug else default_marking
        if marking is None:
            errors.append((line, f"marking: no marking called “{slug}” (known: {', '.join(sorted(markings))})."))
            continue
        data = {field: form.cleaned_data[field] for field in RESOURCE_FIELDS}
        rows.append(ImportRow(line=line, marking=marking, data=data))
    return rows, errors


def write_resources(resources: Iterable[Resource], *, marking: Marking, title: str) -> str:
    """The resources as CSV: the marking in the first lines and the last, then a header and a row each."""
    out = io.StringIO()
    out.write(f"# {marking.banner_text}\n")
    out.write(f"# {title}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for resource in resources:
        writer.writerow(
            [
                *(_cell(getattr(resource, field)) for field in RESOURCE_FIELDS),
                resource.marking.slug,
            ]
        )
    out.write(f"# {marking.banner_text}\n")
    return out.getvalue()
