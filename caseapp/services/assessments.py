"""Early Help Assessments: starting one, saving its sections, completing it.

An EHA belongs to the family and the episode it was started in. Its sections are saved
one at a time, each carrying the version the page showed, so two people editing the same
section cannot overwrite each other. Saving and completing lock the assessment's row
first, so a section can never be saved into an assessment that has just been completed.
A completed EHA is never changed; a reassessment is a new one with the next number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.assessment import (
    ConsentState,
    Missing,
    Section,
    SectionState,
    answer_problems,
    can_edit,
    consent_state,
    eha_sections,
    missing_before_completion,
    section_by_key,
    section_state,
    start_problems,
    status_after_completion,
    status_after_start,
    why_cannot_complete,
    why_cannot_start,
)
from caseapp.domain.casework import AssessmentStatus
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import Assessment, AssessmentSection, Consent, FamilyMember, User
from caseapp.models.types import utcnow
from caseapp.services.audit import audit_by
from caseapp.services.casework import Casework, RecordNotFound, load_casework
from caseapp.services.consent import commit_keeping_loaded, current_consent
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_status_change
from caseapp.services.family_frame import FamilyFrame, view_section
from caseapp.services.timeline import add_timeline_event

# A family has a first EHA and a few reassessments; the page lists them all, bounded.
VERSIONS_LIMIT = 50


class AssessmentNotFound(RecordNotFound):
    """No such assessment, section or child in this family's record."""


class AssessmentRefused(Exception):
    """Nothing was saved. Carries the page as it is saved now, to show with the reason."""

    def __init__(self, page: AssessmentsPage, reason: str = "") -> None:
        super().__init__(reason or type(self).__name__)
        self.page = page
        self.reason = reason


class AssessmentInvalid(AssessmentRefused):
    """What was sent breaks a rule; each problem names its form field."""

    def __init__(self, page: AssessmentsPage, problems: list[Problem]) -> None:
        super().__init__(page, "; ".join(problem.message for problem in problems))
        self.problems = problems


class AssessmentCannotStart(AssessmentRefused):
    """An assessment cannot start now; the reason is written for the page."""


class AssessmentLocked(AssessmentRefused):
    """The assessment is completed (or belongs to an earlier episode): it cannot change."""


class AssessmentIncomplete(AssessmentRefused):
    """The assessment cannot be completed yet: why, and every answer still missing."""

    def __init__(self, page: AssessmentsPage, reason: str, missing: list[Missing]) -> None:
        super().__init__(page, reason)
        self.missing = missing


class SectionConflict(AssessmentRefused):
    """Someone saved the section since the page was loaded; nothing of ours was saved.
    `current` is the section as they saved it."""

    def __init__(self, page: AssessmentsPage, current: AssessmentSection) -> None:
        super().__init__(page, "the section changed")
        self.current = current


@dataclass(frozen=True)
class AssessmentView:
    """One EHA with its saved sections, ready to show."""

    assessment: Assessment
    children: tuple[FamilyMember, ...]
    sections: tuple[Section, ...]
    # (child, section key) -> the saved section, with who saved it.
    saved: Mapping[tuple[int, str], AssessmentSection]
    # Whether this episode's lead worker (or manager) could change it: a draft of the
    # open episode.
    editable: bool

    def state(self, member_id: int, section: Section) -> SectionState:
        saved = self.saved.get((member_id, section.key))
        return section_state(section, saved.answers if saved else None)

    def answered(self, member_id: int) -> int:
        """How many of the child's sections have every question answered."""
        return sum(
            self.state(member_id, section) is SectionState.ANSWERED for section in self.sections
        )

    @property
    def missing(self) -> list[Missing]:
        answers = {key: row.answers for key, row in self.saved.items()}
        return missing_before_completion(self.sections, self.assessment.member_ids, answers)


