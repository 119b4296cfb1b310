"""The need-to-know policy of domain/access.py as SQL, for every query that shows families."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union
from sqlalchemy.orm import aliased

from caseapp.domain.access import Grant, grants_for
from caseapp.domain.hub import HUB_QUEUE_STATUSES, URGENT_STEP_UP_STATUSES
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, Family, TafAttendee, TafMeeting, User

# The subqueries use their own alias, so a caller's query over episodes is never correlated
# with them by mistake. Made once: building an alias costs more than the query it serves.
_GRANTING_EPISODE = aliased(Episode, name="granting_episode")


def _grant_condition(grant: Grant, user: User) -> ColumnElement[bool]:
    episode = _GRANTING_EPISODE
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


def _grant_family_ids(grant: Grant, user: User) -> Select[tuple[int]] | None:
    match grant:
        case Grant.LEADS_OPEN_EPISODE:
            return select(Episode.family_id).where(
                Episode.lead_worker_id == user.id, Episode.closed_at.is_(None)
            )
        case Grant.IN_HUB:
            return select(Episode.family_id).where(
                or_(
                    Episode.status.in_(HUB_QUEUE_STATUSES),
                    and_(Episode.status.in_(URGENT_STEP_UP_STATUSES), Episode.urgent.is_(True)),
                )
            )
        case Grant.ALLOCATED_OPEN_EPISODE:
            # Written as IN so that SQLite starts from the person's assignments; as a join
            # it skip-scans every open episode of every team.
            return select(Episode.family_id).where(
                Episode.id.in_(
                    select(Assignment.episode_id).where(Assignment.assigned_by_id == user.id)
                ),
                Episode.closed_at.is_(None),
            )
        case Grant.TEAM_EPISODE:
            if user.team_id is None:
                return None
            return select(Episode.family_id).where(Episode.team_id == user.team_id)
        case Grant.TAF_MEMBER:
            return (
                select(Episode.family_id)
                .join(TafMeeting, TafMeeting.episode_id == Episode.id)
                .join(TafAttendee, TafAttendee.meeting_id == TafMeeting.id)
                .where(TafAttendee.user_id == user.id, Episode.closed_at.is_(None))
            )


def visible_family_ids(user: User) -> Select[tuple[int]] | None:
    """The same families as `visible_families`, as a set of ids to start a query from.

    `visible_families` is right for testing a few rows already found (one EXISTS probe
    each); this form lets the database begin with the person's own small set instead of
    testing every row of a council-wide table. None when the person may see no family.
    """
    selects = [
        each
        for grant in sorted(grants_for(user.roles))
        if (each := _grant_family_ids(grant, user)) is not None
    ]
    if not selects:
        return None
    return selects[0] if len(selects) == 1 else select(union(*selects).subquery().c[0])


def can_see_family(user: User, family_id: int) -> bool:
    query = select(Family.id).where(Family.id == family_id, visible_families(user))
    return db.session.scalar(query) is not None
