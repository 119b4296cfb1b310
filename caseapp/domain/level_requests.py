"""The vocabulary of level change requests and what surrounds them (DESIGN.md, level
change request): step up, step down, closure; a manager's review; professional
disagreement. The rules of which request is allowed when live in domain/transitions.py."""

from __future__ import annotations

from caseapp.domain.casework import LABELS, LabelledEnum


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


LABELS.update(
    {
        RequestKind.STEP_UP: "Step up",
        RequestKind.STEP_DOWN: "Step down",
        RequestKind.CLOSURE: "Closure",
        RequestStatus.PENDING: "Waiting for a decision",
        RequestStatus.RETURNED: "Returned for more information",
        RequestStatus.APPROVED: "Approved",
        RequestStatus.DECLINED: "Declined",
        RequestStatus.WITHDRAWN: "Withdrawn",
        ReviewAction.SUBMITTED: "Submitted",
        ReviewAction.RESUBMITTED: "Resubmitted with more information",
        ReviewAction.APPROVED: "Approved",
        ReviewAction.DECLINED: "Declined",
        ReviewAction.RETURNED: "Returned for more information",
        ReviewAction.WITHDRAWN: "Withdrawn",
        RequestTarget.LEVEL: "Another level of early help",
        RequestTarget.UNIVERSAL: "Universal services",
        RequestTarget.SOCIAL_CARE: "Children's social care",
        DisagreementStatus.OPEN: "Open",
        DisagreementStatus.RESOLVED: "Resolved",
    }
)
