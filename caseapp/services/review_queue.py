"""A manager's review of step up, step down and closure requests: the queue of pending
requests (urgent first, then oldest), the page a decision is made on, and the decision.

Approval applies the change in the same transaction as the decision: each child's new
level, the episode's new state (stepped up, back in early help, or closed with its
reason), the chronology and the audit trail. The request's version is the lock, so when
two managers decide at once exactly one decision is saved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.access import Grant, grants_for
from caseapp.domain.level_requests import (
    DECISION_OUTCOMES,
    RequestKind,
    RequestStatus,
    ReviewDecision,
    review_problems,
)
from caseapp.domain.timeline import EventKind
from caseapp.domain.transitions import may_decide, status_on_approval, transition
from caseapp.domain.triage_rules import Problem, level_field
from caseapp.domain.working_days import working_days_deadline
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    RequestReview,
    User,
)
from caseapp.models.families import family_reference
from caseapp.models.types import utcnow
from caseapp.services.access import viewer_parameters, visible_family_ids_for
from caseapp.services.audit import audit_by, record_listing
from caseapp.services.casework import Casework
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_closure, stage_status_change
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.level_requests import (
    LevelRequestConflict,
    LevelRequestInvalid,
    PlanProgress,
    RequestNotAllowed,
    children_of,
    current_request,
    describe_request,
    plan_progress,
    record_request_view,
    stage_episode_as_before,
    visible_request,
)
from caseapp.services.levels import LevelDecisionError, stage_level_decision
from caseapp.services.paging import page_parameters, paged
from caseapp.services.timeline import add_timeline_event

# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedRequest:
    request_id: int
    family_id: int
    family_name: str
    family_reference: str
    kind: RequestKind
    urgent: bool
    submitted_at: datetime
    resubmitted: bool
    requested_by_id: int
    requested_by_name: str
    children: tuple[str, ...]
    # A step up is due within the step-up decision deadline; other requests have none.
    due_at: datetime | None


@dataclass(frozen=True)
class ReviewQueue:
    items: tuple[QueuedRequest, ...]
    total: int
    urgent: int
    page: int
    page_count: int
    page_size: int


def review_queue(actor: Actor, page: int, now: datetime) -> ReviewQueue:
    """One page of the pending requests of families the manager may see: urgent first,
    then oldest. Three statements, then the audit: the counts, the page, the children."""
    queue = _queue_page(actor, page)
    record_listing(actor, "review_queue", {"page": page})
    return queue


def _queue_page(actor: Actor, page: int) -> ReviewQueue:
    page_size: int = current_app.config["CASEAPP_PAGE_SIZE"]
    statements = _queue_statements(grants_for(actor.user.roles))
    if statements is None:
        return ReviewQueue((), 0, 0, 1, 1, page_size)
    counts, page_rows = statements
    viewer = viewer_parameters(actor.user)
    total, urgent = db.session.execute(counts, viewer).one()
    page_count = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), page_count)
    rows = db.session.execute(page_rows, {**viewer, **page_parameters(page, page_size)}).all()
    names = _child_names([row.id for row in rows])
    deadlines = current_app.config["CASEAPP_DEADLINES"]
    items = tuple(
        QueuedRequest(
            request_id=row.id,
            family_id=row.family_id,
            family_name=row.family_name,
            family_reference=family_reference(row.family_id),
            kind=row.kind,
            urgent=row.urgent,
            submitted_at=row.submitted_at,
            resubmitted=row.submitted_at != row.requested_at,
            requested_by_id=row.requested_by_id,
            requested_by_name=row.requester_name,
            children=names.get(row.id, ()),
            due_at=(
                working_days_deadline(
                    row.submitted_at,
                    deadlines.step_up_decision_working_days,
                    deadlines.working_day_ends,
                )
                if row.kind is RequestKind.STEP_UP
                else None
            ),
        )
        for row in rows
    )
    return ReviewQueue(items, total, urgent, page, page_count, page_size)


@cache
def _queue_statements(grants: frozenset[Grant]) -> tuple[Select[Any], Select[Any]] | None:
    """The counts and the page of the queue, for anyone with these grants: built once and
    run with the viewer's parameters and page_parameters(). None if they see no family.
    """
    family_ids = visible_family_ids_for(grants)
    if family_ids is None:
        return None
    # Start from the manager's own families (their team's), each probed for its pending
    # requests: testing every pending request in the council would grow with the council.
    pending = [
        LevelChangeRequest.family_id.in_(family_ids),
        LevelChangeRequest.status == RequestStatus.PENDING,
    ]
    counts = select(
        func.count(LevelChangeRequest.id),
        func.count(LevelChangeRequest.id).filter(LevelChangeRequest.urgent.is_(True)),
    ).where(*pending)
    order = (
        LevelChangeRequest.urgent.desc(),
        LevelChangeRequest.submitted_at,
        LevelChangeRequest.id,
    )
    # The page is chosen from the requests alone, then joined to its families and
    # requesters: with the joins in the same query, SQLite read every one of the
    # manager's families first, to find the few with a request.
    page_ids = paged(select(LevelChangeRequest.id).where(*pending).order_by(*order))
    requester = aliased(User)
    # Only the columns the queue shows: whole requests and families would each be loaded
    # into the session (a request's evidence document with it) to show a line of each.
    page_rows = (
        select(
            LevelChangeRequest.id,
            LevelChangeRequest.family_id,
            Family.name.label("family_name"),
            LevelChangeRequest.kind,
            LevelChangeRequest.urgent,
            LevelChangeRequest.submitted_at,
            LevelChangeRequest.requested_at,
            LevelChangeRequest.requested_by_id,
            requester.name.label("requester_name"),
        )
        .join(Family, Family.id == LevelChangeRequest.family_id)
        .join(requester, requester.id == LevelChangeRequest.requested_by_id)
        .where(LevelChangeRequest.id.in_(page_ids))
        .order_by(*order)
    )
    return counts, page_rows


def _child_names(request_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(LevelChangeRequestChild.request_id, FamilyMember.given_name)
        .join(FamilyMember, FamilyMember.id == LevelChangeRequestChild.member_id)
        .where(LevelChangeRequestChild.request_id.in_(request_ids))
        .order_by(LevelChangeRequestChild.id)
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    for request_id, given_name in rows:
        names[request_id].append(given_name)
    return {request_id: tuple(each) for request_id, each in names.items()}


# --- the decision page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionCase:
    request: LevelChangeRequest
    casework: Casework
    # The plan's progress now (the request's own evidence is what was shown when it was sent).
    progress: PlanProgress
    # Read when the page is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def family(self) -> Family:
        return self.casework.family

    @property
    def children(self) -> tuple[FamilyMember, ...]:
        return children_of(self.family)

    def may_decide(self, user: User) -> bool:
        return may_decide(user.roles, user.id, self.request.requested_by_id)


def open_decision_case(actor: Actor, request_id: int, *, audit: bool = True) -> DecisionCase:
    """With `audit`, the opening of the page is recorded as a view, and its frame is read
    before it."""
    request, casework = visible_request(actor, request_id)
    progress = plan_progress(request.episode_id)
    case = DecisionCase(request, casework, progress, family_frame(casework) if audit else None)
    if audit:
        record_request_view(actor, request)
    return case


# --- deciding ----------------------------------------------------------------------------------


def decide_request(
    actor: Actor,
    framework: Framework,
    request_id: int,
    expected_version: int,
    decision: ReviewDecision | None,
    rationale: str,
) -> LevelChangeRequest:
    """Approve, decline or return a pending request, with the manager's rationale.

    Raises LevelRequestNotFound, RequestNotAllowed (not a manager, or their own request),
    LevelRequestConflict (decided, returned or withdrawn since the page was loaded: its
    current state is attached), LevelRequestInvalid; nothing is saved then.
    """
    request, _ = visible_request(actor, request_id)
    if not may_decide(actor.user.roles, actor.user_id, request.requested_by_id):
        raise RequestNotAllowed(
            "You made this request, so another manager must decide it."
            if request.requested_by_id == actor.user_id
            else "Only a manager can decide this request."
        )
    if request.version != expected_version or request.status is not RequestStatus.PENDING:
        raise LevelRequestConflict(request)
    problems = review_problems(decision, rationale)
    if problems or decision is None:
        raise LevelRequestInvalid(problems)
    episode = db.session.get(Episode, request.episode_id)
    assert episode is not None
    now = utcnow()
    action, status = DECISION_OUTCOMES[decision]
    request.status = status
    if decision is not ReviewDecision.RETURN:
        request.decided_by_id = actor.user_id
        request.decided_at = now
    # The request row first: a second manager deciding at the same moment waits on it, then
    # fails its version check, before anything else is touched.
    try:
        db.session.flush()
        db.session.add(
            RequestReview(
                request_id=request.id,
                action=action,
                by_id=actor.user_id,
                at=now,
                rationale=rationale.strip(),
            )
        )
        members = {child.member_id: child.member for child in request.children}
        what = describe_request(request, members, framework)
        if decision is ReviewDecision.APPROVE:
            _stage_approval(actor, framework, request, episode, rationale.strip(), now)
        elif decision is ReviewDecision.DECLINE:
            stage_episode_as_before(actor, request, episode, now)
        kind = {
            ReviewDecision.APPROVE: EventKind.LEVEL_CHANGE_APPROVED,
            ReviewDecision.DECLINE: EventKind.LEVEL_CHANGE_DECLINED,
            ReviewDecision.RETURN: EventKind.LEVEL_CHANGE_RETURNED,
        }[decision]
        add_timeline_event(
            family_id=request.family_id,
            episode_id=episode.id,
            kind=kind,
            summary=f"{what}: {action.label.lower()} by {actor.user.name}. {rationale.strip()}",
            actor_id=actor.user_id,
            occurred_at=now,
            detail={"request_id": request.id, "decision": decision.value},
        )
        audit_by(
            actor,
            "decide",
            "level_change_request",
            object_id=request.id,
            family_id=request.family_id,
            detail={"decision": decision.value},
        )
        db.session.commit()
    except LevelRequestInvalid:
        db.session.rollback()
        raise
    except StaleDataError:
        db.session.rollback()
        raise LevelRequestConflict(current_request(request_id)) from None
    return request


def _stage_approval(
    actor: Actor,
    framework: Framework,
    request: LevelChangeRequest,
    episode: Episode,
    rationale: str,
    now: datetime,
) -> None:
    """Each child's new level, then the episode's new state, as the transition table says."""
    before = request.episode_status_before or episode.status
    rule = transition(before, request.kind, request.target)
    if rule is None:
        # The episode moved on (say, the Hub stepped it up) while the request waited.
        raise LevelRequestInvalid(
            [
                Problem(
                    "decision",
                    f"This request can no longer be approved: the episode is "
                    f"{episode.status.label.lower()}. Decline it and say why.",
                )
            ]
        )
    for child in request.children:
        if not child.to_level_code:
            continue
        try:
            stage_level_decision(
                actor,
                framework,
                child.member,
                child.to_level_code,
                f"{request.kind.label} approved. Requested because: {request.rationale}\n\n"
                f"Manager's decision: {rationale}",
                list(child.indicator_codes),
                episode=episode,
                at=now,
            )
        except LevelDecisionError as error:
            raise LevelRequestInvalid([Problem(level_field(child.member_id), str(error))]) from None
    if rule.closes:
        reason = rule.closure_reason or request.closure_reason
        assert reason is not None
        detail = "; ".join(
            part for part in (request.closure_detail, request.after_closure) if part.strip()
        )
        stage_closure(actor, episode, reason, detail, at=now)
        return
    after = status_on_approval(rule, episode.lead_worker_id is not None)
    if after is not None and after is not episode.status:
        stage_status_change(actor, episode, after, at=now)
