"""Opening, allocating and closing episodes of early help."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, Family, Team, User
from caseapp.models.types import utcnow
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.timeline import add_timeline_event


def stage_episode(
    actor: Actor,
    family: Family,
    team: Team | None,
    status: EpisodeStatus = EpisodeStatus.REQUESTED,
    at: datetime | None = None,
) -> Episode:
    episode = Episode(
        family_id=family.id,
        team_id=team.id if team else None,
        status=status,
        opened_at=at or utcnow(),
    )
    db.session.add(episode)
    db.session.flush()
    audit_by(actor, "create", "episode", object_id=episode.id, family_id=family.id)
    return episode


def stage_status_change(
    actor: Actor, episode: Episode, status: EpisodeStatus, at: datetime | None = None
) -> None:
    previous = episode.status
    episode.status = status
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.EPISODE_STATUS_CHANGED,
        summary=f"Episode moved from {previous.label} to {status.label}",
        actor_id=actor.user_id,
        occurred_at=at,
        detail={"from": previous.value, "to": status.value},
    )
    audit_by(actor, "update", "episode", object_id=episode.id, family_id=episode.family_id)


def stage_assignment(
    actor: Actor,
    episode: Episode,
    lead_worker: User,
    reason: str = "",
    at: datetime | None = None,
) -> Assignment:
    """Make `lead_worker` the one current lead worker of `episode`, ending any before."""
    at = at or utcnow()
    current = db.session.scalar(
        select(Assignment).where(Assignment.episode_id == episode.id, Assignment.ended_at.is_(None))
    )
    if current is not None:
        current.ended_at = at
        # End the old row before the new one exists: the one-current-row index checks each.
        db.session.flush()
    assignment = Assignment(
        episode_id=episode.id,
        lead_worker_id=lead_worker.id,
        assigned_by_id=actor.user_id,
        assigned_at=at,
        reason=reason.strip(),
    )
    db.session.add(assignment)
    episode.lead_worker_id = lead_worker.id
    if episode.allocated_at is None:
        episode.allocated_at = at
    verb = "reassigned to" if current is not None else "assigned to"
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.LEAD_WORKER_ASSIGNED,
        summary=f"Lead worker {verb} {lead_worker.name}"
        + (f" ({lead_worker.agency.name})" if lead_worker.agency else ""),
        actor_id=actor.user_id,
        occurred_at=at,
        detail={"lead_worker_id": lead_worker.id, "reason": reason.strip()},
    )
    audit_by(actor, "update", "assignment", object_id=episode.id, family_id=episode.family_id)
    return assignment


def stage_closure(
    actor: Actor,
    episode: Episode,
    reason: ClosureReason,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    at = at or utcnow()
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = at
    episode.closure_reason = reason
    episode.closure_detail = detail.strip()
    current = db.session.scalar(
        select(Assignment).where(Assignment.episode_id == episode.id, Assignment.ended_at.is_(None))
    )
    if current is not None:
        current.ended_at = at
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.EPISODE_CLOSED,
        summary=f"Episode closed: {reason.label}" + (f": {detail.strip()}" if detail else ""),
        actor_id=actor.user_id,
        occurred_at=at,
        detail={"reason": reason.value},
    )
    audit_by(actor, "update", "episode", object_id=episode.id, family_id=episode.family_id)
