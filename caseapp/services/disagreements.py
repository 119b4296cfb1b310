"""Professional disagreements about a decision on a family: raised by any practitioner
who may see the family, escalated a stage at a time with a new deadline, and resolved.

Two people may act on the same disagreement at once (one escalates as another records a
resolution). The page carries the disagreement's version; a change is saved only if it is
still at that version, and whoever comes second is shown what it says now, and who
changed it when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import close_of_day
from caseapp.domain.level_requests import DisagreementStatus
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import working_days_deadline
from caseapp.extensions import db
from caseapp.models import Disagreement, DisagreementEscalation, User
from caseapp.models.types import uk_today, utcnow
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import RecordNotFound, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.timeline import add_timeline_event

_DISAGREEMENT = "disagreement"


class DisagreementNotFound(RecordNotFound):
    """No such disagreement on this family (or the family is not the person's to see)."""


class DisagreementInvalid(ValueError):
    """The change breaks a rule; each problem names its form field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class DisagreementState:
    """A disagreement as it is saved now, and its latest change."""

    disagreement_id: int
    version: int
    stage: int
    status: DisagreementStatus
    resolve_by: datetime
    resolution: str
    changed_by_name: str
    changed_at: datetime
    # What the latest change was: raised, escalated or resolved.
    change: str


class DisagreementConflict(Exception):
    """Someone changed the disagreement first; nothing was saved."""

    def __init__(self, current: DisagreementState) -> None:
        super().__init__(f"disagreement {current.disagreement_id} changed first")
        self.current = current


@dataclass(frozen=True)
class DisagreementsPage:
    frame: FamilyFrame
    disagreements: tuple[Disagreement, ...]
    now: datetime

    @property
    def open(self) -> tuple[Disagreement, ...]:
        return tuple(d for d in self.disagreements if d.status is DisagreementStatus.OPEN)

    @property
    def resolved(self) -> tuple[Disagreement, ...]:
        return tuple(d for d in self.disagreements if d.status is DisagreementStatus.RESOLVED)


def _resolve_by(on: date | None, settings: DeadlineSettings, now: datetime) -> datetime:
    """The date chosen, at close of business; by default the configured working days."""
    if on is not None:
        return close_of_day(on, settings)
    return working_days_deadline(now, settings.disagreement_working_days, settings.working_day_ends)


def _text_problems(text: str, field: str, message: str) -> list[Problem]:
    return [] if text.strip() else [Problem(field, message)]


def _date_problems(on: date | None, field: str, now: datetime) -> list[Problem]:
    if on is not None and on < uk_today(now):
        return [Problem(field, "The date to resolve it by must be today or in the future")]
    return []


def _with_people() -> tuple[Any, ...]:
    """Load who raised, escalated and resolved a disagreement with it, not row by row."""
    return (
        joinedload(Disagreement.raised_by),
        joinedload(Disagreement.resolved_by),
        selectinload(Disagreement.escalations).joinedload(DisagreementEscalation.escalated_by),
    )


def disagreements_of(family_id: int) -> tuple[Disagreement, ...]:
    """The family's disagreements, open ones first, newest first: two statements."""
    return tuple(
        db.session.scalars(
            select(Disagreement)
            .where(Disagreement.family_id == family_id)
            .options(*_with_people())
            .order_by(Disagreement.status, Disagreement.raised_at.desc(), Disagreement.id.desc())
        ).unique()
    )


def view_disagreements(actor: Actor, family_id: int) -> DisagreementsPage:
    """The family's disagreements; reading them is recorded in the audit trail."""
    casework = load_casework(actor, family_id)
    disagreements = disagreements_of(family_id)
    frame = family_frame(casework)
    record_view(actor, "family_disagreements", family_id, family_id)
    return DisagreementsPage(frame, disagreements, utcnow())


def current_state(disagreement_id: int) -> DisagreementState:
    """The disagreement as the database has it now, read fresh."""
    db.session.expire_all()
    disagreement = db.session.scalar(
        select(Disagreement).where(Disagreement.id == disagreement_id).options(*_with_people())
    )
    if disagreement is None:
        raise DisagreementNotFound(disagreement_id)
    changes: list[tuple[datetime, str, User]] = [
        (disagreement.raised_at, "raised", disagreement.raised_by)
    ]
    changes += [
        (
            escalation.escalated_at,
            f"escalated to stage {escalation.to_stage}",
            escalation.escalated_by,
        )
        for escalation in disagreement.escalations
    ]
    if disagreement.resolved_at is not None and disagreement.resolved_by is not None:
        changes.append((disagreement.resolved_at, "resolved", disagreement.resolved_by))
    at, change, by = max(changes, key=lambda item: item[0])
    return DisagreementState(
        disagreement_id=disagreement.id,
        version=disagreement.version,
        stage=disagreement.stage,
        status=disagreement.status,
        resolve_by=disagreement.resolve_by,
        resolution=disagreement.resolution,
        changed_by_name=by.name,
        changed_at=at,
        change=change,
    )


def raise_disagreement(
    actor: Actor,
    family_id: int,
    parties: str,
    disputed: str,
    resolve_on: date | None,
    settings: DeadlineSettings,
    now: datetime | None = None,
) -> Disagreement:
    """Record a disagreement at stage 1 against the family (and its open episode, if any).
    Raises FamilyNotFound, or DisagreementInvalid naming the fields to fix."""
    now = now or utcnow()
    casework = load_casework(actor, family_id)
    problems = [
        *_text_problems(parties, "parties", "Enter who disagrees"),
        *_text_problems(disputed, "disputed", "Enter the decision and what is disputed"),
        *_date_problems(resolve_on, "resolve_on", now),
    ]
    if problems:
        raise DisagreementInvalid(problems)
    disagreement = Disagreement(
        family_id=family_id,
        episode_id=casework.episode.id if casework.episode else None,
        stage=1,
        parties=parties.strip(),
        disputed=disputed.strip(),
        resolve_by=_resolve_by(resolve_on, settings, now),
        raised_by_id=actor.user_id,
        raised_at=now,
    )
    db.session.add(disagreement)
    db.session.flush()
    add_timeline_event(
        family_id=family_id,
        episode_id=disagreement.episode_id,
        kind=EventKind.DISAGREEMENT_RAISED,
        summary=f"Professional disagreement raised between {disagreement.parties}",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"disagreement_id": disagreement.id},
    )
    audit_by(actor, "create", _DISAGREEMENT, object_id=disagreement.id, family_id=family_id)
    db.session.commit()
    return disagreement


