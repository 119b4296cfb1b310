"""Finding the family and open episode a lead worker's record belongs to, and whether
the person may keep (add to and change) that record or only read it.

Every casework service (consent, EHA, plan, TAF meetings, case notes) starts here, so
need-to-know and the right to change a record are decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseapp.domain.access import may_keep_casework
from caseapp.extensions import db
from caseapp.models import Episode, Family, User
from caseapp.services.access import can_see_family
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
    is open. Two queries: the access check and the family with its open episode.
    """
    if not can_see_family(actor.user, family_id):
        raise FamilyNotFound(family_id)
    row = db.session.execute(
        select(Family, Episode)
        .outerjoin(Episode, (Episode.family_id == Family.id) & Episode.closed_at.is_(None))
        .where(Family.id == family_id)
        .options(selectinload(Family.members))
    ).first()
    if row is None:
        raise FamilyNotFound(family_id)
    family, episode = row
    may_keep = may_keep_episode(actor.user, episode)
    casework = Casework(family, episode, may_keep)
    if keeping:
        if episode is None:
            raise NoOpenEpisode(family_id)
        if not may_keep:
            raise NotYoursToKeep(family_id)
    return casework


def may_keep_episode(user: User, episode: Episode | None) -> bool:
    """Whether `user` may add to and change the records of `episode` (an open one)."""
    return (
        episode is not None
        and episode.closed_at is None
        and may_keep_casework(
            user.roles, user.id, user.team_id, episode.lead_worker_id, episode.team_id
        )
    )
