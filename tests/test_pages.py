"""Shared page behaviour: the framework page, error pages, headers and fragments."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.exc import DBAPIError

from caseapp.extensions import db
from caseapp.frameworks import load_framework
from caseapp.web.access import public
from tests.conftest import build_app
from tests.factories import DEMO_TEST_PASSWORD, make_user


def test_framework_page_shows_levels_domains_and_indicators(
    client: FlaskClient, signed_in_as
) -> None:
    signed_in_as("lead_worker")
    framework = load_framework("staffordshire")
    body = client.get("/framework").get_data(as_text=True)
    for level in framework.levels:
        assert level.name in body
    for domain in framework.domains:
        assert str(escape(domain.name)) in body
    sample = framework.indicators_for("targeted_early_help", "child_development")[0]
    assert str(escape(sample.text)) in body
    assert str(escape(framework.source_title)) in body
    assert "003_2f6290b2b4c8b00a.txt" not in body


@pytest.mark.parametrize("key", ["york", "barnsley", "wokingham"])
def test_framework_page_follows_the_framework_in_force(app: Flask, key: str) -> None:
    other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], CASEAPP_FRAMEWORK=key)
    client = other.test_client()
    user = make_user("manager")
    client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    body = client.get("/framework").get_data(as_text=True)
    for level in load_framework(key).levels:
        assert level.name in body


def test_accessibility_statement_is_public(client: FlaskClient) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    assert "WCAG" in response.get_data(as_text=True)


def test_not_found_page_has_the_service_look(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker")
    response = client.get("/no-such-page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in body and "govuk-template" in body


def test_forbidden_page(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker")
    response = client.get("/admin")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_stack_trace_or_data(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    failing = build_app(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False)

    @failing.route("/explode")
    def explode() -> str:
        raise RuntimeError("Secret Child Name DOB 01/02/2019")

    public(explode)
    response = failing.test_client().get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body and "Secret Child Name" not in body
    # The log says where it failed, for the people running the service, and never what
    # the message quoted.
    assert "unhandled RuntimeError" in caplog.text and "explode" in caplog.text
    assert "Secret Child Name" not in caplog.text


def test_a_database_error_keeps_its_values_out_of_the_message(app: Flask) -> None:
    with pytest.raises(DBAPIError) as failure:
        db.session.execute(
            sa.text("INSERT INTO teams (id, name, locality) VALUES (:id, :name, :locality)"),
            [{"id": 1, "name": "Maisie Turner", "locality": "x"}] * 2,
        )
    db.session.rollback()
    assert "Maisie Turner" not in str(failure.value)


def test_security_headers_are_on_every_response(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker", "hub_coordinator", "manager", "admin")
    for url in ("/caseload", "/hub", "/manager", "/admin", "/framework", "/accessibility"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and "<style" not in body and "style=" not in body, url
        assert " onclick=" not in body, url


def test_htmx_request_gets_the_fragment_only(client: FlaskClient) -> None:
    full = client.get("/sign-in").get_data(as_text=True)
    assert full.lstrip().startswith("<!DOCTYPE html>")
