"""Working-day arithmetic for deadlines: weekends and England and Wales bank holidays.

Deadlines are due at the end of a working day in UK local time, so a request received at
10:00 on Monday with two working days to decide is due at close on Wednesday.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

UK_TIME = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; "ENG" includes substitute days.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@lru_cache(maxsize=64)
def _weekday_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    """The bank holidays from `first_year` to `last_year` that fall on a weekday, in order."""
    return tuple(
        sorted(
            holiday
            for year in range(first_year, last_year + 1)
            for holiday in _bank_holidays(year)
            if holiday.weekday() < 5
        )
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The working day `count` working days after `start` (`start` itself if count is 0)."""
    day = start
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative if `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    # Counted, not walked day by day: a caseload lists deadlines years overdue, and a
    # walk per deadline cost most of the page's time.
    weeks, extra = divmod((end - start).days, 7)
    first = start.weekday()
    weekdays = weeks * 5 + sum((first + offset) % 7 < 5 for offset in range(1, extra + 1))
    holidays = _weekday_holidays(start.year, end.year)
    return weekdays - (bisect_right(holidays, end) - bisect_right(holidays, start))


def clock_start_day(received_at: datetime, day_ends: time) -> date:
    """The working day a deadline counts from: receipt after hours or on a day off moves
    it to the next working day."""
    local = received_at.astimezone(UK_TIME)
    day = local.date()
    if not is_working_day(day) or local.time() >= day_ends:
        return next_working_day(day)
    return day


def end_of_working_day(day: date, day_ends: time) -> datetime:
    return datetime.combine(day, day_ends, tzinfo=UK_TIME).astimezone(UTC)


def working_days_deadline(received_at: datetime, count: int, day_ends: time) -> datetime:
    """When something received at `received_at` with `count` working days is due (UTC)."""
    due_day = add_working_days(clock_start_day(received_at, day_ends), count)
    return end_of_working_day(due_day, day_ends)
