"""Working-day deadlines as a table: weekends, bank holidays and late receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from caseapp.domain.working_days import (
    UK_TIME,
    add_working_days,
    clock_start_day,
    is_working_day,
    working_days_between,
    working_days_deadline,
)

DAY_ENDS = time(17, 0)


def uk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day observed (26th is a Saturday)
        (date(2027, 3, 26), False),  # Good Friday 2027
        (date(2027, 3, 29), False),  # Easter Monday 2027
        (date(2026, 8, 31), False),  # Late Summer Bank Holiday
        (date(2026, 3, 17), True),  # St Patrick's Day is not an England and Wales holiday
        (date(2026, 11, 30), True),  # St Andrew's Day is Scottish only
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # An ordinary weekday morning: two working days later, at close.
        (uk(2026, 11, 23), 2, uk(2026, 11, 25, 17)),
        # Friday morning: over the weekend.
        (uk(2026, 11, 27), 2, uk(2026, 12, 1, 17)),
        # Friday after close counts from Monday.
        (uk(2026, 11, 27, 17, 0), 2, uk(2026, 12, 2, 17)),
        (uk(2026, 11, 27, 16, 59), 2, uk(2026, 12, 1, 17)),
        # Late on a Wednesday.
        (uk(2026, 11, 25, 18, 30), 2, uk(2026, 11, 30, 17)),
        # Received on a Saturday: the clock starts on Monday.
        (uk(2026, 11, 28, 9), 2, uk(2026, 12, 2, 17)),
        # Christmas: 24th (Thu) morning; 25th and 28th are bank holidays, 26-27 a weekend.
        (uk(2026, 12, 24), 2, uk(2026, 12, 30, 17)),
        # Easter 2027: Thursday before Good Friday.
        (uk(2027, 3, 25), 1, uk(2027, 3, 30, 17)),
        # Step-up decision within one working day.
        (uk(2026, 11, 23, 11), 1, uk(2026, 11, 24, 17)),
        # Zero days: due at close on the day the clock starts.
        (uk(2026, 11, 23, 11), 0, uk(2026, 11, 23, 17)),
        # EHA: 15 working days after allocation, across the late summer bank holiday.
        (uk(2026, 8, 24), 15, uk(2026, 9, 15, 17)),
        # British Summer Time ends on 25 October 2026; deadlines stay at 17:00 local.
        (uk(2026, 10, 23), 2, uk(2026, 10, 27, 17)),
    ],
)
def test_working_days_deadline(received: datetime, days: int, due: datetime) -> None:
    result = working_days_deadline(received.astimezone(UTC), days, DAY_ENDS)
    assert result == due
    assert result.tzinfo is UTC


def test_late_receipt_uses_uk_time_not_utc() -> None:
    # 16:30 UTC in summer is 17:30 in the UK: after close.
    received = datetime(2026, 6, 15, 16, 30, tzinfo=UTC)
    assert clock_start_day(received, DAY_ENDS) == date(2026, 6, 16)
    # 16:30 UTC in winter is 16:30 in the UK: still the same day.
    received = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    assert clock_start_day(received, DAY_ENDS) == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("start", "count", "end"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
        (date(2026, 12, 23), 3, date(2026, 12, 30)),
    ],
)
def test_add_working_days(start: date, count: int, end: date) -> None:
    assert add_working_days(start, count) == end
    assert working_days_between(start, end) == count
    assert working_days_between(end, start) == -count


def test_working_days_between_counts_as_a_day_by_day_walk_would() -> None:
    # Counted arithmetically for speed; checked against walking every day, across
    # weekends, bank holidays and year ends, in both directions.
    def walked(start: date, end: date) -> int:
        days = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
        return sum(is_working_day(day) for day in days)

    start = date(2025, 12, 20)
    for first in (start + timedelta(days=n) for n in range(0, 400, 3)):
        for length in (0, 1, 2, 5, 6, 7, 13, 40, 370, 800):
            last = first + timedelta(days=length)
            assert working_days_between(first, last) == walked(first, last), (first, last)
            assert working_days_between(last, first) == -walked(first, last)
