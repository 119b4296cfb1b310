"""Management oversight: a manager's recorded review of a family's case, what they found
and what they asked to be done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp.config import DeadlineSettings
from caseapp.domain.drift import oversight_since
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.models import OversightNote
from caseapp.models.types import uk_today, utcnow
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import NotYoursToKeep, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.timeline import add_timeline_event

# Enough to see the pattern of oversight; the chronology holds every one.
NOTES_SHOWN = 50


class OversightInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class OversightPage:
    frame: FamilyFrame
    notes: tuple[OversightNote, ...]
    may_record: bool
    # Oversight on or after this day is within the period; before it, the family is listed.
    due_since: date

    @property
    def overdue(self) -> bool:
        return not self.notes or self.notes[0].oversight_on < self.due_since


def may_record_oversight(actor: Actor) -> bool:
    return Role.MANAGER in actor.user.roles


def view_oversight(actor: Actor, family_id: int, settings: DeadlineSettings) -> OversightPage:
    """The family's oversight notes, newest first; reading them is audited."""
    casework = load_casework(actor, family_id)
    notes = db.session.scalars(
        select(OversightNote)
        .where(OversightNote.family_id == family_id)
        .options(joinedload(OversightNote.manager))
        .order_by(OversightNote.oversight_on.desc(), OversightNote.id.desc())
        .limit(NOTES_SHOWN)
    ).all()
    frame = family_frame(casework)
    record_view(actor, "family_oversight", family_id, family_id)
    return OversightPage(
        frame, tuple(notes), may_record_oversight(actor), oversight_since(settings, utcnow())
    )


def record_oversight(
    actor: Actor,
    family_id: int,
    oversight_on: date | None,
    summary: str,
    actions: str,
    now: datetime | None = None,
) -> OversightNote:
    """A manager who may see the family records oversight of it. Raises FamilyNotFound,
    NotYoursToKeep (not a manager) or OversightInvalid."""
    now = now or utcnow()
    casework = load_casework(actor, family_id)
    if not may_record_oversight(actor):
        raise NotYoursToKeep(family_id)
    problems = []
    if oversight_on is None:
        problems.append(Problem("oversight_on", "Enter the date of the oversight"))
    elif oversight_on > uk_today(now):
        problems.append(Problem("oversight_on", "The date must be today or in the past"))
    if not summary.strip():
        problems.append(Problem("summary", "Enter a summary of the oversight"))
    if problems or oversight_on is None:
        raise OversightInvalid(problems)
    note = OversightNote(
        family_id=family_id,
        episode_id=casework.episode.id if casework.episode else None,
        oversight_on=oversight_on,
        summary=summary.strip(),
        actions=actions.strip(),
        manager_id=actor.user_id,
        recorded_at=now,
    )
    db.session.add(note)
    db.session.flush()
    add_timeline_event(
        family_id=family_id,
        episode_id=note.episode_id,
        kind=EventKind.OVERSIGHT_RECORDED,
        summary=f"Management oversight by {actor.user.name}",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"oversight_note_id": note.id},
    )
    audit_by(actor, "create", "oversight_note", object_id=note.id, family_id=family_id)
    db.session.commit()
    return note
