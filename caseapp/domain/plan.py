"""Rules of the family plan: when an action is overdue, which status changes are allowed,
and what makes an outcome or an action complete enough to save.

Pure functions of their arguments ("today" is passed in), so they are tested as tables.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from caseapp.domain.casework import ActionStatus, OutcomeStatus
from caseapp.domain.triage_rules import Problem

# A due date further ahead than this is almost always a mistyped year (2062 for 2026);
# plans are reviewed every few weeks, so nothing real is planned this far out.
FURTHEST_DUE = timedelta(days=2 * 365)

# Done and cancelled can be reopened: marking the wrong action done is an easy slip, and
# the timeline keeps both changes. Saving without changing the status is always allowed.
ACTION_STATUS_CHANGES: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.NOT_STARTED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED}
    ),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.NOT_STARTED, ActionStatus.DONE, ActionStatus.CANCELLED}
    ),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.CANCELLED: frozenset({ActionStatus.NOT_STARTED}),
}

OUTCOME_STATUS_CHANGES: dict[OutcomeStatus, frozenset[OutcomeStatus]] = {
    OutcomeStatus.OPEN: frozenset({OutcomeStatus.ACHIEVED, OutcomeStatus.NO_LONGER_NEEDED}),
    OutcomeStatus.ACHIEVED: frozenset({OutcomeStatus.OPEN}),
    OutcomeStatus.NO_LONGER_NEEDED: frozenset({OutcomeStatus.OPEN}),
}


def action_overdue(status: ActionStatus, due_on: date, today: date) -> bool:
    """Open and due before today in England: due today is not yet overdue."""
    return status.is_open and due_on < today


def action_status_allowed(current: ActionStatus | None, new: ActionStatus) -> bool:
    """A new action starts not started or in progress (or done, when recording work that
    already happened); an existing one moves as ACTION_STATUS_CHANGES allows."""
    if current is None:
        return new is not ActionStatus.CANCELLED
    return new is current or new in ACTION_STATUS_CHANGES[current]


def outcome_status_allowed(current: OutcomeStatus | None, new: OutcomeStatus) -> bool:
    """A new outcome is always being worked towards; then as OUTCOME_STATUS_CHANGES allows."""
    if current is None:
        return new is OutcomeStatus.OPEN
    return new is current or new in OUTCOME_STATUS_CHANGES[current]


def completed_on_for(status: ActionStatus, completed_on: date | None, today: date) -> date | None:
    """The date an action was done: as given, or today; none unless it is done."""
    if status is not ActionStatus.DONE:
        return None
    return completed_on or today


@dataclass(frozen=True)
class ActionDraft:
    """An action as typed into the form, before it is saved."""

    description: str
    owner_name: str
    owner_agency: str
    due_on: date | None
    status: ActionStatus = ActionStatus.NOT_STARTED
    completed_on: date | None = None
    # Agreed before the plan was started here (a paper plan being typed up): dates before
    # the plan's start are then expected rather than a mistake.
    historic: bool = False


def action_problems(
    draft: ActionDraft, current_status: ActionStatus | None, plan_started_on: date, today: date
) -> list[Problem]:
    """Why the action cannot be saved, each naming its form field; empty when it can."""
    problems: list[Problem] = []
    if not draft.description.strip():
        problems.append(Problem("description", "Enter what will be done"))
    if not draft.owner_name.strip():
        problems.append(Problem("owner_name", "Enter who will do it"))
    if draft.due_on is None:
        problems.append(Problem("due_on", "Enter the date it will be done by"))
    elif draft.due_on < plan_started_on and not draft.historic:
        problems.append(
            Problem(
                "due_on",
                f"Date it will be done by must be on or after {_day(plan_started_on)}, when "
                "the plan started, unless the action was agreed before the plan was recorded",
            )
        )
    elif draft.due_on > today + FURTHEST_DUE:
        problems.append(
            Problem("due_on", "Date it will be done by must be within 2 years of today")
        )
    if not action_status_allowed(current_status, draft.status):
        problems.append(Problem("status", _status_refusal(current_status, draft.status.label)))
    if draft.status is ActionStatus.DONE and draft.completed_on is not None:
        if draft.completed_on > today:
            problems.append(Problem("completed_on", "Date done must be today or in the past"))
        elif draft.completed_on < plan_started_on and not draft.historic:
            problems.append(
                Problem(
                    "completed_on",
                    f"Date done must be on or after {_day(plan_started_on)}, when the plan "
                    "started, unless the action was agreed before the plan was recorded",
                )
            )
    return problems


@dataclass(frozen=True)
class OutcomeDraft:
    """An outcome as typed into the form, before it is saved."""

    description: str
    measure: str
    headline_outcomes: tuple[str, ...]
    # The child it is for; None for the whole family.
    member_id: int | None
    status: OutcomeStatus = OutcomeStatus.OPEN


def outcome_problems(
    draft: OutcomeDraft,
    current_status: OutcomeStatus | None,
    headline_codes: Collection[str],
    child_ids: Collection[int],
) -> list[Problem]:
    """Why the outcome cannot be saved, each naming its form field; empty when it can."""
    problems: list[Problem] = []
    if draft.member_id is not None and draft.member_id not in child_ids:
        problems.append(Problem("member", "Choose a child in this family, or the whole family"))
    if not draft.description.strip():
        problems.append(Problem("description", "Enter what will be different"))
    if not draft.headline_outcomes:
        problems.append(
            Problem("headline_outcomes", "Choose at least one headline outcome this serves")
        )
    elif any(code not in headline_codes for code in draft.headline_outcomes):
        problems.append(
            Problem("headline_outcomes", "Choose headline outcomes from the list shown")
        )
    if not outcome_status_allowed(current_status, draft.status):
        problems.append(Problem("status", _status_refusal(current_status, draft.status.label)))
    return problems


def _status_refusal(current: ActionStatus | OutcomeStatus | None, new_label: str) -> str:
    if current is None:
        return f"A new entry cannot start as ‘{new_label}’"
    return f"An entry that is ‘{current.label}’ cannot be changed to ‘{new_label}’"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
