"""Hostile and random input to every form: never a server error, never script echoed back
unescaped, and a bad submission answered on the form itself.

CI runs 200 examples per form (CASEAPP_FUZZ_EXAMPLES); a developer's run takes fewer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.domain.episodes import EpisodeStatus
from tests.factories import DEMO_TEST_PASSWORD, make_user
from tests.test_requests import form_data as request_form_data
from tests.test_triage import decision_data, make_request

EXAMPLES = int(os.environ.get("CASEAPP_FUZZ_EXAMPLES", "25"))
MARKER = "<script>alert('x')</script>"

HOSTILE = [
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "\x00nul\x00",
    "\x1b[31mred\x07",
    "\u202eevil\u202c",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 💥",
    "e\u0301",
    "x" * 5000,
    "9" * 40,
    "-1",
    "2026-02-30",
    "../../etc/passwd",
    "",
    " ",
]

text_values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _check(response: Any) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[-2000:]
    assert MARKER not in body
    assert "onerror=alert" not in body or "&#34;&gt;&lt;img" in body or "&lt;img" in body


def _hostile_form(base: dict[str, Any], fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({field: text_values for field in fields}).map(
        lambda changes: {**base, **changes}
    )


def _signed_in(app: Flask, *roles: str) -> FlaskClient:
    user = make_user(*roles)
    client = app.test_client()
    client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    return client


def _run(app: Flask, send: Callable[[dict[str, Any]], Any], strategy: Any) -> None:
    @fuzz
    @given(data=strategy)
    def property_holds(data: dict[str, Any]) -> None:
        _check(send(data))

    property_holds()


def test_sign_in_form(app: Flask) -> None:
    client = app.test_client()
    _run(
        app,
        lambda data: client.post("/sign-in", data=data),
        _hostile_form({}, ["email", "password"]),
    )


def test_request_for_support_form(app: Flask) -> None:
    client = _signed_in(app, "hub_coordinator")
    fields = [
        "referrer_name",
        "referrer_agency",
        "referrer_contact",
        "address",
        "postcode",
        "locality",
        "children-0-given_name",
        "children-0-family_name",
        "children-0-gender",
        "children-1-date_of_birth",
        "carers-0-given_name",
        "carers-0-relationship",
        "reason",
        "tried_so_far",
        "consent",
        "consent_given_by",
        "received_via",
    ]
    _run(
        app,
        lambda data: client.post("/requests/new", data=data),
        _hostile_form(request_form_data(), fields),
    )


def test_triage_form(app: Flask) -> None:
    made = make_request()
    client = _signed_in(app, "hub_coordinator")
    url = f"/hub/episodes/{made.episode_id}/triage"
    base = decision_data(made, {}, "early_help")
    fields = [
        "rationale",
        "outcome",
        "referrer_told_how",
        "referrer_told_on",
        "version",
        "social_care_route",
        "social_care_contacted",
        "outcome_reason",
    ]
    _run(app, lambda data: client.post(url, data=data), _hostile_form(base, fields))


def test_allocation_form(app: Flask) -> None:
    made = make_request(status=EpisodeStatus.AWAITING_ALLOCATION)
    client = _signed_in(app, "hub_coordinator")
    url = f"/hub/episodes/{made.episode_id}/allocate"
    _run(
        app,
        lambda data: client.post(url, data=data),
        _hostile_form({}, ["version", "lead_worker", "reason", "q"]),
    )


@pytest.mark.parametrize(
    ("url", "roles", "fields"),
    [
        ("/hub", ("hub_coordinator",), ["q", "status", "level", "team", "locality", "age", "page"]),
        ("/admin/users", ("admin",), ["q", "page"]),
    ],
)
def test_search_and_filter_forms(
    app: Flask, url: str, roles: tuple[str, ...], fields: list[str]
) -> None:
    client = _signed_in(app, *roles)
    _run(
        app,
        lambda data: client.get(url, query_string=data),
        _hostile_form({}, fields),
    )


@pytest.mark.parametrize(
    ("url", "role", "fields"),
    [
        ("/families/search", "manager", ["name", "postcode", "date_of_birth", "s"]),
        ("/hub", "hub_coordinator", ["q", "status", "level", "team", "locality", "age", "s"]),
    ],
)
def test_posted_search_forms(app: Flask, url: str, role: str, fields: list[str]) -> None:
    client = _signed_in(app, role)
    _run(
        app,
        lambda data: client.post(url, data=data, follow_redirects=True),
        _hostile_form({}, fields),
    )


def test_staff_account_form(app: Flask) -> None:
    client = _signed_in(app, "admin")
    base = {"agency_id": "None", "team_id": "None", "roles": ["lead_worker"]}
    _run(
        app,
        lambda data: client.post("/admin/users/new", data=data),
        _hostile_form(base, ["name", "email", "job_title", "password", "agency_id", "team_id"]),
    )