@dataclass(frozen=True)
class AssessmentsPage:
    casework: Casework
    # Every EHA of the family, newest first.
    versions: tuple[Assessment, ...]
    # The EHA the page shows: the newest one, or the one asked for.
    shown: AssessmentView | None
    consent: Consent | None
    # Read with the page when its view is recorded and it is shown whole (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def children(self) -> tuple[FamilyMember, ...]:
        return tuple(member for member in self.casework.family.members if member.is_child)

    @property
    def consent_state(self) -> ConsentState:
        consent = self.consent
        return consent_state(consent is not None, consent.withdrawn_on if consent else None)

    @property
    def draft(self) -> Assessment | None:
        """The open episode's draft EHA, if one is under way."""
        episode = self.casework.episode
        return next(
            (
                version
                for version in self.versions
                if episode is not None
                and version.episode_id == episode.id
                and version.status is AssessmentStatus.DRAFT
            ),
            None,
        )

    @property
    def why_cannot_start(self) -> str | None:
        episode = self.casework.episode
        if episode is None:
            return "The family has no open episode of early help."
        draft = self.draft
        return why_cannot_start(
            self.consent_state,
            episode.status,
            draft.number if draft else None,
            self.consent.withdrawn_on if self.consent else None,
        )

    @property
    def is_newest(self) -> bool:
        return self.shown is not None and self.shown.assessment is self.versions[0]


def framework_sections(framework: Framework) -> tuple[Section, ...]:
    return eha_sections([(domain.code, domain.name) for domain in framework.domains])


def _with_people() -> tuple[object, ...]:
    return (
        joinedload(Assessment.started_by).lazyload(User.role_rows),
        joinedload(Assessment.completed_by).lazyload(User.role_rows),
    )


def _versions(casework: Casework) -> tuple[Assessment, ...]:
    """Every EHA of the family, newest first, with who started and completed each."""
    return tuple(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.family_id == casework.family.id)
            .options(*_with_people())
            .order_by(Assessment.number.desc())
            .limit(VERSIONS_LIMIT)
        ).unique()
    )


def _section_rows(assessment_id: int) -> list[AssessmentSection]:
    return list(
        db.session.scalars(
            select(AssessmentSection)
            .where(AssessmentSection.assessment_id == assessment_id)
            .options(joinedload(AssessmentSection.updated_by).lazyload(User.role_rows))
        )
    )


def _page(
    casework: Casework,
    framework: Framework,
    assessment_id: int | None = None,
    *,
    versions: tuple[Assessment, ...] | None = None,
    rows: list[AssessmentSection] | None = None,
    consent: Consent | None = None,
) -> AssessmentsPage:
    """The family's EHAs and the one to show: three queries whatever the size, fewer when
    the caller has already read the versions, the shown one's sections or the consent in
    this request (and nothing of them has changed since but what it changed itself)."""
    if versions is None:
        versions = _versions(casework)
    if assessment_id is None:
        shown = versions[0] if versions else None
    else:
        shown = next((version for version in versions if version.id == assessment_id), None)
        if shown is None:
            raise AssessmentNotFound(assessment_id)
    episode = casework.episode
    if consent is None and episode is not None:
        consent = current_consent(episode.id)
    return AssessmentsPage(
        casework=casework,
        versions=versions,
        shown=_view(casework, framework, shown, rows) if shown else None,
        consent=consent,
    )


def _view(
    casework: Casework,
    framework: Framework,
    assessment: Assessment,
    rows: list[AssessmentSection] | None = None,
) -> AssessmentView:
    if rows is None:
        rows = _section_rows(assessment.id)
    members = {member.id: member for member in casework.family.members}
    episode = casework.episode
    return AssessmentView(
        assessment=assessment,
        children=tuple(members[i] for i in assessment.member_ids if i in members),
        sections=framework_sections(framework),
        saved={(row.member_id or 0, row.section): row for row in rows},
        editable=(
            casework.may_keep
            and can_edit(assessment.status)
            and episode is not None
            and assessment.episode_id == episode.id
        ),
    )


def view_assessments(
    actor: Actor,
    family_id: int,
    framework: Framework,
    assessment_id: int | None = None,
    *,
    with_frame: bool,
) -> AssessmentsPage:
    """The family's EHAs, showing the newest (or `assessment_id`), the reading audited.
    `with_frame` unless only the assessment is shown."""
    return view_section(
        actor,
        family_id,
        "assessments",
        lambda casework: _page(casework, framework, assessment_id),
        with_frame=with_frame,
    )


def assessments_page_for_keeping(
    actor: Actor, family_id: int, framework: Framework, assessment_id: int | None = None
) -> AssessmentsPage:
    """The page again for someone sending a change: refused unless they keep the record."""
    return _page(load_casework(actor, family_id, keeping=True), framework, assessment_id)


def _refused_page(
    actor: Actor, family_id: int, framework: Framework, assessment_id: int | None = None
) -> AssessmentsPage:
    """After a refused change: the transaction undone, and the page as saved now."""
    db.session.rollback()
    return _page(load_casework(actor, family_id), framework, assessment_id)


