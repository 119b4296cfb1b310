"""The audit trail: complete for the Hub journey, readable by managers and admins, unchangeable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import AuditEvent, Episode, FamilyMember, SupportRequest, Team, User
from caseapp.models.types import utcnow
from caseapp.services.audit import add_audit_event
from tests.factories import make_episode, make_family, make_team, make_user
from tests.statements import counting_statements
from tests.test_requests import form_data
from tests.test_triage import MadeRequest, decision_data

HTMX = {"HX-Request": "true"}
ADDRESS = "127.0.0.1"  # the test client's remote address

Line = tuple[str | None, str, str, int | None, int | None]


def audit_lines(after_id: int = 0) -> list[Line]:
    """(who, action, object type, object id, family id) for every event, oldest first."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            User.email,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.family_id,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.id > after_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def last_audit_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def page_text(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def recorded_request() -> MadeRequest:
    support = db.session.scalar(select(SupportRequest))
    children = db.session.scalars(
        select(FamilyMember.id)
        .where(FamilyMember.family_id == support.family_id, FamilyMember.is_child.is_(True))
        .order_by(FamilyMember.date_of_birth)
    ).all()
    return MadeRequest(support.id, support.episode_id, support.family_id, tuple(children))


# --- the Hub journey, line by line ---------------------------------------------------------


def test_the_hub_journey_is_in_the_audit_log_line_by_line(client: FlaskClient, auth) -> None:
    team = make_team("North Early Help Team", "North")
    hub = make_user("hub_coordinator", name="Harriet Hub", email="harriet@example.org")
    gemma = make_user("lead_worker", name="Gemma Clarke", email="gemma@example.org", team=team)
    before = last_audit_id()

    assert auth.sign_in(hub.email, "not her password").status_code == 200
    assert auth.sign_in(hub.email).status_code == 302
    assert client.post("/requests/new", data=form_data(received_via="phone")).status_code == 302
    made = recorded_request()
    triage = f"/hub/episodes/{made.episode_id}"
    assert client.get(f"/requests/{made.request_id}").status_code == 200
    assert client.get("/hub").status_code == 200
    assert client.post(f"{triage}/start").status_code == 302
    assert client.get(f"{triage}/triage").status_code == 200
    levels = dict.fromkeys(made.child_ids, "earliest_help")
    decided = client.post(f"{triage}/triage", data=decision_data(made, levels, "early_help"))
    assert decided.headers["Location"].endswith(f"{triage}/allocate")
    assert client.get(f"{triage}/allocate").status_code == 200
    version = db.session.get(Episode, made.episode_id).version
    allocation = {"version": version, "lead_worker": gemma.id, "reason": ""}
    assert client.post(f"{triage}/allocate", data=allocation).status_code == 302
    assert client.get(f"/families/{made.family_id}").status_code == 200
    assert (
        client.post(
            "/families/search", data={"name": "Maisie Turner"}, follow_redirects=True
        ).status_code
        == 200
    )
    assert auth.sign_out().status_code == 302
    assert auth.sign_in(gemma.email).status_code == 302
    assert client.get(f"/families/{made.family_id}").status_code == 200

    family, episode, request_id = made.family_id, made.episode_id, made.request_id
    first_child, second_child = made.child_ids
    assert audit_lines(before) == [
        (None, "sign_in_failed", "user", hub.id, None),
        (hub.email, "sign_in", "user", hub.id, None),
        (hub.email, "create", "family", family, family),
        (hub.email, "create", "episode", episode, family),
        (hub.email, "create", "support_request", request_id, family),
        (hub.email, "view", "support_request", request_id, family),
        (hub.email, "view", "hub_queue", None, None),
        (hub.email, "start_triage", "episode", episode, family),
        (hub.email, "view", "support_request", request_id, family),
        (hub.email, "update", "level_of_need", first_child, family),
        (hub.email, "update", "level_of_need", second_child, family),
        (hub.email, "decide", "support_request", request_id, family),
        (hub.email, "view", "episode", episode, family),
        (hub.email, "update", "assignment", episode, family),
        (hub.email, "view", "family", family, family),
        (hub.email, "search", "family", None, None),
        (hub.email, "sign_out", "user", hub.id, None),
        (gemma.email, "sign_in", "user", gemma.id, None),
        (gemma.email, "view", "family", family, family),
    ]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert {event.remote_addr for event in events} == {ADDRESS}
    assert all(event.at is not None and event.at <= utcnow() for event in events)
    failed = events[0]
    assert failed.detail == {"reason": "wrong credentials"}

    # The manager of the family's team reads the same trail, newest first, in plain words.
    assert auth.sign_out().status_code == 302
    team_id = db.session.get(Episode, episode).team_id
    manager = make_user("manager", name="Mo Manager", team=db.session.get(Team, team_id))
    assert auth.sign_in(manager.email).status_code == 302
    before_manager = last_audit_id()
    body = client.get(f"/families/{family}/access-log").get_data(as_text=True)
    text = page_text(body)
    assert "Who has accessed this record" in text
    who_what = re.findall(
        r"<td class=\"govuk-table__cell\">[^<]*</td>\s*"
        r"<td class=\"govuk-table__cell\">([^<]*)</td>\s*"
        r"<td class=\"govuk-table__cell\">([^<]*)</td>",
        body,
    )
    assert who_what == [
        ("Gemma Clarke", "viewed the family page"),
        ("Harriet Hub", "viewed the family page"),
        ("Harriet Hub", "changed the lead worker"),
        ("Harriet Hub", "viewed the family to allocate a lead worker"),
        ("Harriet Hub", "recorded the Hub decision"),
        ("Harriet Hub", "recorded a child&#39;s level of need"),
        ("Harriet Hub", "recorded a child&#39;s level of need"),
        ("Harriet Hub", "viewed the request for support"),
        ("Harriet Hub", "picked the request up for triage"),
        ("Harriet Hub", "viewed the request for support"),
        ("Harriet Hub", "recorded a request for support"),
        ("Harriet Hub", "opened an episode"),
        ("Harriet Hub", "created the family record"),
    ]
    assert text.count(ADDRESS) == len(who_what)
    assert audit_lines(before_manager) == [(manager.email, "view", "access_log", family, family)]

    # An administrator finds the same rows by the family reference, and no case content.
    assert auth.sign_out().status_code == 302
    admin = make_user("admin", name="Ada Admin")
    assert auth.sign_in(admin.email).status_code == 302
    before_admin = last_audit_id()
    body = client.get(f"/admin/audit?family=F{family:06d}").get_data(as_text=True)
    text = page_text(body)
    assert "14 entries, newest first" in text
    assert "Mo Manager" in text and "viewed who has accessed this record" in text
    assert f"support request {request_id}" in text
    for case_content in ("Maisie", "Turner", "hungry", "Mill Lane", "Dana Wells"):
        assert case_content not in text
    assert audit_lines(before_admin) == [(admin.email, "search", "audit_log", None, None)]


