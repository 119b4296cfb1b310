"""An open episode's deadlines and their state, as tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    deadline_state,
    episode_deadlines,
    weeks_deadline,
)
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.working_days import UK_TIME

SETTINGS = DeadlineSettings()


def uk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


HUB_DUE = uk(2026, 11, 25, 17)
# Monday 23 November 2026, mid-morning.
ALLOCATED = uk(2026, 11, 23)
NOW = uk(2026, 11, 24, 9)


@pytest.mark.parametrize(
    ("status", "hub_due_at", "allocated_at", "expected"),
    [
        (EpisodeStatus.REQUESTED, HUB_DUE, None, [(DeadlineKind.HUB_DECISION, HUB_DUE)]),
        (EpisodeStatus.TRIAGE, HUB_DUE, None, [(DeadlineKind.HUB_DECISION, HUB_DUE)]),
        (EpisodeStatus.AWAITING_ALLOCATION, HUB_DUE, None, [(DeadlineKind.ALLOCATION, HUB_DUE)]),
        # The Hub has nothing due until a deadline has been set.
        (EpisodeStatus.REQUESTED, None, None, []),
        # Allocated: the EHA in 15 working days, the first TAF in 6 weeks, soonest first.
        (
            EpisodeStatus.ALLOCATED,
            None,
            ALLOCATED,
            [
                (DeadlineKind.EHA, uk(2026, 12, 14, 17)),
                (DeadlineKind.FIRST_TAF, uk(2027, 1, 4, 17)),
            ],
        ),
        (
            EpisodeStatus.ASSESSMENT,
            None,
            ALLOCATED,
            [
                (DeadlineKind.EHA, uk(2026, 12, 14, 17)),
                (DeadlineKind.FIRST_TAF, uk(2027, 1, 4, 17)),
            ],
        ),
        # A Hub deadline left over from before allocation is no longer owed.
        (
            EpisodeStatus.ALLOCATED,
            HUB_DUE,
            ALLOCATED,
            [
                (DeadlineKind.EHA, uk(2026, 12, 14, 17)),
                (DeadlineKind.FIRST_TAF, uk(2027, 1, 4, 17)),
            ],
        ),
        # Once the plan is active the assessment and first TAF have happened.
        (EpisodeStatus.PLAN_ACTIVE, None, ALLOCATED, []),
        (EpisodeStatus.REVIEW, None, ALLOCATED, []),
        (EpisodeStatus.STEPPED_UP, None, ALLOCATED, []),
        (EpisodeStatus.CLOSED, HUB_DUE, ALLOCATED, []),
    ],
)
def test_which_deadlines_an_episode_works_to(
    status: EpisodeStatus,
    hub_due_at: datetime | None,
    allocated_at: datetime | None,
    expected: list[tuple[DeadlineKind, datetime]],
) -> None:
    deadlines = episode_deadlines(status, hub_due_at, allocated_at, SETTINGS, NOW)
    assert [(deadline.kind, deadline.due_at) for deadline in deadlines] == expected


@pytest.mark.parametrize(
    ("allocated_at", "eha_due", "first_taf_due"),
    [
        # Over Christmas: 25 and 28 December and 1 January are bank holidays in 2026-27.
        (uk(2026, 12, 14), uk(2027, 1, 7, 17), uk(2027, 1, 25, 17)),
        # Allocated after close on a Friday: the EHA clock starts on Monday.
        (uk(2026, 11, 27, 17, 30), uk(2026, 12, 21, 17), uk(2027, 1, 8, 17)),
        # Six weeks on lands on the Boxing Day substitute holiday: due the next working day.
        (uk(2026, 11, 16), uk(2026, 12, 7, 17), uk(2026, 12, 29, 17)),
        # Summer time: due at 5pm UK time, which is 4pm UTC.
        (uk(2026, 6, 1), uk(2026, 6, 22, 17), uk(2026, 7, 13, 17)),
    ],
)
def test_eha_and_first_taf_dates(
    allocated_at: datetime, eha_due: datetime, first_taf_due: datetime
) -> None:
    deadlines = episode_deadlines(
        EpisodeStatus.ALLOCATED, None, allocated_at, SETTINGS, allocated_at
    )
    due = {deadline.kind: deadline.due_at for deadline in deadlines}
    assert due == {DeadlineKind.EHA: eha_due, DeadlineKind.FIRST_TAF: first_taf_due}


def test_deadlines_follow_the_councils_settings() -> None:
    settings = DeadlineSettings(eha_working_days=10, first_taf_weeks=4)
    deadlines = episode_deadlines(EpisodeStatus.ALLOCATED, None, ALLOCATED, settings, NOW)
    due = {deadline.kind: deadline.due_at for deadline in deadlines}
    assert due == {
        DeadlineKind.EHA: uk(2026, 12, 7, 17),
        DeadlineKind.FIRST_TAF: uk(2026, 12, 21, 17),
    }


def test_weeks_deadline_counts_from_the_uk_calendar_day() -> None:
    # 23:30 UTC on a Sunday is already Monday in British Summer Time.
    late_sunday_utc = datetime(2026, 6, 7, 23, 30, tzinfo=UTC)
    assert weeks_deadline(late_sunday_utc, 1, SETTINGS) == uk(2026, 6, 15, 17)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        # Due at close on Wednesday 25 November 2026.
        (uk(2026, 11, 25, 17, 1), DeadlineState.OVERDUE),
        (uk(2026, 11, 30, 9), DeadlineState.OVERDUE),
        (uk(2026, 11, 25, 17, 0), DeadlineState.DUE_SOON),
        (uk(2026, 11, 25, 9), DeadlineState.DUE_SOON),
        (uk(2026, 11, 23, 9), DeadlineState.DUE_SOON),
        # Friday before: three working days left.
        (uk(2026, 11, 20, 9), DeadlineState.OK),
        # The weekend before: Saturday and Sunday do not count, so still three left.
        (uk(2026, 11, 21, 9), DeadlineState.OK),
        (uk(2026, 11, 22, 9), DeadlineState.OK),
    ],
)
def test_deadline_state(now: datetime, state: DeadlineState) -> None:
    assert deadline_state(HUB_DUE, now) is state


def test_due_soon_skips_weekends_and_bank_holidays() -> None:
    # Due Tuesday 29 December 2026; from Thursday 24th only the 29th is a working day.
    due = uk(2026, 12, 29, 17)
    assert deadline_state(due, uk(2026, 12, 24, 9)) is DeadlineState.DUE_SOON
    assert deadline_state(due, uk(2026, 12, 22, 9)) is DeadlineState.OK


def test_each_deadline_carries_its_state() -> None:
    deadlines = episode_deadlines(
        EpisodeStatus.REQUESTED, HUB_DUE, None, SETTINGS, uk(2026, 11, 26, 9)
    )
    assert [deadline.state for deadline in deadlines] == [DeadlineState.OVERDUE]
    assert deadlines[0].overdue
