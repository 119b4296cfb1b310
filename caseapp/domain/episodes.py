"""The states an episode of early help moves through (DESIGN.md, episode lifecycle)."""

from __future__ import annotations

from enum import StrEnum


class EpisodeStatus(StrEnum):
    REQUESTED = "requested"
    TRIAGE = "triage"
    # DESIGN.md goes straight from triage to allocated; the Hub queue needs the time in
    # between (decided as early help, no lead worker yet) to be a state of its own.
    AWAITING_ALLOCATION = "awaiting_allocation"
    ALLOCATED = "allocated"
    ASSESSMENT = "assessment"
    PLAN_ACTIVE = "plan_active"
    REVIEW = "review"
    CLOSURE_REQUESTED = "closure_requested"
    STEP_UP_REQUESTED = "step_up_requested"
    STEPPED_UP = "stepped_up"
    STEP_DOWN_REQUESTED = "step_down_requested"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self is not EpisodeStatus.CLOSED


STATUS_LABELS: dict[EpisodeStatus, str] = {
    EpisodeStatus.REQUESTED: "Request received",
    EpisodeStatus.TRIAGE: "In triage",
    EpisodeStatus.AWAITING_ALLOCATION: "Awaiting allocation",
    EpisodeStatus.ALLOCATED: "Allocated",
    EpisodeStatus.ASSESSMENT: "Assessment (EHA)",
    EpisodeStatus.PLAN_ACTIVE: "Plan active",
    EpisodeStatus.REVIEW: "In review",
    EpisodeStatus.CLOSURE_REQUESTED: "Closure requested",
    EpisodeStatus.STEP_UP_REQUESTED: "Step up requested",
    EpisodeStatus.STEPPED_UP: "Stepped up to social care",
    EpisodeStatus.STEP_DOWN_REQUESTED: "Step down requested",
    EpisodeStatus.CLOSED: "Closed",
}


class ClosureReason(StrEnum):
    NEEDS_MET = "needs_met"
    STEPPED_DOWN_TO_UNIVERSAL = "stepped_down_to_universal"
    STEPPED_UP_TO_SOCIAL_CARE = "stepped_up_to_social_care"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    MOVED_OUT_OF_AREA = "moved_out_of_area"
    ADVICE_AND_SIGNPOSTING = "advice_and_signposting"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CLOSURE_LABELS[self]


CLOSURE_LABELS: dict[ClosureReason, str] = {
    ClosureReason.NEEDS_MET: "Needs met",
    ClosureReason.STEPPED_DOWN_TO_UNIVERSAL: "Stepped down to universal services",
    ClosureReason.STEPPED_UP_TO_SOCIAL_CARE: "Stepped up to social care",
    ClosureReason.CONSENT_WITHDRAWN: "Family withdrew consent",
    ClosureReason.MOVED_OUT_OF_AREA: "Moved out of area",
    ClosureReason.ADVICE_AND_SIGNPOSTING: "Advice and signposting at the Hub",
    ClosureReason.OTHER: "Other",
}
