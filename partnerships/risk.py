"""The risk matrix as a picture: a 5 by 5 grid of likelihood (across) by impact (up), each cell coloured by
its score (likelihood times impact), each hazard a numbered point in its cell. Pure geometry for the template,
which draws the SVG on the server (no script), with a table equivalent beside it."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from partnerships.models import SCORE_MAX, Hazard

CELL = 64
MARGIN_LEFT = 72
MARGIN_TOP = 16
MARGIN_BOTTOM = 56
SIZE = CELL * SCORE_MAX
WIDTH = MARGIN_LEFT + SIZE + 16
HEIGHT = MARGIN_TOP + SIZE + MARGIN_BOTTOM

# (highest score, level, fill): low, moderate, high, extreme. Text on them is dark, contrast above 4.5:1.
LEVELS = ((4, "Low", "#b7e1b0"), (9, "Moderate", "#fbe38e"), (16, "High", "#f7b267"), (25, "Extreme", "#f08080"))


def level_of(score: int) -> tuple[str, str]:
    for highest, level, fill in LEVELS:
        if score <= highest:
            return level, fill
    return LEVELS[-1][1], LEVELS[-1][2]


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    x: int
    y: int
    fill: str
    level: str

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class Point:
    number: int
    hazard: Hazard
    x: int
    y: int

    @property
    def level(self) -> str:
        return level_of(self.hazard.likelihood * self.hazard.impact)[0]


@dataclass(frozen=True)
class Matrix:
    cells: list[Cell]
    points: list[Point]
    x_ticks: list[tuple[int, int, int]]  # (likelihood, x, y) of the axis labels
    y_ticks: list[tuple[int, int, int]]  # (impact, x, y)
    width: int = WIDTH
    height: int = HEIGHT
    cell: int = CELL
    left: int = MARGIN_LEFT
    top: int = MARGIN_TOP
    size: int = SIZE

    @property
    def bottom(self) -> int:
        return self.top + self.size

    @property
    def x_title(self) -> tuple[int, int]:
        return self.left + self.size // 2, self.bottom + 40

    @property
    def y_title(self) -> tuple[int, int]:
        return 18, self.top + self.size // 2


def _cell_origin(likelihood: int, impact: int) -> tuple[int, int]:
    return MARGIN_LEFT + (likelihood - 1) * CELL, MARGIN_TOP + (SCORE_MAX - impact) * CELL


def risk_matrix(hazards: Iterable[Hazard]) -> Matrix:
    """The grid and the hazards' points, numbered in the order given (the table uses the same numbers);
    hazards sharing a cell sit side by side, up to three to a row."""
    cells = []
    for impact in range(SCORE_MAX, 0, -1):
        for likelihood in range(1, SCORE_MAX + 1):
            x, y = _cell_origin(likelihood, impact)
            level, fill = level_of(likelihood * impact)
            cells.append(Cell(likelihood, impact, x, y, fill, level))
    shared: dict[tuple[int, int], list[tuple[int, Hazard]]] = defaultdict(list)
    for number, hazard in enumerate(hazards, start=1):
        shared[(hazard.likelihood, hazard.impact)].append((number, hazard))
    points = []
    for (likelihood, impact), members in shared.items():
        x0, y0 = _cell_origin(likelihood, impact)
        for index, (number, hazard) in enumerate(members):
            column, row = index % 3, index // 3
            points.append(Point(number, hazard, x0 + 12 + column * 20, y0 + 14 + row * 20))
    points.sort(key=lambda point: point.number)
    scores = range(1, SCORE_MAX + 1)
    x_ticks = [(score, MARGIN_LEFT + (score - 1) * CELL + CELL // 2, MARGIN_TOP + SIZE + 18) for score in scores]
    y_ticks = [(score, MARGIN_LEFT - 10, MARGIN_TOP + (SCORE_MAX - score) * CELL + CELL // 2 + 4) for score in scores]
    return Matrix(cells=cells, points=points, x_ticks=x_ticks, y_ticks=y_ticks)
