"""Subject access: everything held about one family member, for a manager who may see it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.domain.casework import ContactType
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import (
    AuditEvent,
    CaseNote,
    LevelDecision,
    PlanAction,
    PlanOutcome,
    Team,
    User,
)
from caseapp.models.types import utcnow
from caseapp.services.audit import add_audit_event
from caseapp.services.timeline import add_timeline_event
from tests.factories import make_team, make_user
from tests.statements import counting_statements
from tests.test_triage import make_request


@dataclass(frozen=True)
class CaseRecord:
    family_id: int
    episode_id: int
    request_id: int
    subject_id: int
    sibling_id: int
    team: Team


def build_case_record(family_name: str = "Turner", team: Team | None = None) -> CaseRecord:
    """A family with two children and a parent, a request naming both children, a level
    decision for each, timeline events about each child and the family, and audit events."""
    made = make_request(
        ("Maisie", date(2016, 3, 9)), ("Leo", date(2020, 7, 21)), family_name=family_name
    )
    subject_id, sibling_id = made.child_ids
    worker = make_user("hub_coordinator", name="Harriet Hub")
    for member_id, level in ((subject_id, "targeted_early_help"), (sibling_id, "universal")):
        db.session.add(
            LevelDecision(
                member_id=member_id,
                episode_id=made.episode_id,
                framework_key="staffordshire",
                level_code=level,
                decided_by_id=worker.id,
                rationale=f"Rationale for member {member_id}",
                indicator_codes=[],
            )
        )
        add_timeline_event(
            family_id=made.family_id,
            kind=EventKind.LEVEL_DECIDED,
            summary=f"Level decided for member {member_id}",
            actor_id=worker.id,
            episode_id=made.episode_id,
            member_id=member_id,
        )
    add_audit_event(
        action="view",
        object_type="family",
        user_id=worker.id,
        object_id=made.family_id,
        family_id=made.family_id,
        remote_addr="10.0.0.9",
    )
    db.session.commit()
    return CaseRecord(
        family_id=made.family_id,
        episode_id=made.episode_id,
        request_id=made.request_id,
        subject_id=subject_id,
        sibling_id=sibling_id,
        team=team or make_team(),
    )


def _manager_of(record: CaseRecord, signed_in_as) -> User:
    return signed_in_as("manager", team=record.team, name="Morag Manager")


def test_json_export_holds_everything_about_the_member(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    other = build_case_record(family_name="Other")
    manager = _manager_of(record, signed_in_as)

    response = client.get(
        f"/families/{record.family_id}/members/{record.subject_id}/subject-access.json"
    )

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Maisie" not in disposition
    data = json.loads(response.data)
    assert data["subject"]["id"] == record.subject_id
    assert data["subject"]["given_name"] == "Maisie"
    assert data["subject"]["date_of_birth"] == "2016-03-09"
    assert data["family"]["id"] == record.family_id and data["family"]["postcode"] == "MF1 1AA"
    assert [row["member_id"] for row in data["level_decisions"]] == [record.subject_id]
    assert [row["id"] for row in data["support_requests"]] == [record.request_id]
    assert data["support_requests"][0]["referrer_name"] == "Jane Hollis"
    assert [row["id"] for row in data["episodes"]] == [record.episode_id]
    assert {row["family_id"] for row in data["timeline_events"]} == {record.family_id}
    named = {row["member_id"] for row in data["timeline_events"]}
    assert record.subject_id in named and None in named
    # A brother's or sister's entries are their personal data, not the subject's.
    assert record.sibling_id not in named
    assert {row["family_id"] for row in data["audit_events"]} == {record.family_id}
    assert "10.0.0.9" in {row["remote_addr"] for row in data["audit_events"]}
    assert other.family_id not in {row["family_id"] for row in data["timeline_events"]}
    # Staff named in the record can be read; their account details are not exported.
    assert "Harriet Hub" in {person["name"] for person in data["staff"]}
    assert all(set(person) == {"id", "name", "job_title"} for person in data["staff"])
    # Timestamps are ISO 8601 in UTC.
    received = datetime.fromisoformat(data["support_requests"][0]["received_at"])
    assert received.utcoffset() == timedelta(0)
    # The export itself is in the audit trail, and so in the export.
    export_events = [row for row in data["audit_events"] if row["action"] == "export"]
    assert export_events == [
        {
            **export_events[0],
            "user_id": manager.id,
            "object_type": "subject_access",
            "object_id": record.subject_id,
            "family_id": record.family_id,
        }
    ]


def test_the_page_shows_the_record_and_is_audited(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    manager = _manager_of(record, signed_in_as)

    response = client.get(
        f"/families/{record.family_id}/members/{record.subject_id}/subject-access"
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" in page and "Maisie Turner" in page
    assert "Jane Hollis" in page and "Oakfield Primary School" in page
    assert f"Rationale for member {record.subject_id}" in page
    assert f"Rationale for member {record.sibling_id}" not in page
    assert "Targeted Early Help" in page
    assert f"Level decided for member {record.subject_id}" in page
    assert f"Level decided for member {record.sibling_id}" not in page
    assert "Harriet Hub" in page
    assert "subject-access.json" in page
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.user_id == manager.id)
    ).all()
    assert [(row.object_type, row.object_id, row.family_id) for row in audit] == [
        ("subject_access", record.subject_id, record.family_id)
    ]


def test_a_manager_of_another_team_gets_not_found_and_nothing_is_audited(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    signed_in_as("manager", team=make_team("South Early Help Team", "South"))

    for suffix in ("subject-access", "subject-access.json"):
        url = f"/families/{record.family_id}/members/{record.subject_id}/{suffix}"
        response = client.get(url)
        assert response.status_code == 404
        assert b"Maisie" not in response.data
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_a_member_of_another_family_is_not_found(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    other = build_case_record(family_name="Other")
    _manager_of(record, signed_in_as)

    response = client.get(f"/families/{record.family_id}/members/{other.subject_id}/subject-access")

    assert response.status_code == 404


def test_only_managers_may_export(app: Flask, client: FlaskClient, signed_in_as) -> None:
    record = build_case_record()
    signed_in_as("lead_worker", "hub_coordinator", team=record.team)

    response = client.get(
        f"/families/{record.family_id}/members/{record.subject_id}/subject-access"
    )

    assert response.status_code == 403


def test_the_export_takes_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    _manager_of(record, signed_in_as)
    url = f"/families/{record.family_id}/members/{record.subject_id}/subject-access.json"
    with counting_statements() as small:
        client.get(url)
    for _ in range(5):
        build_case_record(family_name="Padding")
    for number in range(10):
        add_audit_event(
            action="view",
            object_type="family",
            user_id=make_user("lead_worker").id,
            object_id=record.family_id,
            family_id=record.family_id,
        )
        add_timeline_event(
            family_id=record.family_id,
            kind=EventKind.FAMILY_CREATED,
            summary=f"Padding {number}",
            actor_id=None,
            occurred_at=utcnow(),
        )
    db.session.commit()
    with counting_statements() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)


def test_casework_about_the_member_or_the_family_is_exported_and_a_siblings_is_not(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    record = build_case_record()
    other = build_case_record(family_name="Other")
    manager = _manager_of(record, signed_in_as)
    for family_id, episode_id, member_id in (
        (record.family_id, record.episode_id, record.subject_id),
        (record.family_id, record.episode_id, record.sibling_id),
        (record.family_id, record.episode_id, None),
        (other.family_id, other.episode_id, other.subject_id),
    ):
        outcome = PlanOutcome(
            family_id=family_id,
            episode_id=episode_id,
            member_id=member_id,
            description=f"Outcome for {member_id}",
            created_by_id=manager.id,
        )
        db.session.add(outcome)
        db.session.flush()
        db.session.add(
            PlanAction(
                family_id=family_id,
                episode_id=episode_id,
                outcome_id=outcome.id,
                description=f"Action for {member_id}",
                owner_name="Pat",
                due_on=date(2026, 12, 1),
                created_by_id=manager.id,
            )
        )
    db.session.add(
        CaseNote(
            family_id=record.family_id,
            episode_id=record.episode_id,
            contact_on=date(2026, 11, 2),
            contact_type=ContactType.HOME_VISIT,
            seen_member_ids=[record.sibling_id],
            text="Saw only the sibling.",
            recorded_by_id=manager.id,
        )
    )
    db.session.commit()

    data = json.loads(
        client.get(
            f"/families/{record.family_id}/members/{record.subject_id}/subject-access.json"
        ).data
    )

    casework = data["casework"]
    assert {row["description"] for row in casework["plan_outcomes"]} == {
        f"Outcome for {record.subject_id}",
        "Outcome for None",
    }
    # Actions hang from outcomes: the sibling's outcome's action is theirs.
    assert {row["description"] for row in casework["plan_actions"]} == {
        f"Action for {record.subject_id}",
        "Action for None",
    }
    assert "case_notes" not in casework
    assert manager.name in {person["name"] for person in data["staff"]}
    page = client.get(f"/families/{record.family_id}/members/{record.subject_id}/subject-access")
    assert f"Outcome for {record.subject_id}" in page.get_data(as_text=True)
