"""The Hub queue's rules: which stage a row is at, how its deadline stands, age bands.

Pure: callers pass the time now and today's date, so each rule is tested as a table
without a database or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import AWAITING_DECISION
from caseapp.domain.working_days import UK_TIME, working_days_between


class QueueStage(StrEnum):
    """What the Hub owes an episode in its queue: a decision, or a lead worker."""

    DECISION = "decision"
    ALLOCATION = "allocation"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def statuses(self) -> frozenset[EpisodeStatus]:
        return STAGE_STATUSES[self]

    @property
    def deadline_label(self) -> str:
        return "Decision due" if self is QueueStage.DECISION else "Allocation due"

    @classmethod
    def of(cls, status: EpisodeStatus) -> QueueStage:
        if status in AWAITING_DECISION:
            return cls.DECISION
        if status is EpisodeStatus.AWAITING_ALLOCATION:
            return cls.ALLOCATION
        raise ValueError(f"an episode that is {status.label!r} is not in the Hub queue")


STAGE_LABELS: dict[QueueStage, str] = {
    QueueStage.DECISION: "Awaiting a decision",
    QueueStage.ALLOCATION: "Awaiting allocation",
}

STAGE_STATUSES: dict[QueueStage, frozenset[EpisodeStatus]] = {
    QueueStage.DECISION: AWAITING_DECISION,
    QueueStage.ALLOCATION: frozenset({EpisodeStatus.AWAITING_ALLOCATION}),
}


# --- deadlines ------------------------------------------------------------------------------


class DeadlineState(StrEnum):
    OVERDUE = "overdue"
    # Due today or on the next working day: the last chance to act before it is late.
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"


@dataclass(frozen=True)
class DeadlineStanding:
    state: DeadlineState
    # Working days late for an overdue deadline, working days left otherwise.
    working_days: int

    @property
    def label(self) -> str:
        days = self.working_days
        unit = "working day" if days == 1 else "working days"
        if self.state is DeadlineState.OVERDUE:
            # Late by less than a working day, e.g. due at 5pm and now 6pm.
            return f"Overdue by {days} {unit}" if days else "Overdue"
        if days == 0:
            return "Due today"
        return f"Due in {days} {unit}"


def is_overdue(due_at: datetime, now: datetime) -> bool:
    """A deadline is met up to and including its moment; the SQL filter agrees (due < now)."""
    return now > due_at


def deadline_standing(due_at: datetime, now: datetime) -> DeadlineStanding:
    """How a Hub deadline stands at `now`, counted in working days in UK local time."""
    today = now.astimezone(UK_TIME).date()
    due_day = due_at.astimezone(UK_TIME).date()
    if is_overdue(due_at, now):
        return DeadlineStanding(DeadlineState.OVERDUE, working_days_between(due_day, today))
    if due_day == today:
        return DeadlineStanding(DeadlineState.DUE_SOON, 0)
    # A deadline set on a weekend still counts as at least a day away, not as due today.
    days_left = max(1, working_days_between(today, due_day))
    state = DeadlineState.DUE_SOON if days_left == 1 else DeadlineState.ON_TIME
    return DeadlineStanding(state, days_left)


# --- children's ages ------------------------------------------------------------------------


class AgeBand(StrEnum):
    """Age bands the Hub sorts its work by: early years, primary, secondary, post-16."""

    UNDER_5 = "0-4"
    PRIMARY = "5-10"
    SECONDARY = "11-15"
    POST_16 = "16-18"

    @property
    def youngest(self) -> int:
        return int(self.value.split("-")[0])

    @property
    def oldest(self) -> int:
        return int(self.value.split("-")[1])

    @property
    def label(self) -> str:
        return f"{self.youngest} to {self.oldest}"


def years_before(day: date, years: int) -> date:
    """The same date `years` earlier; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_range(band: AgeBand, today: date) -> tuple[date, date]:
    """The first and last dates of birth (both inclusive) of a child in `band` today.

    A child is `n` or older on the day of their `n`th birthday, the rule FamilyMember.age_on
    follows; someone born on 29 February turns a year older on 1 March in a common year.
    """
    latest = years_before(today, band.youngest)
    earliest = years_before(today, band.oldest + 1) + timedelta(days=1)
    return earliest, latest


def age_in_years(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def describe_age(born: date, today: date) -> str:
    """A child's age as a coordinator would say it: months for babies, then years."""
    years = age_in_years(born, today)
    if years >= 2:
        return f"{years} years"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 0:
        return "not born yet"
    if months < 1:
        return "under 1 month"
    return f"{months} month" if months == 1 else f"{months} months"


# --- paging ---------------------------------------------------------------------------------


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page links to show, GOV.UK style: first, last, and those next to the current
    page, with None where a run of pages is left out (shown as an ellipsis)."""
    wanted = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    shown: list[int | None] = []
    previous = 0
    for number in wanted:
        gap = number - previous
        if previous and gap == 2:
            # One missing page is shorter as its number than as an ellipsis.
            shown.append(number - 1)
        elif previous and gap > 2:
            shown.append(None)
        shown.append(number)
        previous = number
    return shown
