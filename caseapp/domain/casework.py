"""The vocabulary of a lead worker's records: consent, the EHA, the plan, TAF meetings
and case notes (DESIGN.md, domain). Labels live beside the values so every page says
the same thing."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry the words a page shows for them."""

    @property
    def label(self) -> str:
        return LABELS[(type(self), self.value)]


# Keyed by class and value: StrEnum members equal their values, so OutcomeStatus.OPEN and
# DisagreementStatus.OPEN would otherwise be one key and share one label.
LABELS: dict[tuple[type[StrEnum], str], str] = {}


def add_labels(labels: Iterable[tuple[StrEnum, str]]) -> None:
    for member, label in labels:
        LABELS[(type(member), member.value)] = label


class ConsentGiver(LabelledEnum):
    PARENT = "parent"
    CARER = "carer"
    YOUNG_PERSON = "young_person"


class ConsentMethod(LabelledEnum):
    SIGNED_FORM = "signed_form"
    VERBAL_IN_PERSON = "verbal_in_person"
    PHONE = "phone"
    EMAIL_OR_ONLINE = "email_or_online"


class AssessmentStatus(LabelledEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


class OutcomeStatus(LabelledEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    NO_LONGER_NEEDED = "no_longer_needed"


class ActionStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class MeetingKind(LabelledEnum):
    INITIAL = "initial"
    REVIEW = "review"
    STEP_DOWN = "step_down"


class MeetingStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class ContactType(LabelledEnum):
    HOME_VISIT = "home_visit"
    PHONE_CALL = "phone_call"
    SCHOOL_VISIT = "school_visit"
    OFFICE_VISIT = "office_visit"
    VIDEO_CALL = "video_call"
    MESSAGE = "message"
    OTHER = "other"


add_labels(
    (
        (ConsentGiver.PARENT, "Parent"),
        (ConsentGiver.CARER, "Carer"),
        (ConsentGiver.YOUNG_PERSON, "Young person"),
        (ConsentMethod.SIGNED_FORM, "Signed consent form"),
        (ConsentMethod.VERBAL_IN_PERSON, "Verbally, in person"),
        (ConsentMethod.PHONE, "By phone"),
        (ConsentMethod.EMAIL_OR_ONLINE, "By email or online form"),
        (AssessmentStatus.DRAFT, "Draft"),
        (AssessmentStatus.COMPLETED, "Completed"),
        (OutcomeStatus.OPEN, "Working towards"),
        (OutcomeStatus.ACHIEVED, "Achieved"),
        (OutcomeStatus.NO_LONGER_NEEDED, "No longer needed"),
        (ActionStatus.NOT_STARTED, "Not started"),
        (ActionStatus.IN_PROGRESS, "In progress"),
        (ActionStatus.DONE, "Done"),
        (ActionStatus.CANCELLED, "Cancelled"),
        (MeetingKind.INITIAL, "First TAF meeting"),
        (MeetingKind.REVIEW, "TAF review"),
        (MeetingKind.STEP_DOWN, "Step-down TAF meeting"),
        (MeetingStatus.SCHEDULED, "Scheduled"),
        (MeetingStatus.HELD, "Held"),
        (MeetingStatus.CANCELLED, "Cancelled"),
        (ContactType.HOME_VISIT, "Home visit"),
        (ContactType.PHONE_CALL, "Phone call"),
        (ContactType.SCHOOL_VISIT, "School visit"),
        (ContactType.OFFICE_VISIT, "Office or centre visit"),
        (ContactType.VIDEO_CALL, "Video call"),
        (ContactType.MESSAGE, "Text message or email"),
        (ContactType.OTHER, "Other contact"),
    )
)
