"""What an entry is about besides its text (sectors, time windows, hazards, a case's place and date, tags):
one value kept with every revision and every proposed edit, so "nothing changed" and reverts cover it too."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from blueprint.models import Entry, Hazard, Sector, Window


@dataclass(frozen=True)
class Facets:
    """What an entry is about, besides its text: kept with every revision and every proposed edit."""

    sectors: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()  # slugs
    place: str = ""
    occurred_on: date | None = None
    tags: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, entry: Entry) -> "Facets":
        return cls(
            sectors=tuple(entry.sectors),
            windows=tuple(entry.windows),
            hazards=tuple(sorted(hazard.slug for hazard in entry.hazards.all())),
            place=entry.place,
            occurred_on=entry.occurred_on,
            tags=tuple(sorted(tag.name for tag in entry.tags.all())),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Facets":
        occurred = data.get("occurred_on") or None
        return cls(
            sectors=tuple(data.get("sectors", ())),
            windows=tuple(data.get("windows", ())),
            hazards=tuple(data.get("hazards", ())),
            place=str(data.get("place", "")),
            occurred_on=date.fromisoformat(occurred) if occurred else None,
            tags=tuple(data.get("tags", ())),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "sectors": list(self.sectors),
            "windows": list(self.windows),
            "hazards": list(self.hazards),
            "place": self.place,
            "occurred_on": self.occurred_on.isoformat() if self.occurred_on else "",
            "tags": list(self.tags),
        }


def facets_from(
    *,
    sectors: Iterable[str] = (),
    windows: Iterable[str] = (),
    hazards: Iterable[Hazard | str] = (),
    place: str = "",
    occurred_on: date | None = None,
    tags: Iterable[str] = (),
) -> Facets:
    """Facets from what a form or a seed gives, in a stable order (so "nothing changed" can be told)."""
    return Facets(
        sectors=tuple(sector for sector in Sector.values if sector in set(sectors)),
        windows=tuple(window for window in Window.values if window in set(windows)),
        hazards=tuple(sorted({hazard.slug if isinstance(hazard, Hazard) else hazard for hazard in hazards})),
        place=place.strip(),
        occurred_on=occurred_on,
        tags=tuple(sorted({tag.strip() for tag in tags if tag.strip()})),
    )
