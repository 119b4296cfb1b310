"""Administering staff accounts."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import AuditEvent, User
from tests.factories import DEMO_TEST_PASSWORD, make_family, make_team, make_user


def test_only_admins_manage_accounts(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("manager", "lead_worker", "hub_coordinator")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_admin_lists_and_searches_accounts(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("admin", name="Ada Admin")
    make_user("lead_worker", name="Gemma Clarke", email="gemma@example.org")
    make_user("manager", name="Helen Marsh", email="helen@example.org")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Gemma Clarke" in page and "Helen Marsh" in page and "3 accounts" in page
    found = client.get("/admin/users?q=gem").get_data(as_text=True)
    assert "Gemma Clarke" in found and "Helen Marsh" not in found
    fragment = client.get("/admin/users?q=gem", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Gemma Clarke" in fragment.get_data(as_text=True)


def test_admin_creates_an_account(app: Flask, client: FlaskClient, signed_in_as) -> None:
    admin = signed_in_as("admin")
    team = make_team()
    response = client.post(
        "/admin/users/new",
        data={
            "name": "New Worker",
            "email": "New.Worker@example.org",
            "job_title": "Family worker",
            "agency_id": "None",
            "team_id": str(team.id),
            "roles": ["lead_worker", "manager"],
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.worker@example.org"))
    assert user is not None and user.roles == {Role.LEAD_WORKER, Role.MANAGER}
    assert user.team_id == team.id
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_id == user.id, AuditEvent.action == "create")
    )
    assert audit is not None and audit.user_id == admin.id


def test_bad_account_details_are_shown_on_the_form(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("admin")
    make_user("lead_worker", email="taken@example.org")
    before = db.session.scalar(select(func.count(User.id)))
    body = client.post(
        "/admin/users/new",
        data={
            "name": "",
            "email": "taken@example.org",
            "agency_id": "None",
            "team_id": "None",
            "password": "password1234",
        },
    ).get_data(as_text=True)
    assert "There is a problem" in body
    assert "Enter the person&#39;s full name" in body
    assert "Select at least one role" in body
    assert db.session.scalar(select(func.count(User.id))) == before
    body = client.post(
        "/admin/users/new",
        data={
            "name": "X",
            "email": "taken@example.org",
            "agency_id": "None",
            "team_id": "None",
            "roles": ["admin"],
            "password": "password1234",
        },
    ).get_data(as_text=True)
    assert "breached passwords" in body
    body = client.post(
        "/admin/users/new",
        data={
            "name": "X",
            "email": "taken@example.org",
            "agency_id": "None",
            "team_id": "None",
            "roles": ["admin"],
            "password": "a long enough password",
        },
    ).get_data(as_text=True)
    assert "An account already uses taken@example.org" in body


def test_disabling_takes_effect_at_once(app: Flask, signed_in_as) -> None:
    worker = make_user("lead_worker")
    worker_client = app.test_client()
    worker_client.post("/sign-in", data={"email": worker.email, "password": DEMO_TEST_PASSWORD})
    assert worker_client.get("/caseload").status_code == 200

    admin_client = app.test_client()
    admin = make_user("admin")
    admin_client.post("/sign-in", data={"email": admin.email, "password": DEMO_TEST_PASSWORD})
    response = admin_client.post(f"/admin/users/{worker.id}/active", data={"active": "false"})
    assert response.status_code == 302
    assert worker_client.get("/caseload").status_code == 302
    assert (
        db.session.scalar(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == worker.id)
            .order_by(AuditEvent.id.desc())
        )
        == "disable"
    )


def test_an_admin_cannot_disable_or_demote_themselves(client: FlaskClient, signed_in_as) -> None:
    admin = signed_in_as("admin")
    client.post(f"/admin/users/{admin.id}/active", data={"active": "false"})
    db.session.refresh(admin)
    assert admin.active
    body = client.post(
        f"/admin/users/{admin.id}",
        data={
            "name": admin.name,
            "email": admin.email,
            "agency_id": "None",
            "team_id": "None",
            "roles": ["lead_worker"],
        },
    ).get_data(as_text=True)
    assert "cannot remove your own administrator role" in body


def test_admin_sees_no_case_records(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("admin")
    family = make_family(family_name="Hidden")
    assert client.get(f"/families/{family.id}").status_code in {403, 404}