def _page_as_it_is(
    casework: Casework,
    framework: Framework,
    assessment_id: int | None = None,
    versions: tuple[Assessment, ...] | None = None,
) -> AssessmentsPage:
    """After a refusal before anything was written: end the transaction, and its lock,
    and show the page without loading again what this request has read."""
    commit_keeping_loaded()
    return _page(casework, framework, assessment_id, versions=versions)


def _consent_state(consent: Consent | None) -> ConsentState:
    return consent_state(consent is not None, consent.withdrawn_on if consent else None)


def start_assessment(
    actor: Actor, family_id: int, member_ids: Sequence[int], framework: Framework
) -> AssessmentsPage:
    """Start an EHA of the chosen children: the family's first, or a reassessment."""
    casework = load_casework(actor, family_id, keeping=True)
    episode = casework.open_episode
    # Locked, so consent cannot be withdrawn in the moment between this check and the start.
    consent = current_consent(episode.id, for_update=True)
    # The family's EHAs: a handful, read once for the draft under way and the next number.
    versions = db.session.execute(
        select(Assessment.number, Assessment.episode_id, Assessment.status).where(
            Assessment.family_id == family_id
        )
    ).all()
    draft_number = next(
        (
            number
            for number, episode_id, status in versions
            if episode_id == episode.id and status is AssessmentStatus.DRAFT
        ),
        None,
    )
    reason = why_cannot_start(
        _consent_state(consent),
        episode.status,
        draft_number,
        consent.withdrawn_on if consent else None,
    )
    if reason:
        raise AssessmentCannotStart(_page_as_it_is(casework, framework), reason)
    children = [member for member in casework.family.members if member.is_child]
    problems = start_problems(member_ids, [child.id for child in children])
    if problems:
        raise AssessmentInvalid(_page_as_it_is(casework, framework), problems)
    chosen = [child for child in children if child.id in set(member_ids)]
    number = max((number for number, _, _ in versions), default=0) + 1
    assessment = Assessment(
        family_id=family_id,
        episode_id=episode.id,
        number=number,
        member_ids=[child.id for child in chosen],
        started_by=actor.user,
        started_at=utcnow(),
    )
    db.session.add(assessment)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone else started this number a moment ago: theirs is the draft to continue.
        page = _refused_page(actor, family_id, framework)
        raise AssessmentCannotStart(page, page.why_cannot_start or "") from None
    names = " and ".join(child.given_name for child in chosen)
    what = "Early Help Assessment" if number == 1 else "Reassessment"
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        kind=EventKind.ASSESSMENT_STARTED,
        summary=f"{what} (EHA {number}) started for {names}",
        actor_id=actor.user_id,
        detail={"assessment_id": assessment.id, "number": number},
    )
    next_status = status_after_start(episode.status)
    if next_status is not None:
        stage_status_change(actor, episode, next_status)
    audit_by(actor, "create", "assessment", object_id=assessment.id, family_id=family_id)
    commit_keeping_loaded()
    return _page(casework, framework, assessment.id, consent=consent)


def _claim_draft(
    casework: Casework, assessment_id: int, framework: Framework
) -> tuple[Assessment, tuple[Assessment, ...]]:
    """The assessment, if it may still be changed, with its row locked until this
    transaction ends; and the family's versions, read under that lock for the page.

    The lock is an UPDATE that changes nothing, made only while the assessment is a draft:
    PostgreSQL then holds the row, and SQLite its one write lock, so a save and a
    completion of the same assessment happen one after the other and the second sees
    what the first did.
    """
    claimed = db.session.execute(
        update(Assessment)
        .where(
            Assessment.id == assessment_id,
            Assessment.family_id == casework.family.id,
            Assessment.status == AssessmentStatus.DRAFT,
        )
        .values(version=Assessment.version)
        .execution_options(synchronize_session=False)
    ).rowcount
    versions = _versions(casework)
    assessment = next((version for version in versions if version.id == assessment_id), None)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    if not claimed or assessment.episode_id != casework.open_episode.id:
        commit_keeping_loaded()
        raise AssessmentLocked(_page(casework, framework, assessment_id, versions=versions))
    return assessment, versions


def _section_row(assessment_id: int, member_id: int, key: str) -> AssessmentSection | None:
    return db.session.scalar(
        select(AssessmentSection).where(
            AssessmentSection.assessment_id == assessment_id,
            AssessmentSection.member_id == member_id,
            AssessmentSection.section == key,
        )
    )


