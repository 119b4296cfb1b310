"""Typed SQLAlchemy models; importing this module registers every table."""

from caseapp.models.episodes import Assignment, Episode, LevelDecision
from caseapp.models.events import AuditEvent, TimelineEvent
from caseapp.models.families import Family, FamilyMember, Professional
from caseapp.models.people import Agency, Team, User, UserRole
from caseapp.models.requests import SupportRequest, SupportRequestChild

__all__ = [
    "Agency",
    "Assignment",
    "AuditEvent",
    "Episode",
    "Family",
    "FamilyMember",
    "LevelDecision",
    "Professional",
    "SupportRequest",
    "SupportRequestChild",
    "Team",
    "TimelineEvent",
    "User",
    "UserRole",
]
