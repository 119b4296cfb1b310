"""The kinds of event a family chronology holds."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    FAMILY_CREATED = "family_created"
    MEMBER_ADDED = "member_added"
    REQUEST_RECEIVED = "request_received"
    TRIAGE_STARTED = "triage_started"
    TRIAGE_DECIDED = "triage_decided"
    REFERRER_INFORMED = "referrer_informed"
    LEVEL_DECIDED = "level_decided"
    LEAD_WORKER_ASSIGNED = "lead_worker_assigned"
    EPISODE_STATUS_CHANGED = "episode_status_changed"
    EPISODE_CLOSED = "episode_closed"
    EPISODE_REOPENED = "episode_reopened"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    ASSESSMENT_STARTED = "assessment_started"
    ASSESSMENT_SECTION_SAVED = "assessment_section_saved"
    ASSESSMENT_COMPLETED = "assessment_completed"
    OUTCOME_ADDED = "outcome_added"
    OUTCOME_UPDATED = "outcome_updated"
    ACTION_ADDED = "action_added"
    ACTION_UPDATED = "action_updated"
    ACTION_COMPLETED = "action_completed"
    MEETING_SCHEDULED = "meeting_scheduled"
    MEETING_RECORDED = "meeting_recorded"
    MEETING_CANCELLED = "meeting_cancelled"
    CASE_NOTE_ADDED = "case_note_added"
    LEVEL_CHANGE_REQUESTED = "level_change_requested"
    LEVEL_CHANGE_RETURNED = "level_change_returned"
    LEVEL_CHANGE_RESUBMITTED = "level_change_resubmitted"
    LEVEL_CHANGE_APPROVED = "level_change_approved"
    LEVEL_CHANGE_DECLINED = "level_change_declined"
    LEVEL_CHANGE_WITHDRAWN = "level_change_withdrawn"
    STEPPED_DOWN_FROM_SOCIAL_CARE = "stepped_down_from_social_care"
    DISAGREEMENT_RAISED = "disagreement_raised"
    DISAGREEMENT_ESCALATED = "disagreement_escalated"
    DISAGREEMENT_RESOLVED = "disagreement_resolved"
    OVERSIGHT_RECORDED = "oversight_recorded"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.FAMILY_CREATED: "Family record created",
    EventKind.MEMBER_ADDED: "Family member added",
    EventKind.REQUEST_RECEIVED: "Request for support received",
    EventKind.TRIAGE_STARTED: "Triage started",
    EventKind.TRIAGE_DECIDED: "Hub decision recorded",
    EventKind.REFERRER_INFORMED: "Referrer told the outcome",
    EventKind.LEVEL_DECIDED: "Level of need decided",
    EventKind.LEAD_WORKER_ASSIGNED: "Lead worker assigned",
    EventKind.EPISODE_STATUS_CHANGED: "Episode status changed",
    EventKind.EPISODE_CLOSED: "Episode closed",
    EventKind.EPISODE_REOPENED: "Episode reopened",
    EventKind.CONSENT_RECORDED: "Consent recorded",
    EventKind.CONSENT_WITHDRAWN: "Consent withdrawn",
    EventKind.ASSESSMENT_STARTED: "Early Help Assessment started",
    EventKind.ASSESSMENT_SECTION_SAVED: "Early Help Assessment section saved",
    EventKind.ASSESSMENT_COMPLETED: "Early Help Assessment completed",
    EventKind.OUTCOME_ADDED: "Plan outcome added",
    EventKind.OUTCOME_UPDATED: "Plan outcome updated",
    EventKind.ACTION_ADDED: "Plan action added",
    EventKind.ACTION_UPDATED: "Plan action updated",
    EventKind.ACTION_COMPLETED: "Plan action completed",
    EventKind.MEETING_SCHEDULED: "TAF meeting scheduled",
    EventKind.MEETING_RECORDED: "TAF meeting recorded",
    EventKind.MEETING_CANCELLED: "TAF meeting cancelled",
    EventKind.CASE_NOTE_ADDED: "Case note",
    EventKind.LEVEL_CHANGE_REQUESTED: "Level change requested",
    EventKind.LEVEL_CHANGE_RETURNED: "Request returned for more information",
    EventKind.LEVEL_CHANGE_RESUBMITTED: "Request resubmitted",
    EventKind.LEVEL_CHANGE_APPROVED: "Request approved",
    EventKind.LEVEL_CHANGE_DECLINED: "Request declined",
    EventKind.LEVEL_CHANGE_WITHDRAWN: "Request withdrawn",
    EventKind.STEPPED_DOWN_FROM_SOCIAL_CARE: "Stepped down from social care",
    EventKind.DISAGREEMENT_RAISED: "Professional disagreement raised",
    EventKind.DISAGREEMENT_ESCALATED: "Professional disagreement escalated",
    EventKind.DISAGREEMENT_RESOLVED: "Professional disagreement resolved",
    EventKind.OVERSIGHT_RECORDED: "Management oversight recorded",
}


# --- categories: how a practitioner filters the chronology ------------------------------------


class EventCategory(StrEnum):
    """The groups of events a practitioner looks for in a chronology. Every EventKind
    belongs to exactly one (tests/test_chronology_rules.py proves none is left out)."""

    HUB_AND_REFERRAL = "hub"
    FAMILY_AND_LEAD_WORKER = "family"
    LEVELS_AND_DECISIONS = "levels"
    CONSENT = "consent"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    TAF_MEETINGS = "meetings"
    CASE_NOTES = "notes"
    REQUESTS_AND_OVERSIGHT = "oversight"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def kinds(self) -> frozenset[EventKind]:
        return frozenset(kind for kind, category in EVENT_CATEGORIES.items() if category is self)


CATEGORY_LABELS: dict[EventCategory, str] = {
    EventCategory.HUB_AND_REFERRAL: "Hub and referral",
    EventCategory.FAMILY_AND_LEAD_WORKER: "Family, episode and lead worker",
    EventCategory.LEVELS_AND_DECISIONS: "Levels of need and decisions",
    EventCategory.CONSENT: "Consent",
    EventCategory.ASSESSMENT: "Early Help Assessment",
    EventCategory.PLAN: "Plan",
    EventCategory.TAF_MEETINGS: "TAF meetings",
    EventCategory.CASE_NOTES: "Case notes",
    EventCategory.REQUESTS_AND_OVERSIGHT: "Requests, disagreements and oversight",
}

EVENT_CATEGORIES: dict[EventKind, EventCategory] = {
    EventKind.FAMILY_CREATED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.MEMBER_ADDED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.REQUEST_RECEIVED: EventCategory.HUB_AND_REFERRAL,
    EventKind.TRIAGE_STARTED: EventCategory.HUB_AND_REFERRAL,
    EventKind.TRIAGE_DECIDED: EventCategory.HUB_AND_REFERRAL,
    EventKind.REFERRER_INFORMED: EventCategory.HUB_AND_REFERRAL,
    EventKind.LEVEL_DECIDED: EventCategory.LEVELS_AND_DECISIONS,
    EventKind.LEAD_WORKER_ASSIGNED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.EPISODE_STATUS_CHANGED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.EPISODE_CLOSED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.EPISODE_REOPENED: EventCategory.FAMILY_AND_LEAD_WORKER,
    EventKind.CONSENT_RECORDED: EventCategory.CONSENT,
    EventKind.CONSENT_WITHDRAWN: EventCategory.CONSENT,
    EventKind.ASSESSMENT_STARTED: EventCategory.ASSESSMENT,
    EventKind.ASSESSMENT_SECTION_SAVED: EventCategory.ASSESSMENT,
    EventKind.ASSESSMENT_COMPLETED: EventCategory.ASSESSMENT,
    EventKind.OUTCOME_ADDED: EventCategory.PLAN,
    EventKind.OUTCOME_UPDATED: EventCategory.PLAN,
    EventKind.ACTION_ADDED: EventCategory.PLAN,
    EventKind.ACTION_UPDATED: EventCategory.PLAN,
    EventKind.ACTION_COMPLETED: EventCategory.PLAN,
    EventKind.MEETING_SCHEDULED: EventCategory.TAF_MEETINGS,
    EventKind.MEETING_RECORDED: EventCategory.TAF_MEETINGS,
    EventKind.MEETING_CANCELLED: EventCategory.TAF_MEETINGS,
    EventKind.CASE_NOTE_ADDED: EventCategory.CASE_NOTES,
    # The outcome of a step-up, step-down or closure request is a decision about levels;
    # asking, returning and withdrawing are the request's own story.
    EventKind.LEVEL_CHANGE_REQUESTED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.LEVEL_CHANGE_RETURNED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.LEVEL_CHANGE_RESUBMITTED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.LEVEL_CHANGE_APPROVED: EventCategory.LEVELS_AND_DECISIONS,
    EventKind.LEVEL_CHANGE_DECLINED: EventCategory.LEVELS_AND_DECISIONS,
    EventKind.LEVEL_CHANGE_WITHDRAWN: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.STEPPED_DOWN_FROM_SOCIAL_CARE: EventCategory.LEVELS_AND_DECISIONS,
    EventKind.DISAGREEMENT_RAISED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.DISAGREEMENT_ESCALATED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.DISAGREEMENT_RESOLVED: EventCategory.REQUESTS_AND_OVERSIGHT,
    EventKind.OVERSIGHT_RECORDED: EventCategory.REQUESTS_AND_OVERSIGHT,
}
