"""The database itself keeps the audit trail append-only: a script or a console that goes
round the app cannot delete an audit row or rewrite who did what; only retention's
anonymisation (clearing the family link and the detail) is let through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import DBAPIError

from caseapp.extensions import db
from caseapp.services.audit import add_audit_event
from tests.factories import make_family, make_user


def _audit_row() -> int:
    user = make_user("manager")
    family = make_family()
    event = add_audit_event(
        action="view", object_type="family", user_id=user.id, family_id=family.id, object_id=1
    )
    db.session.commit()
    return event.id


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_events WHERE id = :id",
        "UPDATE audit_events SET action = 'nothing' WHERE id = :id",
        "UPDATE audit_events SET user_id = NULL WHERE id = :id",
        "UPDATE audit_events SET remote_addr = '' WHERE id = :id",
        # Even the anonymisation must clear the family: rewriting the detail alone is not it.
        "UPDATE audit_events SET detail = '{}' WHERE id = :id",
    ],
)
def test_the_database_refuses(app: Flask, statement: str) -> None:
    event_id = _audit_row()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement), {"id": event_id})
        db.session.flush()
    db.session.rollback()
    assert (
        db.session.execute(
            sa.text("SELECT action FROM audit_events WHERE id = :id"), {"id": event_id}
        ).scalar_one()
        == "view"
    )


def test_retention_anonymisation_is_allowed(app: Flask) -> None:
    event_id = _audit_row()
    db.session.execute(
        sa.text("UPDATE audit_events SET family_id = NULL, detail = '{}' WHERE id = :id"),
        {"id": event_id},
    )
    db.session.commit()
    family = db.session.execute(
        sa.text("SELECT family_id FROM audit_events WHERE id = :id"), {"id": event_id}
    ).scalar_one()
    assert family is None
