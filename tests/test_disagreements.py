"""Professional disagreements: raised, escalated and resolved by anyone who may see the
family, with their deadlines in working days, their chronology and audit, no lost
updates, and pages that work with and without htmx."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from caseapp.config import DeadlineSettings
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.level_requests import DisagreementStatus
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import AuditEvent, Disagreement, DisagreementEscalation, TimelineEvent, User
from caseapp.services.casework import FamilyNotFound
from caseapp.services.context import Actor
from caseapp.services.disagreements import (
    DisagreementConflict,
    DisagreementInvalid,
    escalate_disagreement,
    raise_disagreement,
    resolve_disagreement,
)
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

SETTINGS = DeadlineSettings()
# A Monday morning: five working days on is the next Monday, at close of business.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def family_led_by(lead: User, team_name: str = "North Early Help Team") -> int:
    family = make_family(family_name="Turner")
    make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team(team_name))
    return family.id


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def events(family_id: int, kind: EventKind) -> int:
    return db.session.scalar(
        select(func.count(TimelineEvent.id)).where(
            TimelineEvent.family_id == family_id, TimelineEvent.kind == kind
        )
    )


def test_raising_sets_stage_one_and_the_working_days_deadline(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    disagreement = raise_disagreement(
        Actor(lead), family_id, " Sam (school), Jo (health) ", " The level ", None, SETTINGS, MONDAY
    )
    assert disagreement.stage == 1
    assert disagreement.status is DisagreementStatus.OPEN
    assert disagreement.parties == "Sam (school), Jo (health)"
    assert disagreement.episode_id is not None
    assert disagreement.resolve_by.astimezone(UK_TIME) == datetime(
        2026, 11, 30, 17, 0, tzinfo=UK_TIME
    )
    assert events(family_id, EventKind.DISAGREEMENT_RAISED) == 1
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "disagreement", AuditEvent.action == "create"
        )
    )


@pytest.mark.parametrize(
    ("days", "now", "due"),
    [
        (5, MONDAY, date(2026, 11, 30)),
        # Raised after close on Friday 18 December: counted from Monday 21st, skipping
        # Christmas Day and the 28th (Boxing Day's substitute): 22, 23, 24, 29, 30.
        (5, datetime(2026, 12, 18, 18, 0, tzinfo=UTC), date(2026, 12, 30)),
        (1, MONDAY, date(2026, 11, 24)),
    ],
)
def test_the_default_deadline_counts_working_days(
    app: Flask, days: int, now: datetime, due: date
) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    settings = DeadlineSettings(disagreement_working_days=days)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, settings, now)
    assert made.resolve_by.astimezone(UK_TIME).date() == due


def test_a_chosen_date_is_due_at_close_of_business(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    # Saturday 28 November: due at close on Monday 30th.
    made = raise_disagreement(
        Actor(lead), family_id, "A, B", "X", date(2026, 11, 28), SETTINGS, MONDAY
    )
    assert made.resolve_by.astimezone(UK_TIME) == datetime(2026, 11, 30, 17, tzinfo=UK_TIME)


@pytest.mark.parametrize(
    ("parties", "disputed", "on", "fields"),
    [
        ("", "X", None, ["parties"]),
        ("A", "  ", None, ["disputed"]),
        ("A", "X", date(2026, 11, 22), ["resolve_on"]),
        ("", "", date(2020, 1, 1), ["parties", "disputed", "resolve_on"]),
    ],
)
def test_raising_refuses_what_is_missing_and_saves_nothing(
    app: Flask, parties: str, disputed: str, on: date | None, fields: list[str]
) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    with pytest.raises(DisagreementInvalid) as refused:
        raise_disagreement(Actor(lead), family_id, parties, disputed, on, SETTINGS, MONDAY)
    assert [problem.field for problem in refused.value.problems] == fields
    assert db.session.scalar(select(func.count(Disagreement.id))) == 0


def test_nobody_outside_the_family_may_raise_one(app: Flask) -> None:
    family_id = family_led_by(make_user("lead_worker"))
    stranger = make_user("lead_worker")
    with pytest.raises(FamilyNotFound):
        raise_disagreement(Actor(stranger), family_id, "A", "B", None, SETTINGS, MONDAY)


def test_escalating_moves_a_stage_with_a_new_deadline_and_resolving_closes_it(
    app: Flask,
) -> None:
    lead = make_user("lead_worker")
    manager = make_user("manager", team=make_team())
    family_id = family_led_by(lead)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, SETTINGS, MONDAY)
    later = MONDAY + timedelta(days=8)
    escalated = escalate_disagreement(
        Actor(manager), family_id, made.id, 1, "Not settled", None, SETTINGS, later
    )
    assert (escalated.stage, escalated.version) == (2, 2)
    assert escalated.resolve_by.astimezone(UK_TIME).date() == date(2026, 12, 8)
    row = db.session.scalar(select(DisagreementEscalation))
    assert (row.to_stage, row.reason, row.escalated_by_id) == (2, "Not settled", manager.id)
    resolved = resolve_disagreement(Actor(lead), family_id, made.id, 2, "Agreed level 2", later)
    assert resolved.status is DisagreementStatus.RESOLVED
    assert (resolved.resolution, resolved.resolved_by_id) == ("Agreed level 2", lead.id)
    assert events(family_id, EventKind.DISAGREEMENT_ESCALATED) == 1
    assert events(family_id, EventKind.DISAGREEMENT_RESOLVED) == 1


def test_a_stale_version_changes_nothing_and_says_who_changed_it(app: Flask) -> None:
    lead = make_user("lead_worker", name="Priya Shah")
    family_id = family_led_by(lead)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, SETTINGS, MONDAY)
    resolve_disagreement(Actor(lead), family_id, made.id, 1, "Settled")
    with pytest.raises(DisagreementConflict) as conflict:
        escalate_disagreement(Actor(lead), family_id, made.id, 1, "Why", None, SETTINGS)
    state = conflict.value.current
    assert (state.status, state.resolution, state.change) == (
        DisagreementStatus.RESOLVED,
        "Settled",
        "resolved",
    )
    assert state.changed_by_name == "Priya Shah"
    assert db.session.scalar(select(func.count(DisagreementEscalation.id))) == 0


def _in_own_session(app: Flask, work: Any, outcome: dict[str, Any], hook: Any = None) -> None:
    with app.app_context():
        if hook is not None:
            done = threading.Event()

            def before_flush(*_: Any) -> None:
                if not done.is_set():
                    done.set()
                    hook()

            event.listen(db.session(), "before_flush", before_flush)
        try:
            work()
            outcome["saved"] = True
        except DisagreementConflict as conflict:
            outcome["conflict"] = conflict.current
        except BaseException as error:  # reported by the test
            outcome["error"] = error


def test_two_people_acting_at_once_lose_nothing(app: Flask) -> None:
    """Both read version 1; the resolution commits on its own connection just before the
    escalation's UPDATE, which then finds the row moved on and saves nothing."""
    lead = make_user("lead_worker", name="Priya Shah")
    manager = make_user("manager", team=make_team(), name="Morgan Lee")
    family_id = family_led_by(lead)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, SETTINGS)
    disagreement_id, lead_id, manager_id = made.id, lead.id, manager.id
    db.session.commit()
    resolver: dict[str, Any] = {}
    escalator: dict[str, Any] = {}

    def resolve() -> None:
        resolve_disagreement(
            Actor(db.session.get(User, lead_id)), family_id, disagreement_id, 1, "Settled"
        )

    def resolve_meanwhile() -> None:
        thread = threading.Thread(target=_in_own_session, args=(app, resolve, resolver))
        thread.start()
        thread.join(20)

    def escalate() -> None:
        escalate_disagreement(
            Actor(db.session.get(User, manager_id)),
            family_id,
            disagreement_id,
            1,
            "Not settled",
            None,
            SETTINGS,
        )

    thread = threading.Thread(
        target=_in_own_session, args=(app, escalate, escalator, resolve_meanwhile)
    )
    thread.start()
    thread.join(30)
    assert "error" not in resolver and "error" not in escalator, (resolver, escalator)
    assert resolver.get("saved") and escalator["conflict"].change == "resolved"
    assert escalator["conflict"].changed_by_name == "Priya Shah"
    db.session.expire_all()
    saved = db.session.get(Disagreement, disagreement_id)
    assert (saved.stage, saved.status, saved.version) == (1, DisagreementStatus.RESOLVED, 2)
    assert db.session.scalar(select(func.count(DisagreementEscalation.id))) == 0
    assert events(family_id, EventKind.DISAGREEMENT_ESCALATED) == 0


