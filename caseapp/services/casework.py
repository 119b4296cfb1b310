"""Finding the family and open episode a lead worker's record belongs to, and whether
the person may keep (add to and change) that record or only read it.

Every casework service (consent, EHA, plan, TAF meetings, case notes) starts here, so
need-to-know and the right to change a record are decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased, joinedload

from caseapp.domain.access import Grant, grants_for, may_keep_casework
from caseapp.extensions import db
from caseapp.models import Episode, Family, User
from caseapp.services.access import viewer_parameters, visible_families_for
from caseapp.services.context import Actor


class RecordNotFound(LookupError):
    """A record that does not exist, or that the person may not see: both answer 404, so
    the answer never says which (web/__init__.py turns it into the 404 page)."""


class FamilyNotFound(RecordNotFound):
    """The family does not exist or the person may not see it."""


class NotYoursToKeep(Exception):
    """The person may read the family's record but not change it: 403."""


class NoOpenEpisode(Exception):
    """The family has no open episode to record work against."""


@dataclass(frozen=True)
class Casework:
    family: Family
    # The family's open episode, if it has one.
    episode: Episode | None
    may_keep: bool

    @property
    def open_episode(self) -> Episode:
        if self.episode is None:
            raise NoOpenEpisode(self.family.id)
        return self.episode


def load_casework(actor: Actor, family_id: int, *, keeping: bool = False) -> Casework:
    """The family (with members) and its open episode, if `actor` may see it.

    With `keeping`, also require that they may change its records and that an episode
    is open. One query: the need-to-know test is part of it.
    """
    user = actor.user
    row = (
        db.session.execute(
            _casework_query(grants_for(user.roles)),
            {**viewer_parameters(user), "family_id": family_id},
        )
        .unique()
        .first()
    )
    if row is None:
        raise FamilyNotFound(family_id)
    family, episode = row
    may_keep = may_keep_episode(user, episode)
    casework = Casework(family, episode, may_keep)
    if keeping:
        if episode is None:
            raise NoOpenEpisode(family_id)
        if not may_keep:
            raise NotYoursToKeep(family_id)
    return casework


@cache
def _casework_query(grants: frozenset[Grant]) -> Select[tuple[Family, Episode]]:
    """The family with its members and open episode, for `family_id`, if the viewer may
    see it; run with viewer_parameters(person). Built once per set of grants: every page
    of a family's record asks, and a separate need-to-know probe and members query each
    cost a round trip of their own.

    The open episode is aliased, so the need-to-know subqueries (which read episodes too)
    are never correlated with it."""
    open_episode = aliased(Episode, name="open_episode")
    return (
        select(Family, open_episode)
        .outerjoin(
            open_episode,
            (open_episode.family_id == Family.id) & open_episode.closed_at.is_(None),
        )
        .where(Family.id == bindparam("family_id"), visible_families_for(grants))
        .options(joinedload(Family.members))
    )


def may_keep_episode(user: User, episode: Episode | None) -> bool:
    """Whether `user` may add to and change the records of `episode` (an open one)."""
    return (
        episode is not None
        and episode.closed_at is None
        and may_keep_casework(
            user.roles, user.id, user.team_id, episode.lead_worker_id, episode.team_id
        )
    )
