"""Every endpoint declares who may reach it, and role pages refuse other roles."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caseapp.web.access import access_for_endpoint
from tests.conftest import build_app
from tests.factories import DEMO_TEST_PASSWORD, make_user


def test_every_endpoint_declares_an_access_rule(app: Flask) -> None:
    undeclared = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if access_for_endpoint(app, rule.endpoint) is None
    )
    assert undeclared == []


def test_an_endpoint_without_a_rule_is_refused(app: Flask) -> None:
    unguarded = build_app(app.config["SQLALCHEMY_DATABASE_URI"])

    @unguarded.route("/forgot-to-declare")
    def forgot_to_declare() -> str:
        return "case records"

    user = make_user("lead_worker", "hub_coordinator", "manager", "admin")
    client = unguarded.test_client()
    assert client.get("/forgot-to-declare").status_code == 302
    client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    response = client.get("/forgot-to-declare")
    assert response.status_code == 404
    assert "case records" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("lead_worker", {"/caseload"}),
        ("hub_coordinator", {"/hub"}),
        ("manager", {"/manager"}),
        ("admin", {"/admin"}),
    ],
)
def test_role_homes_refuse_other_roles(
    client: FlaskClient, signed_in_as, role: str, allowed: set[str]
) -> None:
    signed_in_as(role)
    for home in ("/caseload", "/hub", "/manager", "/admin"):
        expected = 200 if home in allowed else 403
        assert client.get(home).status_code == expected, home
