"""Asking for a step up, step down or closure; adding information when a manager returns
the request; withdrawing it; and what the person who asked sees of the decisions.

Each change is one transaction: the request, its children, its review history, the
episode's state, the chronology and the audit trail together. The request's version is the
lock: a change made on a page that is out of date is refused, never saved on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.access import Grant, grants_for
from caseapp.domain.casework import ActionStatus, MeetingStatus
from caseapp.domain.level_requests import (
    LevelRequestChoices,
    RequestKind,
    RequestStatus,
    RequestTarget,
    ReviewAction,
    level_request_problems,
    resubmission_problems,
)
from caseapp.domain.timeline import EventKind
from caseapp.domain.transitions import may_request, requestable_kinds, targets_for, transition
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    PlanAction,
    RequestReview,
    TafMeeting,
    User,
)
from caseapp.models.types import utcnow
from caseapp.services.access import (
    VIEWER_ID,
    viewer_parameters,
    visible_families,
    visible_families_for,
)
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import Casework, FamilyNotFound, RecordNotFound, load_casework
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_status_change
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.meetings import OutcomeProgress, outcome_progress
from caseapp.services.timeline import add_timeline_event

# The open actions a request's evidence lists, at most.
EVIDENCE_ACTIONS_LIMIT = 50
# How long a decision stays on the requester's home page.
RECENT_DECISION_DAYS = 30
RECENT_DECISION_LIMIT = 10


class LevelRequestNotFound(RecordNotFound):
    """No such request, or one whose family the person may not see: both answer 404."""


class RequestNotAllowed(Exception):
    """The request cannot be made (or changed) now, by this person; the message says why."""


class LevelRequestInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


class LevelRequestConflict(Exception):
    """The request (or its episode) changed after the page was loaded; nothing was saved."""

    def __init__(self, current: LevelChangeRequest | None) -> None:
        super().__init__("the request changed since the page was loaded")
        self.current = current


# --- what the request form needs ----------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """The family, its open episode and what this person may ask for now."""

    casework: Casework
    children: tuple[FamilyMember, ...]
    kinds: tuple[RequestKind, ...]
    # A request already open for this episode: only one at a time.
    open_request_id: int | None
    # The plan's progress a step down or closure would send (gather_evidence), if asked for.
    evidence: dict[str, Any] | None = None
    # Read when the form is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def family(self) -> Family:
        return self.casework.family

    @property
    def episode(self) -> Episode | None:
        return self.casework.episode

    def targets(self, kind: RequestKind) -> tuple[RequestTarget, ...]:
        return targets_for(self.episode.status, kind) if self.episode else ()


def children_of(family: Family) -> tuple[FamilyMember, ...]:
    """The family's children, eldest first, as every page lists them."""
    return tuple(
        sorted(
            (member for member in family.members if member.is_child),
            key=lambda member: (member.date_of_birth or date.max, member.id),
        )
    )


def _open_request_id(episode_id: int) -> int | None:
    return db.session.scalar(
        select(LevelChangeRequest.id).where(
            LevelChangeRequest.episode_id == episode_id,
            LevelChangeRequest.status.in_([RequestStatus.PENDING, RequestStatus.RETURNED]),
        )
    )


def load_request_form(
    actor: Actor, family_id: int, kind: RequestKind | None = None, *, audit: bool = False
) -> RequestForm:
    """What the form for a request of `kind` needs (the evidence a step down or closure
    sends, too). Raises FamilyNotFound when the person may not see the family. With
    `audit`, the reading is recorded as a view of the family, and the page's frame is read
    before it."""
    casework = load_casework(actor, family_id)
    episode = casework.episode
    kinds: tuple[RequestKind, ...] = ()
    open_request_id = None
    if episode is not None:
        leads = episode.lead_worker_id == actor.user_id
        kinds = requestable_kinds(actor.user.roles, episode.status, leads_episode=leads)
        open_request_id = _open_request_id(episode.id)
    form = RequestForm(
        casework=casework,
        children=children_of(casework.family),
        kinds=kinds,
        open_request_id=open_request_id,
        evidence=(
            gather_evidence(episode.id)
            if episode is not None and kind is not None and _wants_evidence(kind)
            else None
        ),
        frame=family_frame(casework) if audit else None,
    )
    if audit:
        record_view(actor, "family", family_id, family_id)
    return form


