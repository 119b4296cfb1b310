"""What an open episode owes next and by when, and whether that is overdue.

Pure: the caller passes the episode's dates, the council's DeadlineSettings and the
time now, so the rules can be tested as a table without a database or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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

# Until the EHA and TAF records exist, an episode's status is the evidence of where the
# work is: once a plan is active, the assessment and the first TAF meeting have happened.
BEFORE_PLAN: frozenset[EpisodeStatus] = frozenset(
    {EpisodeStatus.ALLOCATED, EpisodeStatus.ASSESSMENT}
)


class DeadlineKind(StrEnum):
    HUB_DECISION = "hub_decision"
    ALLOCATION = "allocation"
    EHA = "eha"
    FIRST_TAF = "first_taf"

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self]


DEADLINE_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.HUB_DECISION: "Hub decision",
    DeadlineKind.ALLOCATION: "Lead worker allocation",
    DeadlineKind.EHA: "Early Help Assessment (EHA)",
    DeadlineKind.FIRST_TAF: "First Team Around the Family (TAF) meeting",
}


class DeadlineState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "due_soon": "Due soon", "ok": "On time"}[self.value]


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_at: datetime
    state: DeadlineState

    @property
    def overdue(self) -> bool:
        return self.state is DeadlineState.OVERDUE


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
    day = start.astimezone(UK_TIME).date() + timedelta(weeks=weeks)
    if not is_working_day(day):
        day = next_working_day(day)
    return end_of_working_day(day, settings.working_day_ends)


def episode_deadlines(
    status: EpisodeStatus,
    hub_due_at: datetime | None,
    allocated_at: datetime | None,
    settings: DeadlineSettings,
    now: datetime,
) -> list[Deadline]:
    """The deadlines an episode in `status` is currently working to, soonest first."""
    due: list[tuple[DeadlineKind, datetime]] = []
    if hub_due_at is not None:
        if status in AWAITING_DECISION:
            due.append((DeadlineKind.HUB_DECISION, hub_due_at))
        elif status is EpisodeStatus.AWAITING_ALLOCATION:
            due.append((DeadlineKind.ALLOCATION, hub_due_at))
    if allocated_at is not None and status in BEFORE_PLAN:
        eha_due = working_days_deadline(
            allocated_at, settings.eha_working_days, settings.working_day_ends
        )
        due.append((DeadlineKind.EHA, eha_due))
        due.append(
            (
                DeadlineKind.FIRST_TAF,
                weeks_deadline(allocated_at, settings.first_taf_weeks, settings),
            )
        )
    return sorted(
        (Deadline(kind, due_at, deadline_state(due_at, now)) for kind, due_at in due),
        key=lambda deadline: deadline.due_at,
    )
