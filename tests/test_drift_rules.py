"""The drift rules' cut-off moments agree with the deadlines they turn round, at every
start time around them: tables over weekends, bank holidays, close of business and the
clocks changing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import close_of_day, weeks_deadline
from caseapp.domain.drift import (
    LONG_EPISODE_MONTHS,
    NO_CONTACT_DAYS,
    DriftKind,
    close_of_day_cutoff,
    drift_cutoffs,
    months_before,
    oversight_since,
    uk_midnight,
    weeks_cutoff,
    working_days_cutoff,
)
from caseapp.domain.working_days import UK_TIME, working_days_deadline

SETTINGS = DeadlineSettings()

NOWS = [
    # A Friday afternoon, a Monday morning after a bank holiday weekend, a Saturday, the
    # Tuesday after Easter, just after close of business, and the day the clocks go back.
    datetime(2026, 11, 27, 14, 0, tzinfo=UTC),
    datetime(2026, 5, 5, 8, 0, tzinfo=UTC),
    datetime(2026, 8, 29, 12, 0, tzinfo=UTC),
    datetime(2026, 4, 7, 16, 30, tzinfo=UTC),
    datetime(2026, 11, 27, 17, 0, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
    datetime(2026, 12, 29, 10, 0, tzinfo=UTC),
]


def _starts_around(moment: datetime, days: int) -> list[datetime]:
    """Every half hour for `days` days either side of `moment`."""
    start = moment - timedelta(days=days)
    return [start + timedelta(minutes=30 * step) for step in range(days * 2 * 48)]


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("count", [0, 1, 5, 15])
def test_working_days_cutoff_agrees_with_the_deadline(now: datetime, count: int) -> None:
    cutoff = working_days_cutoff(count, SETTINGS, now)
    for start in _starts_around(cutoff, 6):
        overdue = now > working_days_deadline(start, count, SETTINGS.working_day_ends)
        assert (start < cutoff) is overdue, (start, cutoff)


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("weeks", [1, 6])
def test_weeks_cutoff_agrees_with_the_deadline(now: datetime, weeks: int) -> None:
    cutoff = weeks_cutoff(weeks, SETTINGS, now)
    for start in _starts_around(cutoff, 6):
        overdue = now > weeks_deadline(start, weeks, SETTINGS)
        assert (start < cutoff) is overdue, (start, cutoff)


@pytest.mark.parametrize("now", NOWS)
def test_agreed_date_cutoff_agrees_with_close_of_day(now: datetime) -> None:
    cutoff = close_of_day_cutoff(SETTINGS, now)
    for offset in range(-10, 11):
        day = cutoff + timedelta(days=offset)
        assert (day < cutoff) is (now > close_of_day(day, SETTINGS)), day


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 27, 12, tzinfo=UTC), datetime(2025, 11, 27, 12, tzinfo=UTC)),
        # 29 February has no twin a year later or earlier: the last day of February.
        (datetime(2028, 2, 29, 12, tzinfo=UTC), datetime(2027, 2, 28, 12, tzinfo=UTC)),
        # Summer time now, winter time then: the same local time of day.
        (datetime(2026, 7, 1, 11, tzinfo=UTC), datetime(2025, 7, 1, 11, tzinfo=UTC)),
    ],
)
def test_open_over_a_year_counts_back_twelve_months(now: datetime, expected: datetime) -> None:
    assert months_before(now, LONG_EPISODE_MONTHS) == expected


@pytest.mark.parametrize(
    ("months", "expected"),
    # 10:00 in England on 31 March (summer time) is 10:00 on the 28th of February too.
    [(1, datetime(2026, 2, 28, 10, tzinfo=UTC)), (13, datetime(2025, 2, 28, 10, tzinfo=UTC))],
)
def test_months_before_keeps_to_the_end_of_a_short_month(months: int, expected: datetime) -> None:
    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), months) == expected


def test_the_cutoffs_at_one_moment() -> None:
    now = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    cutoffs = drift_cutoffs(SETTINGS, now)
    assert cutoffs.today == date(2026, 11, 27)
    assert cutoffs.actions_due_before == date(2026, 11, 27)
    assert cutoffs.contact_since == date(2026, 11, 27) - timedelta(days=NO_CONTACT_DAYS)
    assert cutoffs.contact_allocated_before == uk_midnight(cutoffs.contact_since)
    # Allocated on Thursday 5 November before close: 15 working days ran out yesterday.
    assert cutoffs.eha_allocated_before == datetime(2026, 11, 5, 17, 0, tzinfo=UTC)
    # Held on 15 October: six weeks ran out at close yesterday; 16 October's runs today.
    assert cutoffs.last_taf_before == uk_midnight(date(2026, 10, 16))
    assert cutoffs.first_taf_allocated_before == cutoffs.last_taf_before
    assert cutoffs.agreed_review_before == date(2026, 11, 27)
    assert cutoffs.opened_before == datetime(2025, 11, 27, 14, 0, tzinfo=UTC)


def test_uk_midnight_is_local_midnight_in_summer_and_winter() -> None:
    assert uk_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert uk_midnight(date(2026, 12, 1)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert uk_midnight(date(2026, 12, 1)).astimezone(UK_TIME).time() == time(0)


@pytest.mark.parametrize(("days", "expected"), [(90, date(2026, 8, 29)), (0, date(2026, 11, 27))])
def test_oversight_is_due_after_the_configured_days(days: int, expected: date) -> None:
    settings = DeadlineSettings(oversight_days=days)
    assert oversight_since(settings, datetime(2026, 11, 27, 14, tzinfo=UTC)) == expected


def test_every_kind_of_drift_has_words() -> None:
    assert [kind.label for kind in DriftKind] == [
        "No TAF meeting by its review date",
        "Early Help Assessment overdue",
        "Plan actions overdue",
        "No contact in 4 weeks",
        "Open over 12 months",
    ]
