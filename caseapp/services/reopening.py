"""Reopening a family's early help after closure: a new episode, back in the Hub's queue
as a new request for support, naming the episode it follows. A re-request within 12 months
of that closure is flagged (DESIGN.md, episode), whether it comes through reopening or as
a new request for support for a known family.

Who may reopen: Hub coordinators and managers (the Hub takes requests; a manager oversees
the team's closed cases); a lead worker asks the Hub with a request for support instead.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.level_requests import within_a_year
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import working_days_deadline
from caseapp.extensions import db
from caseapp.models import Episode, SupportRequest, SupportRequestChild, Team
from caseapp.models.types import utcnow
from caseapp.services.audit import audit_by
from caseapp.services.casework import load_casework
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_episode
from caseapp.services.level_requests import LevelRequestInvalid, RequestNotAllowed
from caseapp.services.timeline import add_timeline_event

REOPENERS: frozenset[Role] = frozenset({Role.HUB_COORDINATOR, Role.MANAGER})


def last_closed_episode(family_id: int) -> Episode | None:
    return db.session.scalar(
        select(Episode)
        .where(Episode.family_id == family_id, Episode.closed_at.is_not(None))
        .order_by(Episode.closed_at.desc(), Episode.id.desc())
        .limit(1)
    )


def stage_rerequest_flag(episode: Episode, at: datetime) -> None:
    """Name the closed episode a new one follows, and flag it if that closed within 12
    months of `at`."""
    previous = last_closed_episode(episode.family_id)
    if previous is None or previous.id == episode.id or previous.closed_at is None:
        return
    episode.reopened_from_id = previous.id
    episode.rerequest_within_year = within_a_year(previous.closed_at, at)


def may_reopen(roles: frozenset[Role]) -> bool:
    return bool(roles & REOPENERS)


def reopen_family(actor: Actor, family_id: int, reason: str, consent_given_by: str) -> Episode:
    """Open a new episode for a family whose last one is closed, as a request to the Hub.

    Raises FamilyNotFound, RequestNotAllowed (not a reopener, or an episode is open),
    LevelRequestInvalid (no reason given).
    """
    if not may_reopen(actor.user.roles):
        raise RequestNotAllowed("Only the Early Help Hub or a manager can reopen early help.")
    casework = load_casework(actor, family_id)
    if casework.episode is not None:
        raise RequestNotAllowed("This family already has an open episode.")
    if not reason.strip():
        raise LevelRequestInvalid([Problem("reason", "Enter why early help is being reopened")])
    previous = last_closed_episode(family_id)
    now = utcnow()
    team = db.session.get(Team, previous.team_id) if previous and previous.team_id else None
    try:
        episode = stage_episode(actor, casework.family, team, EpisodeStatus.REQUESTED, at=now)
    except IntegrityError:
        # Someone opened an episode for the family a moment ago.
        db.session.rollback()
        raise RequestNotAllowed("This family already has an open episode.") from None
    stage_rerequest_flag(episode, now)
    deadlines = current_app.config["CASEAPP_DEADLINES"]
    # services/requests.decision_due_at would import this module back; the rule is the same.
    due_at = working_days_deadline(
        now, deadlines.hub_decision_working_days, deadlines.working_day_ends
    )
    episode.hub_due_at = due_at
    consent_by = consent_given_by.strip()
    support = SupportRequest(
        episode_id=episode.id,
        family_id=family_id,
        received_at=now,
        received_via=ReceivedVia.ONLINE,
        recorded_by_id=actor.user_id,
        referrer_user_id=actor.user_id,
        referrer_name=actor.user.name,
        referrer_agency=actor.user.agency.name if actor.user.agency else "",
        referrer_contact=actor.user.email,
        reason=reason.strip(),
        consent_given=bool(consent_by),
        consent_given_by=consent_by,
        decision_due_at=due_at,
    )
    support.children = [
        SupportRequestChild(member_id=member.id)
        for member in casework.family.members
        if member.is_child
    ]
    db.session.add(support)
    db.session.flush()
    flag = " Re-request within 12 months of closure." if episode.rerequest_within_year else ""
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        kind=EventKind.EPISODE_REOPENED,
        summary=f"Early help reopened by {actor.user.name}, sent to the Hub.{flag} "
        + reason.strip(),
        actor_id=actor.user_id,
        occurred_at=now,
        detail={
            "reopened_from": episode.reopened_from_id,
            "rerequest_within_year": episode.rerequest_within_year,
            "request_id": support.id,
        },
    )
    audit_by(actor, "reopen", "episode", object_id=episode.id, family_id=family_id)
    db.session.commit()
    return episode
