"""The audit trail: append-only records of who viewed or changed what, and from where."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, func, insert, select

from caseapp.extensions import db
from caseapp.models import AuditEvent
from caseapp.models.types import utcnow
from caseapp.services.context import Actor


def add_audit_event(
    *,
    action: str,
    object_type: str,
    user_id: int | None,
    remote_addr: str = "",
    object_id: int | None = None,
    family_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Stage an audit event in the caller's transaction, so it commits with the change."""
    audit_event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        family_id=family_id,
        user_id=user_id,
        remote_addr=remote_addr[:64],
        detail=detail or {},
    )
    db.session.add(audit_event)
    return audit_event


def audit_by(actor: Actor, action: str, object_type: str, **fields: Any) -> AuditEvent:
    return add_audit_event(
        action=action,
        object_type=object_type,
        user_id=actor.user_id,
        remote_addr=actor.remote_addr,
        **fields,
    )


def commit_keeping_loaded() -> None:
    """Commit without expiring what this request has loaded, so a page rendered after it
    needs no second trip to the database for the same rows."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = before


def record_reading(
    actor: Actor,
    action: str,
    object_type: str,
    *,
    object_id: int | None = None,
    family_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record that `actor` read something (a view, a listing, a search) and commit: called
    after the page's reads, it ends the request's reading transaction with the record of
    it, so a page costs one transaction, and the record is kept before the page is shown.

    A change waits for PostgreSQL to flush its log before the person is told it is saved.
    A record of reading need not hold up every page for that flush: the server writes it
    within a fraction of a second, so only the database machine crashing in that moment
    could lose it, and never a change to a case. What is loaded stays loaded: the page is
    rendered from it, and the signed-in person would otherwise be selected again."""
    values = {
        "at": utcnow(),
        "user_id": actor.user_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "family_id": family_id,
        "remote_addr": actor.remote_addr[:64],
        "detail": detail or {},
    }
    dialect = db.session.get_bind().dialect.name
    db.session.execute(_reading_record(dialect, tuple(values)), values)
    commit_keeping_loaded()


@cache
def _reading_record(dialect: str, columns: tuple[str, ...]) -> Insert:
    """The INSERT of a record of reading, built once; its values are bound when it runs.

    On PostgreSQL its row is selected from set_config(), which tells this transaction's
    commit not to wait for the log flush: the setting and the row go in one round trip,
    where a SET of their own was one more on every page."""
    table = AuditEvent.__table__
    row = select(*(bindparam(name, type_=table.c[name].type) for name in columns))
    if dialect == "postgresql":
        no_flush_wait = select(
            func.set_config("synchronous_commit", "off", True).label("setting")
        ).subquery("no_flush_wait")
        row = row.select_from(no_flush_wait)
    return insert(table).from_select(columns, row)


def record_view(actor: Actor, object_type: str, object_id: int, family_id: int | None) -> None:
    """Record that `actor` viewed the record, after the page's reads have found it (see
    record_reading)."""
    record_reading(actor, "view", object_type, object_id=object_id, family_id=family_id)


def record_listing(actor: Actor, object_type: str, detail: dict[str, Any]) -> None:
    """A list of families is a view of each of them: record it after the list is read (see
    record_reading)."""
    record_reading(actor, "view", object_type, detail=detail)


def viewed_since(user_id: int, object_type: str, object_id: int, since: datetime) -> bool:
    """Whether the audit trail shows this person opened the record since `since`: the
    evidence that a page they are submitting was really theirs to see when they loaded it."""
    query = select(AuditEvent.id).where(
        AuditEvent.user_id == user_id,
        AuditEvent.at >= since,
        AuditEvent.action == "view",
        AuditEvent.object_type == object_type,
        AuditEvent.object_id == object_id,
    )
    return db.session.scalar(query.limit(1)) is not None
