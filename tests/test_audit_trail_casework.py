"""The audit trail of casework, line by line: the lead worker's journey (issue #4) and the
manager's (issue #5), with the sign-ins of everyone in them (issue #6).

Each step of a journey is compared on its own with exactly the audit lines it should
write: who, what, which record and which family. Every step is checked before the test
says what went wrong, so one missing line does not hide the next.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import (
    Assessment,
    AssessmentSection,
    AuditEvent,
    CaseNote,
    Consent,
    Disagreement,
    FamilyMember,
    OversightNote,
    PlanAction,
    PlanOutcome,
    TafMeeting,
)
from caseapp.models.types import uk_today
from caseapp.services.assessments import framework_sections
from tests.factories import DEMO_TEST_PASSWORD, make_family
from tests.test_assessments import section_data
from tests.test_audit_trail import ADDRESS, Line, audit_lines, last_audit_id
from tests.test_case_notes import Case as NotesCase
from tests.test_case_notes import note_form
from tests.test_consent import consent_data, make_case
from tests.test_level_requests import add_progress, make_world, only_request, step_down_form
from tests.test_plans import action_data, outcome_data

HTMX = {"HX-Request": "true"}
WRONG_PASSWORD = "not the right password at all"


@dataclass
class Trail:
    """The audit lines each step of a journey wrote, beside the lines it should have."""

    mark: int = field(default_factory=last_audit_id)
    steps: list[tuple[str, list[Line], list[Line]]] = field(default_factory=list)

    def step(self, name: str, *expected: Line) -> None:
        written = audit_lines(self.mark)
        self.mark = last_audit_id()
        self.steps.append((name, list(expected), written))

    def check(self) -> None:
        wrong = [
            f"{name}:\n    expected {expected}\n    written  {written}"
            for name, expected, written in self.steps
            if written != expected
        ]
        assert not wrong, f"{len(wrong)} step(s) wrote the wrong audit lines:\n" + "\n".join(wrong)


def bystanders(count: int = 12) -> None:
    """Other families first, so the journey's family id differs from the ids of its
    records, and a line naming the family where it should name the record shows."""
    for number in range(count):
        make_family(family_name=f"Bystander{number}")


def sign_in(client: FlaskClient, email: str, password: str = DEMO_TEST_PASSWORD) -> int:
    return client.post("/sign-in", data={"email": email, "password": password}).status_code


def newest(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(model.id).order_by(model.id.desc()).limit(1))


def today_parts() -> list[int]:
    today = uk_today()
    return [today.day, today.month, today.year]


# --- the lead worker's journey (issue #4) -----------------------------------------------------


def test_the_lead_workers_journey_is_in_the_audit_log_line_by_line(app: Flask) -> None:
    bystanders()
    case = make_case()
    family, episode, lead = case.family_id, case.episode_id, case.lead
    me = lead.email
    maisie = case.child_ids[0]
    framework = app.extensions["caseapp.framework"]
    assert family > 10
    client = app.test_client()
    start = last_audit_id()
    trail = Trail()

    def latest_events_refresh(after: str) -> None:
        response = client.get(f"/families/{family}/latest-events", headers=HTMX)
        assert response.status_code == 200
        trail.step(f"latest events after {after}", (me, "view", "timeline", family, family))

    # Signing in.
    assert sign_in(client, me, WRONG_PASSWORD) == 200
    trail.step("sign-in fails", (None, "sign_in_failed", "user", lead.id, None))
    assert sign_in(client, me) == 302
    trail.step("sign-in", (me, "sign_in", "user", lead.id, None))

    # The caseload and the family.
    assert client.get("/caseload").status_code == 200
    trail.step("caseload", (me, "view", "caseload", None, None))
    assert client.get(f"/families/{family}").status_code == 200
    trail.step("family page", (me, "view", "family", family, family))

    # Consent.
    consent_url = f"/families/{family}/consent"
    assert client.get(consent_url).status_code == 200
    trail.step("consent section", (me, "view", "consent", family, family))
    recorded = client.post(f"{consent_url}/record", data=consent_data(case), headers=HTMX)
    assert recorded.status_code == 200 and "Consent recorded" in recorded.text
    trail.step("record consent", (me, "create", "consent", newest(Consent), family))
    latest_events_refresh("consent")

    # The Early Help Assessment: started, every section saved, completed.
    eha_url = f"/families/{family}/assessments"
    assert client.get(eha_url).status_code == 200
    trail.step("assessment section", (me, "view", "assessments", family, family))
    started = client.post(f"{eha_url}/start", data={"children": [str(maisie)]}, headers=HTMX)
    assert started.status_code == 200 and "EHA 1 started" in started.text
    eha = newest(Assessment)
    trail.step(
        "start the EHA",
        (me, "update", "episode", episode, family),
        (me, "create", "assessment", eha, family),
    )
    latest_events_refresh("starting the EHA")
    for section in framework_sections(framework):
        answers = {q.key: f"{section.title}: {q.label}" for q in section.questions}
        saved = client.post(
            f"{eha_url}/{eha}/sections?child={maisie}&section={section.key}",
            data=section_data(0, f"c{maisie}-{section.key}", **answers),
            headers=HTMX,
        )
        assert (
            saved.status_code == 200 and f"{escape(section.title)} saved for Maisie" in saved.text
        )
        row = newest(AssessmentSection)
        trail.step(
            f"save EHA section {section.key}", (me, "update", "assessment_section", row, family)
        )
        latest_events_refresh(f"saving {section.key}")
    completed = client.post(f"{eha_url}/{eha}/complete", headers=HTMX)
    assert "EHA 1 completed" in completed.text
    trail.step(
        "complete the EHA",
        (me, "update", "episode", episode, family),
        (me, "update", "assessment", eha, family),
    )
    latest_events_refresh("completing the EHA")

    # The plan: an outcome and an action, each opened to change, the action done.
    plan_url = f"/families/{family}/plan"
    assert client.get(plan_url).status_code == 200
    trail.step("plan", (me, "view", "plan", family, family))
    added = client.post(f"{plan_url}/outcomes", data=outcome_data(), headers=HTMX)
    assert added.status_code == 200 and "Outcome added" in added.text
    outcome = newest(PlanOutcome)
    trail.step("add an outcome", (me, "create", "plan_outcome", outcome, family))
    latest_events_refresh("the outcome")
    added = client.post(
        f"{plan_url}/actions", data=action_data(f"action-{outcome}", outcome), headers=HTMX
    )
    assert added.status_code == 200 and "Action added" in added.text
    action = db.session.get(PlanAction, newest(PlanAction))
    trail.step("add an action", (me, "create", "plan_action", action.id, family))
    latest_events_refresh("the action")
    opened = client.get(f"{plan_url}/outcomes/{outcome}")
    assert opened.status_code == 200 and "Maisie goes to school every day" in opened.text
    trail.step("open the outcome to change it", (me, "view", "plan_outcome", outcome, family))
    opened = client.get(f"{plan_url}/actions/{action.id}", headers=HTMX)
    assert opened.status_code == 200 and "Walk Maisie to school each morning" in opened.text
    trail.step("open the action to change it", (me, "view", "plan_action", action.id, family))
    done = client.post(
        f"{plan_url}/actions/{action.id}/complete", data={"version": action.version}, headers=HTMX
    )
    assert done.status_code == 200 and "Marked as done" in done.text
    trail.step("complete the action", (me, "complete", "plan_action", action.id, family))
    latest_events_refresh("completing the action")

    # A TAF meeting, arranged and then recorded with a score and a new action.
    meetings_url = f"/families/{family}/meetings"
    assert client.get(meetings_url).status_code == 200
    trail.step("meetings", (me, "view", "taf_meetings", family, family))
    arranged = client.post(
        f"{meetings_url}/new",
        data={"on": today_parts(), "at": "10am", "location": "Family home"},
        headers=HTMX,
    )
    assert arranged.status_code == 200 and "First TAF meeting arranged for" in arranged.text
    meeting = db.session.get(TafMeeting, newest(TafMeeting))
    trail.step(
        "arrange the meeting",
        (me, "create", "taf_meeting", meeting.id, family),
        (me, "view", "taf_meetings", family, family),
    )
    latest_events_refresh("arranging the meeting")
    record_url = f"{meetings_url}/{meeting.id}/record"
    assert client.get(record_url).status_code == 200
    trail.step("open the meeting to record it", (me, "view", "taf_meeting", meeting.id, family))
    following = uk_today() + timedelta(weeks=6)
    next_date = [following.day, following.month, following.year]
    record = {
        "version": meeting.version,
        "held_on": today_parts(),
        "attendees-0-name": "Pat Turner",
        "attendees-0-agency": "Mother",
        "attendees-0-present": "present",
        "family_views": "Pat says mornings are calmer.",
        "child_views": "Maisie likes her new teacher.",
        "decisions": "Keep the breakfast club place.",
        f"score_{outcome}": "6",
        f"comment_{outcome}": "Better mornings",
        "actions-0-description": "Book a sleep clinic appointment",
        "actions-0-owner_name": "Pat Turner",
        "actions-0-owner_agency": "Mother",
        "actions-0-due_on": next_date,
        "actions-0-outcome_id": str(outcome),
        "next_meeting_on": next_date,
    }
    held = client.post(record_url, data=record, headers=HTMX)
    assert held.status_code == 200 and "Meeting recorded" in held.text
    trail.step(
        "record the meeting",
        (me, "update", "taf_meeting", meeting.id, family),
        (me, "create", "plan_action", newest(PlanAction), family),
        (me, "create", "taf_meeting", newest(TafMeeting), family),
        (me, "view", "taf_meeting", meeting.id, family),
    )
    latest_events_refresh("recording the meeting")

    # A case note.
    notes_url = f"/families/{family}/notes"
    assert client.get(notes_url).status_code == 200
    trail.step("case notes", (me, "view", "case_notes", family, family))
    members = {member.id: member for member in db.session.scalars(select(FamilyMember))}
    seen = NotesCase(
        family,
        episode,
        lead,
        [members[child] for child in case.child_ids],
        members[case.parent_id],
    )
    noted = client.post(notes_url, data=note_form(seen), headers=HTMX)
    assert noted.status_code == 200
    trail.step(
        "add a case note",
        (me, "create", "case_note", newest(CaseNote), family),
        (me, "view", "case_notes", family, family),
    )
    latest_events_refresh("the case note")

    # The chronology: read, printed and exported.
    chronology_url = f"/families/{family}/chronology"
    assert client.get(chronology_url).status_code == 200
    trail.step("chronology", (me, "view", "chronology", family, family))
    printed = client.get(f"{chronology_url}/print")
    assert printed.status_code == 200 and "Book a sleep clinic appointment" in printed.text
    trail.step("print the chronology", (me, "export", "chronology", family, family))
    exported = client.get(f"{chronology_url}/export.csv", buffered=True)
    assert exported.status_code == 200
    assert len(list(csv.reader(io.StringIO(exported.text)))) > 10
    trail.step("export the chronology", (me, "export", "chronology", family, family))

    assert client.post("/sign-out").status_code == 302
    trail.step("sign out", (me, "sign_out", "user", lead.id, None))
    trail.check()

    journey = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)
    ).all()
    assert {event.remote_addr for event in journey} == {ADDRESS}
    exports = [event.detail["format"] for event in journey if event.action == "export"]
    assert exports == ["print", "csv"]


# --- the manager's journey (issue #5) ---------------------------------------------------------


def test_the_managers_journey_is_in_the_audit_log_line_by_line(app: Flask) -> None:
    bystanders()
    world = make_world()
    add_progress(world)
    family, younger = world.family.id, world.younger.id
    assert family > 10
    worker, boss = world.lead.email, world.manager.email
    lead, manager = app.test_client(), app.test_client()
    start = last_audit_id()
    trail = Trail()

    def decide(decision: str, rationale: str) -> None:
        data = {"version": str(only_request().version), "decision": decision}
        response = manager.post(f"/reviews/{made}", data=data | {"rationale": rationale})
        assert response.status_code == 302 and response.location.endswith("/reviews")

    def latest_events_refresh(client: FlaskClient, email: str, after: str) -> None:
        response = client.get(f"/families/{family}/latest-events", headers=HTMX)
        assert response.status_code == 200
        trail.step(f"latest events after {after}", (email, "view", "timeline", family, family))

    # Both sign in, each after getting their password wrong once.
    assert sign_in(lead, worker, WRONG_PASSWORD) == 200
    assert sign_in(lead, worker) == 302
    trail.step(
        "lead worker signs in",
        (None, "sign_in_failed", "user", world.lead.id, None),
        (worker, "sign_in", "user", world.lead.id, None),
    )
    assert sign_in(manager, boss, WRONG_PASSWORD) == 200
    assert sign_in(manager, boss) == 302
    trail.step(
        "manager signs in",
        (None, "sign_in_failed", "user", world.manager.id, None),
        (boss, "sign_in", "user", world.manager.id, None),
    )

    # The lead worker asks for a step down for the younger child.
    new_url = f"/families/{family}/level-requests/new?kind=step_down"
    assert lead.get(new_url).status_code == 200
    trail.step("step-down form", (worker, "view", "family", family, family))
    asked = lead.post(new_url, data=step_down_form(world))
    assert asked.status_code == 302
    made = only_request().id
    trail.step("ask for a step down", (worker, "create", "level_change_request", made, family))
    assert lead.get(asked.location).status_code == 200
    trail.step("the request", (worker, "view", "level_change_request", made, family))

    # The manager returns it.
    queue = manager.get("/reviews")
    assert queue.status_code == 200 and f"/reviews/{made}" in queue.text
    trail.step("review queue", (boss, "view", "review_queue", None, None))
    assert manager.get(f"/reviews/{made}").status_code == 200
    trail.step("decision page", (boss, "view", "level_change_request", made, family))
    decide("return", "What does the school say about attendance?")
    trail.step("return the request", (boss, "decide", "level_change_request", made, family))
    assert manager.get("/reviews").status_code == 200
    trail.step("back to the queue", (boss, "view", "review_queue", None, None))

    # The lead worker sees it returned and resubmits.
    home = lead.get("/caseload")
    assert home.status_code == 200 and "Decisions on your requests" in home.text
    trail.step("lead worker's caseload", (worker, "view", "caseload", None, None))
    assert lead.get(f"/level-requests/{made}").status_code == 200
    trail.step("the returned request", (worker, "view", "level_change_request", made, family))
    resent = lead.post(
        f"/level-requests/{made}/resubmit",
        data={
            "version": str(only_request().version),
            "further_information": "The school confirms 96% attendance this half term.",
        },
    )
    assert resent.status_code == 302
    trail.step("resubmit", (worker, "resubmit", "level_change_request", made, family))
    assert lead.get(resent.location).status_code == 200
    trail.step("the resubmitted request", (worker, "view", "level_change_request", made, family))

    # The manager approves it: the younger child's level changes.
    assert manager.get("/reviews").status_code == 200
    trail.step("review queue again", (boss, "view", "review_queue", None, None))
    assert manager.get(f"/reviews/{made}").status_code == 200
    trail.step("decision page again", (boss, "view", "level_change_request", made, family))
    decide("approve", "Good progress; earliest help is right.")
    trail.step(
        "approve the request",
        (boss, "update", "level_of_need", younger, family),
        (boss, "decide", "level_change_request", made, family),
    )
    db.session.expire_all()
    assert db.session.get(FamilyMember, younger).current_level_code == "earliest_help"

    # The manager's view, and the families behind one figure.
    assert manager.get("/manager").status_code == 200
    trail.step("manager's view", (boss, "view", "manager_view", None, None))
    listed = manager.get("/manager/families?figure=level:earliest_help")
    assert listed.status_code == 200 and f"F{family:06d}" in listed.text
    trail.step("a figure's families", (boss, "view", "manager_figure", None, None))

    # Management oversight.
    oversight_url = f"/families/{family}/oversight"
    assert manager.get(oversight_url).status_code == 200
    trail.step("oversight section", (boss, "view", "family_oversight", family, family))
    noted = manager.post(
        oversight_url,
        data={"oversight_on": today_parts(), "summary": "Plan on track", "actions": ""},
        headers=HTMX,
    )
    assert noted.status_code == 200 and "Oversight recorded." in noted.text
    trail.step(
        "record oversight",
        (boss, "create", "oversight_note", newest(OversightNote), family),
        (boss, "view", "family_oversight", family, family),
    )
    latest_events_refresh(manager, boss, "oversight")

    # A professional disagreement: the lead worker raises it, the manager resolves it.
    disagreements_url = f"/families/{family}/disagreements"
    assert lead.get(disagreements_url).status_code == 200
    trail.step("disagreements", (worker, "view", "family_disagreements", family, family))
    raised = lead.post(
        disagreements_url,
        data={"parties": "Sam (school), Jo (health)", "disputed": "The level", "resolve_on": ""},
        headers=HTMX,
    )
    assert raised.status_code == 200 and "Disagreement recorded" in raised.text
    disagreement = db.session.get(Disagreement, newest(Disagreement))
    trail.step(
        "raise a disagreement",
        (worker, "create", "disagreement", disagreement.id, family),
        (worker, "view", "family_disagreements", family, family),
    )
    latest_events_refresh(lead, worker, "raising the disagreement")
    assert manager.get(disagreements_url).status_code == 200
    trail.step("manager's disagreements", (boss, "view", "family_disagreements", family, family))
    prefix = f"resolve-{disagreement.id}"
    resolved = manager.post(
        f"{disagreements_url}/{disagreement.id}/resolve",
        data={f"{prefix}-version": disagreement.version, f"{prefix}-resolution": "Agreed"},
        headers=HTMX,
    )
    assert resolved.status_code == 200 and "Resolution recorded." in resolved.text
    trail.step(
        "resolve the disagreement",
        (boss, "update", "disagreement", disagreement.id, family),
        (boss, "view", "family_disagreements", family, family),
    )
    latest_events_refresh(manager, boss, "resolving the disagreement")

    assert manager.post("/sign-out").status_code == 302
    assert lead.post("/sign-out").status_code == 302
    trail.step(
        "both sign out",
        (boss, "sign_out", "user", world.manager.id, None),
        (worker, "sign_out", "user", world.lead.id, None),
    )
    trail.check()

    decisions = db.session.scalars(
        select(AuditEvent.detail)
        .where(AuditEvent.action == "decide", AuditEvent.object_id == made)
        .order_by(AuditEvent.id)
    ).all()
    assert [detail["decision"] for detail in decisions] == ["return", "approve"]
    addresses = db.session.scalars(select(AuditEvent.remote_addr).where(AuditEvent.id > start))
    assert set(addresses) == {ADDRESS}
