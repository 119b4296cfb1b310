"""The Early Help Hub's vocabulary: how requests arrive and what triage decides."""

from __future__ import annotations

from enum import StrEnum

from caseapp.domain.episodes import EpisodeStatus


class ReceivedVia(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return {"online": "Online form", "phone": "Phone call", "email": "Email"}[self.value]


class TriageOutcome(StrEnum):
    ADVICE = "advice"
    EARLY_HELP = "early_help"
    STEP_UP = "step_up"

    @property
    def label(self) -> str:
        return TRIAGE_OUTCOME_LABELS[self]


TRIAGE_OUTCOME_LABELS: dict[TriageOutcome, str] = {
    TriageOutcome.ADVICE: "Advice and signposting",
    TriageOutcome.EARLY_HELP: "Early help",
    TriageOutcome.STEP_UP: "Step up to children's social care",
}

# Where an episode goes when triage records each outcome.
STATUS_AFTER_TRIAGE: dict[TriageOutcome, EpisodeStatus] = {
    TriageOutcome.ADVICE: EpisodeStatus.CLOSED,
    TriageOutcome.EARLY_HELP: EpisodeStatus.AWAITING_ALLOCATION,
    TriageOutcome.STEP_UP: EpisodeStatus.STEPPED_UP,
}

# The episodes the Hub is answerable for: waiting for a decision or for a lead worker.
AWAITING_DECISION: frozenset[EpisodeStatus] = frozenset(
    {EpisodeStatus.REQUESTED, EpisodeStatus.TRIAGE}
)
HUB_QUEUE_STATUSES: frozenset[EpisodeStatus] = AWAITING_DECISION | {
    EpisodeStatus.AWAITING_ALLOCATION
}
# An urgent step up (significant harm suspected) goes to the top of every queue, the Hub's
# too, while a manager decides it: listed in the Hub queue only when urgent.
URGENT_STEP_UP_STATUSES: frozenset[EpisodeStatus] = frozenset({EpisodeStatus.STEP_UP_REQUESTED})


def consent_problem(
    significant_harm: bool, consent_given: bool, consent_given_by: str, not_needed_reason: str
) -> str | None:
    """Why a request's consent record is not acceptable, or None.

    Early help is voluntary: the family must agree to information being shared, except
    where significant harm is suspected, when a referral goes ahead without consent.
    """
    if consent_given:
        return None if consent_given_by.strip() else "Enter who gave consent"
    if significant_harm:
        return None
    if not_needed_reason.strip():
        return (
            "Consent is needed unless significant harm is suspected: ask the family first, "
            "or tick significant harm suspected"
        )
    return "Record who gave consent to share information, or that significant harm is suspected"
