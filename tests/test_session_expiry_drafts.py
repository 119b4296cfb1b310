"""The no-JavaScript guarantee: a protected form posted after the session ended is kept as
its author's draft, and after signing in again they are back on the form with it restored.
Only for a valid signed session of a real, active person; never for a signed-out visitor."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.models import Draft, User
from caseapp.web.sessions import LAST_ACTIVE, SIGNED_IN_AT
from tests.conftest import build_app
from tests.factories import DEMO_TEST_PASSWORD, make_user
from tests.test_requests import form_data

KEY = "request-for-support"
MINUTE = 60.0


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def let_session_go_idle(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - 45 * MINUTE
        session[LAST_ACTIVE] = time.time() - 31 * MINUTE


def drafts_of(user: User) -> list[Draft]:
    db.session.expire_all()
    return list(db.session.scalars(select(Draft).where(Draft.user_id == user.id)))


def draft_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Draft.id))) or 0


def test_a_form_posted_after_the_session_ended_comes_back_after_signing_in(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    assert 'name="draft_key"' in client.get("/requests/new").get_data(as_text=True)
    let_session_go_idle(client)

    typed = form_data(reason="Maisie has missed 12 days this term.", draft_key=KEY)
    response = client.post("/requests/new", data=typed)

    assert response.status_code == 302
    assert response.location == "/sign-in?next=/requests/new"
    [draft] = drafts_of(user)
    assert draft.form_key == KEY
    assert draft.fields["reason"] == ["Maisie has missed 12 days this term."]
    assert draft.fields["children-0-date_of_birth"] == typed["children-0-date_of_birth"]
    assert "draft_key" not in draft.fields and "csrf_token" not in draft.fields
    sign_in_page = client.get(response.location).get_data(as_text=True)
    assert "What you typed has been kept" in sign_in_page
    assert "Maisie has missed" not in sign_in_page

    back = client.post(
        response.location, data={"email": user.email, "password": DEMO_TEST_PASSWORD}
    )
    assert back.status_code == 302 and back.location == "/requests/new"
    page = client.get(back.location).get_data(as_text=True)
    assert "We restored what you typed at " in page
    assert "Maisie has missed 12 days this term." in page
    assert re.search(r'name="children-0-given_name"[^>]*value="Maisie"', page)


def test_an_htmx_post_after_the_session_ended_sends_the_window_back_to_its_page(
    app: Flask,
) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    let_session_go_idle(client)
    response = client.post(
        "/requests/new",
        data=form_data(draft_key=KEY),
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/requests/new?x=1"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/sign-in?next=/requests/new"
    assert len(drafts_of(user)) == 1


def test_an_autosave_after_the_session_ended_is_kept_and_answered_401(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    let_session_go_idle(client)
    response = client.post("/drafts/save", data={"draft_key": KEY, "reason": "late typing"})
    assert response.status_code == 401
    assert drafts_of(user)[0].fields == {"reason": ["late typing"]}
    assert client.post("/session/keep-alive").status_code == 302, "signed out now"


def test_a_post_without_a_draft_key_is_not_kept(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    let_session_go_idle(client)
    response = client.post("/requests/new", data=form_data())
    assert response.location == "/sign-in"
    assert drafts_of(user) == []
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in again to continue" in page and "has been kept" not in page


def test_a_discard_after_the_session_ended_does_not_become_a_draft(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    let_session_go_idle(client)
    client.post("/drafts/discard", data={"form_key": KEY, "return_to": "/requests/new"})
    assert drafts_of(user) == []


def test_a_signed_out_visitor_never_leaves_a_draft(app: Flask) -> None:
    make_user("lead_worker")
    stranger = app.test_client()
    response = stranger.post("/requests/new", data=form_data(draft_key=KEY))
    assert response.status_code == 302 and response.location == "/sign-in"
    assert stranger.post("/drafts/save", data={"draft_key": KEY}).status_code == 302
    assert draft_count() == 0


def test_a_forged_session_cookie_leaves_no_draft(app: Flask) -> None:
    user = make_user("lead_worker")
    client = app.test_client()
    client.set_cookie("session", f'{{"_user_id": "{user.id}"}}.forged.signature')
    client.post("/requests/new", data=form_data(draft_key=KEY))
    assert draft_count() == 0


def test_a_disabled_account_leaves_no_draft(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    let_session_go_idle(client)
    user.active = False
    db.session.commit()
    response = client.post("/requests/new", data=form_data(draft_key=KEY))
    assert response.location == "/sign-in"
    assert drafts_of(user) == []


def csrf_token_on(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, f"{path} carries a CSRF token"
    return token.group(1)


def test_an_expired_post_must_still_pass_the_csrf_check(app: Flask) -> None:
    protected = build_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    user = make_user("lead_worker")
    client = protected.test_client()
    client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": DEMO_TEST_PASSWORD,
            "csrf_token": csrf_token_on(client, "/sign-in"),
        },
    )
    token = csrf_token_on(client, "/requests/new")
    let_session_go_idle(client)
    forged = client.post("/requests/new", data=form_data(draft_key=KEY))
    assert forged.status_code == 400
    assert drafts_of(user) == []
    genuine = client.post("/requests/new", data=form_data(draft_key=KEY, csrf_token=token))
    assert genuine.status_code == 302
    assert len(drafts_of(user)) == 1
