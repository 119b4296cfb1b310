"""The Hub queue's pure rules as tables: deadlines, stages, age bands, ages, page links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.queue_rules import (
    AgeBand,
    DeadlineState,
    QueueStage,
    age_in_years,
    birth_date_range,
    deadline_standing,
    describe_age,
    is_overdue,
    page_numbers,
    years_before,
)
from caseapp.domain.working_days import UK_TIME

OVERDUE, DUE_SOON, ON_TIME = DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.ON_TIME


def uk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


# Deadlines fall at 5pm, as working_days_deadline sets them.
@pytest.mark.parametrize(
    ("due", "now", "state", "days", "label"),
    [
        # Wednesday 25 November 2026, 5pm.
        (uk(2026, 11, 25, 17), uk(2026, 11, 23, 9), ON_TIME, 2, "Due in 2 working days"),
        (uk(2026, 11, 25, 17), uk(2026, 11, 24, 9), DUE_SOON, 1, "Due in 1 working day"),
        (uk(2026, 11, 25, 17), uk(2026, 11, 25, 8), DUE_SOON, 0, "Due today"),
        # On the stroke of the deadline it is still met.
        (uk(2026, 11, 25, 17), uk(2026, 11, 25, 17), DUE_SOON, 0, "Due today"),
        # A minute later it is late, by less than a working day.
        (uk(2026, 11, 25, 17), uk(2026, 11, 25, 17, 1), OVERDUE, 0, "Overdue"),
        (uk(2026, 11, 25, 17), uk(2026, 11, 26, 9), OVERDUE, 1, "Overdue by 1 working day"),
        (uk(2026, 11, 25, 17), uk(2026, 11, 27, 9), OVERDUE, 2, "Overdue by 2 working days"),
        # The weekend does not add to the lateness.
        (uk(2026, 11, 25, 17), uk(2026, 11, 29, 9), OVERDUE, 2, "Overdue by 2 working days"),
        (uk(2026, 11, 25, 17), uk(2026, 11, 30, 9), OVERDUE, 3, "Overdue by 3 working days"),
        # Due Monday, seen on Friday: the next working day, so due soon.
        (uk(2026, 11, 30, 17), uk(2026, 11, 27, 9), DUE_SOON, 1, "Due in 1 working day"),
        (uk(2026, 12, 1, 17), uk(2026, 11, 27, 9), ON_TIME, 2, "Due in 2 working days"),
        # Over Christmas: 25 and 28 December 2026 are bank holidays.
        (uk(2026, 12, 29, 17), uk(2026, 12, 24, 9), DUE_SOON, 1, "Due in 1 working day"),
        (uk(2026, 12, 23, 17), uk(2026, 12, 29, 9), OVERDUE, 2, "Overdue by 2 working days"),
        # Due on a Saturday (not set by the app, but possible by hand): not "due today" on
        # the Friday.
        (uk(2026, 11, 28, 12), uk(2026, 11, 27, 9), DUE_SOON, 1, "Due in 1 working day"),
        # Just after midnight in summer time it is still yesterday in UTC: days are counted
        # in UK local time, so Wednesday is 1 working day from Tuesday, not 2 from Monday.
        (uk(2026, 10, 21, 17), uk(2026, 10, 20, 0, 30), DUE_SOON, 1, "Due in 1 working day"),
    ],
)
def test_deadline_standing(
    due: datetime, now: datetime, state: DeadlineState, days: int, label: str
) -> None:
    standing = deadline_standing(due, now)
    assert (standing.state, standing.working_days, standing.label) == (state, days, label)


def test_overdue_compares_moments_not_time_zones() -> None:
    due = uk(2026, 7, 1, 17)  # 4pm UTC in summer time
    assert not is_overdue(due, due.astimezone(UTC))
    assert is_overdue(due.astimezone(UTC), datetime(2026, 7, 1, 16, 0, 1, tzinfo=UTC))
    assert is_overdue(due, due + timedelta(seconds=1))
    assert not is_overdue(due, due - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (EpisodeStatus.REQUESTED, QueueStage.DECISION),
        (EpisodeStatus.TRIAGE, QueueStage.DECISION),
        (EpisodeStatus.AWAITING_ALLOCATION, QueueStage.ALLOCATION),
    ],
)
def test_each_hub_status_has_a_stage(status: EpisodeStatus, stage: QueueStage) -> None:
    assert QueueStage.of(status) is stage
    assert status in stage.statuses


@pytest.mark.parametrize(
    "status", [EpisodeStatus.ALLOCATED, EpisodeStatus.STEPPED_UP, EpisodeStatus.CLOSED]
)
def test_statuses_outside_the_hub_have_no_stage(status: EpisodeStatus) -> None:
    with pytest.raises(ValueError, match="not in the Hub queue"):
        QueueStage.of(status)


@pytest.mark.parametrize(
    ("day", "years", "earlier"),
    [
        (date(2026, 11, 27), 5, date(2021, 11, 27)),
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2028, 2, 29), 5, date(2023, 2, 28)),
    ],
)
def test_years_before(day: date, years: int, earlier: date) -> None:
    assert years_before(day, years) == earlier


@pytest.mark.parametrize(
    ("band", "today", "earliest", "latest"),
    [
        (AgeBand.UNDER_5, date(2026, 11, 27), date(2021, 11, 28), date(2026, 11, 27)),
        (AgeBand.PRIMARY, date(2026, 11, 27), date(2015, 11, 28), date(2021, 11, 27)),
        (AgeBand.SECONDARY, date(2026, 11, 27), date(2010, 11, 28), date(2015, 11, 27)),
        (AgeBand.POST_16, date(2026, 11, 27), date(2007, 11, 28), date(2010, 11, 27)),
        # Today is 1 March in a common year: born 29 February 2016, the child turned 11
        # today, not yesterday.
        (AgeBand.PRIMARY, date(2027, 3, 1), date(2016, 3, 2), date(2022, 3, 1)),
        (AgeBand.SECONDARY, date(2027, 2, 28), date(2011, 3, 1), date(2016, 2, 28)),
    ],
)
def test_birth_date_range(band: AgeBand, today: date, earliest: date, latest: date) -> None:
    assert birth_date_range(band, today) == (earliest, latest)


@pytest.mark.parametrize("today", [date(2026, 11, 27), date(2028, 2, 29), date(2027, 3, 1)])
def test_age_bands_agree_with_age_in_years_for_every_birthday(today: date) -> None:
    """Every date of birth over 20 years falls in the band its age says, and only that one."""
    born = today - timedelta(days=20 * 366)
    while born <= today:
        age = age_in_years(born, today)
        bands = [
            band
            for band in AgeBand
            if birth_date_range(band, today)[0] <= born <= birth_date_range(band, today)[1]
        ]
        expected = [band for band in AgeBand if band.youngest <= age <= band.oldest]
        assert bands == expected, (born, age)
        born += timedelta(days=1)


@pytest.mark.parametrize(
    ("born", "today", "described"),
    [
        (date(2026, 11, 20), date(2026, 11, 27), "under 1 month"),
        (date(2026, 10, 27), date(2026, 11, 27), "1 month"),
        (date(2026, 10, 28), date(2026, 11, 27), "under 1 month"),
        (date(2025, 12, 1), date(2026, 11, 27), "11 months"),
        (date(2025, 11, 27), date(2026, 11, 27), "12 months"),
        (date(2024, 11, 28), date(2026, 11, 27), "23 months"),
        (date(2024, 11, 27), date(2026, 11, 27), "2 years"),
        (date(2010, 6, 1), date(2026, 11, 27), "16 years"),
        (date(2026, 12, 1), date(2026, 11, 27), "not born yet"),
    ],
)
def test_describe_age(born: date, today: date, described: str) -> None:
    assert describe_age(born, today) == described


@pytest.mark.parametrize(
    ("current", "last", "shown"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 5, [1, 2, None, 5]),
        (3, 5, [1, 2, 3, 4, 5]),
        (4, 10, [1, 2, 3, 4, 5, None, 10]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 9, 10]),
        (9, 10, [1, None, 8, 9, 10]),
    ],
)
def test_page_numbers(current: int, last: int, shown: list[int | None]) -> None:
    assert page_numbers(current, last) == shown
