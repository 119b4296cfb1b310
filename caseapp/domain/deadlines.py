"""What an open episode owes next and by when, whether that is overdue, and by how much.

Pure: the caller passes what the episode's records say (EpisodeFacts), the council's
DeadlineSettings and the time now, so the rules can be tested as a table without a
database or a clock. The lengths all come from DeadlineSettings:

- Hub decision, then lead worker allocation: while the episode is with the Hub.
- EHA: completed within `eha_working_days` of the first allocation, until one is.
- First TAF meeting: held within `first_taf_weeks` of the first allocation, until one is.
- TAF review: after each meeting held, the next is due on the date that meeting agreed
  (TafMeeting.next_meeting_on), or `taf_review_weeks` after it if none was agreed. The
  agreed date wins even when it is further off than the usual cycle: the team agreed it
  with the family, and the meeting form offers the usual cycle as its default.
- Plan actions: each open action is due by the end of its due date.

A reassignment does not restart the clocks: they run from the first allocation.
How overdue something is is counted in working days after the day it was due, as the
Hub queue counts it, so "overdue by 1 working day" on a Monday means due last Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from caseapp.config import DeadlineSettings
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import AWAITING_DECISION
from caseapp.domain.working_days import (
    UK_TIME,
    end_of_working_day,
    is_working_day,
    next_working_day,
    working_days_between,
    working_days_deadline,
)

# A deadline this many working days away or fewer is flagged, so there is a working day
# left to act on the warning.
DUE_SOON_WORKING_DAYS = 2

# Where a lead worker is doing the work, so the EHA, TAF and plan deadlines run. The Hub's
# stages owe the Hub's deadlines instead. A family stepped up, or waiting for a step-down
# decision (only asked from stepped up: domain/transitions.py), is with children's social
# care, whose plan leads until the step-down is approved.
LEAD_WORKER_STATUSES: frozenset[EpisodeStatus] = frozenset(
    {
        EpisodeStatus.ALLOCATED,
        EpisodeStatus.ASSESSMENT,
        EpisodeStatus.PLAN_ACTIVE,
        EpisodeStatus.REVIEW,
        EpisodeStatus.CLOSURE_REQUESTED,
        EpisodeStatus.STEP_UP_REQUESTED,
    }
)


class DeadlineKind(StrEnum):
    HUB_DECISION = "hub_decision"
    ALLOCATION = "allocation"
    EHA = "eha"
    FIRST_TAF = "first_taf"
    TAF_REVIEW = "taf_review"
    ACTIONS = "actions"

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self]


DEADLINE_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.HUB_DECISION: "Hub decision",
    DeadlineKind.ALLOCATION: "Lead worker allocation",
    DeadlineKind.EHA: "Early Help Assessment (EHA)",
    DeadlineKind.FIRST_TAF: "First Team Around the Family (TAF) meeting",
    DeadlineKind.TAF_REVIEW: "TAF review meeting",
    DeadlineKind.ACTIONS: "Plan action",
}


class DeadlineState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "due_soon": "Due soon", "ok": "On time"}[self.value]


@dataclass(frozen=True)
class EpisodeFacts:
    """What an episode's records say, as far as its deadlines go."""

    status: EpisodeStatus
    hub_due_at: datetime | None = None
    # The first allocation to a lead worker.
    allocated_at: datetime | None = None
    # When the episode's first EHA was completed.
    eha_completed_at: datetime | None = None
    # The latest TAF meeting held, and the date it agreed for the next one.
    last_taf_held_at: datetime | None = None
    next_taf_agreed_on: date | None = None
    # The earliest due date of the plan's open actions, and how many are past theirs.
    next_action_due_on: date | None = None
    overdue_actions: int = 0


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_at: datetime
    state: DeadlineState
    # Working days late when overdue (0: late by less than a working day); otherwise
    # working days left (0: due today).
    working_days: int
    # Plan actions past their due date, for a plan actions deadline.
    overdue_actions: int = 0

    @property
    def overdue(self) -> bool:
        return self.state is DeadlineState.OVERDUE

    @property
    def due_soon(self) -> bool:
        return self.state is DeadlineState.DUE_SOON

    @property
    def all_day(self) -> bool:
        """Due by the end of a date rather than at close of business: show the date only."""
        return self.kind is DeadlineKind.ACTIONS

    @property
    def label(self) -> str:
        if self.overdue_actions > 1:
            return f"{self.overdue_actions} plan actions"
        return self.kind.label

    @property
    def standing(self) -> str:
        """How the deadline stands, in words: "Overdue by 3 working days", "Due today"."""
        days = self.working_days
        unit = "working day" if days == 1 else "working days"
        if self.overdue:
            return f"Overdue by {days} {unit}" if days else "Overdue"
        return f"Due in {days} {unit}" if days else "Due today"