# --- the evidence of progress ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanProgress:
    """The plan's progress as it stands: every outcome with its scores at each TAF meeting
    (distance travelled), the last TAF meeting held and the actions still open."""

    outcomes: list[OutcomeProgress]
    last_meeting: TafMeeting | None
    open_actions: list[PlanAction]

    def snapshot(self) -> dict[str, Any]:
        """As kept with a request: plain values, so it reads the same whatever changes."""
        meeting = self.last_meeting
        return {
            "taken_at": utcnow().isoformat(),
            "last_meeting": (
                {
                    "at": meeting.at.isoformat(),
                    "kind": meeting.kind.label,
                    "decisions": meeting.decisions,
                }
                if meeting
                else None
            ),
            "scores": [
                {
                    "outcome": progress.outcome.description,
                    "child": progress.child_name,
                    "status": progress.outcome.status.label,
                    "first": progress.scores[0].score,
                    "first_on": progress.scores[0].on.isoformat(),
                    "latest": progress.scores[-1].score,
                    "latest_on": progress.scores[-1].on.isoformat(),
                }
                for progress in self.outcomes
                if progress.scores
            ],
            "outstanding_actions": [
                {
                    "description": action.description,
                    "owner": action.owner_name
                    + (f" ({action.owner_agency})" if action.owner_agency else ""),
                    "due_on": action.due_on.isoformat(),
                    "status": action.status.label,
                }
                for action in self.open_actions
            ],
        }


def plan_progress(episode_id: int) -> PlanProgress:
    """Three queries: the outcomes' scores (services/meetings.outcome_progress, the TAF
    pages' own), the last meeting held, and the open actions (bounded)."""
    last_meeting = db.session.scalar(
        select(TafMeeting)
        .where(TafMeeting.episode_id == episode_id, TafMeeting.status == MeetingStatus.HELD)
        .order_by(TafMeeting.at.desc(), TafMeeting.id.desc())
        .limit(1)
    )
    actions = db.session.scalars(
        select(PlanAction)
        .where(
            PlanAction.episode_id == episode_id,
            PlanAction.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
        )
        .order_by(PlanAction.due_on, PlanAction.id)
        .limit(EVIDENCE_ACTIONS_LIMIT)
    ).all()
    return PlanProgress(outcome_progress(episode_id), last_meeting, list(actions))


def gather_evidence(episode_id: int) -> dict[str, Any]:
    """The plan's progress now, as a request keeps it."""
    return plan_progress(episode_id).snapshot()


def _wants_evidence(kind: RequestKind) -> bool:
    # A step down or a closure is decided on the plan's progress.
    return kind in (RequestKind.STEP_DOWN, RequestKind.CLOSURE)


# --- asking -----------------------------------------------------------------------------------


