"""The transition table of caseapp/domain/transitions.py, cell by cell.

Every (episode state, request kind, role) combination is generated from the enums, so a new
state, kind or role is checked the day it is added: it is refused unless EXPECTED below says
otherwise, and EXPECTED is written out by hand from DESIGN.md's lifecycle, not from the table.
"""

from __future__ import annotations

from itertools import product

import pytest

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.level_requests import RequestKind, RequestTarget
from caseapp.domain.roles import Role
from caseapp.domain.transitions import (
    TRANSITIONS,
    may_decide,
    may_request,
    status_on_approval,
    targets_for,
    transition,
)

S, K, T, R = EpisodeStatus, RequestKind, RequestTarget, Role
WORK = (S.ALLOCATED, S.ASSESSMENT, S.PLAN_ACTIVE, S.REVIEW)
ASKERS = frozenset({R.LEAD_WORKER, R.HUB_COORDINATOR, R.MANAGER})

# (state, kind, target) -> (who may ask, state while pending, state on approval)
EXPECTED: dict[
    tuple[EpisodeStatus, RequestKind, RequestTarget],
    tuple[frozenset[Role], EpisodeStatus | None, EpisodeStatus | None],
] = {
    **{(s, K.STEP_UP, T.LEVEL): (ASKERS, None, None) for s in (*WORK, S.AWAITING_ALLOCATION)},
    **{
        (s, K.STEP_UP, T.SOCIAL_CARE): (ASKERS, S.STEP_UP_REQUESTED, S.STEPPED_UP)
        for s in (*WORK, S.AWAITING_ALLOCATION)
    },
    **{(s, K.STEP_DOWN, T.LEVEL): (ASKERS, None, None) for s in WORK},
    **{(s, K.STEP_DOWN, T.UNIVERSAL): (ASKERS, S.CLOSURE_REQUESTED, S.CLOSED) for s in WORK},
    (S.STEPPED_UP, K.STEP_DOWN, T.LEVEL): (
        frozenset({R.HUB_COORDINATOR, R.MANAGER}),
        S.STEP_DOWN_REQUESTED,
        S.PLAN_ACTIVE,
    ),
    **{(s, K.CLOSURE, T.UNIVERSAL): (ASKERS, S.CLOSURE_REQUESTED, S.CLOSED) for s in WORK},
}

EVERY_CELL = list(product(EpisodeStatus, RequestKind, RequestTarget))


def test_the_table_holds_exactly_the_expected_transitions() -> None:
    assert set(TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize(("status", "kind", "target"), EVERY_CELL)
def test_each_transition_goes_where_the_lifecycle_says(
    status: EpisodeStatus, kind: RequestKind, target: RequestTarget
) -> None:
    rule = transition(status, kind, target)
    expected = EXPECTED.get((status, kind, target))
    if expected is None:
        assert rule is None
        return
    assert rule is not None
    _, while_pending, on_approval = expected
    assert (rule.while_pending, rule.on_approval) == (while_pending, on_approval)
    assert rule.decided_by == frozenset({R.MANAGER})


@pytest.mark.parametrize(
    ("status", "kind", "role", "leads"),
    [
        (status, kind, role, leads)
        for status, kind, role in product(EpisodeStatus, RequestKind, Role)
        for leads in (True, False)
    ],
)
def test_who_may_ask_for_what_from_each_state(
    status: EpisodeStatus, kind: RequestKind, role: Role, leads: bool
) -> None:
    allowed_by_target = {
        target: role in askers and (role is not R.LEAD_WORKER or leads)
        for (state, each_kind, target), (askers, _, _) in EXPECTED.items()
        if state is status and each_kind is kind
    }
    for target in RequestTarget:
        assert may_request({role}, status, kind, target, leads_episode=leads) is (
            allowed_by_target.get(target, False)
        ), target
    assert may_request({role}, status, kind, leads_episode=leads) is any(allowed_by_target.values())


@pytest.mark.parametrize(("role", "own"), list(product(Role, (True, False))))
def test_only_a_manager_decides_and_never_their_own_request(role: Role, own: bool) -> None:
    requester_id = 7 if own else 8
    assert may_decide({role}, 7, requester_id) is (role is R.MANAGER and not own)


def test_several_roles_add_up_but_still_not_for_ones_own_request() -> None:
    assert may_decide({R.LEAD_WORKER, R.MANAGER}, 7, 8)
    assert not may_decide({R.LEAD_WORKER, R.MANAGER}, 7, 7)


def test_step_down_to_universal_closes_with_its_reason() -> None:
    rule = transition(S.PLAN_ACTIVE, K.STEP_DOWN, T.UNIVERSAL)
    assert rule is not None and rule.closes
    assert rule.closure_reason is ClosureReason.STEPPED_DOWN_TO_UNIVERSAL


@pytest.mark.parametrize(
    ("has_lead", "expected"), [(True, S.PLAN_ACTIVE), (False, S.AWAITING_ALLOCATION)]
)
def test_back_from_social_care_needs_a_lead_worker(has_lead: bool, expected: EpisodeStatus) -> None:
    rule = transition(S.STEPPED_UP, K.STEP_DOWN, T.LEVEL)
    assert rule is not None
    assert status_on_approval(rule, has_lead) is expected


def test_targets_follow_the_table() -> None:
    assert targets_for(S.PLAN_ACTIVE, K.STEP_DOWN) == (T.LEVEL, T.UNIVERSAL)
    assert targets_for(S.CLOSED, K.STEP_UP) == ()
