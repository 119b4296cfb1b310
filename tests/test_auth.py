"""Signing in and out, and what a signed-out visitor can reach."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import AuditEvent
from caseapp.services.accounts import _timing_decoy
from caseapp.web.access import access_for_endpoint
from tests.conftest import AuthActions
from tests.factories import make_user

ROLE_HOMES = [
    ("lead_worker", "/caseload", "My caseload"),
    ("hub_coordinator", "/hub", "Hub queue"),
    ("manager", "/manager", "Manager&#39;s view"),
    ("admin", "/admin", "Administration"),
]


@pytest.mark.parametrize(("role", "home", "heading"), ROLE_HOMES)
def test_each_role_lands_on_its_own_home(
    client: FlaskClient, auth: AuthActions, role: str, home: str, heading: str
) -> None:
    user = make_user(role)
    response = auth.sign_in(user.email)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert heading in page.get_data(as_text=True)


def test_a_person_with_several_roles_sees_navigation_for_each(
    client: FlaskClient, auth: AuthActions
) -> None:
    user = make_user("manager", "lead_worker")
    auth.sign_in(user.email)
    page = client.get("/manager").get_data(as_text=True)
    assert "My caseload" in page and "Manager&#39;s view" in page
    assert "Hub queue" not in page and "Administration" not in page
    assert client.get("/").headers["Location"] == "/caseload"


def test_sign_in_ignores_the_case_of_the_email(client: FlaskClient, auth: AuthActions) -> None:
    user = make_user("admin", email="Mixed.Case@Example.org")
    assert user.email == "mixed.case@example.org"
    assert auth.sign_in("  MIXED.case@example.ORG ").status_code == 302


@pytest.mark.parametrize("which", ["wrong password", "unknown email"])
def test_wrong_credentials_are_refused_without_saying_which_part(
    client: FlaskClient, auth: AuthActions, which: str
) -> None:
    user = make_user("lead_worker")
    if which == "wrong password":
        response = auth.sign_in(user.email, "not the password at all")
    else:
        response = auth.sign_in("nobody@example.org")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in body
    assert "There is a problem" in body
    for revealing in ("password is wrong", "no account", "not found", "incorrect password"):
        assert revealing not in body.lower()
    assert client.get("/caseload").status_code == 302


def test_empty_fields_are_reported_next_to_each_field(client: FlaskClient) -> None:
    body = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in body
    assert "Enter your password" in body
    assert 'href="#email"' in body and 'href="#password"' in body


def test_a_disabled_account_cannot_sign_in(app: Flask, auth: AuthActions) -> None:
    user = make_user("lead_worker")
    user.active = False
    db.session.commit()
    assert auth.sign_in(user.email).status_code == 200


def test_disabling_an_account_ends_its_session_at_once(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    user = make_user("lead_worker")
    auth.sign_in(user.email)
    assert client.get("/caseload").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/caseload").status_code == 302


def test_sign_in_and_failures_are_audited(app: Flask, auth: AuthActions) -> None:
    user = make_user("lead_worker")
    auth.sign_in(user.email, "wrong password here")
    auth.sign_in(user.email)
    auth.sign_out()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "user").order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == [
        "create",
        "sign_in_failed",
        "sign_in",
        "sign_out",
    ]
    assert events[1].user_id is None and events[2].user_id == user.id
    assert all(event.remote_addr == "127.0.0.1" for event in events[1:])


def test_sign_out_ends_the_session(client: FlaskClient, auth: AuthActions) -> None:
    user = make_user("hub_coordinator")
    auth.sign_in(user.email)
    response = auth.sign_out()
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/hub").status_code == 302


def test_sign_out_needs_a_post(client: FlaskClient, auth: AuthActions) -> None:
    user = make_user("hub_coordinator")
    auth.sign_in(user.email)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/hub").status_code == 200


def test_after_sign_in_the_user_returns_to_the_page_they_asked_for(
    client: FlaskClient,
) -> None:
    user = make_user("lead_worker")
    redirect = client.get("/framework")
    assert redirect.headers["Location"] == "/sign-in?next=/framework"
    response = client.post(
        "/sign-in?next=/framework",
        data={"email": user.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/framework"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:x",
        "/\\evil.example/x",
        "/\\tevil",
        "/\r\nSet-Cookie:x",
    ],
)
def test_sign_in_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    user = make_user("lead_worker")
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"email": user.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/"


def test_every_page_sends_a_signed_out_visitor_to_sign_in(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        access = access_for_endpoint(app, rule.endpoint)
        if access is not None and access.public:
            continue
        url = rule.build({argument: 1 for argument in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url}"
            assert response.headers["Location"].startswith("/sign-in"), f"{method} {url}"
            checked += 1
    assert checked >= 6
    assert client.get("/no-such-page").headers["Location"].startswith("/sign-in")


def test_an_unknown_address_is_checked_against_a_hash_made_like_real_ones(app: Flask) -> None:
    # Otherwise a miss and a wrong password take different times, and the difference
    # tells which addresses have accounts.
    method = app.config["PASSWORD_HASH_METHOD"]
    real = make_user("lead_worker").password_hash
    decoy = _timing_decoy(method)
    assert decoy.split("$")[0] == real.split("$")[0] == method