def submit_level_request(
    actor: Actor,
    framework: Framework,
    family_id: int,
    expected_episode_version: int,
    choices: LevelRequestChoices,
) -> LevelChangeRequest:
    """Ask a manager for a step up, step down or closure.

    Raises FamilyNotFound (not the person's to see), RequestNotAllowed (no open episode, a
    request already open, or not this person's to ask from this state), LevelRequestConflict
    (the episode changed since the form was loaded), LevelRequestInvalid (problems by
    field). Nothing is saved then.
    """
    form = load_request_form(actor, family_id)
    episode = form.episode
    if episode is None:
        raise RequestNotAllowed("The family has no open episode: there is nothing to change.")
    if episode.version != expected_episode_version:
        raise LevelRequestConflict(None)
    if form.open_request_id is not None:
        raise RequestNotAllowed(
            "This family already has a request waiting: withdraw it or wait for the decision."
        )
    target = RequestTarget.UNIVERSAL if choices.kind is RequestKind.CLOSURE else choices.target
    leads = episode.lead_worker_id == actor.user_id
    if not may_request(actor.user.roles, episode.status, choices.kind, leads_episode=leads):
        raise RequestNotAllowed(
            f"You cannot ask for a {choices.kind.label.lower()} while the episode is "
            f"{episode.status.label.lower()}."
        )
    allowed_targets = tuple(
        each
        for each in form.targets(choices.kind)
        if may_request(actor.user.roles, episode.status, choices.kind, each, leads_episode=leads)
    )
    children = {child.id: child for child in form.children}
    if choices.kind is RequestKind.CLOSURE:
        # A closure is about every child; nothing is chosen per child but indicators.
        choices = LevelRequestChoices(
            kind=choices.kind,
            target=target,
            rationale=choices.rationale,
            children=tuple(change for change in choices.children if change.member_id in children),
            urgent=choices.urgent,
            closure_reason=choices.closure_reason,
            closure_detail=choices.closure_detail,
            after_closure=choices.after_closure,
        )
    if any(change.member_id not in children for change in choices.children):
        raise LevelRequestInvalid([Problem("children", "Select children of this family")])
    problems = level_request_problems(choices, framework, allowed_targets, frozenset(children))
    if problems or target is None:
        raise LevelRequestInvalid(problems)
    rule = transition(episode.status, choices.kind, target)
    assert rule is not None  # allowed_targets holds only targets with a rule
    now = utcnow()
    request = LevelChangeRequest(
        family_id=family_id,
        episode_id=episode.id,
        kind=choices.kind,
        target=target,
        status=RequestStatus.PENDING,
        urgent=choices.urgent,
        rationale=choices.rationale.strip(),
        closure_reason=choices.closure_reason if choices.kind is RequestKind.CLOSURE else None,
        closure_detail=choices.closure_detail.strip(),
        after_closure=choices.after_closure.strip(),
        evidence=gather_evidence(episode.id) if _wants_evidence(choices.kind) else {},
        requested_by_id=actor.user_id,
        requested_at=now,
        submitted_at=now,
        episode_status_before=episode.status if rule.while_pending else None,
        episode_urgent_before=episode.urgent if choices.urgent else None,
    )
    request.children = [
        LevelChangeRequestChild(
            member_id=change.member_id,
            from_level_code=children[change.member_id].current_level_code,
            to_level_code=change.to_level_code or None,
            indicator_codes=list(change.indicator_codes),
        )
        for change in choices.children
    ]
    db.session.add(request)
    if rule.while_pending is not None:
        stage_status_change(actor, episode, rule.while_pending, at=now)
    if choices.urgent:
        # Significant harm suspected: the episode goes to the top of the Hub's queue too.
        episode.urgent = True
    db.session.flush()
    db.session.add(
        RequestReview(
            request_id=request.id,
            action=ReviewAction.SUBMITTED,
            by_id=actor.user_id,
            at=now,
            rationale=request.rationale,
        )
    )
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        kind=EventKind.LEVEL_CHANGE_REQUESTED,
        summary=f"{describe_request(request, children, framework)} requested"
        + (": urgent, significant harm suspected" if request.urgent else ""),
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"request_id": request.id, "kind": request.kind.value, "target": target.value},
    )
    audit_by(actor, "create", "level_change_request", object_id=request.id, family_id=family_id)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise LevelRequestConflict(None) from None
    return request


def describe_request(
    request: LevelChangeRequest, members: dict[int, FamilyMember], framework: Framework
) -> str:
    """'Step down for Sam to Earliest help', 'Closure': the chronology's words for it."""
    if request.kind is RequestKind.CLOSURE:
        reason = request.closure_reason.label if request.closure_reason else ""
        return f"Closure ({reason.lower()})" if reason else "Closure"
    names = " and ".join(
        members[child.member_id].given_name
        for child in request.children
        if child.member_id in members
    )
    if request.target is RequestTarget.LEVEL:
        levels = {child.to_level_code for child in request.children}
        code = next(iter(levels)) if len(levels) == 1 else None
        where = f" to {framework.level(code).name}" if code and framework.has_level(code) else ""
    else:
        where = f" to {request.target.label.lower()}"
    return f"{request.kind.label} for {names}{where}"


# --- one request --------------------------------------------------------------------------------


