"""The geometry of the manager's view's bar charts, and the months they run over.

Pure: a chart is a list of (label, value) pairs in, rectangles and axis ticks out, so the
template only draws what it is given and the arithmetic is tested as a table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import floor, log10

# The SVG's drawing space; the browser scales it to the width of its column.
CHART_WIDTH = 480
CHART_HEIGHT = 240
# Room for the value axis on the left and the bar labels underneath.
PLOT_LEFT = 40
PLOT_TOP = 16
LABEL_SPACE = 80
# Bar labels wrap onto lines of about this many characters, at most LABEL_LINES lines.
LABEL_LINE_CHARACTERS = 11
LABEL_LINES = 4
# The share of each bar's slot left empty between bars.
GAP_SHARE = 0.25


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    # The label as the lines drawn under the bar.
    lines: tuple[str, ...]

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    label_y: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (1 for nothing), so
    the axis reads in round numbers."""
    if value <= 1:
        return 1
    power = 10 ** floor(log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    raise AssertionError("unreachable: 10 * power always covers value")


def wrap_label(
    label: str, width: int = LABEL_LINE_CHARACTERS, most: int = LABEL_LINES
) -> tuple[str, ...]:
    """`label` in lines of about `width` characters, breaking between words; the last
    line ends in an ellipsis if the label needs more than `most` lines (the table beside
    the chart always has it in full)."""
    lines: list[str] = []
    # A slash is a place to break too: "Statutory/Specialist" is one word otherwise.
    for word in re.findall(r"[^\s/]+/?|/", label):
        joiner = "" if lines and lines[-1].endswith("/") else " "
        if lines and len(lines[-1]) + len(joiner) + len(word) <= width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1] + "…"]
    return tuple(lines)


def tick_intervals(top: float) -> int:
    """How many steps the value axis takes to `top` (a nice_ceiling), so each tick is a
    round number: 0, 5, 10; 0, 1, 2; 0, 1, 2, 3, 4, 5."""
    if top <= 1:
        return 1
    leading = round(top / 10 ** floor(log10(top)))
    return 5 if leading == 5 else 2


def bar_chart(
    series: Sequence[tuple[str, float]],
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    label_width: int = LABEL_LINE_CHARACTERS,
) -> BarChart:
    """Bars for `series`, left to right, scaled to a round maximum; negative values are
    drawn as zero (counts and durations never are). Labels wrap at `label_width`."""
    baseline = height - LABEL_SPACE
    plot_height = baseline - PLOT_TOP
    top = nice_ceiling(max((value for _, value in series), default=0))
    slot = (width - PLOT_LEFT) / max(len(series), 1)
    bar_width = slot * (1 - GAP_SHARE)
    bars = []
    for index, (label, value) in enumerate(series):
        bar_height = max(value, 0) / top * plot_height
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(PLOT_LEFT + index * slot + (slot - bar_width) / 2, 2),
                y=round(baseline - bar_height, 2),
                width=round(bar_width, 2),
                height=round(bar_height, 2),
                lines=wrap_label(label, label_width),
            )
        )
    intervals = tick_intervals(top)
    ticks = tuple(
        Tick(value=top * step / intervals, y=round(baseline - plot_height * step / intervals, 2))
        for step in range(intervals + 1)
    )
    return BarChart(
        width=width,
        height=height,
        plot_left=PLOT_LEFT,
        plot_right=width,
        baseline=baseline,
        label_y=baseline + 18,
        bars=tuple(bars),
        ticks=ticks,
    )


def figure_text(value: float) -> str:
    """A figure as the charts write it: thousands separated, and a measure (a float, such
    as a median) to one decimal place without a trailing ".0"; 1,234 and 2.5 and 3."""
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def month_keys(today: date, count: int = 12) -> tuple[str, ...]:
    """The `count` calendar months up to and including today's, oldest first, as
    'YYYY-MM' (the form the database groups by)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(months))


def month_start(key: str) -> date:
    """The first day of the month `key` ('YYYY-MM'); ValueError if it is not one."""
    year, _, month = key.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError(f"not a month: {key!r}")
    return date(int(year), int(month), 1)


def month_label(key: str) -> str:
    """'2026-11' as 'Nov 2026'."""
    return f"{month_start(key):%b %Y}"