def test_viewing_the_hub_queue_is_audited(client: FlaskClient, signed_in_as) -> None:
    make_episode(make_family(family_name="Queue"), team=make_team())
    coordinator = signed_in_as("hub_coordinator")
    before = last_audit_id()
    assert client.get("/hub").status_code == 200
    assert (coordinator.email, "view", "hub_queue") in [line[:3] for line in audit_lines(before)]


# --- a family's access log -----------------------------------------------------------------


def family_in_team(team: Team) -> int:
    return make_episode(make_family(family_name="Logged"), team=team).family_id


def test_the_access_log_is_for_managers_who_may_see_the_family(
    client: FlaskClient, signed_in_as
) -> None:
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    family_id = family_in_team(north)
    signed_in_as("manager", team=south)
    assert client.get(f"/families/{family_id}/access-log").status_code == 404
    assert client.get("/families/999999/access-log").status_code == 404


@pytest.mark.parametrize("role", ["lead_worker", "hub_coordinator", "admin"])
def test_only_managers_reach_the_access_log(client: FlaskClient, signed_in_as, role) -> None:
    team = make_team()
    family_id = family_in_team(team)
    signed_in_as(role, team=team)
    assert client.get(f"/families/{family_id}/access-log").status_code == 403


def test_the_family_page_links_managers_to_the_access_log(
    client: FlaskClient, signed_in_as, auth
) -> None:
    team = make_team()
    family_id = family_in_team(team)
    link = f'href="/families/{family_id}/access-log"'
    signed_in_as("manager", team=team)
    assert link in client.get(f"/families/{family_id}").get_data(as_text=True)
    auth.sign_out()
    lead = make_user("lead_worker", team=team)
    episode = db.session.scalar(select(Episode).where(Episode.family_id == family_id))
    episode.lead_worker_id = lead.id
    db.session.commit()
    auth.sign_in(lead.email)
    page = client.get(f"/families/{family_id}")
    assert page.status_code == 200
    assert link not in page.get_data(as_text=True)


