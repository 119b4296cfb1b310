"""The family plan's rules, as tables: overdue, status changes, and what may be saved."""

from __future__ import annotations

from datetime import date

import pytest

from caseapp.domain.casework import ActionStatus, OutcomeStatus
from caseapp.domain.plan import (
    ActionDraft,
    OutcomeDraft,
    action_overdue,
    action_problems,
    action_status_allowed,
    completed_on_for,
    outcome_problems,
    outcome_status_allowed,
)

TODAY = date(2026, 11, 27)
PLAN_STARTED = date(2026, 9, 1)
NS, IP, DONE, CANCELLED = ActionStatus
OPEN, ACHIEVED, NOT_NEEDED = OutcomeStatus


@pytest.mark.parametrize(
    ("status", "due_on", "overdue"),
    [
        (NS, date(2026, 11, 26), True),
        (IP, date(2026, 11, 26), True),
        (NS, TODAY, False),  # due today is not yet overdue
        (NS, date(2026, 11, 28), False),
        (DONE, date(2026, 1, 1), False),
        (CANCELLED, date(2026, 1, 1), False),
    ],
)
def test_action_overdue(status: ActionStatus, due_on: date, overdue: bool) -> None:
    assert action_overdue(status, due_on, TODAY) is overdue


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, NS, True),
        (None, IP, True),
        (None, DONE, True),  # recording work that already happened
        (None, CANCELLED, False),
        (NS, NS, True),
        (NS, IP, True),
        (NS, DONE, True),
        (NS, CANCELLED, True),
        (IP, NS, True),
        (IP, DONE, True),
        (IP, CANCELLED, True),
        (DONE, DONE, True),
        (DONE, IP, True),  # reopened: marked done by mistake
        (DONE, NS, False),
        (DONE, CANCELLED, False),
        (CANCELLED, CANCELLED, True),
        (CANCELLED, NS, True),
        (CANCELLED, IP, False),
        (CANCELLED, DONE, False),
    ],
)
def test_action_status_changes(
    current: ActionStatus | None, new: ActionStatus, allowed: bool
) -> None:
    assert action_status_allowed(current, new) is allowed


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, OPEN, True),
        (None, ACHIEVED, False),
        (None, NOT_NEEDED, False),
        (OPEN, ACHIEVED, True),
        (OPEN, NOT_NEEDED, True),
        (ACHIEVED, OPEN, True),
        (ACHIEVED, NOT_NEEDED, False),
        (NOT_NEEDED, OPEN, True),
        (NOT_NEEDED, ACHIEVED, False),
        (ACHIEVED, ACHIEVED, True),
    ],
)
def test_outcome_status_changes(
    current: OutcomeStatus | None, new: OutcomeStatus, allowed: bool
) -> None:
    assert outcome_status_allowed(current, new) is allowed


@pytest.mark.parametrize(
    ("status", "given", "expected"),
    [
        (DONE, None, TODAY),
        (DONE, date(2026, 11, 20), date(2026, 11, 20)),
        (IP, date(2026, 11, 20), None),
        (NS, None, None),
        (CANCELLED, None, None),
    ],
)
def test_completed_on(status: ActionStatus, given: date | None, expected: date | None) -> None:
    assert completed_on_for(status, given, TODAY) == expected


def action(**changes: object) -> ActionDraft:
    fields: dict[str, object] = {
        "description": "Walk to school together",
        "owner_name": "Pat Turner",
        "owner_agency": "Parent",
        "due_on": date(2026, 12, 11),
    }
    return ActionDraft(**(fields | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("draft", "current", "problems"),
    [
        (action(), None, []),
        (action(description="  "), None, [("description", "Enter what will be done")]),
        (action(owner_name=""), None, [("owner_name", "Enter who will do it")]),
        (action(owner_agency=""), None, []),
        (action(due_on=None), None, [("due_on", "Enter the date it will be done by")]),
        (action(due_on=PLAN_STARTED), None, []),
        (
            action(due_on=date(2026, 8, 31)),
            None,
            [("due_on", "Date it will be done by must be on or after 1 September 2026, when ")],
        ),
        (action(due_on=date(2026, 8, 31), historic=True), None, []),
        # Overdue already, but after the plan started: recorded late, not a mistake.
        (action(due_on=date(2026, 10, 1)), None, []),
        (action(due_on=date(2028, 11, 26)), None, []),
        (
            action(due_on=date(2028, 11, 27)),
            None,
            [("due_on", "Date it will be done by must be within 2 years of today")],
        ),
        (action(status=DONE), NS, []),
        (action(status=DONE, completed_on=TODAY), NS, []),
        (
            action(status=DONE, completed_on=date(2026, 11, 28)),
            NS,
            [("completed_on", "Date done must be today or in the past")],
        ),
        (
            action(status=DONE, completed_on=date(2026, 8, 1)),
            NS,
            [("completed_on", "Date done must be on or after 1 September 2026")],
        ),
        (action(status=DONE, completed_on=date(2026, 8, 1), historic=True), NS, []),
        # A date done is ignored unless the action is done.
        (action(status=IP, completed_on=date(2030, 1, 1)), NS, []),
        (
            action(status=CANCELLED),
            DONE,
            [("status", "An entry that is ‘Done’ cannot be changed to ‘Cancelled’")],
        ),
        (
            action(status=CANCELLED),
            None,
            [("status", "A new entry cannot start as ‘Cancelled’")],
        ),
        (
            action(description="", owner_name="", due_on=None),
            None,
            [
                ("description", "Enter what will be done"),
                ("owner_name", "Enter who will do it"),
                ("due_on", "Enter the date it will be done by"),
            ],
        ),
    ],
)
def test_action_problems(
    draft: ActionDraft, current: ActionStatus | None, problems: list[tuple[str, str]]
) -> None:
    found = action_problems(draft, current, PLAN_STARTED, TODAY)
    assert [problem.field for problem in found] == [field for field, _ in problems]
    for problem, (_, start) in zip(found, problems, strict=True):
        assert problem.message.startswith(start)


HEADLINE = ("education", "health", "housing")
CHILDREN = (11, 12)


def outcome(**changes: object) -> OutcomeDraft:
    fields: dict[str, object] = {
        "description": "Maisie goes to school every day",
        "measure": "",
        "headline_outcomes": ("education",),
        "member_id": 11,
    }
    return OutcomeDraft(**(fields | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("draft", "current", "problems"),
    [
        (outcome(), None, []),
        (outcome(member_id=None), None, []),
        (outcome(headline_outcomes=("education", "housing")), None, []),
        (outcome(member_id=99), None, ["member"]),
        (outcome(description=" \n"), None, ["description"]),
        (outcome(headline_outcomes=()), None, ["headline_outcomes"]),
        (outcome(headline_outcomes=("education", "invented")), None, ["headline_outcomes"]),
        (outcome(status=ACHIEVED), None, ["status"]),
        (outcome(status=ACHIEVED), OPEN, []),
        (outcome(status=NOT_NEEDED), ACHIEVED, ["status"]),
        (
            outcome(member_id=99, description="", headline_outcomes=()),
            None,
            ["member", "description", "headline_outcomes"],
        ),
    ],
)
def test_outcome_problems(
    draft: OutcomeDraft, current: OutcomeStatus | None, problems: list[str]
) -> None:
    found = outcome_problems(draft, current, HEADLINE, CHILDREN)
    assert [problem.field for problem in found] == problems
