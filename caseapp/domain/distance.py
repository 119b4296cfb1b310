"""Distance travelled: one outcome's 0-10 progress scores across TAF meetings, as the
geometry of a small line chart (points, the line through them, axis ticks and labels).

Meetings are spaced evenly along the x axis, in the order they were held: a review that
came late is still the next review, and even spacing keeps a long plan readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from caseapp.domain.meetings import SCORE_MAX, SCORE_MIN

CHART_WIDTH = 320
CHART_HEIGHT = 160
# Room for the score labels on the left and the dates underneath.
PLOT_LEFT = 28
PLOT_RIGHT = CHART_WIDTH - 12
PLOT_TOP = 10
PLOT_BOTTOM = CHART_HEIGHT - 28
# Dates under the axis stay legible: at most this many, evenly spread, always the last.
MAX_DATE_LABELS = 6
TICK_VALUES = (0, 2, 4, 6, 8, 10)


@dataclass(frozen=True)
class ScoreAt:
    """A score given at a meeting held on `on`."""

    on: date
    score: int


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    on: date
    score: int
    # Whether the date is written under this point.
    labelled: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DistanceChart:
    points: tuple[ChartPoint, ...]
    # An SVG path through the points ("" with fewer than two).
    path: str
    ticks: tuple[Tick, ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM

    @property
    def first(self) -> ChartPoint | None:
        return self.points[0] if self.points else None

    @property
    def last(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> int:
        """Points gained (or lost, if negative) since the first score."""
        if not self.points:
            return 0
        return self.points[-1].score - self.points[0].score


def score_y(score: int) -> float:
    """The height of a score: 0 on the axis, 10 at the top."""
    clamped = min(max(score, SCORE_MIN), SCORE_MAX)
    span = PLOT_BOTTOM - PLOT_TOP
    return round(PLOT_BOTTOM - span * (clamped - SCORE_MIN) / (SCORE_MAX - SCORE_MIN), 1)


def _x_positions(count: int) -> list[float]:
    if count == 1:
        return [round((PLOT_LEFT + PLOT_RIGHT) / 2, 1)]
    step = (PLOT_RIGHT - PLOT_LEFT) / (count - 1)
    return [round(PLOT_LEFT + step * index, 1) for index in range(count)]


def _labelled_indexes(count: int) -> set[int]:
    if count <= MAX_DATE_LABELS:
        return set(range(count))
    # Evenly spread from the first meeting to the latest, the one people look for.
    last = count - 1
    return {round(slot * last / (MAX_DATE_LABELS - 1)) for slot in range(MAX_DATE_LABELS)}


def distance_chart(scores: Sequence[ScoreAt]) -> DistanceChart:
    """The chart of `scores`, oldest first; any number of meetings, including none."""
    ordered = sorted(scores, key=lambda entry: entry.on)
    labelled = _labelled_indexes(len(ordered))
    points = tuple(
        ChartPoint(
            x=x, y=score_y(entry.score), on=entry.on, score=entry.score, labelled=index in labelled
        )
        for index, (x, entry) in enumerate(zip(_x_positions(len(ordered)), ordered, strict=True))
    )
    path = "M " + " L ".join(f"{point.x} {point.y}" for point in points) if len(points) > 1 else ""
    ticks = tuple(Tick(y=score_y(value), value=value) for value in TICK_VALUES)
    return DistanceChart(points=points, path=path, ticks=ticks)