def deadline_state(
    due_at: datetime, now: datetime, soon_working_days: int = DUE_SOON_WORKING_DAYS
) -> DeadlineState:
    if now > due_at:
        return DeadlineState.OVERDUE
    days_left = working_days_between(
        now.astimezone(UK_TIME).date(), due_at.astimezone(UK_TIME).date()
    )
    return DeadlineState.DUE_SOON if days_left <= soon_working_days else DeadlineState.OK


def weeks_deadline(start: datetime, weeks: int, settings: DeadlineSettings) -> datetime:
    """Close of business `weeks` after `start`, moved past a bank holiday or weekend."""
    return close_of_day(start.astimezone(UK_TIME).date() + timedelta(weeks=weeks), settings)


def close_of_day(day: date, settings: DeadlineSettings) -> datetime:
    """Close of business on `day`, or on the next working day if `day` is not one."""
    if not is_working_day(day):
        day = next_working_day(day)
    return end_of_working_day(day, settings.working_day_ends)


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in England: a thing due on a date is late the day after."""
    return datetime.combine(day, time.max, tzinfo=UK_TIME).astimezone(UTC)


def make_deadline(
    kind: DeadlineKind, due_at: datetime, now: datetime, overdue_actions: int = 0
) -> Deadline:
    state = deadline_state(due_at, now)
    today = now.astimezone(UK_TIME).date()
    due_day = due_at.astimezone(UK_TIME).date()
    if state is DeadlineState.OVERDUE:
        return Deadline(kind, due_at, state, working_days_between(due_day, today), overdue_actions)
    # Something due on a weekend is still a day away on the Friday, not due today.
    days_left = 0 if due_day == today else max(1, working_days_between(today, due_day))
    return Deadline(kind, due_at, state, days_left)


def episode_deadlines(
    facts: EpisodeFacts, settings: DeadlineSettings, now: datetime
) -> list[Deadline]:
    """The deadlines the episode is working to at `now`, soonest (most overdue) first."""
    deadlines = [make_deadline(kind, due_at, now) for kind, due_at in _hub_due(facts)]
    if facts.status in LEAD_WORKER_STATUSES:
        deadlines += [
            make_deadline(kind, due_at, now) for kind, due_at in _casework_due(facts, settings)
        ]
        if facts.next_action_due_on is not None:
            deadlines.append(
                make_deadline(
                    DeadlineKind.ACTIONS,
                    end_of_day(facts.next_action_due_on),
                    now,
                    facts.overdue_actions,
                )
            )
    return sorted(deadlines, key=lambda deadline: deadline.due_at)


def _hub_due(facts: EpisodeFacts) -> list[tuple[DeadlineKind, datetime]]:
    if facts.hub_due_at is None:
        return []
    if facts.status in AWAITING_DECISION:
        return [(DeadlineKind.HUB_DECISION, facts.hub_due_at)]
    if facts.status is EpisodeStatus.AWAITING_ALLOCATION:
        return [(DeadlineKind.ALLOCATION, facts.hub_due_at)]
    return []


def _casework_due(
    facts: EpisodeFacts, settings: DeadlineSettings
) -> list[tuple[DeadlineKind, datetime]]:
    due: list[tuple[DeadlineKind, datetime]] = []
    if facts.allocated_at is not None and facts.eha_completed_at is None:
        eha_due = working_days_deadline(
            facts.allocated_at, settings.eha_working_days, settings.working_day_ends
        )
        due.append((DeadlineKind.EHA, eha_due))
    if facts.last_taf_held_at is not None:
        if facts.next_taf_agreed_on is not None:
            review_due = close_of_day(facts.next_taf_agreed_on, settings)
        else:
            review_due = weeks_deadline(facts.last_taf_held_at, settings.taf_review_weeks, settings)
        due.append((DeadlineKind.TAF_REVIEW, review_due))
    elif facts.allocated_at is not None:
        first_taf_due = weeks_deadline(facts.allocated_at, settings.first_taf_weeks, settings)
        due.append((DeadlineKind.FIRST_TAF, first_taf_due))
    return due
