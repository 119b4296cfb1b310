"""Consent and the Early Help Assessment (EHA), as data and pure rules.

The EHA's sections and questions are data: each included child has the same sections,
three of them named after the assessment domains of the threshold framework in force.
The rules say when an EHA may start (recorded consent that has not been withdrawn, an
allocated episode, no other draft), when it may be changed (only while a draft), what is
still missing before it can be completed, and how the episode moves on. They take plain
values, so they are tested as tables without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from caseapp.domain.casework import AssessmentStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.triage_rules import Problem

# Longest answer to one question: a few pages of typing, far beyond a real answer, and
# well short of what would make a page slow.
MAX_ANSWER_LENGTH = 10_000
MAX_NAME_LENGTH = 200
MAX_AGENCY_LENGTH = 200
MAX_AGENCIES = 30
MAX_NOTE_LENGTH = 5_000


# --- the sections and their questions ------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Section:
    """One part of a child's EHA, saved on its own."""

    key: str
    title: str
    questions: tuple[Question, ...]

    def answered(self, answers: Mapping[str, object]) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions if _has_text(answers.get(q.key)))

    def unanswered(self, answers: Mapping[str, object]) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not _has_text(answers.get(q.key)))


def _has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


REASON = Section(
    "reason",
    "Reason for the request",
    (
        Question(
            "reason",
            "Why does this child need early help now?",
            "What prompted the request, in the family's and the referrer's words where you can",
        ),
    ),
)


def domain_section(code: str, name: str) -> Section:
    """A section for one side of the assessment triangle, titled as the framework names it."""
    return Section(
        code,
        name,
        (
            Question("strengths", "Strengths", "What is going well here, and who helps"),
            Question("needs", "Needs", "What needs to change here. If there are none, say so"),
        ),
    )


SUMMARY = Section(
    "summary",
    "Working well, worries and next steps",
    (
        Question("working_well", "What is working well?"),
        Question("worries", "What are we worried about?"),
        Question("next_steps", "What needs to happen?"),
    ),
)
CHILD_VOICE = Section(
    "child_voice",
    "The child's voice",
    (
        Question(
            "child_voice",
            "What does the child say about their life?",
            "In their words where you can. For a baby or a child who cannot say, what you "
            "saw of their day-to-day life",
        ),
    ),
)
PARENTS_VIEWS = Section(
    "parents_views",
    "Parents' and carers' views",
    (Question("parents_views", "What do the parents or carers think?"),),
)
ANALYSIS = Section(
    "analysis",
    "Analysis",
    (
        Question(
            "analysis",
            "What does it mean for the child?",
            "Weigh the strengths against the needs and worries: the impact on the child, "
            "and what is likely to happen without support",
        ),
    ),
)


def eha_sections(domains: Sequence[tuple[str, str]]) -> tuple[Section, ...]:
    """Each child's sections in the order the page asks them; `domains` are the framework's
    (code, name) pairs. Every section must be answered before the EHA is completed."""
    return (
        REASON,
        *(domain_section(code, name) for code, name in domains),
        SUMMARY,
        CHILD_VOICE,
        PARENTS_VIEWS,
        ANALYSIS,
    )


def section_by_key(sections: Sequence[Section], key: str) -> Section | None:
    return next((section for section in sections if section.key == key), None)


def draft_key(assessment_id: int, member_id: int, section_key: str) -> str:
    """The key the drafts helper keeps unsaved typing under: ids and codes, no names."""
    return f"eha-{assessment_id}-child-{member_id}-{section_key}"


class SectionState(StrEnum):
    NOT_STARTED = "not_started"
    PARTLY_ANSWERED = "partly_answered"
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        return {
            SectionState.NOT_STARTED: "Not started",
            SectionState.PARTLY_ANSWERED: "Partly answered",
            SectionState.ANSWERED: "Answered",
        }[self]


def section_state(section: Section, answers: Mapping[str, object] | None) -> SectionState:
    if answers is None:
        return SectionState.NOT_STARTED
    answered = len(section.answered(answers))
    if answered == len(section.questions):
        return SectionState.ANSWERED
    return SectionState.PARTLY_ANSWERED if answered else SectionState.NOT_STARTED


def answer_problems(section: Section, answers: Mapping[str, str]) -> list[Problem]:
    """A section may be saved with blanks (it is a draft); only overlong answers are refused."""
    return [
        Problem(
            question.key,
            f"{question.label.rstrip('?')} must be {MAX_ANSWER_LENGTH:,} characters or fewer",
        )
        for question in section.questions
        if len(answers.get(question.key, "")) > MAX_ANSWER_LENGTH
    ]


@dataclass(frozen=True)
class Missing:
    """A section of one child's EHA with questions still unanswered."""

    member_id: int
    section: Section
    questions: tuple[Question, ...]


def missing_before_completion(
    sections: Sequence[Section],
    member_ids: Sequence[int],
    saved: Mapping[tuple[int, str], Mapping[str, object]],
) -> list[Missing]:
    """Every unanswered question of every section for every included child, in page order.
    `saved` maps (child, section key) to the answers saved so far."""
    missing = []
    for member_id in member_ids:
        for section in sections:
            unanswered = section.unanswered(saved.get((member_id, section.key), {}))
            if unanswered:
                missing.append(Missing(member_id, section, unanswered))
    return missing


