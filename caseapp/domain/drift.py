"""When a family's early help is drifting, for the manager's view.

Each rule is a deadline of domain/deadlines.py (episode_deadlines, for the episodes in
its LEAD_WORKER_STATUSES) or a plain period, turned round: instead
of asking of every episode "is this overdue now?", it gives the moment before which a
start date makes the work overdue. The database then compares an indexed column with
one value, however many families there are, and a test checks the two questions always
get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import close_of_day, weeks_deadline
from caseapp.domain.working_days import (
    UK_TIME,
    add_working_days,
    end_of_working_day,
    is_working_day,
)
from caseapp.models.types import uk_today

# No case note for this long means nobody has seen or spoken to the family.
NO_CONTACT_DAYS = 28
# An episode open longer than this needs a manager to ask why.
LONG_EPISODE_MONTHS = 12


class DriftKind(StrEnum):
    TAF_REVIEW_OVERDUE = "taf_review_overdue"
    EHA_OVERDUE = "eha_overdue"
    ACTIONS_OVERDUE = "actions_overdue"
    NO_RECENT_CONTACT = "no_recent_contact"
    OPEN_OVER_A_YEAR = "open_over_a_year"

    @property
    def label(self) -> str:
        return DRIFT_LABELS[self]


DRIFT_LABELS: dict[DriftKind, str] = {
    DriftKind.TAF_REVIEW_OVERDUE: "No TAF meeting by its review date",
    DriftKind.EHA_OVERDUE: "Early Help Assessment overdue",
    DriftKind.ACTIONS_OVERDUE: "Plan actions overdue",
    DriftKind.NO_RECENT_CONTACT: f"No contact in {NO_CONTACT_DAYS // 7} weeks",
    DriftKind.OPEN_OVER_A_YEAR: f"Open over {LONG_EPISODE_MONTHS} months",
}


@dataclass(frozen=True)
class DriftCutoffs:
    """The moments that decide each rule at one instant `now`."""

    today: date
    # The latest TAF meeting held agreed no date for the next one and was held before
    # this: the review is overdue ...
    last_taf_before: datetime
    # ... or it agreed a date before this day.
    agreed_review_before: date
    # Allocated before this, with no TAF meeting held yet: the first one is overdue.
    first_taf_allocated_before: datetime
    # Allocated before this, with no completed EHA: the assessment is overdue.
    eha_allocated_before: datetime
    # Plan actions due before this day and still open are overdue.
    actions_due_before: date
    # No case note of a contact on or after this day ...
    contact_since: date
    # ... for an episode allocated before the period began.
    contact_allocated_before: datetime
    # Opened before this: open over a year.
    opened_before: datetime


def uk_midnight(day: date) -> datetime:
    """The start of `day` in England, in UTC."""
    return datetime.combine(day, time(0), tzinfo=UK_TIME).astimezone(UTC)


def weeks_cutoff(weeks: int, settings: DeadlineSettings, now: datetime) -> datetime:
    """Started before this, a `weeks` deadline (deadlines.weeks_deadline) has passed."""
    # weeks_deadline depends only on the start's day in England; step back a day at a
    # time until that day's deadline has passed. A later start's deadline falls after
    # today, so the search starts `weeks` back rather than walking those days too.
    day = uk_today(now) - timedelta(weeks=weeks)
    while not now > weeks_deadline(uk_midnight(day), weeks, settings):
        day -= timedelta(days=1)
    return uk_midnight(day + timedelta(days=1))


def working_days_cutoff(count: int, settings: DeadlineSettings, now: datetime) -> datetime:
    """Received before this, a `count` working days deadline
    (working_days.working_days_deadline) has passed.

    That deadline counts from a working day, the next one when something arrives after
    hours or on a day off, so it moves at the close of each working day: find the latest
    working day whose deadline has passed and cut at its close.
    """
    # `count` working days are at least `count` days, so a later day's deadline is after
    # today: start there.
    day = uk_today(now) - timedelta(days=count)
    while not (
        is_working_day(day)
        and now > end_of_working_day(add_working_days(day, count), settings.working_day_ends)
    ):
        day -= timedelta(days=1)
    return end_of_working_day(day, settings.working_day_ends)


def close_of_day_cutoff(settings: DeadlineSettings, now: datetime) -> date:
    """A thing due at close of business on a day (deadlines.close_of_day) before this day
    is overdue at `now`."""
    day = uk_today(now)
    while now > close_of_day(day, settings):
        day += timedelta(days=1)
    while not now > close_of_day(day - timedelta(days=1), settings):
        day -= timedelta(days=1)
    return day


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the last day of a shorter month)."""
    local = moment.astimezone(UK_TIME)
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    month += 1
    for day in (local.day, 30, 29, 28):
        try:
            return local.replace(year=year, month=month, day=day).astimezone(UTC)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def drift_cutoffs(settings: DeadlineSettings, now: datetime) -> DriftCutoffs:
    today = uk_today(now)
    contact_since = today - timedelta(days=NO_CONTACT_DAYS)
    return DriftCutoffs(
        today=today,
        last_taf_before=weeks_cutoff(settings.taf_review_weeks, settings, now),
        agreed_review_before=close_of_day_cutoff(settings, now),
        first_taf_allocated_before=weeks_cutoff(settings.first_taf_weeks, settings, now),
        eha_allocated_before=working_days_cutoff(settings.eha_working_days, settings, now),
        actions_due_before=today,
        contact_since=contact_since,
        contact_allocated_before=uk_midnight(contact_since),
        opened_before=months_before(now, LONG_EPISODE_MONTHS),
    )


def oversight_since(settings: DeadlineSettings, now: datetime) -> date:
    """Oversight recorded on or after this day is recent enough."""
    return uk_today(now) - timedelta(days=settings.oversight_days)
