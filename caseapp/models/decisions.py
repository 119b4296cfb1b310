"""Requests to change children's levels or close an episode, the manager's review of
them, step-downs from social care, professional disagreements and management oversight."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.level_requests import (
    DisagreementStatus,
    RequestKind,
    RequestStatus,
    RequestTarget,
    ReviewAction,
)
from caseapp.extensions import db
from caseapp.models.families import FamilyMember
from caseapp.models.people import User
from caseapp.models.types import JsonDocument, UTCDateTime, text_enum, utcnow


class LevelChangeRequest(db.Model):
    """A step up, step down or closure asked of a manager, for one or more children."""

    __tablename__ = "level_change_requests"
    __table_args__ = (
        # The review queue: open requests, urgent first, oldest first.
        Index("ix_level_change_requests_queue", "status", "urgent", "submitted_at", "id"),
        # A family's requests by status: the review queue probes each of a team's families
        # for its pending ones without reading the decided ones, most of any family's.
        Index("ix_level_change_requests_family_status", "family_id", "status"),
        # An episode's decisions by kind and date: the manager's monthly approvals probe
        # each of the team's episodes from the index alone.
        Index(
            "ix_level_change_requests_episode_decided", "episode_id", "kind", "status", "decided_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    kind: Mapped[RequestKind] = mapped_column(text_enum(RequestKind, 20))
    target: Mapped[RequestTarget] = mapped_column(text_enum(RequestTarget, 20))
    status: Mapped[RequestStatus] = mapped_column(
        text_enum(RequestStatus, 20), default=RequestStatus.PENDING
    )
    # Significant harm suspected: goes to the top of every queue and needs no consent.
    urgent: Mapped[bool] = mapped_column(default=False)
    rationale: Mapped[str] = mapped_column(Text)
    # For a closure: why, and what is in place afterwards.
    closure_reason: Mapped[ClosureReason | None] = mapped_column(text_enum(ClosureReason, 40))
    closure_detail: Mapped[str] = mapped_column(Text, default="")
    after_closure: Mapped[str] = mapped_column(Text, default="")
    # For a step down: the latest TAF scores and the outstanding actions as they were
    # when the request was (re)submitted, so the manager decides on what was shown.
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    # Further information added when the request is resubmitted after being returned.
    further_information: Mapped[str] = mapped_column(Text, default="")
    # The episode's state before a request that moved it (say, to closure requested), so a
    # decline or withdrawal puts it back where it was.
    episode_status_before: Mapped[EpisodeStatus | None] = mapped_column(
        text_enum(EpisodeStatus, 40)
    )
    # Likewise whether the episode was urgent before an urgent request made it so (empty
    # for a request that was not urgent): a declined urgent step up must not leave the
    # family marked as at risk of significant harm, nor open it to the Hub on a later,
    # ordinary step up.
    episode_urgent_before: Mapped[bool | None] = mapped_column()
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it last went to the manager: the age the review queue shows.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    children: Mapped[list[LevelChangeRequestChild]] = relationship(
        back_populates="request",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="LevelChangeRequestChild.id",
    )
    reviews: Mapped[list[RequestReview]] = relationship(
        back_populates="request", lazy="raise", order_by="RequestReview.id"
    )

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class LevelChangeRequestChild(db.Model):
    """One child of a request: the level they are at and the level asked for."""

    __tablename__ = "level_change_request_children"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("level_change_requests.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("family_members.id"), index=True)
    from_level_code: Mapped[str | None] = mapped_column(String(60))
    # Empty when the request takes the child out of early help (universal, social care).
    to_level_code: Mapped[str | None] = mapped_column(String(60))
    indicator_codes: Mapped[list[str]] = mapped_column(JsonDocument, default=list)

    request: Mapped[LevelChangeRequest] = relationship(back_populates="children", lazy="raise")
    member: Mapped[FamilyMember] = relationship(lazy="raise")


class RequestReview(db.Model):
    """Each step in a request's life: submitted, returned, resubmitted, decided."""

    __tablename__ = "request_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("level_change_requests.id"), index=True)
    action: Mapped[ReviewAction] = mapped_column(text_enum(ReviewAction, 20))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rationale: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[LevelChangeRequest] = relationship(back_populates="reviews", lazy="raise")
    by: Mapped[User] = relationship(lazy="raise")


class SocialCareStepDown(db.Model):
    """A family stepped down from children's social care into early help."""

    __tablename__ = "social_care_step_downs"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    from_team: Mapped[str] = mapped_column(String(200))
    handover_summary: Mapped[str] = mapped_column(Text)
    step_down_taf_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disagreement(db.Model):
    """A professional disagreement about a decision, escalated stage by stage until
    resolved."""

    __tablename__ = "disagreements"
    __table_args__ = (Index("ix_disagreements_status_resolve_by", "status", "resolve_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    # The request whose decision is disputed, when it is one.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("level_change_requests.id"))
    stage: Mapped[int] = mapped_column(default=1)
    parties: Mapped[str] = mapped_column(Text)
    disputed: Mapped[str] = mapped_column(Text)
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[DisagreementStatus] = mapped_column(
        text_enum(DisagreementStatus, 20), default=DisagreementStatus.OPEN
    )
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="raise")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="raise")
    escalations: Mapped[list[DisagreementEscalation]] = relationship(
        lazy="raise", order_by="DisagreementEscalation.id"
    )

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class DisagreementEscalation(db.Model):
    """A disagreement moved up a stage: by whom, why, and the new deadline."""

    __tablename__ = "disagreement_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    disagreement_id: Mapped[int] = mapped_column(ForeignKey("disagreements.id"), index=True)
    to_stage: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    escalated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime)

    escalated_by: Mapped[User] = relationship(lazy="raise")


class OversightNote(db.Model):
    """A manager's recorded oversight of a family's case."""

    __tablename__ = "oversight_notes"
    __table_args__ = (Index("ix_oversight_notes_family_on", "family_id", "oversight_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    oversight_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text, default="")
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship(lazy="raise")