# --- consent -------------------------------------------------------------------------------


class ConsentState(StrEnum):
    NONE = "none"
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


def consent_state(has_consent: bool, withdrawn_on: date | None) -> ConsentState:
    """The state of the episode's most recent consent."""
    if not has_consent:
        return ConsentState.NONE
    return ConsentState.WITHDRAWN if withdrawn_on is not None else ConsentState.GIVEN


def consent_problems(
    given_by_name: str,
    given_on: date | None,
    share_with: Sequence[str],
    not_to_share: str,
    today: date,
) -> list[Problem]:
    """What is wrong with a consent as recorded (the form checks the choices themselves)."""
    problems = []
    if not given_by_name.strip():
        problems.append(Problem("given_by", "Select who gave consent, or enter their name"))
    elif len(given_by_name) > MAX_NAME_LENGTH:
        problems.append(
            Problem("given_by_name", f"Name must be {MAX_NAME_LENGTH} characters or fewer")
        )
    if given_on is None:
        problems.append(Problem("given_on", "Enter the date consent was given"))
    elif given_on > today:
        problems.append(Problem("given_on", "The date consent was given must be today or earlier"))
    if len(share_with) > MAX_AGENCIES or any(len(name) > MAX_AGENCY_LENGTH for name in share_with):
        problems.append(
            Problem(
                "share_with_other",
                f"List up to {MAX_AGENCIES} agencies of {MAX_AGENCY_LENGTH} characters or fewer",
            )
        )
    if len(not_to_share) > MAX_NOTE_LENGTH:
        problems.append(
            Problem("not_to_share", f"This must be {MAX_NOTE_LENGTH:,} characters or fewer")
        )
    return problems


def withdrawal_problems(
    given_on: date,
    withdrawn_on: date | None,
    already_withdrawn_on: date | None,
    note: str,
    today: date,
) -> list[Problem]:
    if already_withdrawn_on is not None:
        return [Problem("withdrawn_on", "This consent has already been withdrawn")]
    problems = []
    if withdrawn_on is None:
        problems.append(Problem("withdrawn_on", "Enter the date consent was withdrawn"))
    elif withdrawn_on > today:
        problems.append(
            Problem("withdrawn_on", "The date consent was withdrawn must be today or earlier")
        )
    elif withdrawn_on < given_on:
        problems.append(
            Problem(
                "withdrawn_on",
                "The date consent was withdrawn must be on or after the date it was given",
            )
        )
    if len(note) > MAX_NOTE_LENGTH:
        problems.append(
            Problem("withdrawal_note", f"Reason must be {MAX_NOTE_LENGTH:,} characters or fewer")
        )
    return problems


# --- the EHA's life ------------------------------------------------------------------------

# An EHA is started once a lead worker has the family, and again for a reassessment while
# the plan runs. Before allocation nobody keeps the record; during a step up or closure the
# decision comes first.
STARTABLE_STATUSES: frozenset[EpisodeStatus] = frozenset(
    {
        EpisodeStatus.ALLOCATED,
        EpisodeStatus.ASSESSMENT,
        EpisodeStatus.PLAN_ACTIVE,
        EpisodeStatus.REVIEW,
    }
)


def why_cannot_start(
    consent: ConsentState,
    episode_status: EpisodeStatus,
    draft_number: int | None,
    consent_withdrawn_on: date | None = None,
) -> str | None:
    """Why an EHA cannot be started now, in the words the page shows; None if it can.
    `draft_number` is the number of an EHA still in draft, if there is one."""
    if episode_status not in STARTABLE_STATUSES:
        return (
            f"An assessment cannot be started while the episode is {episode_status.label.lower()}."
        )
    if draft_number is not None:
        return f"EHA {draft_number} is still a draft. Complete it before starting another."
    if consent is ConsentState.NONE:
        return "Record the family's consent before starting an assessment."
    if consent is ConsentState.WITHDRAWN:
        when = (
            f" on {consent_withdrawn_on.day} {consent_withdrawn_on:%B %Y}"
            if consent_withdrawn_on
            else ""
        )
        return (
            f"The family withdrew consent{when}. Record fresh consent before starting an "
            "assessment."
        )
    return None


def start_problems(chosen: Collection[int], children: Collection[int]) -> list[Problem]:
    if not chosen or not set(chosen) <= set(children):
        return [Problem("children", "Select the children this assessment is about")]
    return []


def can_edit(status: AssessmentStatus) -> bool:
    """A completed EHA is a record of what was assessed then: it is never changed."""
    return status is AssessmentStatus.DRAFT


def why_cannot_complete(consent: ConsentState, missing: Sequence[Missing]) -> str | None:
    if consent is not ConsentState.GIVEN:
        return "The family's consent is not in place. Record fresh consent before completing."
    if missing:
        return "Answer every section for every child before completing the assessment."
    return None


def status_after_start(status: EpisodeStatus) -> EpisodeStatus | None:
    """The first EHA moves an allocated episode into assessment; a reassessment leaves the
    plan's state alone."""
    return EpisodeStatus.ASSESSMENT if status is EpisodeStatus.ALLOCATED else None


def status_after_completion(status: EpisodeStatus) -> EpisodeStatus | None:
    return EpisodeStatus.PLAN_ACTIVE if status is EpisodeStatus.ASSESSMENT else None
