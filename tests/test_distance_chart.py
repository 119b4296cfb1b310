"""Distance travelled: the chart geometry as tables, and the Jinja macro that draws it
with its numbers for screen readers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask, render_template_string

from caseapp.domain.distance import (
    MAX_DATE_LABELS,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    ScoreAt,
    distance_chart,
    score_y,
)

START = date(2026, 1, 5)


def scores(*values: int) -> list[ScoreAt]:
    return [ScoreAt(START + timedelta(weeks=6 * n), value) for n, value in enumerate(values)]


@pytest.mark.parametrize(
    ("score", "y"),
    [
        (0, PLOT_BOTTOM),
        (10, PLOT_TOP),
        (5, (PLOT_TOP + PLOT_BOTTOM) / 2),
        (-3, PLOT_BOTTOM),
        (12, PLOT_TOP),
    ],
)
def test_score_height(score: int, y: float) -> None:
    assert score_y(score) == pytest.approx(y, abs=0.1)


@pytest.mark.parametrize(
    ("values", "xs", "path"),
    [
        ((), [], ""),
        ((4,), [(PLOT_LEFT + PLOT_RIGHT) / 2], ""),
        ((2, 7), [PLOT_LEFT, PLOT_RIGHT], f"M {PLOT_LEFT:.1f} 107.6 L {PLOT_RIGHT:.1f} 46.6"),
        (
            (2, 4, 7),
            [PLOT_LEFT, (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_RIGHT],
            "M 28.0 107.6 L 168.0 83.2 L 308.0 46.6",
        ),
    ],
)
def test_points_and_line(values: tuple[int, ...], xs: list[float], path: str) -> None:
    chart = distance_chart(scores(*values))
    assert [point.x for point in chart.points] == pytest.approx(xs)
    assert chart.path == path


@pytest.mark.parametrize(
    ("values", "change", "first", "last"),
    [
        ((), 0, None, None),
        ((5,), 0, 5, 5),
        ((2, 4, 7), 5, 2, 7),
        ((8, 3), -5, 8, 3),
        ((6, 2, 6), 0, 6, 6),
    ],
)
def test_change_since_the_first_meeting(
    values: tuple[int, ...], change: int, first: int | None, last: int | None
) -> None:
    chart = distance_chart(scores(*values))
    assert chart.change == change
    assert (chart.first.score if chart.first else None) == first
    assert (chart.last.score if chart.last else None) == last


@pytest.mark.parametrize("count", [1, 2, 5, 6, 7, 12, 40])
def test_dates_stay_legible_with_many_meetings(count: int) -> None:
    chart = distance_chart(scores(*(n % 11 for n in range(count))))
    labelled = [index for index, point in enumerate(chart.points) if point.labelled]
    assert len(labelled) == min(count, MAX_DATE_LABELS)
    assert labelled[0] == 0 and labelled[-1] == count - 1
    xs = [point.x for point in chart.points]
    assert xs == sorted(xs)
    assert all(PLOT_LEFT <= x <= PLOT_RIGHT for x in xs)


def test_scores_are_drawn_oldest_first_whatever_order_they_come_in() -> None:
    chart = distance_chart(list(reversed(scores(1, 2, 3))))
    assert [point.score for point in chart.points] == [1, 2, 3]


def test_ticks_cover_the_whole_scale() -> None:
    ticks = distance_chart(scores(3)).ticks
    assert [tick.value for tick in ticks] == [0, 2, 4, 6, 8, 10]
    assert ticks[0].y == PLOT_BOTTOM and ticks[-1].y == PLOT_TOP


MACRO = (
    '{% from "meetings/_distance_chart.html" import distance_chart %}'
    '{{ distance_chart(chart, "c1", "outcome 1") }}'
)


def test_the_macro_draws_an_image_with_its_words_and_numbers(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(MACRO, chart=distance_chart(scores(2, 4, 7)))
    assert 'role="img"' in html
    assert 'aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c1-title">Distance travelled: outcome 1</title>' in html
    assert (
        '<desc id="c1-desc">From 2 on 5 January 2026 to 7 on 30 March 2026 over 3 meetings: '
        "up 5.</desc>"
    ) in html
    assert len(re.findall(r"<circle ", html)) == 3
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)<', html)
    assert cells == ["2", "4", "7"]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ((6,), "Scored 6 out of 10 on 5 January 2026."),
        ((8, 3), "over 2 meetings: down 5."),
        ((4, 4), "over 2 meetings: no change."),
    ],
)
def test_the_macro_says_what_the_chart_shows(
    app: Flask, values: tuple[int, ...], words: str
) -> None:
    with app.test_request_context():
        html = render_template_string(MACRO, chart=distance_chart(scores(*values)))
    assert words in html


def test_no_scores_yet(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(MACRO, chart=distance_chart([]))
    assert "Not scored at a TAF meeting yet." in html
    assert "<svg" not in html
