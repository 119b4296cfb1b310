"""The vocabulary of level change requests and what surrounds them (DESIGN.md, level
change request): step up, step down, closure; a manager's review; professional
disagreement. The rules of which request is allowed when live in domain/transitions.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from caseapp.domain.casework import LabelledEnum, add_labels
from caseapp.domain.episodes import ClosureReason
from caseapp.domain.triage_rules import Problem, indicators_field, level_field
from caseapp.frameworks import Framework


class RequestKind(LabelledEnum):
    STEP_UP = "step_up"
    STEP_DOWN = "step_down"
    CLOSURE = "closure"


class RequestStatus(LabelledEnum):
    PENDING = "pending"
    RETURNED = "returned"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self in (RequestStatus.PENDING, RequestStatus.RETURNED)


class ReviewAction(LabelledEnum):
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    DECLINED = "declined"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class RequestTarget(LabelledEnum):
    """Where a request takes the children: a level of the framework in force, or out of
    early help altogether."""

    LEVEL = "level"
    UNIVERSAL = "universal"
    SOCIAL_CARE = "social_care"


class DisagreementStatus(LabelledEnum):
    OPEN = "open"
    RESOLVED = "resolved"


add_labels(
    (
        (RequestKind.STEP_UP, "Step up"),
        (RequestKind.STEP_DOWN, "Step down"),
        (RequestKind.CLOSURE, "Closure"),
        (RequestStatus.PENDING, "Waiting for a decision"),
        (RequestStatus.RETURNED, "Returned for more information"),
        (RequestStatus.APPROVED, "Approved"),
        (RequestStatus.DECLINED, "Declined"),
        (RequestStatus.WITHDRAWN, "Withdrawn"),
        (ReviewAction.SUBMITTED, "Submitted"),
        (ReviewAction.RESUBMITTED, "Resubmitted with more information"),
        (ReviewAction.APPROVED, "Approved"),
        (ReviewAction.DECLINED, "Declined"),
        (ReviewAction.RETURNED, "Returned for more information"),
        (ReviewAction.WITHDRAWN, "Withdrawn"),
        (RequestTarget.LEVEL, "Another level of early help"),
        (RequestTarget.UNIVERSAL, "Universal services"),
        (RequestTarget.SOCIAL_CARE, "Children's social care"),
        (DisagreementStatus.OPEN, "Open"),
        (DisagreementStatus.RESOLVED, "Resolved"),
    )
)


# Closure reasons a closure request may give; the others are set by a step up, a step down
# to universal services or the Hub's advice.
REQUESTABLE_CLOSURE_REASONS: tuple[ClosureReason, ...] = (
    ClosureReason.NEEDS_MET,
    ClosureReason.CONSENT_WITHDRAWN,
    ClosureReason.MOVED_OUT_OF_AREA,
    ClosureReason.OTHER,
)


class ReviewDecision(LabelledEnum):
    """What a manager may do with a pending request."""

    APPROVE = "approve"
    DECLINE = "decline"
    RETURN = "return"


add_labels(
    (
        (ReviewDecision.APPROVE, "Approve"),
        (ReviewDecision.DECLINE, "Decline"),
        (ReviewDecision.RETURN, "Return for more information"),
    )
)

# The review action and the request status each decision records.
DECISION_OUTCOMES: dict[ReviewDecision, tuple[ReviewAction, RequestStatus]] = {
    ReviewDecision.APPROVE: (ReviewAction.APPROVED, RequestStatus.APPROVED),
    ReviewDecision.DECLINE: (ReviewAction.DECLINED, RequestStatus.DECLINED),
    ReviewDecision.RETURN: (ReviewAction.RETURNED, RequestStatus.RETURNED),
}


@dataclass(frozen=True)
class ChildChange:
    """One child of a request: where they are and where the request would take them."""

    member_id: int
    given_name: str
    from_level_code: str | None
    to_level_code: str = ""
    indicator_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelRequestChoices:
    """Everything the requester chooses and writes."""

    kind: RequestKind
    target: RequestTarget | None
    rationale: str
    children: tuple[ChildChange, ...]
    urgent: bool = False
    closure_reason: ClosureReason | None = None
    closure_detail: str = ""
    after_closure: str = ""


# The framework service each target takes children to.
TARGET_SERVICES: dict[RequestTarget, str] = {
    RequestTarget.LEVEL: "early_help",
    RequestTarget.UNIVERSAL: "universal",
    RequestTarget.SOCIAL_CARE: "social_care",
}


def _level_problem(
    child: ChildChange, kind: RequestKind, target: RequestTarget, framework: Framework
) -> str | None:
    name = child.given_name
    if not child.to_level_code:
        return f"Select the level you are asking for {name}"
    if not framework.has_level(child.to_level_code):
        return f"Select a level of the {framework.name} for {name}"
    level = framework.level(child.to_level_code)
    if level.service != TARGET_SERVICES[target]:
        return f"Select a level in {target.label.lower()} for {name}"
    current = child.from_level_code
    if current is None or not framework.has_level(current) or kind is RequestKind.CLOSURE:
        return None
    now = framework.level(current).order
    if kind is RequestKind.STEP_UP and level.order <= now:
        return f"Select a level above {name}'s level now"
    if kind is RequestKind.STEP_DOWN and level.order >= now:
        return f"Select a level below {name}'s level now"
    return None


def level_request_problems(
    choices: LevelRequestChoices,
    framework: Framework,
    allowed_targets: tuple[RequestTarget, ...],
    family_child_ids: frozenset[int],
) -> list[Problem]:
    """Everything wrong with a request, in the order the form asks for it."""
    problems: list[Problem] = []
    target = choices.target
    if choices.kind is not RequestKind.CLOSURE:
        if target is None or target not in allowed_targets:
            problems.append(Problem("target", "Select where the request would take the children"))
        if not choices.children:
            problems.append(Problem("children", "Select at least one child"))
    for child in choices.children:
        if choices.kind is not RequestKind.CLOSURE and target in allowed_targets and target:
            message = _level_problem(child, choices.kind, target, framework)
            if message:
                problems.append(Problem(level_field(child.member_id), message))
        if any(not framework.has_indicator(code) for code in child.indicator_codes):
            problems.append(
                Problem(
                    indicators_field(child.member_id),
                    f"Choose {child.given_name}'s indicators from the {framework.name}",
                )
            )
    if (
        target is RequestTarget.UNIVERSAL
        and choices.kind is RequestKind.STEP_DOWN
        and {child.member_id for child in choices.children} != family_child_ids
    ):
        problems.append(
            Problem(
                "children",
                "A step down to universal services ends early help for the family: "
                "select every child",
            )
        )
    if choices.urgent and not (
        choices.kind is RequestKind.STEP_UP and target is RequestTarget.SOCIAL_CARE
    ):
        problems.append(
            Problem("urgent", "Only a step up to children's social care can be marked urgent")
        )
    if not choices.rationale.strip():
        problems.append(Problem("rationale", "Enter the rationale for the request"))
    if choices.kind is RequestKind.CLOSURE:
        problems += _closure_problems(choices)
    return problems


def _closure_problems(choices: LevelRequestChoices) -> list[Problem]:
    problems: list[Problem] = []
    if choices.closure_reason not in REQUESTABLE_CLOSURE_REASONS:
        problems.append(Problem("closure_reason", "Select the reason for closure"))
    elif choices.closure_reason is ClosureReason.OTHER and not choices.closure_detail.strip():
        problems.append(Problem("closure_detail", "Enter the reason for closure"))
    if not choices.after_closure.strip():
        problems.append(
            Problem("after_closure", "Enter what will be in place for the family after closure")
        )
    return problems


def resubmission_problems(further_information: str) -> list[Problem]:
    if not further_information.strip():
        return [
            Problem("further_information", "Enter the further information the manager asked for")
        ]
    return []


def review_problems(decision: ReviewDecision | None, rationale: str) -> list[Problem]:
    problems: list[Problem] = []
    if decision is None:
        problems.append(Problem("decision", "Select your decision"))
    if not rationale.strip():
        problems.append(Problem("rationale", "Enter the rationale for your decision"))
    return problems


def within_a_year(closed_at: datetime, now: datetime) -> bool:
    """Whether `now` is within 12 months of a closure: a re-request is then flagged."""
    closed_on, today = closed_at.date(), now.date()
    try:
        anniversary = closed_on.replace(year=closed_on.year + 1)
    except ValueError:
        # Closed on 29 February: a year later is 1 March.
        anniversary = date(closed_on.year + 1, 3, 1)
    return today <= anniversary
