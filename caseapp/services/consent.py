"""Recording a family's consent to early help and to sharing, and its withdrawal.

Consent is recorded against the open episode; the most recent one is the one in force
(the family frame's warning reads it the same way). A withdrawal is written on that
consent, carrying the version the page showed, so two people cannot both record it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.assessment import (
    ConsentState,
    consent_problems,
    consent_state,
    withdrawal_problems,
)
from caseapp.domain.casework import ConsentGiver, ConsentMethod
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.models import Consent, FamilyMember, User
from caseapp.models.types import uk_today, utcnow
from caseapp.services.audit import audit_by, commit_keeping_loaded
from caseapp.services.casework import Casework, RecordNotFound, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, view_section
from caseapp.services.timeline import add_timeline_event

# The consent page lists the family's consents newest first; a family has a handful.
CONSENT_HISTORY_LIMIT = 50


class ConsentNotFound(RecordNotFound):
    """No such consent on the family's open episode."""


class ConsentRefused(Exception):
    """Nothing was saved. Carries the page as it is saved now, to show with the reason."""

    def __init__(self, page: ConsentPage) -> None:
        super().__init__(type(self).__name__)
        self.page = page


class ConsentInvalid(ConsentRefused):
    """The consent or withdrawal breaks a rule; each problem names its form field."""

    def __init__(self, page: ConsentPage, problems: list[Problem]) -> None:
        super().__init__(page)
        self.problems = problems


class ConsentConflict(ConsentRefused):
    """The consent changed since the page was loaded: `page.current` is how it is now."""


@dataclass(frozen=True)
class ConsentDetails:
    given_by_name: str
    given_by_role: ConsentGiver
    method: ConsentMethod
    given_on: date | None
    given_by_member_id: int | None = None
    share_with: Sequence[str] = field(default_factory=tuple)
    not_to_share: str = ""


@dataclass(frozen=True)
class ConsentPage:
    casework: Casework
    # The family's consents, newest first, with who recorded them.
    consents: tuple[Consent, ...]
    # Read with the page when its view is recorded and it is shown whole (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def current(self) -> Consent | None:
        """The open episode's most recent consent: the one in force, or withdrawn."""
        episode = self.casework.episode
        if episode is None:
            return None
        return next((c for c in self.consents if c.episode_id == episode.id), None)

    @property
    def state(self) -> ConsentState:
        current = self.current
        return consent_state(current is not None, current.withdrawn_on if current else None)


def _newest_first() -> tuple[object, ...]:
    # The same order the family frame uses to decide whether consent was withdrawn.
    return (Consent.given_on.desc(), Consent.id.desc())


def current_consent(episode_id: int, *, for_update: bool = False) -> Consent | None:
    """The episode's most recent consent (locked for the caller's transaction if asked)."""
    query = select(Consent).where(Consent.episode_id == episode_id).order_by(*_newest_first())
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query.limit(1))


def view_consent(actor: Actor, family_id: int, *, with_frame: bool) -> ConsentPage:
    """The consent page; reading it is recorded in the audit trail. `with_frame` unless
    only the section's content is shown."""
    return view_section(actor, family_id, "consent", consent_page, with_frame=with_frame)


def consent_page(casework: Casework) -> ConsentPage:
    consents = db.session.scalars(
        select(Consent)
        .where(Consent.family_id == casework.family.id)
        .options(
            joinedload(Consent.recorded_by).lazyload(User.role_rows),
            joinedload(Consent.withdrawal_recorded_by).lazyload(User.role_rows),
        )
        .order_by(*_newest_first())
        .limit(CONSENT_HISTORY_LIMIT)
    ).all()
    return ConsentPage(casework, tuple(consents))


def _on(day: date) -> str:
    """'27 November 2026', as the chronology writes dates."""
    return f"{day.day} {day:%B %Y}"


def consent_page_for_keeping(actor: Actor, family_id: int) -> ConsentPage:
    """The page again for someone sending a change: refused unless they keep the record."""
    return consent_page(load_casework(actor, family_id, keeping=True))


