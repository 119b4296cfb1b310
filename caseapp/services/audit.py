"""The audit trail: append-only records of who viewed or changed what, and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from caseapp.extensions import db
from caseapp.models import AuditEvent
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


def commit_record_of_reading() -> None:
    """End the request's reading transaction with the record of that reading.

    Called after the page's reads, so that a page costs one transaction: its reads and
    their record, committed before the page is shown.

    A change waits for PostgreSQL to flush its log before the person is told it is saved.
    A record of reading need not hold up every page for that flush: the server writes it
    within a fraction of a second, so only the database machine crashing in that moment
    could lose it, and never a change to a case. What is loaded stays loaded."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    commit_keeping_loaded()


def record_view(actor: Actor, object_type: str, object_id: int, family_id: int | None) -> None:
    """Record that `actor` viewed the record, after the page's reads have found it: this
    ends the request's reading transaction with the record of it, so a page costs one
    transaction, and the record is kept before the page is shown.

    Its commit keeps what is loaded: the page is rendered from what its reads loaded, and
    the signed-in person (and their roles), read at the start of this request, would
    otherwise be selected again for the page's header."""
    audit_by(actor, "view", object_type, object_id=object_id, family_id=family_id)
    commit_record_of_reading()


def record_listing(actor: Actor, object_type: str, detail: dict[str, Any]) -> None:
    """A list of families is a view of each of them: record it after the list is read,
    ending the reading transaction with its record, as record_view() does."""
    audit_by(actor, "view", object_type, detail=detail)
    commit_record_of_reading()


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
