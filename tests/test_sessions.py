"""Session timeouts and sign-in throttling."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.domain.sessions import session_expired
from caseapp.extensions import db
from caseapp.models import AuditEvent
from caseapp.web.sessions import LAST_ACTIVE, SIGNED_IN_AT
from tests.conftest import AuthActions
from tests.factories import DEMO_TEST_PASSWORD, make_user

MINUTE = 60.0
HOUR = 3600.0


@pytest.mark.parametrize(
    ("signed_in_ago", "last_active_ago", "expired"),
    [
        (10 * MINUTE, 1 * MINUTE, False),
        (10 * MINUTE, 30 * MINUTE, False),  # exactly the idle limit is still allowed
        (40 * MINUTE, 31 * MINUTE, True),  # idle too long
        (8.9 * HOUR, 1 * MINUTE, False),
        (9.1 * HOUR, 1 * MINUTE, True),  # busy all day, but past the absolute limit
    ],
)
def test_session_expiry_rule(signed_in_ago: float, last_active_ago: float, expired: bool) -> None:
    now = 1_000_000.0
    assert (
        session_expired(now, now - signed_in_ago, now - last_active_ago, 30 * MINUTE, 9 * HOUR)
        is expired
    )


def _age_session(client: FlaskClient, signed_in_ago: float, last_active_ago: float) -> None:
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - signed_in_ago
        session[LAST_ACTIVE] = time.time() - last_active_ago


def test_idle_session_is_signed_out(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker")
    _age_session(client, 45 * MINUTE, 31 * MINUTE)
    response = client.get("/caseload")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/caseload"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because your session ended" in page
    assert client.get("/caseload").status_code == 302


def test_activity_keeps_the_session_alive(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker")
    _age_session(client, 45 * MINUTE, 29 * MINUTE)
    assert client.get("/caseload").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session[LAST_ACTIVE] < 5


def test_a_session_ends_after_the_working_day_however_busy(
    client: FlaskClient, signed_in_as
) -> None:
    signed_in_as("lead_worker")
    _age_session(client, 10 * HOUR, 1 * MINUTE)
    assert client.get("/caseload").status_code == 302


def test_htmx_request_from_an_expired_session_redirects_the_window(
    client: FlaskClient, signed_in_as
) -> None:
    signed_in_as("lead_worker")
    _age_session(client, 45 * MINUTE, 31 * MINUTE)
    response = client.get("/caseload", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/sign-in")


def test_signed_out_htmx_request_redirects_the_window(client: FlaskClient) -> None:
    response = client.get("/caseload", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/sign-in")


def test_repeated_failures_lock_the_account_for_a_while(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    user = make_user("lead_worker")
    other = make_user("lead_worker")
    for _ in range(5):
        assert auth.sign_in(user.email, "wrong password attempt").status_code == 200
    locked = auth.sign_in(user.email)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_data(as_text=True)
    # The same message for an address with no account: locking reveals nothing.
    for _ in range(6):
        unknown = auth.sign_in("nobody@example.org", "wrong password attempt")
    assert unknown.status_code == 429
    # Another person at the same office is not locked out.
    assert auth.sign_in(other.email).status_code == 302
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == user.id)
    ).all()
    assert "sign_in_throttled" in actions


def test_successful_sign_ins_do_not_count_towards_locking(
    client: FlaskClient, auth: AuthActions
) -> None:
    user = make_user("lead_worker")
    for _ in range(8):
        assert auth.sign_in(user.email).status_code == 302
        auth.sign_out()


@pytest.fixture
def strict_address_limit(app: Flask) -> Iterator[None]:
    previous = app.config["CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS"]
    app.config["CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS"] = "3 per minute"
    yield
    app.config["CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS"] = previous


def test_one_address_trying_many_accounts_is_throttled(
    client: FlaskClient, strict_address_limit: None
) -> None:
    statuses = [
        client.post(
            "/sign-in", data={"email": f"guess{n}@example.org", "password": DEMO_TEST_PASSWORD}
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
