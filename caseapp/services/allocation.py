"""Allocating a family's lead worker, from any agency, without lost updates.

Two coordinators may open the same family in the Hub queue and choose different lead
workers in the same minute. The page carries the episode's version; the allocation is
saved only if the episode is still at that version, and the database's one-current-
assignment index is the last line of defence. Whoever comes second is told who was
chosen, by whom and when, and nothing of theirs is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.roles import Role
from caseapp.domain.triage_rules import Problem, allocation_problems, can_allocate
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    Assignment,
    Episode,
    Family,
    FamilyMember,
    SupportRequest,
    Team,
    User,
    UserRole,
)
from caseapp.models.types import utcnow
from caseapp.services.access import can_see_family
from caseapp.services.audit import record_view, viewed_since
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment
from caseapp.services.paging import PageArithmetic
from caseapp.services.triage import EpisodeNotFound, visible_episode

CANDIDATE_SORTS: dict[str, str] = {"name": "Name", "caseload": "Smallest caseload"}
# The database's guard against two current lead workers, as each backend names it.
_ONE_CURRENT_ASSIGNMENT = ("uq_assignments_one_current_per_episode", "assignments.episode_id")


@dataclass(frozen=True)
class Candidate:
    """Someone who can lead a family, with how many open families they already lead."""

    user_id: int
    name: str
    job_title: str
    team_name: str
    agency_name: str
    open_cases: int


@dataclass(frozen=True)
class CandidatePage(PageArithmetic):
    candidates: tuple[Candidate, ...]
    total: int
    page: int
    page_size: int
    query: str
    sort: str

    @property
    def shown(self) -> int:
        return len(self.candidates)


@dataclass(frozen=True)
class CurrentAllocation:
    """Who leads the episode now, as the database has it after any competing change."""

    episode_id: int
    status: EpisodeStatus
    version: int
    lead_worker_id: int | None
    lead_worker_name: str
    lead_worker_team: str
    lead_worker_agency: str
    assigned_by_id: int | None
    assigned_by_name: str
    assigned_at: datetime | None
    reason: str


class AllocationConflict(Exception):
    """Someone else changed the episode first; nothing was saved. Carries the state now."""

    def __init__(self, current: CurrentAllocation) -> None:
        super().__init__(f"episode {current.episode_id} changed before this allocation")
        self.current = current


class AllocationInvalid(ValueError):
    """The allocation breaks a rule; each problem names its form field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class AllocationCase:
    episode: Episode
    family: Family
    children: tuple[FamilyMember, ...]
    # The Hub's decision that made the family ready for a lead worker, if it came that way.
    request: SupportRequest | None
    current: CurrentAllocation

    @property
    def reassigning(self) -> bool:
        return self.current.lead_worker_id is not None

    @property
    def can_allocate(self) -> bool:
        return can_allocate(self.episode.status, self.reassigning)


def _open_caseloads() -> Select[tuple[int | None, int]]:
    return (
        select(Episode.lead_worker_id, func.count(Episode.id).label("open_cases"))
        .where(Episode.closed_at.is_(None), Episode.lead_worker_id.is_not(None))
        .group_by(Episode.lead_worker_id)
    )


def _matches(words: list[str]) -> ColumnElement[bool]:
    # Every word must appear in the name, team or agency: "north gemma" narrows to one.
    return and_(
        *(
            or_(
                func.lower(User.name).contains(word, autoescape=True),
                func.lower(func.coalesce(Team.name, "")).contains(word, autoescape=True),
                func.lower(func.coalesce(Agency.name, "")).contains(word, autoescape=True),
            )
            for word in words
        )
    )


