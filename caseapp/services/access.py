"""The need-to-know policy of domain/access.py as SQL, for every query that shows families."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from caseapp.domain.access import Grant, grants_for
from caseapp.domain.hub import HUB_QUEUE_STATUSES, URGENT_STEP_UP_STATUSES
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, Family, TafAttendee, TafMeeting, User


def _grant_condition(grant: Grant, user: User) -> ColumnElement[bool]:
    # The subqueries use their own alias, so a caller's query over episodes is never
    # correlated with them by mistake.
    episode = aliased(Episode, name="granting_episode")
    open_episode = and_(episode.family_id == Family.id, episode.closed_at.is_(None))
    match grant:
        case Grant.LEADS_OPEN_EPISODE:
            return exists().where(open_episode, episode.lead_worker_id == user.id)
        case Grant.IN_HUB:
            return exists().where(
                episode.family_id == Family.id,
                or_(
                    episode.status.in_(HUB_QUEUE_STATUSES),
                    # An urgent step up is listed at the top of the Hub queue too.
                    and_(episode.status.in_(URGENT_STEP_UP_STATUSES), episode.urgent.is_(True)),
                ),
            )
        case Grant.ALLOCATED_OPEN_EPISODE:
            return exists().where(
                open_episode,
                Assignment.episode_id == episode.id,
                Assignment.assigned_by_id == user.id,
            )
        case Grant.TEAM_EPISODE:
            if user.team_id is None:
                return false()
            return exists().where(episode.family_id == Family.id, episode.team_id == user.team_id)
        case Grant.TAF_MEMBER:
            return exists().where(
                open_episode,
                TafMeeting.episode_id == episode.id,
                TafAttendee.meeting_id == TafMeeting.id,
                TafAttendee.user_id == user.id,
            )


def visible_families(user: User) -> ColumnElement[bool]:
    """A condition on `Family` true for exactly the families `user` may see."""
    conditions = [_grant_condition(grant, user) for grant in sorted(grants_for(user.roles))]
    return or_(*conditions) if conditions else false()


def can_see_family(user: User, family_id: int) -> bool:
    query = select(Family.id).where(Family.id == family_id, visible_families(user))
    return db.session.scalar(query) is not None