def _disagreement_to_change(actor: Actor, family_id: int, disagreement_id: int) -> Disagreement:
    load_casework(actor, family_id)
    disagreement = db.session.scalar(
        select(Disagreement).where(
            Disagreement.id == disagreement_id, Disagreement.family_id == family_id
        )
    )
    if disagreement is None:
        raise DisagreementNotFound(disagreement_id)
    return disagreement


def _check_open_at(disagreement: Disagreement, expected_version: int) -> None:
    if (
        disagreement.version != expected_version
        or disagreement.status is not DisagreementStatus.OPEN
    ):
        raise DisagreementConflict(current_state(disagreement.id))


def _save_or_conflict(disagreement_id: int) -> None:
    """The versioned UPDATE goes first: a competing change waits on the row, then finds
    the version moved on and fails before it has written anything else."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise DisagreementConflict(current_state(disagreement_id)) from None


def escalate_disagreement(
    actor: Actor,
    family_id: int,
    disagreement_id: int,
    expected_version: int,
    reason: str,
    resolve_on: date | None,
    settings: DeadlineSettings,
    now: datetime | None = None,
) -> Disagreement:
    """Move an open disagreement up a stage, with why and a new deadline."""
    now = now or utcnow()
    disagreement = _disagreement_to_change(actor, family_id, disagreement_id)
    _check_open_at(disagreement, expected_version)
    problems = [
        *_text_problems(reason, "reason", "Enter why it is being escalated"),
        *_date_problems(resolve_on, "resolve_on", now),
    ]
    if problems:
        raise DisagreementInvalid(problems)
    resolve_by = _resolve_by(resolve_on, settings, now)
    disagreement.stage += 1
    disagreement.resolve_by = resolve_by
    _save_or_conflict(disagreement_id)
    db.session.add(
        DisagreementEscalation(
            disagreement_id=disagreement.id,
            to_stage=disagreement.stage,
            reason=reason.strip(),
            escalated_by_id=actor.user_id,
            escalated_at=now,
            resolve_by=resolve_by,
        )
    )
    add_timeline_event(
        family_id=family_id,
        episode_id=disagreement.episode_id,
        kind=EventKind.DISAGREEMENT_ESCALATED,
        summary=f"Professional disagreement escalated to stage {disagreement.stage}",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"disagreement_id": disagreement.id, "stage": disagreement.stage},
    )
    audit_by(actor, "update", _DISAGREEMENT, object_id=disagreement.id, family_id=family_id)
    db.session.commit()
    return disagreement


def resolve_disagreement(
    actor: Actor,
    family_id: int,
    disagreement_id: int,
    expected_version: int,
    resolution: str,
    now: datetime | None = None,
) -> Disagreement:
    """Record how an open disagreement was resolved."""
    now = now or utcnow()
    disagreement = _disagreement_to_change(actor, family_id, disagreement_id)
    _check_open_at(disagreement, expected_version)
    problems = _text_problems(resolution, "resolution", "Enter how it was resolved")
    if problems:
        raise DisagreementInvalid(problems)
    disagreement.status = DisagreementStatus.RESOLVED
    disagreement.resolution = resolution.strip()
    disagreement.resolved_by_id = actor.user_id
    disagreement.resolved_at = now
    _save_or_conflict(disagreement_id)
    add_timeline_event(
        family_id=family_id,
        episode_id=disagreement.episode_id,
        kind=EventKind.DISAGREEMENT_RESOLVED,
        summary=f"Professional disagreement resolved at stage {disagreement.stage}",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"disagreement_id": disagreement.id},
    )
    audit_by(actor, "update", _DISAGREEMENT, object_id=disagreement.id, family_id=family_id)
    db.session.commit()
    return disagreement
