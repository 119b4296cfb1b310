"""A lead worker's open families and what is due next on each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import Deadline, DeadlineState, episode_deadlines
from caseapp.extensions import db
from caseapp.models import Episode, Family, FamilyMember, User


@dataclass(frozen=True)
class CaseloadItem:
    family: Family
    episode: Episode
    children: list[FamilyMember]
    next_due: Deadline | None

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due.overdue


@dataclass(frozen=True)
class Caseload:
    items: list[CaseloadItem]

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.items)

    @property
    def due_soon_count(self) -> int:
        return sum(
            item.next_due is not None and item.next_due.state is DeadlineState.DUE_SOON
            for item in self.items
        )


def _urgency(item: CaseloadItem) -> tuple[int, datetime | float, int]:
    # Overdue and soonest first; families with nothing due sink to the bottom.
    if item.next_due is None:
        return (1, float("inf"), item.family.id)
    return (0, item.next_due.due_at.timestamp(), item.family.id)


def caseload_for(user: User, settings: DeadlineSettings, now: datetime) -> Caseload:
    """Two queries whatever the caseload's size: episodes with families, then children."""
    rows = db.session.execute(
        select(Episode, Family)
        .join(Family, Family.id == Episode.family_id)
        .where(Episode.lead_worker_id == user.id, Episode.closed_at.is_(None))
    ).all()
    children: dict[int, list[FamilyMember]] = defaultdict(list)
    if rows:
        members = db.session.scalars(
            select(FamilyMember)
            .where(
                FamilyMember.family_id.in_([family.id for _, family in rows]),
                FamilyMember.is_child.is_(True),
            )
            .order_by(FamilyMember.date_of_birth, FamilyMember.id)
        )
        for member in members:
            children[member.family_id].append(member)
    items = []
    for episode, family in rows:
        deadlines = episode_deadlines(
            episode.status, episode.hub_due_at, episode.allocated_at, settings, now
        )
        items.append(
            CaseloadItem(family, episode, children[family.id], deadlines[0] if deadlines else None)
        )
    return Caseload(sorted(items, key=_urgency))
