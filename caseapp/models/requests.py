"""Requests for support to the Early Help Hub, and the Hub's decision on each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.extensions import db
from caseapp.models.episodes import Episode
from caseapp.models.families import Family, FamilyMember
from caseapp.models.people import User
from caseapp.models.types import UTCDateTime, text_enum, utcnow


class SupportRequest(db.Model):
    """A request for support (MARF, request for help) and the Hub's decision on it."""

    __tablename__ = "support_requests"
    __table_args__ = (
        Index("ix_support_requests_referrer_decided", "referrer_user_id", "decided_at"),
        # A person's own requests, newest first, on their home page. Partial, because most
        # requests come from outside the council with no referrer: counted in, they make
        # SQLite's statistics say one person sent a great share of them, and it scans.
        Index(
            "ix_support_requests_referrer_received",
            "referrer_user_id",
            "received_at",
            "id",
            sqlite_where=text("referrer_user_id IS NOT NULL"),
            postgresql_where=text("referrer_user_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_via: Mapped[ReceivedVia] = mapped_column(text_enum(ReceivedVia, 20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Set when the referrer is a user of the app, so they see the outcome on their home page.
    referrer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referrer_name: Mapped[str] = mapped_column(String(200))
    referrer_agency: Mapped[str] = mapped_column(String(200))
    referrer_contact: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    tried_so_far: Mapped[str] = mapped_column(Text, default="")
    consent_given: Mapped[bool]
    consent_given_by: Mapped[str] = mapped_column(String(200), default="")
    consent_not_needed_reason: Mapped[str] = mapped_column(Text, default="")
    significant_harm: Mapped[bool] = mapped_column(default=False)
    decision_due_at: Mapped[datetime] = mapped_column(UTCDateTime)

    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[TriageOutcome | None] = mapped_column(text_enum(TriageOutcome, 20))
    decision_rationale: Mapped[str] = mapped_column(Text, default="")
    # For a step up: where it went (e.g. the front door team) and who was spoken to.
    social_care_route: Mapped[str] = mapped_column(Text, default="")
    social_care_contacted: Mapped[str] = mapped_column(String(300), default="")
    # For a referrer outside the app: how and when they were told the outcome.
    referrer_informed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referrer_informed_how: Mapped[str] = mapped_column(String(200), default="")

    episode: Mapped[Episode] = relationship(lazy="raise")
    family: Mapped[Family] = relationship(lazy="raise")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="raise")
    referrer_user: Mapped[User | None] = relationship(foreign_keys=[referrer_user_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    children: Mapped[list[SupportRequestChild]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class SupportRequestChild(db.Model):
    """A child the request is about; the Hub decides a level for each."""

    __tablename__ = "support_request_children"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_requests.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("family_members.id"), primary_key=True)

    member: Mapped[FamilyMember] = relationship(lazy="raise")
