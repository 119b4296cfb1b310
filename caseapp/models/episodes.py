"""Episodes of early help, who leads them, and each child's level of need over time."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.extensions import db
from caseapp.models.families import Family, FamilyMember
from caseapp.models.people import Team, User
from caseapp.models.types import JsonDocument, UTCDateTime, text_enum, utcnow


class Episode(db.Model):
    """One period of early help for a family, from request to closure."""

    __tablename__ = "episodes"
    __table_args__ = (
        # A family has at most one open episode: reopening starts a new one after closure.
        Index(
            "uq_episodes_one_open_per_family",
            "family_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_episodes_lead_worker_status", "lead_worker_id", "status"),
        Index("ix_episodes_status_opened", "status", "opened_at"),
        # The Hub queue: open Hub work, urgent first, then by deadline; with the family and
        # team its filters test, so it is counted, filtered and paged without reading rows.
        Index(
            "ix_episodes_hub_queue", "status", "urgent", "hub_due_at", "id", "family_id", "team_id"
        ),
        # A team's episodes, open first, with what the manager's view reads of each: its
        # figures and the review queue read only the index, never the scattered rows.
        Index(
            "ix_episodes_team_closed",
            "team_id",
            "closed_at",
            "status",
            "allocated_at",
            "opened_at",
            "family_id",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    status: Mapped[EpisodeStatus] = mapped_column(
        text_enum(EpisodeStatus, 40), default=EpisodeStatus.REQUESTED
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # The current lead worker, kept in step with the open row of assignments.
    lead_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[ClosureReason | None] = mapped_column(text_enum(ClosureReason, 40))
    closure_detail: Mapped[str] = mapped_column(Text, default="")
    # Significant harm suspected: goes to the top of every queue.
    urgent: Mapped[bool] = mapped_column(default=False)
    # What the Hub owes next (a decision, then an allocation), and by when.
    hub_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The coordinator who picked the request up for triage, so two do not both work on it.
    triage_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A reopened episode names the closed one it follows; a re-request within 12 months
    # of that closure is flagged for the Hub and the manager.
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"))
    rerequest_within_year: Mapped[bool] = mapped_column(default=False)
    # What the manager's view counts drift from, kept as the work changes
    # (services/drift_facts.py); only an open episode's are kept.
    last_contact_on: Mapped[date | None]
    last_oversight_on: Mapped[date | None]
    eha_completed: Mapped[bool] = mapped_column(default=False, server_default=false())
    latest_taf_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latest_taf_next_on: Mapped[date | None]
    first_open_action_due_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    family: Mapped[Family] = relationship(back_populates="episodes", lazy="raise")
    team: Mapped[Team | None] = relationship(lazy="raise")
    lead_worker: Mapped[User | None] = relationship(foreign_keys=[lead_worker_id], lazy="raise")
    triage_by: Mapped[User | None] = relationship(foreign_keys=[triage_by_id], lazy="raise")

    # Optimistic locking: a stale write raises StaleDataError instead of overwriting.
    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class Assignment(db.Model):
    """Who led an episode, from when to when, and why it changed hands."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index(
            "uq_assignments_one_current_per_episode",
            "episode_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    lead_worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead_worker: Mapped[User] = relationship(foreign_keys=[lead_worker_id], lazy="raise")
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id], lazy="raise")


class LevelDecision(db.Model):
    """A change in one child's level of need: who decided it, when, why and on what."""

    __tablename__ = "level_decisions"
    __table_args__ = (Index("ix_level_decisions_member_decided", "member_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("family_members.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    framework_key: Mapped[str] = mapped_column(String(40))
    level_code: Mapped[str] = mapped_column(String(60))
    previous_level_code: Mapped[str | None] = mapped_column(String(60))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rationale: Mapped[str] = mapped_column(Text)
    indicator_codes: Mapped[list[str]] = mapped_column(JsonDocument, default=list)

    member: Mapped[FamilyMember] = relationship(lazy="raise")
    decided_by: Mapped[User] = relationship(lazy="raise")
