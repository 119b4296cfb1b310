"""The family chronology and the audit trail: both only ever appended to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models.people import User
from caseapp.models.types import JsonDocument, UTCDateTime, utcnow


class TimelineEvent(db.Model):
    """One entry in a family's chronology, written in the same transaction as its change."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        Index("ix_timeline_events_family_occurred", "family_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise")


class AuditEvent(db.Model):
    """Who viewed or changed which record, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_family_at", "family_id", "at"),
        Index("ix_audit_events_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)


def _refuse_change(mapper: object, connection: object, target: AuditEvent) -> None:
    raise PermissionError("audit events are append-only")


event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
