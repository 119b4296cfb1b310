"""An open episode's deadlines, their state and how overdue they are, as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    EpisodeFacts,
    deadline_state,
    episode_deadlines,
    make_deadline,
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


EHA_DUE = uk(2026, 12, 14, 17)
FIRST_TAF_DUE = uk(2027, 1, 4, 17)
ALLOCATED_ONLY = [(DeadlineKind.EHA, EHA_DUE), (DeadlineKind.FIRST_TAF, FIRST_TAF_DUE)]


@pytest.mark.parametrize(
    ("status", "hub_due_at", "allocated_at", "expected"),
    [
        (EpisodeStatus.REQUESTED, HUB_DUE, None, [(DeadlineKind.HUB_DECISION, HUB_DUE)]),
        (EpisodeStatus.TRIAGE, HUB_DUE, None, [(DeadlineKind.HUB_DECISION, HUB_DUE)]),
        (EpisodeStatus.AWAITING_ALLOCATION, HUB_DUE, None, [(DeadlineKind.ALLOCATION, HUB_DUE)]),
        # The Hub has nothing due until a deadline has been set.
        (EpisodeStatus.REQUESTED, None, None, []),
        # Allocated: the EHA in 15 working days, the first TAF in 6 weeks, soonest first.
        (EpisodeStatus.ALLOCATED, None, ALLOCATED, ALLOCATED_ONLY),
        (EpisodeStatus.ASSESSMENT, None, ALLOCATED, ALLOCATED_ONLY),
        # A Hub deadline left over from before allocation is no longer owed.
        (EpisodeStatus.ALLOCATED, HUB_DUE, ALLOCATED, ALLOCATED_ONLY),
        # The status is not evidence: a plan marked active with no EHA completed and no TAF
        # meeting held still owes both (the next table shows the records clearing them).
        (EpisodeStatus.PLAN_ACTIVE, None, ALLOCATED, ALLOCATED_ONLY),
        (EpisodeStatus.REVIEW, None, ALLOCATED, ALLOCATED_ONLY),
        (EpisodeStatus.CLOSURE_REQUESTED, None, ALLOCATED, ALLOCATED_ONLY),
        (EpisodeStatus.STEP_UP_REQUESTED, None, ALLOCATED, ALLOCATED_ONLY),
        # With children's social care, early help's clocks stop.
        (EpisodeStatus.STEPPED_UP, None, ALLOCATED, []),
        (EpisodeStatus.STEP_DOWN_REQUESTED, None, ALLOCATED, []),
        (EpisodeStatus.CLOSED, HUB_DUE, ALLOCATED, []),
    ],
)
def test_which_deadlines_an_episode_works_to(
    status: EpisodeStatus,
    hub_due_at: datetime | None,
    allocated_at: datetime | None,
    expected: list[tuple[DeadlineKind, datetime]],
) -> None:
    facts = EpisodeFacts(status, hub_due_at=hub_due_at, allocated_at=allocated_at)
    deadlines = episode_deadlines(facts, SETTINGS, NOW)
    assert [(deadline.kind, deadline.due_at) for deadline in deadlines] == expected


OVERDUE, DUE_SOON, OK = DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.OK
EHA, FIRST_TAF, REVIEW, ACTIONS = (
    DeadlineKind.EHA,
    DeadlineKind.FIRST_TAF,
    DeadlineKind.TAF_REVIEW,
    DeadlineKind.ACTIONS,
)
# The first TAF meeting, held on Tuesday 5 January 2027; six weeks on is Tuesday 16 February.
HELD = uk(2027, 1, 5, 14)


def facts(**records: Any) -> EpisodeFacts:
    """An episode allocated on Monday 23 November 2026, with these records."""
    return EpisodeFacts(EpisodeStatus.PLAN_ACTIVE, allocated_at=ALLOCATED, **records)


@pytest.mark.parametrize(
    ("episode", "now", "expected"),
    [
        # Nothing recorded a week after allocation: both clocks running, both on time.
        (
            facts(),
            uk(2026, 11, 30, 9),
            [(EHA, EHA_DUE, OK, 10), (FIRST_TAF, FIRST_TAF_DUE, OK, 22)],
        ),
        # Two working days before the EHA is due it is flagged.
        (
            facts(),
            uk(2026, 12, 10, 9),
            [(EHA, EHA_DUE, DUE_SOON, 2), (FIRST_TAF, FIRST_TAF_DUE, OK, 14)],
        ),
        (
            facts(),
            uk(2026, 12, 14, 9),
            [(EHA, EHA_DUE, DUE_SOON, 0), (FIRST_TAF, FIRST_TAF_DUE, OK, 12)],
        ),
        # Half an hour after close on the day it was due: overdue, by less than a working day.
        (
            facts(),
            uk(2026, 12, 14, 17, 30),
            [(EHA, EHA_DUE, OVERDUE, 0), (FIRST_TAF, FIRST_TAF_DUE, OK, 12)],
        ),
        # How overdue counts working days after the due day: the Christmas holidays skipped.
        (
            facts(),
            uk(2027, 1, 5, 9),
            [(EHA, EHA_DUE, OVERDUE, 13), (FIRST_TAF, FIRST_TAF_DUE, OVERDUE, 1)],
        ),
        # A completed EHA clears its deadline, however late it was.
        (
            facts(eha_completed_at=uk(2026, 12, 18)),
            uk(2026, 12, 21, 9),
            [(FIRST_TAF, FIRST_TAF_DUE, OK, 7)],
        ),
        # A TAF meeting held replaces the first TAF deadline with the review: on the date the
        # meeting agreed, even when that is further off than six weeks ...
        (
            facts(
                eha_completed_at=uk(2026, 12, 10),
                last_taf_held_at=HELD,
                next_taf_agreed_on=date(2027, 3, 3),
            ),
            uk(2027, 2, 22, 9),
            [(REVIEW, uk(2027, 3, 3, 17), OK, 7)],
        ),
        # ... or sooner ...
        (
            facts(
                eha_completed_at=uk(2026, 12, 10),
                last_taf_held_at=HELD,
                next_taf_agreed_on=date(2027, 2, 1),
            ),
            uk(2027, 2, 2, 9),
            [(REVIEW, uk(2027, 2, 1, 17), OVERDUE, 1)],
        ),
        # ... at close on the next working day if the date agreed was not one ...
        (
            facts(
                eha_completed_at=uk(2026, 12, 10),
                last_taf_held_at=HELD,
                next_taf_agreed_on=date(2027, 2, 13),
            ),
            uk(2027, 2, 12, 9),
            [(REVIEW, uk(2027, 2, 15, 17), DUE_SOON, 1)],
        ),
        # ... and six weeks after the meeting when it agreed no date.
        (
            facts(eha_completed_at=uk(2026, 12, 10), last_taf_held_at=HELD),
            uk(2027, 2, 10, 9),
            [(REVIEW, uk(2027, 2, 16, 17), OK, 4)],
        ),
        # A review missed: overdue past its date, by working days.
        (
            facts(eha_completed_at=uk(2026, 12, 10), last_taf_held_at=HELD),
            uk(2027, 2, 22, 9),
            [(REVIEW, uk(2027, 2, 16, 17), OVERDUE, 4)],
        ),
        # Plan actions are due by the end of their date: late the next day, with how many.
        (
            facts(
                eha_completed_at=uk(2026, 12, 10),
                next_action_due_on=date(2026, 12, 1),
                overdue_actions=3,
            ),
            uk(2026, 12, 3, 9),
            [(ACTIONS, uk(2026, 12, 1, 23, 59), OVERDUE, 2), (FIRST_TAF, FIRST_TAF_DUE, OK, 19)],
        ),
        (
            facts(eha_completed_at=uk(2026, 12, 10), next_action_due_on=date(2026, 12, 3)),
            uk(2026, 12, 3, 20),
            [(ACTIONS, uk(2026, 12, 3, 23, 59), DUE_SOON, 0), (FIRST_TAF, FIRST_TAF_DUE, OK, 19)],
        ),
        # An action due on a Saturday is a day away on the Friday, not due today.
        (
            facts(eha_completed_at=uk(2026, 12, 10), next_action_due_on=date(2026, 12, 5)),
            uk(2026, 12, 4, 9),
            [(ACTIONS, uk(2026, 12, 5, 23, 59), DUE_SOON, 1), (FIRST_TAF, FIRST_TAF_DUE, OK, 18)],
        ),
        # Everything at once, most overdue first.
        (
            facts(last_taf_held_at=HELD, next_action_due_on=date(2027, 2, 1), overdue_actions=1),
            uk(2027, 2, 22, 9),
            [
                (EHA, EHA_DUE, OVERDUE, 47),
                (ACTIONS, uk(2027, 2, 1, 23, 59), OVERDUE, 15),
                (REVIEW, uk(2027, 2, 16, 17), OVERDUE, 4),
            ],
        ),
        # Nothing is owed with children's social care, whatever the records say.
        (
            EpisodeFacts(
                EpisodeStatus.STEPPED_UP,
                allocated_at=ALLOCATED,
                last_taf_held_at=HELD,
                next_action_due_on=date(2026, 12, 1),
                overdue_actions=2,
            ),
            uk(2027, 2, 22, 9),
            [],
        ),
    ],
)
def test_overdue_rules(
    episode: EpisodeFacts,
    now: datetime,
    expected: list[tuple[DeadlineKind, datetime, DeadlineState, int]],
) -> None:
    deadlines = episode_deadlines(episode, SETTINGS, now)
    actual = [
        (
            deadline.kind,
            deadline.due_at.replace(second=0, microsecond=0),
            deadline.state,
            deadline.working_days,
        )
        for deadline in deadlines
    ]
    assert actual == expected


def test_an_action_is_on_time_until_the_end_of_its_day() -> None:
    episode = facts(eha_completed_at=ALLOCATED, next_action_due_on=date(2026, 12, 3))
    last_minute = datetime(2026, 12, 3, 23, 59, 59, tzinfo=UK_TIME)
    next_morning = uk(2026, 12, 4, 0, 0)
    assert episode_deadlines(episode, SETTINGS, last_minute)[0].state is DUE_SOON
    assert episode_deadlines(episode, SETTINGS, next_morning)[0].state is OVERDUE


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
        EpisodeFacts(EpisodeStatus.ALLOCATED, allocated_at=allocated_at), SETTINGS, allocated_at
    )
    due = {deadline.kind: deadline.due_at for deadline in deadlines}
    assert due == {DeadlineKind.EHA: eha_due, DeadlineKind.FIRST_TAF: first_taf_due}


def test_deadlines_follow_the_councils_settings() -> None:
    settings = DeadlineSettings(eha_working_days=10, first_taf_weeks=4, taf_review_weeks=8)
    allocated = EpisodeFacts(EpisodeStatus.ALLOCATED, allocated_at=ALLOCATED)
    due = {
        deadline.kind: deadline.due_at for deadline in episode_deadlines(allocated, settings, NOW)
    }
    assert due == {
        DeadlineKind.EHA: uk(2026, 12, 7, 17),
        DeadlineKind.FIRST_TAF: uk(2026, 12, 21, 17),
    }
    reviewed = facts(eha_completed_at=ALLOCATED, last_taf_held_at=HELD)
    due = {
        deadline.kind: deadline.due_at for deadline in episode_deadlines(reviewed, settings, NOW)
    }
    assert due == {DeadlineKind.TAF_REVIEW: uk(2027, 3, 2, 17)}


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
        EpisodeFacts(EpisodeStatus.REQUESTED, hub_due_at=HUB_DUE), SETTINGS, uk(2026, 11, 26, 9)
    )
    assert [deadline.state for deadline in deadlines] == [DeadlineState.OVERDUE]
    assert deadlines[0].overdue


@pytest.mark.parametrize(
    ("deadline", "label", "standing"),
    [
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 15, 9)),
            "Early Help Assessment (EHA)",
            "Overdue by 1 working day",
        ),
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 17, 9)),
            "Early Help Assessment (EHA)",
            "Overdue by 3 working days",
        ),
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 14, 18)),
            "Early Help Assessment (EHA)",
            "Overdue",
        ),
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 14, 9)),
            "Early Help Assessment (EHA)",
            "Due today",
        ),
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 11, 9)),
            "Early Help Assessment (EHA)",
            "Due in 1 working day",
        ),
        (
            make_deadline(EHA, EHA_DUE, uk(2026, 12, 7, 9)),
            "Early Help Assessment (EHA)",
            "Due in 5 working days",
        ),
        # Several actions past their dates are counted; the deadline is the earliest of them.
        (
            make_deadline(ACTIONS, EHA_DUE, uk(2026, 12, 15, 9), 3),
            "3 plan actions",
            "Overdue by 1 working day",
        ),
        (
            make_deadline(ACTIONS, EHA_DUE, uk(2026, 12, 15, 9), 1),
            "Plan action",
            "Overdue by 1 working day",
        ),
        # A count of late actions means nothing for a deadline that is not late.
        (
            make_deadline(ACTIONS, EHA_DUE, uk(2026, 12, 11, 9), 3),
            "Plan action",
            "Due in 1 working day",
        ),
    ],
)
def test_what_a_deadline_says(deadline: Deadline, label: str, standing: str) -> None:
    assert (deadline.label, deadline.standing) == (label, standing)