def _conflict(page: AssessmentsPage, key: tuple[int, str]) -> SectionConflict:
    assert page.shown is not None
    return SectionConflict(page, page.shown.saved[key])


def save_section(
    actor: Actor,
    family_id: int,
    assessment_id: int,
    member_id: int,
    section_key: str,
    expected_version: int,
    answers: Mapping[str, str],
    framework: Framework,
) -> AssessmentsPage:
    """Save one child's section, if nobody saved it since `expected_version` was read (0:
    never saved); otherwise raise SectionConflict with what is saved now."""
    casework = load_casework(actor, family_id, keeping=True)
    section = section_by_key(framework_sections(framework), section_key)
    assessment, versions = _claim_draft(casework, assessment_id, framework)
    if section is None or member_id not in assessment.member_ids:
        raise AssessmentNotFound(assessment_id)
    typed = {q.key: answers.get(q.key, "").strip() for q in section.questions}
    problems = answer_problems(section, typed)
    if problems:
        page = _page_as_it_is(casework, framework, assessment_id, versions)
        raise AssessmentInvalid(page, problems)
    key = (member_id, section_key)
    row = _section_row(assessment.id, member_id, section_key)
    if row is None and expected_version != 0:
        raise AssessmentNotFound(assessment_id)
    if row is not None and row.version != expected_version:
        raise _conflict(_page_as_it_is(casework, framework, assessment_id, versions), key)
    if row is not None and row.answers == typed:
        # Saved twice without a change: nothing to write, nothing for the chronology.
        return _page_as_it_is(casework, framework, assessment_id, versions)
    if row is None:
        row = AssessmentSection(
            assessment_id=assessment.id, member_id=member_id, section=section_key
        )
        db.session.add(row)
    row.answers = typed
    row.updated_by = actor.user
    row.updated_at = utcnow()
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Someone else's save landed between our read and our write.
        page = _refused_page(actor, family_id, framework, assessment_id)
        raise _conflict(page, key) from None
    child = next(member for member in casework.family.members if member.id == member_id)
    add_timeline_event(
        family_id=family_id,
        episode_id=assessment.episode_id,
        member_id=member_id,
        kind=EventKind.ASSESSMENT_SECTION_SAVED,
        summary=f"{section.title} saved for {child.given_name} (EHA {assessment.number})",
        actor_id=actor.user_id,
        detail={"assessment_id": assessment.id, "section": section_key},
    )
    audit_by(actor, "update", "assessment_section", object_id=row.id, family_id=family_id)
    commit_keeping_loaded()
    return _page(casework, framework, assessment_id, versions=versions)


def complete_assessment(
    actor: Actor, family_id: int, assessment_id: int, framework: Framework
) -> AssessmentsPage:
    """Complete a draft EHA whose every section is answered for every child, while the
    family's consent is in place. The first completion starts the plan."""
    casework = load_casework(actor, family_id, keeping=True)
    episode = casework.open_episode
    assessment, versions = _claim_draft(casework, assessment_id, framework)
    rows = _section_rows(assessment.id)
    missing = missing_before_completion(
        framework_sections(framework),
        assessment.member_ids,
        {(row.member_id or 0, row.section): row.answers for row in rows},
    )
    consent = current_consent(episode.id)
    reason = why_cannot_complete(_consent_state(consent), missing)
    if reason:
        commit_keeping_loaded()
        page = _page(
            casework, framework, assessment_id, versions=versions, rows=rows, consent=consent
        )
        raise AssessmentIncomplete(page, reason, missing)
    completed_at = utcnow()
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_by = actor.user
    assessment.completed_at = completed_at
    try:
        db.session.flush()
    except StaleDataError:
        raise AssessmentLocked(_refused_page(actor, family_id, framework, assessment_id)) from None
    members = {member.id: member for member in casework.family.members}
    names = " and ".join(members[i].given_name for i in assessment.member_ids if i in members)
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        kind=EventKind.ASSESSMENT_COMPLETED,
        summary=f"EHA {assessment.number} completed for {names}",
        actor_id=actor.user_id,
        occurred_at=completed_at,
        detail={"assessment_id": assessment.id, "number": assessment.number},
    )
    next_status = status_after_completion(episode.status)
    if next_status is not None:
        stage_status_change(actor, episode, next_status, at=completed_at)
    audit_by(actor, "update", "assessment", object_id=assessment.id, family_id=family_id)
    commit_keeping_loaded()
    return _page(casework, framework, assessment_id, versions=versions, rows=rows, consent=consent)
