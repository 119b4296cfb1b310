"""What makes a Hub triage decision, or a change of lead worker, acceptable.

Pure functions over plain values, so the rules can be read and tested as tables. Each
problem names the form field it belongs to, so a screen can show it beside that field and
in the error summary; the field names for each child are built here for the same reason.

Levels guide the outcome without deciding it: a coordinator may choose an outcome the
levels do not point to, but then has to say why, and that reason is kept with the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import AWAITING_DECISION, TriageOutcome
from caseapp.frameworks import Framework

# How a referrer outside the app can be told the outcome.
REFERRER_TOLD_CHOICES: tuple[tuple[str, str], ...] = (
    ("phone", "Phone call"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("in_person", "In person"),
)
REFERRER_TOLD_LABELS: dict[str, str] = dict(REFERRER_TOLD_CHOICES)


@dataclass(frozen=True)
class Problem:
    """Why a decision cannot be recorded, and which form field it is about."""

    field: str
    message: str


@dataclass(frozen=True)
class ChildChoice:
    """The level and indicators chosen for one child named in the request."""

    member_id: int
    given_name: str
    level_code: str = ""
    indicator_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TriageChoices:
    """Everything a coordinator chooses and writes when deciding a request."""

    outcome: TriageOutcome | None
    rationale: str
    children: tuple[ChildChoice, ...]
    # Why the outcome departs from what the levels point to; needed only when it does.
    outcome_reason: str = ""
    social_care_route: str = ""
    social_care_contacted: str = ""
    referrer_told_how: str = ""
    referrer_told_on: date | None = None


@dataclass(frozen=True)
class RequestFacts:
    """What the rules need to know about the request being decided."""

    significant_harm: bool
    # The referrer is not a user of the app, so nobody will see the outcome unless told.
    outside_referrer: bool
    received_on: date
    today: date


def level_field(member_id: int) -> str:
    return f"level_{member_id}"


def indicators_field(member_id: int) -> str:
    return f"indicators_{member_id}"


def can_triage(status: EpisodeStatus) -> bool:
    """Whether a request in this state is still waiting for the Hub's decision."""
    return status in AWAITING_DECISION


def outcome_mismatch(
    outcome: TriageOutcome, services: Iterable[str], significant_harm: bool
) -> str | None:
    """Why `outcome` does not follow from the children's levels, or None if it does.

    `services` holds the service (universal, early_help, social_care) of each child's level.
    Advice suits children whose needs are met by universal or earliest support; early help
    needs a child at an early help level; a step up needs a child at a social care level.
    Suspected significant harm points to a step up whatever the levels say.
    """
    services = set(services)
    if outcome is TriageOutcome.STEP_UP:
        if "social_care" not in services:
            return "No child is at a social care level: record why you are stepping up"
        return None
    if significant_harm:
        return (
            "Significant harm is suspected: record why this is not a step up to "
            "children's social care"
        )
    if "social_care" in services:
        return "A child is at a social care level: record why this is not a step up"
    if outcome is TriageOutcome.EARLY_HELP and "early_help" not in services:
        return "No child is at an early help level: record why the family needs early help"
    return None


def _child_problems(child: ChildChoice, framework: Framework) -> list[Problem]:
    problems: list[Problem] = []
    if not child.level_code:
        problems.append(
            Problem(level_field(child.member_id), f"Select a level of need for {child.given_name}")
        )
    elif not framework.has_level(child.level_code):
        problems.append(
            Problem(
                level_field(child.member_id),
                f"Select a level of need for {child.given_name} from the {framework.name}",
            )
        )
    if any(not framework.has_indicator(code) for code in child.indicator_codes):
        problems.append(
            Problem(
                indicators_field(child.member_id),
                f"Choose {child.given_name}'s indicators from the {framework.name}",
            )
        )
    return problems


def _referrer_problems(choices: TriageChoices, facts: RequestFacts) -> list[Problem]:
    problems: list[Problem] = []
    if choices.referrer_told_how not in REFERRER_TOLD_LABELS:
        problems.append(Problem("referrer_told_how", "Select how you told the referrer"))
    told_on = choices.referrer_told_on
    if told_on is None:
        problems.append(Problem("referrer_told_on", "Enter the date you told the referrer"))
    elif told_on > facts.today:
        problems.append(
            Problem("referrer_told_on", "The date you told the referrer must be today or earlier")
        )
    elif told_on < facts.received_on:
        problems.append(
            Problem(
                "referrer_told_on",
                "The date you told the referrer must be on or after the day the request "
                f"was received ({facts.received_on.day} {facts.received_on:%B %Y})",
            )
        )
    return problems


def triage_problems(
    choices: TriageChoices, facts: RequestFacts, framework: Framework
) -> list[Problem]:
    """Everything wrong with a triage decision, in the order the form asks for it."""
    problems: list[Problem] = []
    for child in choices.children:
        problems += _child_problems(child, framework)
    if not choices.rationale.strip():
        problems.append(Problem("rationale", "Enter the rationale for your decision"))
    if choices.outcome is None:
        problems.append(Problem("outcome", "Select the outcome of triage"))
    elif all(framework.has_level(child.level_code) for child in choices.children):
        # Outcome and levels are compared only once every level is a real one.
        services = [framework.level(child.level_code).service for child in choices.children]
        mismatch = outcome_mismatch(choices.outcome, services, facts.significant_harm)
        if mismatch and not choices.outcome_reason.strip():
            problems.append(Problem("outcome_reason", mismatch))
    if choices.outcome is TriageOutcome.STEP_UP:
        if not choices.social_care_route.strip():
            problems.append(
                Problem("social_care_route", "Enter the route the step up went through")
            )
        if not choices.social_care_contacted.strip():
            problems.append(
                Problem("social_care_contacted", "Enter who you spoke to at children's social care")
            )
    if facts.outside_referrer:
        problems += _referrer_problems(choices, facts)
    return problems


# Open episodes that may be given a lead worker; while the Hub is still deciding, or once
# a family is with social care and nobody from early help leads, there is no one to give.
_ALLOCATABLE_WITHOUT_LEAD: frozenset[EpisodeStatus] = frozenset(
    {EpisodeStatus.AWAITING_ALLOCATION, EpisodeStatus.STEP_DOWN_REQUESTED}
)


def can_allocate(status: EpisodeStatus, has_lead_worker: bool) -> bool:
    if not status.is_open or status in AWAITING_DECISION:
        return False
    return has_lead_worker or status in _ALLOCATABLE_WITHOUT_LEAD


def allocation_problems(
    status: EpisodeStatus,
    current_lead_worker_id: int | None,
    chosen_lead_worker_id: int | None,
    reason: str,
) -> list[Problem]:
    """Everything wrong with giving the episode to the chosen lead worker."""
    if not can_allocate(status, current_lead_worker_id is not None):
        return [
            Problem(
                "lead_worker",
                f"A lead worker cannot be allocated while the episode is {status.label.lower()}",
            )
        ]
    problems: list[Problem] = []
    if chosen_lead_worker_id is None:
        problems.append(Problem("lead_worker", "Select a lead worker"))
    elif chosen_lead_worker_id == current_lead_worker_id:
        problems.append(
            Problem("lead_worker", "They are already the lead worker: select someone else")
        )
    if current_lead_worker_id is not None and not reason.strip():
        problems.append(Problem("reason", "Enter the reason for changing the lead worker"))
    return problems