def _member(casework: Casework, member_id: int | None) -> FamilyMember | None:
    return next((m for m in casework.family.members if m.id == member_id), None)


def _refused_page(actor: Actor, family_id: int) -> ConsentPage:
    """After a refused change: the transaction undone, and the page as saved now."""
    db.session.rollback()
    return consent_page(load_casework(actor, family_id))


def record_consent(actor: Actor, family_id: int, details: ConsentDetails) -> ConsentPage:
    """Record consent on the family's open episode; it becomes the consent in force."""
    casework = load_casework(actor, family_id, keeping=True)
    episode = casework.open_episode
    member = _member(casework, details.given_by_member_id)
    name = member.full_name if member else details.given_by_name.strip()
    share_with = [agency.strip() for agency in details.share_with if agency.strip()]
    problems = consent_problems(
        name, details.given_on, share_with, details.not_to_share, uk_today()
    )
    if details.given_by_member_id is not None and member is None:
        problems.insert(0, Problem("given_by", "Select who gave consent from the list"))
    if problems or details.given_on is None:
        raise ConsentInvalid(_refused_page(actor, family_id), problems)
    consent = Consent(
        family_id=family_id,
        episode_id=episode.id,
        given_by_member_id=member.id if member else None,
        given_by_name=name,
        given_by_role=details.given_by_role,
        share_with=share_with,
        not_to_share=details.not_to_share.strip(),
        method=details.method,
        given_on=details.given_on,
        recorded_by=actor.user,
        recorded_at=utcnow(),
    )
    db.session.add(consent)
    db.session.flush()
    sharing = f"; may share with {', '.join(share_with)}" if share_with else "; no sharing agreed"
    limits = ", with limits on what is shared" if consent.not_to_share else ""
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        member_id=consent.given_by_member_id,
        kind=EventKind.CONSENT_RECORDED,
        summary=(
            f"Consent given by {name} ({details.given_by_role.label.lower()}), "
            f"{details.method.label[0].lower()}{details.method.label[1:]}, on "
            f"{_on(details.given_on)}{sharing}{limits}"
        ),
        actor_id=actor.user_id,
        detail={"consent_id": consent.id},
    )
    audit_by(actor, "create", "consent", object_id=consent.id, family_id=family_id)
    commit_keeping_loaded()
    return consent_page(casework)


def withdraw_consent(
    actor: Actor,
    family_id: int,
    consent_id: int,
    expected_version: int,
    withdrawn_on: date | None,
    note: str,
) -> ConsentPage:
    """Record that the family withdrew the consent they gave, if nobody changed it since
    `expected_version` was read; otherwise raise ConsentConflict with the consent now."""
    casework = load_casework(actor, family_id, keeping=True)
    episode = casework.open_episode
    consent = db.session.scalar(
        select(Consent)
        .where(Consent.id == consent_id, Consent.episode_id == episode.id)
        .with_for_update()
    )
    if consent is None:
        raise ConsentNotFound(consent_id)
    if consent.version != expected_version:
        raise ConsentConflict(_refused_page(actor, family_id))
    problems = withdrawal_problems(
        consent.given_on, withdrawn_on, consent.withdrawn_on, note, uk_today()
    )
    if problems or withdrawn_on is None:
        raise ConsentInvalid(_refused_page(actor, family_id), problems)
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_note = note.strip()
    consent.withdrawal_recorded_by = actor.user
    consent.withdrawal_recorded_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise ConsentConflict(_refused_page(actor, family_id)) from None
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        member_id=consent.given_by_member_id,
        kind=EventKind.CONSENT_WITHDRAWN,
        summary=(
            f"Consent withdrawn on {_on(withdrawn_on)} "
            f"(given by {consent.given_by_name} on {_on(consent.given_on)})"
        ),
        actor_id=actor.user_id,
        detail={"consent_id": consent.id},
    )
    audit_by(actor, "update", "consent", object_id=consent.id, family_id=family_id)
    commit_keeping_loaded()
    return consent_page(casework)
