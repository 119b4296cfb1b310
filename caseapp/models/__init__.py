"""Typed SQLAlchemy models; importing this module registers every table."""

from caseapp.models.casework import (
    Assessment,
    AssessmentSection,
    CaseNote,
    Consent,
    Draft,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    TafAttendee,
    TafMeeting,
)
from caseapp.models.decisions import (
    Disagreement,
    DisagreementEscalation,
    LevelChangeRequest,
    LevelChangeRequestChild,
    OversightNote,
    RequestReview,
    SocialCareStepDown,
)
from caseapp.models.episodes import Assignment, Episode, LevelDecision
from caseapp.models.events import AuditEvent, TimelineEvent
from caseapp.models.families import Family, FamilyMember, Professional
from caseapp.models.people import Agency, Team, User, UserRole
from caseapp.models.requests import SupportRequest, SupportRequestChild

__all__ = [
    "Agency",
    "Assessment",
    "AssessmentSection",
    "Assignment",
    "AuditEvent",
    "CaseNote",
    "Consent",
    "Disagreement",
    "DisagreementEscalation",
    "Draft",
    "Episode",
    "Family",
    "FamilyMember",
    "LevelChangeRequest",
    "LevelChangeRequestChild",
    "LevelDecision",
    "OutcomeScore",
    "OversightNote",
    "PlanAction",
    "PlanOutcome",
    "Professional",
    "RequestReview",
    "SocialCareStepDown",
    "SupportRequest",
    "SupportRequestChild",
    "TafAttendee",
    "TafMeeting",
    "Team",
    "TimelineEvent",
    "User",
    "UserRole",
]
