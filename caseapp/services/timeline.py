"""The family chronology, written inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import TimelineEvent
from caseapp.models.types import utcnow


def add_timeline_event(
    *,
    family_id: int,
    kind: EventKind,
    summary: str,
    actor_id: int | None,
    episode_id: int | None = None,
    member_id: int | None = None,
    occurred_at: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> TimelineEvent:
    timeline_event = TimelineEvent(
        family_id=family_id,
        kind=kind.value,
        summary=summary[:500],
        actor_id=actor_id,
        episode_id=episode_id,
        member_id=member_id,
        occurred_at=occurred_at or utcnow(),
        detail=detail or {},
    )
    db.session.add(timeline_event)
    return timeline_event
