"""Which step up, step down or closure request is allowed from which episode state, who may
make it, who may decide it, and where the episode goes while it waits and once approved
(DESIGN.md, episode lifecycle). This table is the whole rule: the services ask it, the
pages ask it, and tests/test_transitions.py checks every (state, kind, role) against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.level_requests import RequestKind, RequestTarget
from caseapp.domain.roles import Role

# The states in which a lead worker is working with the family under early help.
EARLY_HELP_WORK: frozenset[EpisodeStatus] = frozenset(
    {
        EpisodeStatus.ALLOCATED,
        EpisodeStatus.ASSESSMENT,
        EpisodeStatus.PLAN_ACTIVE,
        EpisodeStatus.REVIEW,
    }
)
# Step up from "any open state" (DESIGN.md) that is early help's to act on: a request still
# with the Hub is stepped up by triage, and a state that already awaits a decision waits.
STEP_UP_FROM: frozenset[EpisodeStatus] = EARLY_HELP_WORK | {EpisodeStatus.AWAITING_ALLOCATION}

# Who asks: the lead worker of the episode, the Hub, and a manager covering the case.
REQUESTERS: frozenset[Role] = frozenset({Role.LEAD_WORKER, Role.HUB_COORDINATOR, Role.MANAGER})
# With social care leading, no early help lead worker asks for the family back.
STEP_DOWN_FROM_SOCIAL_CARE_REQUESTERS: frozenset[Role] = frozenset(
    {Role.HUB_COORDINATOR, Role.MANAGER}
)
DECIDERS: frozenset[Role] = frozenset({Role.MANAGER})


@dataclass(frozen=True)
class Transition:
    """One kind of request from one episode state."""

    kind: RequestKind
    target: RequestTarget
    from_status: EpisodeStatus
    requested_by: frozenset[Role]
    decided_by: frozenset[Role]
    # Where the episode waits while the request is open; None leaves it as it is.
    while_pending: EpisodeStatus | None
    # Where approval takes the episode; None leaves it as it is. CLOSED closes it.
    on_approval: EpisodeStatus | None
    # The closure reason approval records; a closure request gives its own.
    closure_reason: ClosureReason | None = None

    @property
    def closes(self) -> bool:
        return self.on_approval is EpisodeStatus.CLOSED


def _rows(
    kind: RequestKind,
    target: RequestTarget,
    states: Iterable[EpisodeStatus],
    *,
    while_pending: EpisodeStatus | None,
    on_approval: EpisodeStatus | None,
    closure_reason: ClosureReason | None = None,
    requested_by: frozenset[Role] = REQUESTERS,
) -> dict[tuple[EpisodeStatus, RequestKind, RequestTarget], Transition]:
    return {
        (state, kind, target): Transition(
            kind,
            target,
            state,
            requested_by,
            DECIDERS,
            while_pending,
            on_approval,
            closure_reason,
        )
        for state in states
    }


TRANSITIONS: dict[tuple[EpisodeStatus, RequestKind, RequestTarget], Transition] = {
    # Up a level within early help: the episode carries on as it is.
    **_rows(
        RequestKind.STEP_UP, RequestTarget.LEVEL, STEP_UP_FROM, while_pending=None, on_approval=None
    ),
    # Up to children's social care.
    **_rows(
        RequestKind.STEP_UP,
        RequestTarget.SOCIAL_CARE,
        STEP_UP_FROM,
        while_pending=EpisodeStatus.STEP_UP_REQUESTED,
        on_approval=EpisodeStatus.STEPPED_UP,
    ),
    # Down a level within early help.
    **_rows(
        RequestKind.STEP_DOWN,
        RequestTarget.LEVEL,
        EARLY_HELP_WORK,
        while_pending=None,
        on_approval=None,
    ),
    # Down to universal services: early help ends.
    **_rows(
        RequestKind.STEP_DOWN,
        RequestTarget.UNIVERSAL,
        EARLY_HELP_WORK,
        while_pending=EpisodeStatus.CLOSURE_REQUESTED,
        on_approval=EpisodeStatus.CLOSED,
        closure_reason=ClosureReason.STEPPED_DOWN_TO_UNIVERSAL,
    ),
    # Back from social care into early help, through a step-down TAF (DESIGN.md).
    **_rows(
        RequestKind.STEP_DOWN,
        RequestTarget.LEVEL,
        {EpisodeStatus.STEPPED_UP},
        while_pending=EpisodeStatus.STEP_DOWN_REQUESTED,
        on_approval=EpisodeStatus.PLAN_ACTIVE,
        requested_by=STEP_DOWN_FROM_SOCIAL_CARE_REQUESTERS,
    ),
    # Closure, with a reason from level_requests.REQUESTABLE_CLOSURE_REASONS.
    **_rows(
        RequestKind.CLOSURE,
        RequestTarget.UNIVERSAL,
        EARLY_HELP_WORK,
        while_pending=EpisodeStatus.CLOSURE_REQUESTED,
        on_approval=EpisodeStatus.CLOSED,
    ),
}


def transition(
    status: EpisodeStatus, kind: RequestKind, target: RequestTarget
) -> Transition | None:
    """The rule for this request from this state, or None if it is not allowed."""
    return TRANSITIONS.get((status, kind, target))


def targets_for(status: EpisodeStatus, kind: RequestKind) -> tuple[RequestTarget, ...]:
    """Where a request of `kind` may take the children from `status`, in enum order."""
    return tuple(target for target in RequestTarget if (status, kind, target) in TRANSITIONS)


def may_request(
    roles: Iterable[Role],
    status: EpisodeStatus,
    kind: RequestKind,
    target: RequestTarget | None = None,
    *,
    leads_episode: bool,
) -> bool:
    """Whether someone with `roles` may ask for `kind` (to `target`, or to any) from `status`.

    A lead worker asks only for a family whose episode they lead; the Hub and managers ask
    for any family they may see (need-to-know is checked before this)."""
    roles = frozenset(roles)
    if not leads_episode:
        roles -= {Role.LEAD_WORKER}
    targets = (target,) if target is not None else tuple(RequestTarget)
    return any(
        roles & rule.requested_by
        for each in targets
        if (rule := TRANSITIONS.get((status, kind, each))) is not None
    )


def may_decide(roles: Iterable[Role], user_id: int, requested_by_id: int) -> bool:
    """Whether someone may approve, decline or return a request. Nobody decides their own."""
    return bool(frozenset(roles) & DECIDERS) and user_id != requested_by_id


def requestable_kinds(
    roles: Iterable[Role], status: EpisodeStatus, *, leads_episode: bool
) -> tuple[RequestKind, ...]:
    return tuple(
        kind
        for kind in RequestKind
        if may_request(roles, status, kind, leads_episode=leads_episode)
    )


def status_on_approval(rule: Transition, has_lead_worker: bool) -> EpisodeStatus | None:
    """Where approving `rule` takes the episode. A family back from social care with no
    early help lead worker waits for the Hub to allocate one."""
    if rule.on_approval is EpisodeStatus.PLAN_ACTIVE and not has_lead_worker:
        return EpisodeStatus.AWAITING_ALLOCATION
    return rule.on_approval
