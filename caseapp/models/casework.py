"""What a lead worker records after allocation: consent, the Early Help Assessment,
the plan, Team Around the Family meetings and case notes.

Every record names its family (for need-to-know and the chronology) and the episode it
belongs to. Records two people can edit at once carry a version column, so a stale
save raises StaleDataError instead of overwriting someone else's work.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.domain.casework import (
    ActionStatus,
    AssessmentStatus,
    ConsentGiver,
    ConsentMethod,
    ContactType,
    MeetingKind,
    MeetingStatus,
    OutcomeStatus,
)
from caseapp.extensions import db
from caseapp.models.families import FamilyMember
from caseapp.models.people import User
from caseapp.models.types import JsonDocument, UTCDateTime, text_enum, utcnow


class Consent(db.Model):
    """Who agreed to early help and to sharing, with whom, how and when; and withdrawal."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    # The family member who consented, when they are on the record; the name as given.
    given_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"))
    given_by_name: Mapped[str] = mapped_column(String(200))
    given_by_role: Mapped[ConsentGiver] = mapped_column(text_enum(ConsentGiver, 30))
    # Agencies the family agreed information may be shared with, as named on the form.
    share_with: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    # Anything the family asked not to be shared, in their words.
    not_to_share: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[ConsentMethod] = mapped_column(text_enum(ConsentMethod, 30))
    given_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_on: Mapped[date | None]
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")
    withdrawal_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    given_by_member: Mapped[FamilyMember | None] = relationship(lazy="raise")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="raise")
    withdrawal_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[withdrawal_recorded_by_id], lazy="raise"
    )

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None


class Assessment(db.Model):
    """One Early Help Assessment of a family. A reassessment is a new row with the next
    number; a completed one is never changed again."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("family_id", "number", name="uq_assessments_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    # 1 for the family's first EHA, 2 for the first reassessment, and so on.
    number: Mapped[int]
    status: Mapped[AssessmentStatus] = mapped_column(
        text_enum(AssessmentStatus, 20), default=AssessmentStatus.DRAFT
    )
    # The children this assessment is about; each has their own sections.
    member_ids: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id], lazy="raise")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="raise")
    sections: Mapped[list[AssessmentSection]] = relationship(
        back_populates="assessment", lazy="raise", order_by="AssessmentSection.id"
    )

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class AssessmentSection(db.Model):
    """One section of an EHA, saved on its own: about the family (member_id empty) or
    about one child. `answers` maps each question of the section to what was written."""

    __tablename__ = "assessment_sections"
    __table_args__ = (
        Index(
            "uq_assessment_sections_family_section",
            "assessment_id",
            "section",
            unique=True,
            sqlite_where=text("member_id IS NULL"),
            postgresql_where=text("member_id IS NULL"),
        ),
        Index(
            "uq_assessment_sections_child_section",
            "assessment_id",
            "member_id",
            "section",
            unique=True,
            sqlite_where=text("member_id IS NOT NULL"),
            postgresql_where=text("member_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"))
    section: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    assessment: Mapped[Assessment] = relationship(back_populates="sections", lazy="raise")
    updated_by: Mapped[User] = relationship(lazy="raise")

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class PlanOutcome(db.Model):
    """What will be different, for which child, and which national headline outcomes it
    serves. Progress is scored 0-10 at each TAF meeting (OutcomeScore)."""

    __tablename__ = "plan_outcomes"
    __table_args__ = (Index("ix_plan_outcomes_episode_status", "episode_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    # The child the outcome is for; empty when it is for the whole family.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # How everyone will know it has happened.
    measure: Mapped[str] = mapped_column(Text, default="")
    # Codes from caseapp/frameworks/supporting_families.toml.
    headline_outcomes: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    status: Mapped[OutcomeStatus] = mapped_column(
        text_enum(OutcomeStatus, 30), default=OutcomeStatus.OPEN
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    member: Mapped[FamilyMember | None] = relationship(lazy="raise")

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class PlanAction(db.Model):
    """Who will do what by when, towards an outcome (or the plan as a whole)."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        # Overdue actions per episode: open ones by due date.
        Index("ix_plan_actions_episode_status_due", "episode_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("plan_outcomes.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # Who will do it: a person and their agency (a parent, a teacher, the lead worker).
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_agency: Mapped[str] = mapped_column(String(200), default="")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        text_enum(ActionStatus, 20), default=ActionStatus.NOT_STARTED
    )
    completed_on: Mapped[date | None]
    # The TAF meeting that agreed it, when it came from one.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("taf_meetings.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    outcome: Mapped[PlanOutcome | None] = relationship(lazy="raise")

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class TafMeeting(db.Model):
    """A Team Around the Family meeting: scheduled, then held (or cancelled)."""

    __tablename__ = "taf_meetings"
    __table_args__ = (
        # With the date each meeting agreed for the next, so the manager's view finds an
        # episode's latest meeting held and its review date from this index alone.
        Index("ix_taf_meetings_episode_status_at", "episode_id", "status", "at", "next_meeting_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    kind: Mapped[MeetingKind] = mapped_column(text_enum(MeetingKind, 20))
    status: Mapped[MeetingStatus] = mapped_column(
        text_enum(MeetingStatus, 20), default=MeetingStatus.SCHEDULED
    )
    # When it is (or was) held.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    family_views: Mapped[str] = mapped_column(Text, default="")
    child_views: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    # The date the meeting agreed for the next one (default 6 weeks on).
    next_meeting_on: Mapped[date | None]
    scheduled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    attendees: Mapped[list[TafAttendee]] = relationship(
        back_populates="meeting", lazy="raise", order_by="TafAttendee.id"
    )
    scores: Mapped[list[OutcomeScore]] = relationship(
        back_populates="meeting", lazy="raise", order_by="OutcomeScore.id"
    )

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}


class TafAttendee(db.Model):
    """Someone invited to a TAF meeting: there, or sent apologies. A staff member named
    here is a TAF member of the family and may see its record."""

    __tablename__ = "taf_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("taf_meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    present: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"))

    meeting: Mapped[TafMeeting] = relationship(back_populates="attendees", lazy="raise")


class OutcomeScore(db.Model):
    """Progress towards one outcome as scored at one TAF meeting, 0 (no progress) to 10."""

    __tablename__ = "outcome_scores"
    __table_args__ = (UniqueConstraint("meeting_id", "outcome_id", name="uq_outcome_scores"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("taf_meetings.id"))
    outcome_id: Mapped[int] = mapped_column(ForeignKey("plan_outcomes.id"), index=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[TafMeeting] = relationship(back_populates="scores", lazy="raise")
    outcome: Mapped[PlanOutcome] = relationship(lazy="raise")


class CaseNote(db.Model):
    """A contact or visit. Notes are a record of what happened, so they are not edited:
    a correction is a further note."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_family_contact", "family_id", "contact_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    contact_on: Mapped[date]
    contact_type: Mapped[ContactType] = mapped_column(text_enum(ContactType, 30))
    # Family members seen, by id, and anyone else seen, in words.
    seen_member_ids: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    others_seen: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="raise")


class Draft(db.Model):
    """Typed work not yet saved, kept for its author so a timeout or a lost connection
    loses nothing. `form_key` names the form and record (for example eha-section:12:5:
    development); one draft per person per form."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "form_key", name="uq_drafts_user_form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    form_key: Mapped[str] = mapped_column(String(200))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