def _request_query(request_id: int) -> Select[tuple[LevelChangeRequest]]:
    # One statement: the request with its children, people and history joined (a handful
    # of rows each). The people's roles are not needed to show their names.
    return (
        select(LevelChangeRequest)
        .where(LevelChangeRequest.id == request_id)
        .options(
            joinedload(LevelChangeRequest.children).joinedload(LevelChangeRequestChild.member),
            joinedload(LevelChangeRequest.reviews)
            .joinedload(RequestReview.by)
            .lazyload(User.role_rows),
            joinedload(LevelChangeRequest.requested_by).lazyload(User.role_rows),
            joinedload(LevelChangeRequest.decided_by).lazyload(User.role_rows),
        )
    )


def _load_request(request_id: int) -> LevelChangeRequest | None:
    return db.session.execute(_request_query(request_id)).unique().scalar_one_or_none()


def visible_request(actor: Actor, request_id: int) -> tuple[LevelChangeRequest, Casework]:
    """The request with its children, history and people, and its family's casework, if
    the person may see the family."""
    family_id = db.session.scalar(
        select(Family.id)
        .join(LevelChangeRequest, LevelChangeRequest.family_id == Family.id)
        .where(LevelChangeRequest.id == request_id, visible_families(actor.user))
    )
    if family_id is None:
        raise LevelRequestNotFound(request_id)
    try:
        casework = load_casework(actor, family_id)
    except FamilyNotFound:
        raise LevelRequestNotFound(request_id) from None
    request = _load_request(request_id)
    assert request is not None
    return request, casework


def record_request_view(actor: Actor, request: LevelChangeRequest) -> None:
    """Record the reading of a request's page, once everything the page shows is read."""
    record_view(actor, "level_change_request", request.id, request.family_id)


def current_request(request_id: int) -> LevelChangeRequest | None:
    """The request as it is now, after a change that lost a race (for the conflict message)."""
    db.session.expire_all()
    return _load_request(request_id)


@dataclass(frozen=True)
class RequestPage:
    request: LevelChangeRequest
    casework: Casework
    # Read when the page is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None

    def may_change(self, user_id: int) -> bool:
        """Only the person who asked adds information to, or withdraws, their request."""
        return self.request.requested_by_id == user_id and self.request.status.is_open


def open_request_page(actor: Actor, request_id: int, *, audit: bool = True) -> RequestPage:
    """With `audit`, the opening of the page is recorded as a view, and its frame is read
    before it."""
    request, casework = visible_request(actor, request_id)
    page = RequestPage(request, casework, family_frame(casework) if audit else None)
    if audit:
        record_request_view(actor, request)
    return page


def _load_own_open_request(
    actor: Actor, request_id: int, expected_version: int
) -> tuple[LevelChangeRequest, Episode]:
    request, _ = visible_request(actor, request_id)
    if request.requested_by_id != actor.user_id:
        raise RequestNotAllowed("Only the person who made the request can change it.")
    if request.version != expected_version or not request.status.is_open:
        raise LevelRequestConflict(request)
    episode = db.session.get(Episode, request.episode_id)
    assert episode is not None
    return request, episode


def resubmit_level_request(
    actor: Actor, request_id: int, expected_version: int, further_information: str
) -> LevelChangeRequest:
    """Send a returned request back to the manager with the information they asked for.
    A step down or closure takes a fresh snapshot of the plan's progress."""
    request, episode = _load_own_open_request(actor, request_id, expected_version)
    if request.status is not RequestStatus.RETURNED:
        raise LevelRequestConflict(request)
    problems = resubmission_problems(further_information)
    if problems:
        raise LevelRequestInvalid(problems)
    now = utcnow()
    added = further_information.strip()
    request.status = RequestStatus.PENDING
    request.submitted_at = now
    # Every round of further information is kept, newest last, each dated.
    local = now.astimezone(UK_TIME)
    stamp = f"{local.day} {local:%B %Y}: "
    request.further_information = (
        f"{request.further_information}\n\n{stamp}{added}"
        if request.further_information
        else stamp + added
    )
    if _wants_evidence(request.kind):
        request.evidence = gather_evidence(request.episode_id)
    db.session.flush()
    db.session.add(
        RequestReview(
            request_id=request.id,
            action=ReviewAction.RESUBMITTED,
            by_id=actor.user_id,
            at=now,
            rationale=added,
        )
    )
    add_timeline_event(
        family_id=request.family_id,
        episode_id=episode.id,
        kind=EventKind.LEVEL_CHANGE_RESUBMITTED,
        summary=f"{request.kind.label} request resubmitted with more information",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"request_id": request.id},
    )
    audit_by(
        actor, "resubmit", "level_change_request", object_id=request.id, family_id=request.family_id
    )
    _commit_or_conflict(request.id)
    return request


