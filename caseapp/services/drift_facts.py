"""What the manager's view asks of each open episode's work, kept on the episode as the
work changes, so that counting a team's drift reads the team's episodes and nothing else.

The facts are the newest contact and oversight recorded for the family, whether the
episode has a completed EHA, its latest TAF meeting held (when, and the review date it
agreed) and the earliest due date of its open plan actions. The manager's view compares
them with the moments of domain/drift.py. Asking the source tables instead cost about six
index probes per open episode of the team on every visit (about 1,800 at the size of a
large council).

They are refreshed after every flush that adds, changes or removes a case note, an
oversight note, an assessment, a TAF meeting or a plan action, or opens an episode: in
the same transaction as the change, from the rows themselves, so they cannot drift from
them. On PostgreSQL the refresh locks the family's open episode before it reads, so a
change to the same family's work made meanwhile by someone else is counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, Connection, event, exists, func, select, update
from sqlalchemy.orm import Session, UOWTransaction

from caseapp.domain.casework import ActionStatus, AssessmentStatus, MeetingStatus
from caseapp.models import (
    Assessment,
    CaseNote,
    Episode,
    OversightNote,
    PlanAction,
    TafMeeting,
)
from caseapp.models.types import one_of

# Rows whose every change may change an open episode's facts.
SOURCES = (CaseNote, OversightNote, Assessment, TafMeeting, PlanAction)


def _latest_held_meeting() -> Any:
    return (
        select(TafMeeting.at, TafMeeting.next_meeting_on)
        .where(TafMeeting.episode_id == Episode.id, TafMeeting.status == MeetingStatus.HELD)
        .order_by(TafMeeting.at.desc(), TafMeeting.id.desc())
        .limit(1)
    )


def current_facts() -> dict[str, ColumnElement[Any]]:
    """Each fact of an episode as its source rows give it now (correlated with Episode)."""
    latest = _latest_held_meeting()
    return {
        "last_contact_on": select(func.max(CaseNote.contact_on))
        .where(CaseNote.family_id == Episode.family_id)
        .scalar_subquery(),
        "last_oversight_on": select(func.max(OversightNote.oversight_on))
        .where(OversightNote.family_id == Episode.family_id)
        .scalar_subquery(),
        "eha_completed": exists().where(
            Assessment.episode_id == Episode.id,
            Assessment.status == AssessmentStatus.COMPLETED,
        ),
        "latest_taf_held_at": latest.with_only_columns(TafMeeting.at).scalar_subquery(),
        "latest_taf_next_on": latest.with_only_columns(
            TafMeeting.next_meeting_on
        ).scalar_subquery(),
        "first_open_action_due_on": select(func.min(PlanAction.due_on))
        .where(
            PlanAction.episode_id == Episode.id,
            one_of(PlanAction.status, [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
        )
        .scalar_subquery(),
    }


def _open_episodes_of(family_ids: Iterable[int] | None) -> list[ColumnElement[bool]]:
    chosen = [Episode.closed_at.is_(None)]
    if family_ids is not None:
        chosen.append(Episode.family_id.in_(sorted(set(family_ids))))
    return chosen


def refresh_drift_facts(connection: Connection, family_ids: Iterable[int] | None = None) -> None:
    """Work out again the facts of the open episodes of these families (of every family
    when None), from their rows as this transaction sees them.

    On PostgreSQL the episodes are locked first, in a statement of their own: the UPDATE
    then starts after any other change to the same family's work has committed, and reads
    it. (An UPDATE that waited for the row instead would keep reading as of its start, and
    miss a note saved at the same moment by someone else.)"""
    chosen = _open_episodes_of(family_ids)
    if family_ids is not None and connection.dialect.name == "postgresql":
        connection.execute(select(Episode.id).where(*chosen).with_for_update())
    connection.execute(
        update(Episode)
        .where(*chosen)
        .values(current_facts())
        .execution_options(synchronize_session=False)
    )


def _families_touched(session: Session) -> set[int]:
    touched: set[int] = set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, SOURCES) or (isinstance(row, Episode) and row in session.new):
            touched.add(row.family_id)
    return touched


def _refresh_after_flush(session: Session, flush: UOWTransaction) -> None:
    touched = _families_touched(session)
    if touched:
        refresh_drift_facts(session.connection(), touched)


def keep_drift_facts() -> None:
    """Refresh the facts after every flush that touches their rows (idempotent)."""
    if not event.contains(Session, "after_flush", _refresh_after_flush):
        event.listen(Session, "after_flush", _refresh_after_flush)
