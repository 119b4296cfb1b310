"""Drafts of protected forms: saved while typing, restored to their author only, ended
when the form is saved or the draft discarded, and deleted after the retention period."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import AuditEvent, Draft, User
from caseapp.models.types import utcnow
from caseapp.services.drafts import (
    DRAFT_RETENTION_DAYS,
    MAX_DRAFTS_PER_PERSON,
    MAX_FIELDS,
    delete_old_drafts,
    discard_draft,
    drafts_for,
    save_draft,
)
from caseapp.web.drafts import DraftFiller
from caseapp.web.sessions import LAST_ACTIVE
from tests.conftest import build_app
from tests.factories import DEMO_TEST_PASSWORD, make_team, make_user
from tests.statements import counting_statements
from tests.test_requests import form_data

KEY = "request-for-support"


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def autosave(client: FlaskClient, key: str = KEY, **fields: Any) -> Any:
    return client.post("/drafts/save", data={"draft_key": key, "csrf_token": "t", **fields})


def the_draft(user: User, key: str = KEY) -> Draft | None:
    db.session.expire_all()
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.form_key == key))


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return found.group(1)


# --- saving ---------------------------------------------------------------------------------


def test_autosave_keeps_the_fields_but_not_the_token_or_passwords(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    response = autosave(
        client,
        reason="Maisie is often late.",
        **{"children-0-date_of_birth": ["2", "6", "2017"], "new_password": "secret words"},
    )
    assert response.status_code == 200
    assert response.get_json()["message"].startswith("Draft saved at ")
    draft = the_draft(user)
    assert draft is not None
    assert draft.fields == {
        "reason": ["Maisie is often late."],
        "children-0-date_of_birth": ["2", "6", "2017"],
    }
    assert draft.family_id is None


def test_saving_again_replaces_the_draft(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    autosave(client, reason="first")
    autosave(client, reason="second")
    rows = db.session.scalars(select(Draft).where(Draft.user_id == user.id)).all()
    assert [row.fields["reason"] for row in rows] == [["second"]]


def test_a_draft_save_renews_the_session(app: Flask) -> None:
    client = signed_in(app, make_user("lead_worker"))
    with client.session_transaction() as session:
        session[LAST_ACTIVE] = time.time() - 20 * 60
    assert client.post("/session/keep-alive").status_code == 204
    with client.session_transaction() as session:
        assert time.time() - session[LAST_ACTIVE] < 5
    with client.session_transaction() as session:
        session[LAST_ACTIVE] = time.time() - 20 * 60
    autosave(client, reason="typing")
    with client.session_transaction() as session:
        assert time.time() - session[LAST_ACTIVE] < 5


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("", 400),
        ("Eha-12", 400),
        ("eha-12/../x", 400),
        ("x" * 201, 400),
        ("eha-12-child-5-development", 200),
        ("taf-7", 200),
        ("eha-section:12:5:development", 200),
    ],
)
def test_only_keys_of_ids_and_names_are_accepted(app: Flask, key: str, status: int) -> None:
    client = signed_in(app, make_user("lead_worker"))
    assert autosave(client, key=key, reason="x").status_code == status


def test_a_draft_is_bounded(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    too_many = {f"field-{n}": "x" for n in range(MAX_FIELDS + 1)}
    assert autosave(client, **too_many).status_code == 413
    assert autosave(client, reason="x" * 200_001).status_code == 413
    assert the_draft(user) is None


def test_a_person_keeps_at_most_so_many_drafts_and_the_oldest_go(app: Flask) -> None:
    user = make_user("lead_worker")
    for number in range(MAX_DRAFTS_PER_PERSON + 2):
        save_draft(user.id, f"case-note-{number}", [("text", str(number))])
    keys = set(db.session.scalars(select(Draft.form_key).where(Draft.user_id == user.id)))
    assert len(keys) == MAX_DRAFTS_PER_PERSON
    assert "case-note-0" not in keys and "case-note-1" not in keys
    assert f"case-note-{MAX_DRAFTS_PER_PERSON + 1}" in keys


def test_drafts_are_not_audited(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    before = db.session.query(AuditEvent).count()
    autosave(client, reason="typing")
    client.post("/drafts/discard", data={"form_key": KEY})
    assert db.session.query(AuditEvent).count() == before


def test_draft_routes_refuse_a_post_without_the_csrf_token(app: Flask) -> None:
    protected = build_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    user = make_user("lead_worker")
    client = protected.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the sign-in form carries a CSRF token"
    client.post(
        "/sign-in",
        data={"email": user.email, "password": DEMO_TEST_PASSWORD, "csrf_token": token.group(1)},
    )
    assert client.post("/drafts/save", data={"draft_key": KEY, "reason": "x"}).status_code == 400
    assert client.post("/drafts/discard", data={"form_key": KEY}).status_code == 400
    assert client.post("/session/keep-alive").status_code == 400
    assert the_draft(user) is None


# --- restoring ------------------------------------------------------------------------------


def test_the_form_comes_back_with_the_draft_and_a_notice(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    autosave(
        client,
        reason="Maisie is often late.\n</textarea><script>alert(1)</script>",
        consent="yes",
        **{"children-0-date_of_birth": ["2", "6", "2017"], "children-0-given_name": "Maisie"},
    )
    page = client.get("/requests/new").get_data(as_text=True)
    assert "We restored what you typed at " in page and " today." in page
    assert '<input type="hidden" name="draft_key" value="request-for-support">' in page
    assert textarea(page, "reason") == (
        "Maisie is often late.\n&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert "<script>alert(1)" not in page
    assert re.search(r'name="children-0-given_name"[^>]*value="Maisie"', page)
    day, month, year = (
        re.search(rf'name="children-0-date_of_birth"[^>]*value="{value}"', page)
        for value in ("2", "6", "2017")
    )
    assert day and month and year
    assert re.search(r'value="yes"[^>]* checked', page) or re.search(
        r'checked[^>]*value="yes"', page
    )


def test_nobody_else_ever_sees_a_draft(app: Flask) -> None:
    author = make_user("lead_worker")
    colleague = make_user("hub_coordinator")
    autosave(signed_in(app, author), reason="Only mine to see")
    other = signed_in(app, colleague)
    page = other.get("/requests/new").get_data(as_text=True)
    assert "Only mine to see" not in page and "We restored" not in page
    # Their discard of the same form ends only their own draft.
    other.post("/drafts/discard", data={"form_key": KEY})
    assert the_draft(author) is not None
    assert drafts_for(colleague.id, [KEY]) == {}


def test_a_page_without_a_draft_gets_only_the_key_field(app: Flask) -> None:
    client = signed_in(app, make_user("lead_worker"))
    page = client.get("/requests/new").get_data(as_text=True)
    assert page.count('name="draft_key"') == 1
    assert "We restored" not in page


def test_restoring_costs_one_statement(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    counts = []
    for fields in ({}, {"reason": "typed"}):
        if fields:
            autosave(client, **fields)
        db.session.close()
        with counting_statements() as statements:
            assert client.get("/requests/new").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 15


# --- discarding and ending ----------------------------------------------------------------


def test_discard_without_javascript_returns_to_the_form(app: Flask) -> None:
    user = make_user("lead_worker")
    client = signed_in(app, user)
    autosave(client, reason="not wanted")
    response = client.post("/drafts/discard", data={"form_key": KEY, "return_to": "/requests/new"})
    assert response.status_code == 302 and response.location == "/requests/new"
    assert the_draft(user) is None
    page = client.get("/requests/new").get_data(as_text=True)
    assert "The draft was discarded." in page and "not wanted" not in page


@pytest.mark.parametrize("return_to", ["", "//evil.example/x", "https://evil.example", "\\\\x"])
def test_discard_never_sends_anyone_off_the_site(app: Flask, return_to: str) -> None:
    client = signed_in(app, make_user("lead_worker"))
    response = client.post("/drafts/discard", data={"form_key": KEY, "return_to": return_to})
    assert response.status_code == 204


def test_a_submitted_form_ends_its_draft_and_a_rejected_one_keeps_it(app: Flask) -> None:
    make_team("North Early Help Team", "North")
    user = make_user("lead_worker")
    client = signed_in(app, user)
    autosave(client, reason="typing")
    rejected = client.post("/requests/new", data=form_data(reason="", draft_key=KEY))
    assert rejected.status_code == 200
    assert 'name="draft_key"' in rejected.get_data(as_text=True)
    assert the_draft(user) is not None
    accepted = client.post("/requests/new", data=form_data(draft_key=KEY))
    assert accepted.status_code == 302
    assert the_draft(user) is None


def test_the_hook_ends_a_draft_in_the_callers_transaction(app: Flask) -> None:
    user = make_user("lead_worker")
    save_draft(user.id, "case-note-3", [("text", "typed")])
    discard_draft(user.id, "case-note-3")
    db.session.rollback()
    assert the_draft(user, "case-note-3") is not None, "nothing commits until the caller does"
    discard_draft(user.id, "case-note-3")
    db.session.commit()
    assert the_draft(user, "case-note-3") is None


# --- retention ------------------------------------------------------------------------------


def test_old_drafts_and_drafts_of_disabled_accounts_are_deleted(app: Flask) -> None:
    keeper = make_user("lead_worker")
    idle = make_user("lead_worker")
    leaver = make_user("lead_worker")
    for user in (keeper, idle, leaver):
        save_draft(user.id, KEY, [("reason", "typed")])
    old = the_draft(idle)
    assert old is not None
    old.saved_at = utcnow() - timedelta(days=DRAFT_RETENTION_DAYS, minutes=1)
    leaver.active = False
    db.session.commit()

    assert delete_old_drafts(utcnow()) == 2
    assert the_draft(keeper) is not None
    assert the_draft(idle) is None and the_draft(leaver) is None
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "draft"))
    assert audit is not None and audit.detail == {"deleted": 2, "days": DRAFT_RETENTION_DAYS}
    assert delete_old_drafts(utcnow()) == 0


def test_the_retention_command_deletes_old_drafts(app: Flask) -> None:
    user = make_user("lead_worker")
    save_draft(user.id, KEY, [("reason", "typed")])
    draft = the_draft(user)
    assert draft is not None
    draft.saved_at = utcnow() - timedelta(days=DRAFT_RETENTION_DAYS + 1)
    db.session.commit()
    dry: Result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert "1 draft(s)" in dry.output and the_draft(user) is not None
    result: Result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 draft(s)" in result.output
    assert the_draft(user) is None


# --- the HTML filling, as a table -------------------------------------------------------------

FORM = '<form data-draft-key="k">{}</form>'
KEY_FIELD = '<input type="hidden" name="draft_key" value="k">'


@pytest.mark.parametrize(
    ("inside", "fields", "expected"),
    [
        ('<input name="a" value="old">', {"a": ["new"]}, '<input name="a" value="new">'),
        ('<input name="a" value="old">', {}, '<input name="a" value="old">'),
        ('<input name="a">', {"a": ['"><b>']}, '<input name="a" value="&quot;&gt;&lt;b&gt;">'),
        (
            '<input name="d" value=""><input name="d" value="">',
            {"d": ["2", "6"]},
            '<input name="d" value="2"><input name="d" value="6">',
        ),
        (
            '<input type="checkbox" name="c" value="y" checked>',
            {},
            '<input type="checkbox" name="c" value="y">',
        ),
        (
            '<input type="radio" name="r" value="no" checked><input type=radio name=r value=yes>',
            {"r": ["yes"]},
            '<input type="radio" name="r" value="no">'
            + '<input type="radio" name="r" value="yes" checked>',
        ),
        ('<input type="password" name="p">', {"p": ["x"]}, '<input type="password" name="p">'),
        (
            '<input type="hidden" name="csrf_token" value="t">',
            {"csrf_token": ["old"]},
            '<input type="hidden" name="csrf_token" value="t">',
        ),
        (
            '<input type="hidden" name="version" value="4">',
            {"version": ["3"]},
            '<input type="hidden" name="version" value="3">',
        ),
        (
            "<textarea name=t>old &amp; gone</textarea>",
            {"t": ["\nnew <b>"]},
            "<textarea name=t>\n\nnew &lt;b&gt;</textarea>",
        ),
        (
            '<select name="s"><option value="a" selected>A</option><option value="b">B</option>',
            {"s": ["b"]},
            '<select name="s"><option value="a">A</option><option value="b" selected>B</option>',
        ),
        ("<p>&nbsp;&#169;<!-- c --></p>", {"a": ["x"]}, "<p>&nbsp;&#169;<!-- c --></p>"),
    ],
)
def test_the_filler_restores_each_kind_of_field(
    inside: str, fields: dict[str, list[str]], expected: str
) -> None:
    filled = DraftFiller({"k": fields}, {"k": "<p>notice</p>"}).fill(FORM.format(inside))
    assert (
        filled == "<p>notice</p>" + '<form data-draft-key="k">' + KEY_FIELD + expected + "</form>"
    )


def test_the_filler_leaves_other_forms_and_the_page_alone() -> None:
    page = (
        '<!DOCTYPE html><html><head><script type="module" src="/a.js"></script></head>'
        '<body><form action="/x"><input name="a" value="old"></form>'
        '<form data-draft-key="BAD KEY"><input name="a"></form></body></html>'
    )
    assert DraftFiller({"k": {"a": ["new"]}}, {}).fill(page) == page
