"""Hostile and random input to the step-down, disagreement and oversight forms and to the
manager's figure lists: never a server error, never script echoed back unescaped."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from caseapp.config import DeadlineSettings
from caseapp.domain.episodes import EpisodeStatus
from caseapp.models import User
from caseapp.services.context import Actor
from caseapp.services.disagreements import raise_disagreement
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.test_form_fuzzing import _hostile_form, _run


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    return client


def _family(lead: User) -> int:
    family = make_family(family_name="Turner")
    make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team())
    return family.id


def test_raise_escalate_and_resolve_forms(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = _family(lead)
    made = raise_disagreement(Actor(lead), family_id, "A", "B", None, DeadlineSettings())
    client = _client(app, lead)
    # Raised on a family of their own: every disagreement the fuzzing manages to raise is
    # a card on its family's page, which the escalate and resolve forms answer with.
    raising = f"/families/{_family(lead)}/disagreements"
    _run(
        app,
        lambda data: client.post(raising, data=data),
        _hostile_form({}, ["parties", "disputed", "resolve_on"]),
    )
    url = f"/families/{family_id}/disagreements"
    escalate, resolve = f"escalate-{made.id}-", f"resolve-{made.id}-"
    _run(
        app,
        lambda data: client.post(f"{url}/{made.id}/escalate", data=data),
        _hostile_form(
            {f"{escalate}version": "1"},
            [f"{escalate}version", f"{escalate}reason", f"{escalate}resolve_on"],
        ),
    )
    _run(
        app,
        lambda data: client.post(
            f"{url}/{made.id}/resolve", data=data, headers={"HX-Request": "true"}
        ),
        _hostile_form({f"{resolve}version": "1"}, [f"{resolve}version", f"{resolve}resolution"]),
    )


def test_oversight_form(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family_id = _family(make_user("lead_worker"))
    client = _client(app, manager)
    _run(
        app,
        lambda data: client.post(f"/families/{family_id}/oversight", data=data),
        _hostile_form({}, ["oversight_on", "summary", "actions"]),
    )


def test_step_down_form(app: Flask) -> None:
    lead = make_user("lead_worker", team=make_team())
    client = _client(app, make_user("hub_coordinator"))
    base = {
        "children-0-given_name": "Maisie",
        "children-0-family_name": "Turner",
        "children-0-date_of_birth": ["3", "5", "2018"],
        "lead_worker": str(lead.id),
        "taf_at": "2pm",
    }
    fields = [
        "children-0-given_name",
        "children-1-date_of_birth",
        "carers-0-relationship",
        "address",
        "postcode",
        "family_choice",
        "from_team",
        "handover_summary",
        "lead_worker",
        "taf_on",
        "taf_at",
        "taf_location",
    ]
    _run(app, lambda data: client.post("/step-downs/new", data=data), _hostile_form(base, fields))


def test_figure_lists(app: Flask) -> None:
    client = _client(app, make_user("manager", team=make_team()))
    _run(
        app,
        lambda data: client.get("/manager/families", query_string=data),
        _hostile_form({}, ["figure", "page"]),
    )
