"""Families already on record that a request's children may belong to.

The database narrows by date of birth (an indexed column: the exact date and the date
with day and month swapped), then domain/matching.py scores names in Python. No query
reads more than the children born on those few dates.

Only Hub coordinators are shown the result: it names families the person asking may
otherwise have no right to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.matching import Identity, Resemblance, birth_dates_to_search, resemblance
from caseapp.extensions import db
from caseapp.models import Episode, Family, FamilyMember, SupportRequestChild, Team, User
from caseapp.models import SupportRequest as SupportRequestRow

# More than this many families resembling one request means the details are too thin to
# tell apart; the coordinator sees the strongest.
MAX_POSSIBLE_DUPLICATES = 10


@dataclass(frozen=True)
class MatchingMember:
    """A recorded child who may be one of the children entered."""

    member_id: int
    given_name: str
    family_name: str
    date_of_birth: date
    resemblance: Resemblance
    # Which entered child (by position) this one resembles.
    entered_index: int

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class OpenEpisode:
    episode_id: int
    status: EpisodeStatus
    lead_worker_name: str | None
    team_name: str | None


@dataclass(frozen=True)
class PossibleDuplicate:
    family_id: int
    name: str
    postcode: str
    locality: str
    members: tuple[MatchingMember, ...]
    open_episode: OpenEpisode | None
    last_closed_at: datetime | None

    @property
    def reference(self) -> str:
        return f"F{self.family_id:06d}"

    @property
    def children_matched(self) -> int:
        return len({member.entered_index for member in self.members})


def find_possible_duplicates(
    children: Sequence[Identity], exclude_family_id: int | None = None
) -> list[PossibleDuplicate]:
    """Families with a child who may be one of `children`, most likely first.

    Ranked by how many of the entered children each family seems to hold, then by how
    close the closest match is.
    """
    birth_dates = {
        born for child in children for born in birth_dates_to_search(child.date_of_birth)
    }
    if not birth_dates:
        return []
    query = select(
        FamilyMember.id,
        FamilyMember.family_id,
        FamilyMember.given_name,
        FamilyMember.family_name,
        FamilyMember.date_of_birth,
    ).where(FamilyMember.date_of_birth.in_(sorted(birth_dates)))
    if exclude_family_id is not None:
        query = query.where(FamilyMember.family_id != exclude_family_id)

    by_family: dict[int, list[MatchingMember]] = {}
    for member_id, family_id, given, family_name, born in db.session.execute(query):
        recorded = Identity(given, family_name, born)
        for index, child in enumerate(children):
            alike = resemblance(child, recorded)
            if alike is not None:
                by_family.setdefault(family_id, []).append(
                    MatchingMember(member_id, given, family_name, born, alike, index)
                )
    if not by_family:
        return []

    def strength(family_id: int) -> tuple[int, int]:
        members = by_family[family_id]
        entered = {member.entered_index for member in members}
        return (-len(entered), min(member.resemblance.rank for member in members))

    chosen = sorted(by_family, key=lambda family_id: (*strength(family_id), family_id))
    chosen = chosen[:MAX_POSSIBLE_DUPLICATES]
    families = _family_summaries(chosen)
    return [
        PossibleDuplicate(
            family_id=family_id,
            name=families[family_id].name,
            postcode=families[family_id].postcode,
            locality=families[family_id].locality,
            members=tuple(
                sorted(
                    by_family[family_id],
                    key=lambda member: (member.entered_index, member.resemblance.rank),
                )
            ),
            open_episode=families[family_id].open_episode,
            last_closed_at=families[family_id].last_closed_at,
        )
        for family_id in chosen
    ]


@dataclass(frozen=True)
class _FamilyFacts:
    name: str
    postcode: str
    locality: str
    open_episode: OpenEpisode | None
    last_closed_at: datetime | None


def _family_summaries(family_ids: list[int]) -> dict[int, _FamilyFacts]:
    """Each family's name and postcode, its open episode with lead worker and team, and
    when its last episode closed (a re-request within a year is worth knowing): one query."""
    lead_worker = aliased(User)
    last_closed = (
        select(func.max(Episode.closed_at))
        .where(Episode.family_id == Family.id, Episode.closed_at.is_not(None))
        .correlate(Family)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Family.id,
            Family.name,
            Family.postcode,
            Family.locality,
            Episode.id,
            Episode.status,
            lead_worker.name,
            Team.name,
            last_closed,
        )
        .outerjoin(Episode, (Episode.family_id == Family.id) & Episode.closed_at.is_(None))
        .outerjoin(lead_worker, lead_worker.id == Episode.lead_worker_id)
        .outerjoin(Team, Team.id == Episode.team_id)
        .where(Family.id.in_(family_ids))
    )
    return {
        family_id: _FamilyFacts(
            name=name,
            postcode=postcode,
            locality=locality,
            open_episode=(
                OpenEpisode(episode_id, status, lead, team) if episode_id is not None else None
            ),
            last_closed_at=closed,
        )
        for family_id, name, postcode, locality, episode_id, status, lead, team, closed in rows
    }


def possible_duplicates_for_request(request_id: int) -> list[PossibleDuplicate]:
    """Other families that the children of a saved request may already belong to.

    For triage: requests from people who are not Hub coordinators are saved as given,
    and the Hub checks them here.
    """
    rows = db.session.execute(
        select(
            SupportRequestRow.family_id,
            FamilyMember.given_name,
            FamilyMember.family_name,
            FamilyMember.date_of_birth,
        )
        .join(SupportRequestChild, SupportRequestChild.request_id == SupportRequestRow.id)
        .join(FamilyMember, FamilyMember.id == SupportRequestChild.member_id)
        .where(SupportRequestRow.id == request_id)
        .order_by(FamilyMember.date_of_birth, FamilyMember.id)
    ).all()
    if not rows:
        return []
    children = [Identity(given, family, born) for _, given, family, born in rows if born]
    return find_possible_duplicates(children, exclude_family_id=rows[0].family_id)
