"""Hostile and random input to the plan's forms: never a server error, never script echoed
back unescaped, and nothing half-saved.

CI runs 200 examples per form (CASEAPP_FUZZ_EXAMPLES); a developer's run takes fewer.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import PlanAction, PlanOutcome
from tests.test_family_page import sign_in
from tests.test_form_fuzzing import _check, _hostile_form, _run
from tests.test_plans import HTMX, Plan, action_data, add_action, add_outcome, edit_data, make_plan
from tests.test_plans import outcome_data as new_outcome_data
from tests.test_plans import outcome_form as outcome_edit_data


@pytest.fixture
def plan(app: Flask) -> Plan:
    return make_plan()


def both_ways(client: Any, url: str, data: dict[str, Any]) -> Any:
    """Post once as a plain form and once as htmx; return the htmx answer after checking
    the plain one on the way (each must hold up on its own)."""
    _check(client.post(url, data=data))
    return client.post(url, data=data, headers=HTMX)


def test_add_outcome_form(app: Flask, plan: Plan) -> None:
    client = sign_in(app, plan.lead)
    fields = [
        "outcome-member",
        "outcome-description",
        "outcome-measure",
        "outcome-headline_outcomes",
        "outcome-status",
    ]
    _run(
        app,
        lambda data: both_ways(client, f"{plan.url}/outcomes", data),
        _hostile_form(new_outcome_data(), fields),
    )
    # Whatever was saved is whole: a description and known headline outcomes.
    headline = app.extensions["caseapp.headline_outcomes"]
    for outcome in db.session.scalars(select(PlanOutcome)):
        assert outcome.description.strip()
        assert outcome.headline_outcomes and all(headline.has(c) for c in outcome.headline_outcomes)


def test_change_outcome_form(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    client = sign_in(app, plan.lead)
    fields = [
        "outcome-version",
        "outcome-member",
        "outcome-description",
        "outcome-headline_outcomes",
        "outcome-status",
    ]
    _run(
        app,
        lambda data: client.post(f"{plan.url}/outcomes/{outcome.id}", data=data),
        _hostile_form(outcome_edit_data(outcome), fields),
    )


def test_add_action_form(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    client = sign_in(app, plan.lead)
    prefix = f"action-{outcome.id}"
    fields = [
        "outcome",
        f"{prefix}-description",
        f"{prefix}-owner_name",
        f"{prefix}-owner_agency",
        f"{prefix}-due_on",
        f"{prefix}-status",
        f"{prefix}-completed_on",
        f"{prefix}-historic",
    ]
    _run(
        app,
        lambda data: both_ways(client, f"{plan.url}/actions", data),
        _hostile_form(action_data(prefix, outcome.id), fields),
    )
    for action in db.session.scalars(select(PlanAction)):
        assert action.description.strip() and action.owner_name.strip()


def test_change_action_form(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    prefix = f"edit-{action.id}"
    fields = [
        f"{prefix}-version",
        f"{prefix}-description",
        f"{prefix}-owner_name",
        f"{prefix}-due_on",
        f"{prefix}-status",
        f"{prefix}-completed_on",
        f"{prefix}-historic",
    ]
    _run(
        app,
        lambda data: both_ways(client, f"{plan.url}/actions/{action.id}", data),
        _hostile_form(edit_data(action), fields),
    )


def test_mark_as_done_form(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    _run(
        app,
        lambda data: both_ways(client, f"{plan.url}/actions/{action.id}/complete", data),
        _hostile_form({"version": "1"}, ["version"]),
    )