def test_the_access_log_pages_by_keyset_with_a_fixed_number_of_queries(
    client: FlaskClient, signed_in_as, app: Flask
) -> None:
    team = make_team()
    family_id = family_in_team(team)
    reader = make_user("lead_worker", name="Reader Person")
    for _ in range(3):
        add_audit_event(action="view", object_type="family", user_id=reader.id, family_id=family_id)
    db.session.commit()
    signed_in_as("manager", team=team)
    url = f"/families/{family_id}/access-log"

    with counting_statements() as few:
        client.get(url)
    for _ in range(40):
        add_audit_event(action="view", object_type="family", user_id=reader.id, family_id=family_id)
    db.session.commit()
    with counting_statements() as many:
        first = client.get(url).get_data(as_text=True)
    assert len(few) == len(many)

    page_size = app.config["CASEAPP_PAGE_SIZE"]
    assert first.count("Reader Person") == page_size
    older = re.search(r'href="([^"]*before=[^"]*)"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    # Every event once across the two pages, except the views of these two pages themselves:
    # each is recorded after its page was read.
    total = db.session.scalar(
        select(db.func.count(AuditEvent.id)).where(AuditEvent.family_id == family_id)
    )
    body_rows = re.compile(r'<tbody class="govuk-table__body">.*?</tbody>', re.S)
    shown = sum(
        match.count('<tr class="govuk-table__row">')
        for page in (first, second)
        for match in body_rows.findall(page)
    )
    assert shown == total - 2
    assert "Newest entries" in second
    assert client.get(f"{url}?before=not-a-cursor").status_code == 400


# --- the administrators' search ------------------------------------------------------------


def audit_search(client: FlaskClient, headers: dict[str, str] | None = None, **query: object):
    return client.get("/admin/audit", query_string=query, headers=headers or {})


def test_admins_search_the_log_by_person_action_date_and_family(
    client: FlaskClient, signed_in_as
) -> None:
    family_id = family_in_team(make_team())
    gemma = make_user("lead_worker", name="Gemma Clarke", email="gemma.c@example.org")
    old = add_audit_event(
        action="view", object_type="family", user_id=gemma.id, family_id=family_id
    )
    old.at = utcnow() - timedelta(days=40)
    add_audit_event(action="update", object_type="episode", user_id=gemma.id, family_id=family_id)
    db.session.commit()
    signed_in_as("admin", name="Ada Admin")

    def entries(**query: object) -> str:
        response = audit_search(client, **query)
        assert response.status_code == 200
        found = re.search(r"(\d+) entr(?:y|ies), newest first|No entries found", response.text)
        assert found is not None, page_text(response.text)
        return found.group(1) or "0"

    assert entries(person="gemma") == "2"
    assert entries(person="GEMMA.C@EXAMPLE") == "2"
    assert entries(person="gemma", action="update") == "1"
    today = utcnow().astimezone(UK_TIME).date()
    recent = today - timedelta(days=7)
    parts = {"date_from": [recent.day, recent.month, recent.year]}
    assert entries(person="gemma", **parts) == "1"
    long_ago = today - timedelta(days=41)
    span = {"date_from": [long_ago.day, long_ago.month, long_ago.year]}
    span["date_to"] = [recent.day, recent.month, recent.year]
    assert entries(person="gemma", **span) == "1"
    assert entries(family=f"F{family_id:06d}", person="gemma") == "2"
    assert entries(family=f"f{family_id}", action="view", person="gemma") == "1"
    assert entries(family="F999999") == "0"


def test_admin_search_errors_are_shown_on_the_form(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("admin")
    before = last_audit_id()
    body = audit_search(
        client, family="Turner", date_from=["2", "3", "2026"], date_to=["1", "3", "2026"]
    ).text
    assert "<title>Error: Audit log" in body
    assert "Enter a family reference like F000012" in body
    assert "To must be the same as or after From" in body
    assert audit_search(client, action="drop_table").text.count("Error: ") >= 1
    assert audit_lines(before) == []  # an invalid search runs nothing, so records nothing


def test_admin_search_serves_a_page_and_an_htmx_fragment(client: FlaskClient, signed_in_as) -> None:
    admin = signed_in_as("admin", name="Ada Admin")
    full = audit_search(client, person="ada").text
    assert "<html" in full and 'hx-push-url="true"' in full and 'id="audit-results"' in full
    fragment = audit_search(client, headers=HTMX, person="ada").text
    assert "<html" not in fragment and "<form" not in fragment
    assert "Ada Admin" in fragment and "signed in" in fragment
    searches = [line for line in audit_lines() if line[1:3] == ("search", "audit_log")]
    assert searches == [(admin.email, "search", "audit_log", None, None)] * 2


def test_admin_search_pages(client: FlaskClient, signed_in_as, app: Flask) -> None:
    worker = make_user("lead_worker", name="Busy Worker")
    for _ in range(30):
        add_audit_event(action="view", object_type="family", user_id=worker.id)
    db.session.commit()
    signed_in_as("admin")
    first = audit_search(client, person="busy").text
    assert "30 entries" in first and "Page 1 of 2" in first
    assert first.count("Busy Worker") == app.config["CASEAPP_PAGE_SIZE"]
    second = audit_search(client, person="busy", page=2).text
    assert second.count("Busy Worker") == 5


@pytest.mark.parametrize("role", ["lead_worker", "hub_coordinator", "manager"])
def test_only_admins_search_the_audit_log(client: FlaskClient, signed_in_as, role) -> None:
    signed_in_as(role)
    assert client.get("/admin/audit").status_code == 403


# --- append-only ---------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_an_audit_event(app: Flask) -> None:
    event = add_audit_event(action="view", object_type="family", user_id=None)
    db.session.commit()
    event.action = "nothing to see"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "view"


def test_no_route_offers_to_change_the_audit_log(app: Flask) -> None:
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    audit_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("audit.") or "audit" in rule.rule or "access-log" in rule.rule
    ]
    assert {rule.endpoint for rule in audit_rules} == {"audit.search", "audit.family_access"}
    assert all(not (rule.methods or set()) & writes for rule in audit_rules)