def withdraw_level_request(
    actor: Actor, request_id: int, expected_version: int
) -> LevelChangeRequest:
    """Withdraw an open request; the episode goes back to the state it was in."""
    request, episode = _load_own_open_request(actor, request_id, expected_version)
    now = utcnow()
    request.status = RequestStatus.WITHDRAWN
    db.session.flush()
    stage_episode_as_before(actor, request, episode, now)
    db.session.add(
        RequestReview(
            request_id=request.id, action=ReviewAction.WITHDRAWN, by_id=actor.user_id, at=now
        )
    )
    add_timeline_event(
        family_id=request.family_id,
        episode_id=episode.id,
        kind=EventKind.LEVEL_CHANGE_WITHDRAWN,
        summary=f"{request.kind.label} request withdrawn",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"request_id": request.id},
    )
    audit_by(
        actor, "withdraw", "level_change_request", object_id=request.id, family_id=request.family_id
    )
    _commit_or_conflict(request.id)
    return request


def stage_episode_as_before(
    actor: Actor, request: LevelChangeRequest, episode: Episode, now: datetime
) -> None:
    """Put the episode back as it was before `request` changed it, for a decline or a
    withdrawal: its state, and whether it was urgent."""
    if request.episode_status_before is not None:
        stage_status_change(actor, episode, request.episode_status_before, at=now)
    if request.episode_urgent_before is not None:
        episode.urgent = request.episode_urgent_before


def _commit_or_conflict(request_id: int) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise LevelRequestConflict(current_request(request_id)) from None


# --- what the requester sees of decisions ----------------------------------------------------


@cache
def _decisions_query(grants: frozenset[Grant]) -> Select[Any]:
    """Built once per set of grants, for the parameters `since` and the viewer's: it is on
    every lead worker's home page."""
    latest = (
        select(func.max(RequestReview.id))
        .where(RequestReview.request_id == LevelChangeRequest.id)
        .correlate(LevelChangeRequest)
        .scalar_subquery()
    )
    return (
        select(LevelChangeRequest, Family.name, RequestReview, User.name.label("by_name"))
        .join(Family, Family.id == LevelChangeRequest.family_id)
        .join(RequestReview, RequestReview.id == latest)
        .join(User, User.id == RequestReview.by_id)
        .where(
            LevelChangeRequest.requested_by_id == bindparam(VIEWER_ID),
            LevelChangeRequest.status.in_(
                [RequestStatus.APPROVED, RequestStatus.DECLINED, RequestStatus.RETURNED]
            ),
            RequestReview.at >= bindparam("since"),
            visible_families_for(grants),
        )
        .order_by(RequestReview.at.desc(), RequestReview.id.desc())
        .limit(RECENT_DECISION_LIMIT)
    )


@dataclass(frozen=True)
class MyDecision:
    request_id: int
    family_id: int
    family_name: str
    kind: RequestKind
    status: RequestStatus
    at: datetime
    by_name: str
    rationale: str


def decisions_for_requester(user: User, now: datetime | None = None) -> tuple[MyDecision, ...]:
    """The requester's requests that a manager decided or returned in the last
    RECENT_DECISION_DAYS, newest first, of families they may still see. One query."""
    since = (now or utcnow()) - timedelta(days=RECENT_DECISION_DAYS)
    rows = db.session.execute(
        _decisions_query(grants_for(user.roles)), {**viewer_parameters(user), "since": since}
    ).all()
    return tuple(
        MyDecision(
            request_id=row.LevelChangeRequest.id,
            family_id=row.LevelChangeRequest.family_id,
            family_name=row.name,
            kind=row.LevelChangeRequest.kind,
            status=row.LevelChangeRequest.status,
            at=row.RequestReview.at,
            by_name=row.by_name,
            rationale=row.RequestReview.rationale,
        )
        for row in rows
    )
