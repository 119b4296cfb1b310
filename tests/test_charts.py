"""The bar charts' geometry and the months they run over, as tables."""

from __future__ import annotations

from datetime import date

import pytest

from caseapp.domain.charts import (
    CHART_HEIGHT,
    LABEL_SPACE,
    PLOT_LEFT,
    PLOT_TOP,
    bar_chart,
    figure_text,
    month_keys,
    month_label,
    month_start,
    nice_ceiling,
    wrap_label,
)

BASELINE = CHART_HEIGHT - LABEL_SPACE
PLOT_HEIGHT = BASELINE - PLOT_TOP


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        (0.4, 1),
        (1, 1),
        (1.5, 2),
        (2, 2),
        (3, 5),
        (7, 10),
        (10, 10),
        (11, 20),
        (99, 100),
        (101, 200),
        (430, 500),
        (5001, 10000),
    ],
)
def test_the_axis_tops_out_at_a_round_number(value: float, expected: float) -> None:
    assert nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("series", "heights"),
    [
        ([("a", 10), ("b", 5), ("c", 0)], [PLOT_HEIGHT, PLOT_HEIGHT / 2, 0]),
        ([("a", 3), ("b", 4)], [PLOT_HEIGHT * 3 / 5, PLOT_HEIGHT * 4 / 5]),
        ([("a", 0), ("b", 0)], [0, 0]),
        ([("a", -2)], [0]),
        ([("a", 1.5)], [PLOT_HEIGHT * 1.5 / 2]),
    ],
)
def test_bars_are_scaled_to_the_round_maximum_and_stand_on_the_baseline(
    series: list[tuple[str, float]], heights: list[float]
) -> None:
    chart = bar_chart(series)
    assert [bar.height for bar in chart.bars] == [round(height, 2) for height in heights]
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(BASELINE)
    assert chart.baseline == BASELINE


@pytest.mark.parametrize("count", [1, 2, 5, 12])
def test_bars_fill_the_plot_left_to_right_without_overlapping(count: int) -> None:
    chart = bar_chart([(str(number), number) for number in range(count)], width=480)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert chart.bars[0].x >= PLOT_LEFT
    assert chart.bars[-1].x + chart.bars[-1].width <= 480
    for left, right in zip(chart.bars, chart.bars[1:], strict=False):
        assert left.x + left.width < right.x


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (4, [0, 1, 2, 3, 4, 5]),
        (7, [0, 5, 10]),
        (20, [0, 10, 20]),
        (45, [0, 10, 20, 30, 40, 50]),
        (0.4, [0, 1]),
    ],
)
def test_ticks_are_round_numbers(top: float, ticks: list[float]) -> None:
    assert [tick.value for tick in bar_chart([("a", top)]).ticks] == ticks


def test_ticks_run_from_zero_at_the_baseline_to_the_top() -> None:
    chart = bar_chart([("a", 7)])
    assert chart.ticks[0].y == BASELINE
    assert chart.ticks[-1].y == PLOT_TOP


@pytest.mark.parametrize(
    ("series", "empty"), [([], True), ([("a", 0)], True), ([("a", 0), ("b", 1)], False)]
)
def test_a_chart_of_nothing_says_so(series: list[tuple[str, float]], empty: bool) -> None:
    assert bar_chart(series).empty is empty


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("Nov 2026", ("Nov 2026",)),
        ("Targeted early help", ("Targeted", "early help")),
        ("No TAF meeting by its review date", ("No TAF", "meeting by", "its review", "date")),
        (
            "Early Help Assessment overdue and more words than fit",
            ("Early Help", "Assessment", "overdue and", "more words…"),
        ),
        ("Extraordinarilylongword", ("Extraordinarilylongword",)),
        ("Statutory/Specialist", ("Statutory/", "Specialist")),
        ("A/B level", ("A/B level",)),
        ("", ()),
    ],
)
def test_labels_wrap_between_words(label: str, lines: tuple[str, ...]) -> None:
    assert wrap_label(label) == lines


def test_month_labels_put_the_year_underneath() -> None:
    assert wrap_label("Nov 2026", 4) == ("Nov", "2026")


@pytest.mark.parametrize(
    ("today", "count", "expected"),
    [
        (date(2026, 11, 27), 3, ("2026-09", "2026-10", "2026-11")),
        (date(2026, 2, 1), 3, ("2025-12", "2026-01", "2026-02")),
        (date(2026, 1, 31), 1, ("2026-01",)),
    ],
)
def test_months_run_oldest_first_up_to_this_month(
    today: date, count: int, expected: tuple[str, ...]
) -> None:
    assert month_keys(today, count) == expected


def test_twelve_months_span_a_year() -> None:
    months = month_keys(date(2026, 11, 27))
    assert len(months) == 12
    assert months[0] == "2025-12"
    assert months[-1] == "2026-11"


@pytest.mark.parametrize(
    ("key", "start", "label"),
    [("2026-11", date(2026, 11, 1), "Nov 2026"), ("2025-01", date(2025, 1, 1), "Jan 2025")],
)
def test_month_keys_read_back(key: str, start: date, label: str) -> None:
    assert month_start(key) == start
    assert month_label(key) == label


@pytest.mark.parametrize("key", ["", "2026", "2026-1", "26-11", "2026-13", "abcd-ef", "2026/11"])
def test_anything_else_is_not_a_month(key: str) -> None:
    with pytest.raises(ValueError):
        month_start(key)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (1234, "1,234"), (2.5, "2.5"), (3.0, "3"), (12.04, "12"), (1234.56, "1,234.6")],
)
def test_figures_are_written_with_separators_and_at_most_one_decimal(
    value: float, text: str
) -> None:
    assert figure_text(value) == text
