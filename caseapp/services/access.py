"""The need-to-know policy of domain/access.py as SQL, for every query that shows families."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased, joinedload

from caseapp.domain.access import Grant, grants_for
from caseapp.domain.hub import HUB_QUEUE_STATUSES, URGENT_STEP_UP_STATUSES
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, Family, TafAttendee, TafMeeting, User
from caseapp.models.types import one_of

# The subqueries use their own alias, so a caller's query over episodes is never correlated
# with them by mistake. Made once: building an alias costs more than the query it serves.
_GRANTING_EPISODE = aliased(Episode, name="granting_episode")

# Who is looking, as two parameters: `viewer_id` and `viewer_team_id`. Given values, they
# make a statement for one person; left unbound, a statement built once for everyone with
# the same grants, run with viewer_parameters(person). A person with no team binds NULL,
# which no team_id equals, so the team's grant then shows nothing.
VIEWER_ID = "viewer_id"
VIEWER_TEAM_ID = "viewer_team_id"


@dataclass(frozen=True)
class Viewer:
    id: BindParameter[int]
    team_id: BindParameter[int]


def _viewer(user: User | None) -> Viewer:
    """The two parameters, valued for `user`, or left for the caller to bind (None)."""
    if user is None:
        return Viewer(bindparam(VIEWER_ID, type_=Integer), bindparam(VIEWER_TEAM_ID, type_=Integer))
    return Viewer(
        bindparam(VIEWER_ID, user.id, type_=Integer),
        bindparam(VIEWER_TEAM_ID, user.team_id, type_=Integer),
    )


def viewer_parameters(user: User) -> dict[str, Any]:
    """The values for a statement built with `visible_families_for` and its kind."""
    return {VIEWER_ID: user.id, VIEWER_TEAM_ID: user.team_id}


def _grant_condition(grant: Grant, viewer: Viewer) -> ColumnElement[bool]:
    episode = _GRANTING_EPISODE
    open_episode = and_(episode.family_id == Family.id, episode.closed_at.is_(None))
    match grant:
        case Grant.LEADS_OPEN_EPISODE:
            return exists().where(open_episode, episode.lead_worker_id == viewer.id)
        case Grant.IN_HUB:
            return exists().where(
                episode.family_id == Family.id,
                or_(
                    one_of(episode.status, HUB_QUEUE_STATUSES),
                    # An urgent step up is listed at the top of the Hub queue too.
                    and_(one_of(episode.status, URGENT_STEP_UP_STATUSES), episode.urgent.is_(True)),
                ),
            )
        case Grant.ALLOCATED_OPEN_EPISODE:
            return exists().where(
                open_episode,
                Assignment.episode_id == episode.id,
                Assignment.assigned_by_id == viewer.id,
            )
        case Grant.TEAM_EPISODE:
            return exists().where(episode.family_id == Family.id, episode.team_id == viewer.team_id)
        case Grant.TAF_MEMBER:
            return exists().where(
                open_episode,
                TafMeeting.episode_id == episode.id,
                TafAttendee.meeting_id == TafMeeting.id,
                TafAttendee.user_id == viewer.id,
            )


def _visible_families(grants: frozenset[Grant], viewer: Viewer) -> ColumnElement[bool]:
    conditions = [_grant_condition(grant, viewer) for grant in sorted(grants)]
    return or_(*conditions) if conditions else false()


def visible_families(user: User) -> ColumnElement[bool]:
    """A condition on `Family` true for exactly the families `user` may see."""
    return _visible_families(grants_for(user.roles), _viewer(user))


@cache
def visible_families_for(grants: frozenset[Grant]) -> ColumnElement[bool]:
    """`visible_families` for anyone with these grants, to build a statement once: run
    it with viewer_parameters(person)."""
    return _visible_families(grants, _viewer(None))


def _grant_family_ids(grant: Grant, viewer: Viewer) -> Select[tuple[int]]:
    match grant:
        case Grant.LEADS_OPEN_EPISODE:
            return select(Episode.family_id).where(
                Episode.lead_worker_id == viewer.id, Episode.closed_at.is_(None)
            )
        case Grant.IN_HUB:
            return select(Episode.family_id).where(
                or_(
                    one_of(Episode.status, HUB_QUEUE_STATUSES),
                    and_(one_of(Episode.status, URGENT_STEP_UP_STATUSES), Episode.urgent.is_(True)),
                )
            )
        case Grant.ALLOCATED_OPEN_EPISODE:
            # Written as IN so that SQLite starts from the person's assignments; as a join
            # it skip-scans every open episode of every team.
            return select(Episode.family_id).where(
                Episode.id.in_(
                    select(Assignment.episode_id).where(Assignment.assigned_by_id == viewer.id)
                ),
                Episode.closed_at.is_(None),
            )
        case Grant.TEAM_EPISODE:
            return select(Episode.family_id).where(Episode.team_id == viewer.team_id)
        case Grant.TAF_MEMBER:
            return (
                select(Episode.family_id)
                .join(TafMeeting, TafMeeting.episode_id == Episode.id)
                .join(TafAttendee, TafAttendee.meeting_id == TafMeeting.id)
                .where(TafAttendee.user_id == viewer.id, Episode.closed_at.is_(None))
            )


def _visible_family_ids(grants: frozenset[Grant], viewer: Viewer) -> Select[tuple[int]] | None:
    selects = [_grant_family_ids(grant, viewer) for grant in sorted(grants)]
    if not selects:
        return None
    return selects[0] if len(selects) == 1 else select(union(*selects).subquery().c[0])


def visible_family_ids(user: User) -> Select[tuple[int]] | None:
    """The same families as `visible_families`, as a set of ids to start a query from.

    `visible_families` is right for testing a few rows already found (one EXISTS probe
    each); this form lets the database begin with the person's own small set instead of
    testing every row of a council-wide table. None when the person may see no family.
    """
    return _visible_family_ids(grants_for(user.roles), _viewer(user))


@cache
def visible_family_ids_for(grants: frozenset[Grant]) -> Select[tuple[int]] | None:
    """`visible_family_ids` for anyone with these grants, to build a statement once: run
    it with viewer_parameters(person)."""
    return _visible_family_ids(grants, _viewer(None))


def can_see_family(user: User, family_id: int) -> bool:
    parameters = {**viewer_parameters(user), "family_id": family_id}
    return db.session.scalar(_visible_family_id(grants_for(user.roles)), parameters) is not None


@cache
def _visible_family_id(grants: frozenset[Grant]) -> Select[tuple[int]]:
    # Asked on every page of a family's record: built once per set of grants.
    return select(Family.id).where(
        Family.id == bindparam("family_id"), visible_families_for(grants)
    )


def family_if_visible(user: User, family_id: int, *, with_members: bool) -> Family | None:
    """The family, if `user` may see it, loaded by the statement that tests need-to-know:
    a probe of its own first, and the members as a query of their own, each cost a round
    trip on every family page."""
    parameters = {**viewer_parameters(user), "family_id": family_id}
    statement = _visible_family(grants_for(user.roles), with_members)
    return db.session.execute(statement, parameters).unique().scalar_one_or_none()


@cache
def _visible_family(grants: frozenset[Grant], with_members: bool) -> Select[tuple[Family]]:
    query = select(Family).where(Family.id == bindparam("family_id"), visible_families_for(grants))
    return query.options(joinedload(Family.members)) if with_members else query
