"""The command-line tools: create-user and demo-data."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from caseapp.domain.casework import AssessmentStatus, ContactType, MeetingStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.level_requests import RequestStatus
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.frameworks import available_frameworks
from caseapp.models import (
    Assessment,
    CaseNote,
    Consent,
    Disagreement,
    Episode,
    FamilyMember,
    LevelChangeRequest,
    LevelDecision,
    OutcomeScore,
    OversightNote,
    PlanAction,
    PlanOutcome,
    TafAttendee,
    TafMeeting,
    TimelineEvent,
    User,
)
from caseapp.models.types import utcnow
from caseapp.services.caseload import caseload_for
from caseapp.services.context import Actor
from caseapp.services.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from tests.conftest import build_app, empty_tables
from tests.factories import make_user


def test_create_user(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New.Person@Example.org",
            "--name",
            "New Person",
            "--role",
            "manager",
            "--role",
            "lead_worker",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user is not None and {role.value for role in user.roles} == {"manager", "lead_worker"}
    assert user.check_password("a long enough password")
    assert "a long enough password" not in user.password_hash


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--password", "short"], "at least 12 characters"),
        (["--password", "a long enough password", "--email", "not-an-email"], "correct format"),
    ],
)
def test_create_user_explains_refusals(app: Flask, extra: list[str], message: str) -> None:
    args = ["create-user", "--email", "x@example.org", "--name", "X", "--role", "admin"]
    result = app.test_cli_runner().invoke(args=[*args, *extra])
    assert result.exit_code != 0
    assert message in result.output


def test_create_user_refuses_a_taken_email(app: Flask) -> None:
    make_user("admin", email="taken@example.org")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "TAKEN@example.org",
            "--name",
            "Y",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code != 0 and "already uses" in result.output


def _snapshot() -> list[tuple[object, ...]]:
    members = db.session.execute(
        select(
            FamilyMember.given_name,
            FamilyMember.family_name,
            FamilyMember.date_of_birth,
            FamilyMember.current_level_code,
        ).order_by(FamilyMember.id)
    ).all()
    return [tuple(row) for row in members]


def test_demo_data_loads_every_role_and_prints_logins(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    for login in DEMO_LOGINS:
        assert login.email in result.output
        user = db.session.scalar(select(User).where(User.email == login.email))
        assert user is not None and login.role in user.roles
    assert DEMO_PASSWORD in result.output
    statuses = set(db.session.scalars(select(Episode.status)))
    assert statuses == set(EpisodeStatus)
    assert db.session.scalar(select(func.count(LevelDecision.id))) > 20
    assert db.session.scalar(select(func.count(TimelineEvent.id))) > 50


def test_demo_sign_in_works(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo-data"])
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": DEMO_LOGINS[0].email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def _demo_user(role: Role) -> User:
    login = next(login for login in DEMO_LOGINS if login.role is role)
    user = db.session.scalar(select(User).where(User.email == login.email))
    assert user is not None
    return user


def _count(model: type, *conditions: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def test_demo_data_shows_the_lead_workers_and_managers_work(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    lead = _demo_user(Role.LEAD_WORKER)
    manager = _demo_user(Role.MANAGER)
    worked = set(EpisodeStatus) - {
        EpisodeStatus.REQUESTED,
        EpisodeStatus.TRIAGE,
        EpisodeStatus.AWAITING_ALLOCATION,
        EpisodeStatus.CLOSED,
    }
    episodes = db.session.scalars(
        select(Episode).where(
            Episode.lead_worker_id == lead.id,
            Episode.closed_at.is_(None),
            Episode.status.in_(worked),
        )
    ).all()
    assert len(episodes) >= 5
    for episode in episodes:
        assert _count(Consent, Consent.episode_id == episode.id), episode.status
    assert _count(Consent, Consent.withdrawn_on.is_not(None)) >= 1
    assert _count(Assessment, Assessment.status == AssessmentStatus.COMPLETED) >= 1
    assert _count(Assessment, Assessment.status == AssessmentStatus.DRAFT) >= 1
    assert _count(PlanOutcome) >= 3
    assert _count(PlanAction, PlanAction.outcome_id.is_not(None)) >= 3
    held = TafMeeting.status == MeetingStatus.HELD
    assert _count(TafMeeting, held) >= 3
    assert _count(TafAttendee) >= 3
    assert _count(OutcomeScore) >= 3
    assert _count(TafMeeting, TafMeeting.status == MeetingStatus.SCHEDULED) >= 1
    assert len(set(db.session.scalars(select(CaseNote.contact_type)))) >= 3
    assert set(db.session.scalars(select(CaseNote.contact_type))) <= set(ContactType)
    assert _count(LevelChangeRequest, LevelChangeRequest.status == RequestStatus.PENDING) >= 1
    assert _count(LevelChangeRequest, LevelChangeRequest.urgent.is_(True)) >= 1
    assert _count(LevelChangeRequest, LevelChangeRequest.status == RequestStatus.RETURNED) >= 1
    assert _count(LevelChangeRequest, LevelChangeRequest.status == RequestStatus.APPROVED) >= 1
    assert _count(OversightNote, OversightNote.manager_id == manager.id) >= 1
    assert _count(Disagreement) >= 1

    lead_client = app.test_client()
    signed_in = lead_client.post("/sign-in", data={"email": lead.email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    caseload = lead_client.get("/caseload")
    assert caseload.status_code == 200
    manager_client = app.test_client()
    signed_in = manager_client.post(
        "/sign-in", data={"email": manager.email, "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert manager_client.get("/manager").status_code == 200
    queue = manager_client.get("/reviews")
    assert queue.status_code == 200
    assert "Priya Shah" in queue.get_data(as_text=True)


def test_demo_lead_workers_caseload_is_not_all_overdue(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo-data"])
    caseload = caseload_for(
        Actor(_demo_user(Role.LEAD_WORKER)), app.config["CASEAPP_DEADLINES"], utcnow()
    )
    assert len(caseload.items) >= 5
    assert 1 <= caseload.overdue_count < len(caseload.items) / 2


def test_demo_data_is_deterministic_and_runs_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data"])
    first = _snapshot()
    again = runner.invoke(args=["demo-data"])
    assert "already loaded" in again.output
    assert _snapshot() == first
    empty_tables(app)
    runner.invoke(args=["demo-data"])
    assert _snapshot() == first


@pytest.mark.parametrize("key", available_frameworks())
def test_demo_data_covers_every_level_of_each_framework(app: Flask, key: str) -> None:
    other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], CASEAPP_FRAMEWORK=key)
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        used = set(db.session.scalars(select(FamilyMember.current_level_code)))
        framework = other.extensions["caseapp.framework"]
        assert {level.code for level in framework.levels} <= used


def test_demo_data_refuses_a_database_with_real_records(app: Flask) -> None:
    make_user("admin", email="real.person@council.example")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo-data"])
    assert refused.exit_code != 0 and "not demonstration data" in refused.output
    assert db.session.scalar(select(func.count(Episode.id))) == 0
    skipped = runner.invoke(args=["demo-data", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    forced = runner.invoke(args=["demo-data", "--force"])
    assert forced.exit_code == 0
    assert db.session.scalar(select(func.count(Episode.id))) > 0
