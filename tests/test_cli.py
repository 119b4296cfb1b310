"""The command-line tools: create-user and demo-data."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.frameworks import available_frameworks
from caseapp.models import Episode, FamilyMember, LevelDecision, TimelineEvent, User
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
