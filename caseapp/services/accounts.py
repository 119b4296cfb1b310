"""Staff accounts: creating them and signing in."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from caseapp.domain.passwords import password_problem
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import Agency, Team, User
from caseapp.models.types import utcnow
from caseapp.services.audit import add_audit_event


@cache
def _timing_decoy(method: str) -> str:
    """Checked against when the email is unknown, so a miss costs as long as a wrong
    password and response time does not reveal which addresses have accounts. Hashed the
    way passwords are (PASSWORD_HASH_METHOD), or the two would take different times."""
    return generate_password_hash("not a real password, only a timing decoy", method)


class AccountError(ValueError):
    """A request to create or change an account that cannot be carried out."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field  # the form field the message belongs next to


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def stage_user(
    *,
    email: str,
    name: str,
    password: str,
    roles: set[Role],
    job_title: str = "",
    agency: Agency | None = None,
    team: Team | None = None,
    created_by: User | None = None,
    remote_addr: str = "",
) -> User:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter an email address in the correct format", "email")
    if not name.strip():
        raise AccountError("Enter the person's name", "name")
    if not roles:
        raise AccountError("Give the person at least one role", "roles")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    taken = db.session.scalar(select(func.count(User.id)).where(User.email == email))
    if taken:
        raise AccountError(f"An account already uses {email}", "email")
    user = User(
        email=email, name=name.strip(), job_title=job_title.strip(), agency=agency, team=team
    )
    user.roles = roles
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.flush()
    add_audit_event(
        action="create",
        object_type="user",
        object_id=user.id,
        user_id=created_by.id if created_by else None,
        remote_addr=remote_addr,
    )
    return user


def create_user(**details: Any) -> User:
    user = stage_user(**details)
    db.session.commit()
    return user


def authenticate(email: str, password: str, remote_addr: str) -> User | None:
    """The user these credentials belong to, or None; either way the attempt is audited."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_timing_decoy(current_app.config["PASSWORD_HASH_METHOD"]), password)
    valid = user is not None and user.check_password(password) and user.active
    if valid and user is not None:
        user.last_sign_in_at = utcnow()
        add_audit_event(
            action="sign_in",
            object_type="user",
            object_id=user.id,
            user_id=user.id,
            remote_addr=remote_addr,
        )
        db.session.commit()
        return user
    add_audit_event(
        action="sign_in_failed",
        object_type="user",
        object_id=user.id if user else None,
        user_id=None,
        remote_addr=remote_addr,
        detail={"reason": "account disabled" if user and not user.active else "wrong credentials"},
    )
    db.session.commit()
    return None


def record_sign_out(user: User, remote_addr: str) -> None:
    add_audit_event(
        action="sign_out",
        object_type="user",
        object_id=user.id,
        user_id=user.id,
        remote_addr=remote_addr,
    )
    db.session.commit()


def record_sign_in_throttled(email: str, remote_addr: str) -> None:
    user = find_user_by_email(email) if email else None
    add_audit_event(
        action="sign_in_throttled",
        object_type="user",
        object_id=user.id if user else None,
        user_id=None,
        remote_addr=remote_addr,
    )
    db.session.commit()