def find_candidates(
    query: str = "", page: int = 1, sort: str = "name", page_size: int = 25
) -> CandidatePage:
    """Active lead workers from every agency with their open caseloads, one page of them.

    One query for the page (the caseloads are an aggregate joined in) and one to count.
    """
    sort = sort if sort in CANDIDATE_SORTS else "name"
    words = query.lower().split()
    caseloads = _open_caseloads().subquery()
    open_cases = func.coalesce(caseloads.c.open_cases, 0)
    base = (
        select(
            User.id,
            User.name,
            User.job_title,
            func.coalesce(Team.name, ""),
            func.coalesce(Agency.name, ""),
            open_cases,
        )
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.LEAD_WORKER))
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .outerjoin(caseloads, caseloads.c.lead_worker_id == User.id)
        .where(User.active.is_(True))
    )
    if words:
        base = base.where(_matches(words))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, ceil(total / page_size))
    page = min(max(page, 1), pages)
    order = (open_cases, User.name, User.id) if sort == "caseload" else (User.name, User.id)
    rows = db.session.execute(
        base.order_by(*order).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return CandidatePage(
        candidates=tuple(Candidate(*row) for row in rows),
        total=total,
        page=page,
        page_size=page_size,
        query=query.strip(),
        sort=sort,
    )


def current_allocation(episode_id: int) -> CurrentAllocation:
    """The episode's state and current lead worker, read fresh from the database."""
    lead, by = aliased(User), aliased(User)
    row = db.session.execute(
        select(
            Episode.status,
            Episode.version,
            Assignment.lead_worker_id,
            lead.name,
            Team.name,
            Agency.name,
            Assignment.assigned_by_id,
            by.name,
            Assignment.assigned_at,
            Assignment.reason,
        )
        .select_from(Episode)
        .outerjoin(
            Assignment, and_(Assignment.episode_id == Episode.id, Assignment.ended_at.is_(None))
        )
        .outerjoin(lead, lead.id == Assignment.lead_worker_id)
        .outerjoin(Team, Team.id == lead.team_id)
        .outerjoin(Agency, Agency.id == lead.agency_id)
        .outerjoin(by, by.id == Assignment.assigned_by_id)
        .where(Episode.id == episode_id)
    ).one()
    status, version, lead_id, lead_name, team, agency, by_id, by_name, at, reason = row
    return CurrentAllocation(
        episode_id=episode_id,
        status=status,
        version=version,
        lead_worker_id=lead_id,
        lead_worker_name=lead_name or "",
        lead_worker_team=team or "",
        lead_worker_agency=agency or "",
        assigned_by_id=by_id,
        assigned_by_name=by_name or "",
        assigned_at=at,
        reason=reason or "",
    )


def load_allocation_case(actor: Actor, episode_id: int) -> AllocationCase:
    episode = visible_episode(actor, episode_id)
    children = db.session.scalars(
        select(FamilyMember)
        .where(FamilyMember.family_id == episode.family_id, FamilyMember.is_child.is_(True))
        .order_by(func.coalesce(FamilyMember.date_of_birth, date.max), FamilyMember.id)
    ).all()
    request = db.session.scalar(
        select(SupportRequest)
        .where(SupportRequest.episode_id == episode.id)
        .options(joinedload(SupportRequest.decided_by))
    )
    return AllocationCase(
        episode=episode,
        family=episode.family,
        children=tuple(children),
        request=request,
        current=current_allocation(episode.id),
    )


def open_allocation(actor: Actor, episode_id: int) -> AllocationCase:
    """The allocation page's case; reading it is recorded in the audit trail."""
    case = load_allocation_case(actor, episode_id)
    record_view(actor, "episode", case.episode.id, case.family.id)
    return case


def _lost_the_race(current: CurrentAllocation, actor: Actor) -> bool:
    """Whether the episode left the Hub through an allocation recent enough to have beaten
    a page this person loaded while it was still theirs to see.

    A coordinator sees a family only while it is in the Hub, so the allocation that takes
    it out also takes it from their view. They are still told who won, as the other
    coordinator's first allocation of the episode, made within a session's lifetime; an
    older or later change stays as hidden as the rest of the record.
    """
    if current.status is not EpisodeStatus.ALLOCATED or current.assigned_at is None:
        return False
    since = utcnow() - current_app.permanent_session_lifetime
    if current.assigned_at < since:
        return False
    # Only someone who had this allocation page open learns who won.
    if not viewed_since(actor.user_id, "episode", current.episode_id, since):
        return False
    allocations = db.session.scalar(
        select(func.count(Assignment.id)).where(Assignment.episode_id == current.episode_id)
    )
    return allocations == 1


def eligible_lead_worker(user_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id, User.active.is_(True), UserRole.role == Role.LEAD_WORKER)
    )


def allocate(
    actor: Actor,
    episode_id: int,
    expected_version: int,
    lead_worker_id: int | None,
    reason: str,
    *,
    at: datetime | None = None,
) -> Episode:
    """Make `lead_worker_id` the episode's lead worker, if nobody changed it since
    `expected_version` was read; otherwise raise AllocationConflict with the state now.
    `at` records an allocation made earlier; it defaults to now.

    Raises EpisodeNotFound if the actor may not see the family (unless they have just lost
    the race for it), AllocationInvalid if the choice breaks a rule (no one chosen, no
    reason for a reassignment, not a lead worker).
    """
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        raise EpisodeNotFound(episode_id)
    visible = can_see_family(actor.user, episode.family_id)
    if episode.version != expected_version:
        current = current_allocation(episode_id)
        if visible or _lost_the_race(current, actor):
            raise AllocationConflict(current)
        raise EpisodeNotFound(episode_id)
    if not visible:
        raise EpisodeNotFound(episode_id)
    problems = allocation_problems(episode.status, episode.lead_worker_id, lead_worker_id, reason)
    lead_worker = None
    if not problems and lead_worker_id is not None:
        lead_worker = eligible_lead_worker(lead_worker_id)
    if problems or lead_worker is None:
        raise AllocationInvalid(
            problems or [Problem("lead_worker", "Select a lead worker from the list")]
        )
    now = at or utcnow()
    try:
        episode.lead_worker_id = lead_worker.id
        # The lead worker's team supervises the work, so its manager oversees the family.
        if lead_worker.team_id is not None:
            episode.team_id = lead_worker.team_id
        episode.hub_due_at = None
        if episode.status is EpisodeStatus.AWAITING_ALLOCATION:
            episode.status = EpisodeStatus.ALLOCATED
        if episode.allocated_at is None:
            episode.allocated_at = now
        # The versioned UPDATE goes first: a competing allocation waits on this row, then
        # finds the version moved on and fails, before it has written anything else.
        db.session.flush()
        stage_assignment(actor, episode, lead_worker, reason, at=now)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise AllocationConflict(current_allocation(episode_id)) from None
    except IntegrityError as error:
        db.session.rollback()
        if not any(name in str(error.orig) for name in _ONE_CURRENT_ASSIGNMENT):
            raise
        raise AllocationConflict(current_allocation(episode_id)) from None
    return episode
