"""Management oversight: recorded by a manager who may see the family, read by everyone
who may, written to the chronology and audit, and counted on the manager's view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.config import ConfigError, deadline_settings_from_env
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import AuditEvent, OversightNote, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.casework import FamilyNotFound, NotYoursToKeep
from caseapp.services.context import Actor
from caseapp.services.oversight import OversightInvalid, record_oversight
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements


def north_family(lead: User) -> int:
    family = make_family(family_name="Turner")
    make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team())
    return family.id


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_a_manager_records_oversight_with_its_event_and_audit(app: Flask) -> None:
    manager = make_user("manager", team=make_team(), name="Morgan Lee")
    family_id = north_family(make_user("lead_worker"))
    note = record_oversight(
        Actor(manager), family_id, uk_today(), " Reviewed the plan ", " Book a TAF "
    )
    assert (note.summary, note.actions, note.manager_id) == (
        "Reviewed the plan",
        "Book a TAF",
        manager.id,
    )
    assert note.episode_id is not None
    event = db.session.scalar(
        select(TimelineEvent).where(TimelineEvent.kind == EventKind.OVERSIGHT_RECORDED)
    )
    assert event.family_id == family_id and "Morgan Lee" in event.summary
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "oversight_note")
    )


@pytest.mark.parametrize(
    ("on", "summary", "fields"),
    [
        (None, "x", ["oversight_on"]),
        (date.max, "x", ["oversight_on"]),
        (date(2026, 1, 1), "  ", ["summary"]),
        (None, "", ["oversight_on", "summary"]),
    ],
)
def test_oversight_needs_a_past_date_and_a_summary(
    app: Flask, on: date | None, summary: str, fields: list[str]
) -> None:
    manager = make_user("manager", team=make_team())
    family_id = north_family(make_user("lead_worker"))
    with pytest.raises(OversightInvalid) as refused:
        record_oversight(Actor(manager), family_id, on, summary, "")
    assert [problem.field for problem in refused.value.problems] == fields
    assert db.session.scalar(select(func.count(OversightNote.id))) == 0


def test_only_a_manager_who_may_see_the_family_records_it(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = north_family(lead)
    with pytest.raises(NotYoursToKeep):
        record_oversight(Actor(lead), family_id, uk_today(), "x", "")
    other_manager = make_user("manager", team=make_team("South Early Help Team"))
    with pytest.raises(FamilyNotFound):
        record_oversight(Actor(other_manager), family_id, uk_today(), "x", "")
    assert db.session.scalar(select(func.count(OversightNote.id))) == 0


def test_the_page_without_javascript_and_with_htmx(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family_id = north_family(make_user("lead_worker"))
    client = sign_in(app, manager)
    url = f"/families/{family_id}/oversight"
    page = client.get(url).get_data(as_text=True)
    assert "No management oversight has been recorded" in page
    assert "No oversight recorded since" in page
    today = uk_today()
    data = {
        "oversight_on": [str(today.day), str(today.month), str(today.year)],
        "summary": "Plan on track <script>x</script>",
        "actions": "",
    }
    assert client.post(url, data=data).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Oversight recorded." in page and "&lt;script&gt;" in page
    assert "No oversight recorded since" not in page
    response = client.post(url, data=data, headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'id="oversight"' in fragment
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert db.session.scalar(select(func.count(OversightNote.id))) == 2


def test_an_invalid_form_shows_its_errors(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family_id = north_family(make_user("lead_worker"))
    client = sign_in(app, manager)
    tomorrow = uk_today() + timedelta(days=1)
    body = client.post(
        f"/families/{family_id}/oversight",
        data={
            "oversight_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
            "summary": "",
        },
    ).get_data(as_text=True)
    assert "Error:" in body
    assert "must be today or in the past" in body and "Enter a summary" in body
    assert db.session.scalar(select(func.count(OversightNote.id))) == 0


def test_a_lead_worker_reads_it_but_has_no_form(app: Flask) -> None:
    lead = make_user("lead_worker")
    manager = make_user("manager", team=make_team())
    family_id = north_family(lead)
    record_oversight(Actor(manager), family_id, uk_today(), "Checked", "")
    client = sign_in(app, lead)
    page = client.get(f"/families/{family_id}/oversight").get_data(as_text=True)
    assert "Checked" in page and "Record oversight" not in page
    assert client.post(f"/families/{family_id}/oversight", data={}).status_code == 403


def test_the_page_takes_the_same_statements_however_many_notes(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family_id = north_family(make_user("lead_worker"))
    client = sign_in(app, manager)
    counts = []
    for many in (1, 8):
        for _ in range(many):
            record_oversight(Actor(manager), family_id, uk_today(), "Checked", "Act")
        with counting_statements() as statements:
            assert client.get(f"/families/{family_id}/oversight").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 15


@pytest.mark.parametrize(("raw", "days"), [(None, 90), ("", 90), ("30", 30), ("0", 0)])
def test_the_oversight_period_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str | None, days: int
) -> None:
    if raw is None:
        monkeypatch.delenv("CASEAPP_OVERSIGHT_DAYS", raising=False)
    else:
        monkeypatch.setenv("CASEAPP_OVERSIGHT_DAYS", raw)
    assert deadline_settings_from_env().oversight_days == days


@pytest.mark.parametrize("raw", ["ninety", "-1", "1.5"])
def test_a_wrong_oversight_period_stops_start_up(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CASEAPP_OVERSIGHT_DAYS", raw)
    with pytest.raises(ConfigError, match="CASEAPP_OVERSIGHT_DAYS"):
        deadline_settings_from_env()