# --- the pages --------------------------------------------------------------------------------


def test_the_page_raises_one_without_javascript(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    client = sign_in(app, lead)
    url = f"/families/{family_id}/disagreements"
    assert "No disagreements have been recorded" in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            "parties": "Sam <b>school</b>",
            "disputed": "The level",
            "resolve_on": ["", "", ""],
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Disagreement recorded" in page
    assert "Sam &lt;b&gt;school&lt;/b&gt;" in page
    assert "Stage 1: open" in page


def test_an_invalid_form_shows_every_error_and_saves_nothing(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    client = sign_in(app, lead)
    response = client.post(
        f"/families/{family_id}/disagreements",
        data={"parties": "", "disputed": "", "resolve_on": ["31", "2", ""]},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Error:" in body
    for message in ["Enter who disagrees", "Enter the decision and what is disputed", "year"]:
        assert message in body
    assert db.session.scalar(select(func.count(Disagreement.id))) == 0


def test_escalate_and_resolve_in_place_with_htmx(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, SETTINGS)
    client = sign_in(app, lead)
    base = f"/families/{family_id}/disagreements/{made.id}"
    htmx = {"HX-Request": "true"}
    response = client.post(
        f"{base}/escalate",
        data={f"escalate-{made.id}-version": "1", f"escalate-{made.id}-reason": "Still stuck"},
        headers=htmx,
    )
    body = response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert "<html" not in body and f'id="disagreement-{made.id}"' in body
    assert "Escalated to stage 2." in body and "Stage 2: open" in body
    # The same (now stale) version again: nothing saved, and the page says who changed it.
    stale = client.post(
        f"{base}/resolve",
        data={f"resolve-{made.id}-version": "1", f"resolve-{made.id}-resolution": "Done"},
        headers=htmx,
    ).get_data(as_text=True)
    assert "Nothing was saved" in stale and "escalated to stage 2" in stale
    done = client.post(
        f"{base}/resolve",
        data={f"resolve-{made.id}-version": "2", f"resolve-{made.id}-resolution": "Done"},
        headers=htmx,
    ).get_data(as_text=True)
    assert "Resolution recorded." in done and "Stage 2: resolved" in done
    # Markup built from the record is rendered, and what people typed is escaped.
    assert "&lt;p class=" not in done and '<p class="govuk-body-s app-muted">' in done


def test_a_missing_resolution_is_shown_on_its_card(app: Flask) -> None:
    lead = make_user("lead_worker")
    family_id = family_led_by(lead)
    made = raise_disagreement(Actor(lead), family_id, "A, B", "X", None, SETTINGS)
    client = sign_in(app, lead)
    body = client.post(
        f"/families/{family_id}/disagreements/{made.id}/resolve",
        data={f"resolve-{made.id}-version": "1"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Enter how it was resolved" in body
    assert db.session.get(Disagreement, made.id).status is DisagreementStatus.OPEN


def test_a_disagreement_of_another_family_is_not_found(app: Flask) -> None:
    lead = make_user("lead_worker")
    mine = family_led_by(lead)
    other_lead = make_user("lead_worker")
    theirs = family_led_by(other_lead)
    made = raise_disagreement(Actor(other_lead), theirs, "A", "B", None, SETTINGS)
    client = sign_in(app, lead)
    response = client.post(
        f"/families/{mine}/disagreements/{made.id}/resolve",
        data={f"resolve-{made.id}-version": "1", f"resolve-{made.id}-resolution": "X"},
    )
    assert response.status_code == 404
    assert db.session.get(Disagreement, made.id).status is DisagreementStatus.OPEN


def test_the_page_takes_the_same_statements_however_many_disagreements(app: Flask) -> None:
    lead = make_user("lead_worker")
    manager = make_user("manager", team=make_team())
    family_id = family_led_by(lead)
    client = sign_in(app, lead)
    counts = []
    for many in (1, 6):
        for _ in range(many):
            made = raise_disagreement(Actor(lead), family_id, "A", "B", None, SETTINGS)
            escalate_disagreement(Actor(manager), family_id, made.id, 1, "Why", None, SETTINGS)
        with counting_statements() as statements:
            response = client.get(f"/families/{family_id}/disagreements")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15
