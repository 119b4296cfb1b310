"""The rules of consent and the EHA, as tables: no database, no app."""

from __future__ import annotations

from datetime import date

import pytest

from caseapp.domain.assessment import (
    STARTABLE_STATUSES,
    ConsentState,
    SectionState,
    answer_problems,
    can_edit,
    consent_problems,
    consent_state,
    draft_key,
    eha_sections,
    missing_before_completion,
    section_by_key,
    section_state,
    start_problems,
    status_after_completion,
    status_after_start,
    why_cannot_complete,
    why_cannot_start,
    withdrawal_problems,
)
from caseapp.domain.casework import AssessmentStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.frameworks import load_framework

TODAY = date(2026, 11, 27)
DOMAINS = (
    ("child_development", "Child's development"),
    ("parenting_capacity", "Parenting capacity"),
    ("family_environment", "Family and environment"),
)
SECTIONS = eha_sections(DOMAINS)


def test_the_sections_in_page_order() -> None:
    assert [section.key for section in SECTIONS] == [
        "reason",
        "child_development",
        "parenting_capacity",
        "family_environment",
        "summary",
        "child_voice",
        "parents_views",
        "analysis",
    ]
    assert section_by_key(SECTIONS, "parenting_capacity").title == "Parenting capacity"
    assert [q.key for q in section_by_key(SECTIONS, "summary").questions] == [
        "working_well",
        "worries",
        "next_steps",
    ]
    assert section_by_key(SECTIONS, "nonsense") is None


@pytest.mark.parametrize("key", ["staffordshire", "york", "barnsley", "wokingham"])
def test_every_framework_names_its_own_domains(key: str) -> None:
    framework = load_framework(key)
    sections = eha_sections([(d.code, d.name) for d in framework.domains])
    assert [s.title for s in sections[1:4]] == [d.name for d in framework.domains]
    # Keys are stored in the database and in draft keys: short, and the same everywhere.
    assert all(len(s.key) <= 40 for s in sections)


def test_draft_keys_hold_only_ids_and_codes() -> None:
    assert draft_key(12, 5, "child_development") == "eha-12-child-5-child_development"


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (None, SectionState.NOT_STARTED),
        ({}, SectionState.NOT_STARTED),
        ({"working_well": "  ", "worries": "", "next_steps": ""}, SectionState.NOT_STARTED),
        ({"working_well": "Lots"}, SectionState.PARTLY_ANSWERED),
        ({"working_well": "a", "worries": "b", "next_steps": " "}, SectionState.PARTLY_ANSWERED),
        ({"working_well": "a", "worries": "b", "next_steps": "c"}, SectionState.ANSWERED),
        ({"working_well": "a", "worries": "b", "next_steps": 3}, SectionState.PARTLY_ANSWERED),
    ],
)
def test_section_state(answers: dict[str, object] | None, state: SectionState) -> None:
    assert section_state(section_by_key(SECTIONS, "summary"), answers) is state


@pytest.mark.parametrize(("length", "refused"), [(0, False), (10_000, False), (10_001, True)])
def test_answers_may_be_blank_but_not_overlong(length: int, refused: bool) -> None:
    problems = answer_problems(section_by_key(SECTIONS, "analysis"), {"analysis": "x" * length})
    assert bool(problems) is refused
    if refused:
        assert problems[0].field == "analysis"


def test_what_is_missing_before_completion() -> None:
    full = {(section.key): {q.key: "answered" for q in section.questions} for section in SECTIONS}
    saved = {(1, key): answers for key, answers in full.items()}
    saved |= {(2, "reason"): {"reason": "Because"}, (2, "summary"): {"worries": "Sleep"}}
    missing = missing_before_completion(SECTIONS, [1, 2], saved)
    assert [(gap.member_id, gap.section.key) for gap in missing] == [
        (2, "child_development"),
        (2, "parenting_capacity"),
        (2, "family_environment"),
        (2, "summary"),
        (2, "child_voice"),
        (2, "parents_views"),
        (2, "analysis"),
    ]
    summary = next(gap for gap in missing if gap.section.key == "summary")
    assert [q.key for q in summary.questions] == ["working_well", "next_steps"]
    assert missing_before_completion(SECTIONS, [1], saved) == []
    # A child added to the assessment has everything missing.
    assert len(missing_before_completion(SECTIONS, [3], saved)) == len(SECTIONS)


@pytest.mark.parametrize(
    ("has_consent", "withdrawn_on", "state"),
    [
        (False, None, ConsentState.NONE),
        (True, None, ConsentState.GIVEN),
        (True, TODAY, ConsentState.WITHDRAWN),
    ],
)
def test_consent_state(has_consent: bool, withdrawn_on: date | None, state: ConsentState) -> None:
    assert consent_state(has_consent, withdrawn_on) is state


@pytest.mark.parametrize(
    ("consent", "status", "draft", "reason"),
    [
        (ConsentState.GIVEN, EpisodeStatus.ALLOCATED, None, None),
        (ConsentState.GIVEN, EpisodeStatus.PLAN_ACTIVE, None, None),
        (ConsentState.GIVEN, EpisodeStatus.REVIEW, None, None),
        (ConsentState.GIVEN, EpisodeStatus.ASSESSMENT, None, None),
        (ConsentState.NONE, EpisodeStatus.ALLOCATED, None, "Record the family's consent"),
        (ConsentState.WITHDRAWN, EpisodeStatus.ALLOCATED, None, "The family withdrew consent on"),
        (ConsentState.WITHDRAWN, EpisodeStatus.PLAN_ACTIVE, None, "Record fresh consent"),
        (ConsentState.GIVEN, EpisodeStatus.ASSESSMENT, 1, "EHA 1 is still a draft"),
        (ConsentState.NONE, EpisodeStatus.ASSESSMENT, 2, "EHA 2 is still a draft"),
        (ConsentState.GIVEN, EpisodeStatus.TRIAGE, None, "while the episode is in triage"),
        (ConsentState.GIVEN, EpisodeStatus.AWAITING_ALLOCATION, None, "awaiting allocation"),
        (ConsentState.GIVEN, EpisodeStatus.STEP_UP_REQUESTED, None, "step up requested"),
        (ConsentState.GIVEN, EpisodeStatus.CLOSED, None, "while the episode is closed"),
    ],
)
def test_when_an_eha_can_start(
    consent: ConsentState, status: EpisodeStatus, draft: int | None, reason: str | None
) -> None:
    why = why_cannot_start(consent, status, draft, TODAY)
    if reason is None:
        assert why is None
    else:
        assert why is not None and reason in why


@pytest.mark.parametrize("status", list(EpisodeStatus))
def test_only_allocated_episodes_and_running_plans_can_start_an_eha(status: EpisodeStatus):
    can_start = why_cannot_start(ConsentState.GIVEN, status, None) is None
    assert can_start is (status in STARTABLE_STATUSES)
    assert can_start is (
        status
        in {
            EpisodeStatus.ALLOCATED,
            EpisodeStatus.ASSESSMENT,
            EpisodeStatus.PLAN_ACTIVE,
            EpisodeStatus.REVIEW,
        }
    )


def test_the_withdrawal_date_is_said_in_words() -> None:
    why = why_cannot_start(ConsentState.WITHDRAWN, EpisodeStatus.ALLOCATED, None, date(2026, 3, 4))
    assert why is not None and "on 4 March 2026." in why


@pytest.mark.parametrize(
    ("chosen", "children", "ok"),
    [
        ([1], [1, 2], True),
        ([1, 2], [1, 2], True),
        ([], [1, 2], False),
        ([3], [1, 2], False),
        ([1, 3], [1, 2], False),
    ],
)
def test_starting_needs_children_of_the_family(chosen, children, ok: bool) -> None:
    assert (start_problems(chosen, children) == []) is ok


@pytest.mark.parametrize(
    ("status", "editable"), [(AssessmentStatus.DRAFT, True), (AssessmentStatus.COMPLETED, False)]
)
def test_only_a_draft_can_be_edited(status: AssessmentStatus, editable: bool) -> None:
    assert can_edit(status) is editable


@pytest.mark.parametrize(
    ("consent", "missing", "reason"),
    [
        (ConsentState.GIVEN, False, None),
        (ConsentState.GIVEN, True, "Answer every section"),
        (ConsentState.WITHDRAWN, False, "consent is not in place"),
        (ConsentState.NONE, False, "consent is not in place"),
    ],
)
def test_when_an_eha_can_be_completed(
    consent: ConsentState, missing: bool, reason: str | None
) -> None:
    gaps = missing_before_completion(SECTIONS, [1], {}) if missing else []
    why = why_cannot_complete(consent, gaps)
    assert (why is None) if reason is None else (why is not None and reason in why)


@pytest.mark.parametrize(
    ("status", "after_start", "after_completion"),
    [
        (EpisodeStatus.ALLOCATED, EpisodeStatus.ASSESSMENT, None),
        (EpisodeStatus.ASSESSMENT, None, EpisodeStatus.PLAN_ACTIVE),
        (EpisodeStatus.PLAN_ACTIVE, None, None),
        (EpisodeStatus.REVIEW, None, None),
    ],
)
def test_how_the_episode_moves_on(
    status: EpisodeStatus,
    after_start: EpisodeStatus | None,
    after_completion: EpisodeStatus | None,
) -> None:
    assert status_after_start(status) is after_start
    assert status_after_completion(status) is after_completion


@pytest.mark.parametrize(
    ("name", "given_on", "share_with", "not_to_share", "fields"),
    [
        ("Pat Turner", TODAY, ["GP"], "", []),
        ("Pat Turner", TODAY, [], "", []),
        ("", TODAY, [], "", ["given_by"]),
        ("  ", TODAY, [], "", ["given_by"]),
        ("x" * 201, TODAY, [], "", ["given_by_name"]),
        ("Pat", None, [], "", ["given_on"]),
        ("Pat", date(2026, 11, 28), [], "", ["given_on"]),
        ("Pat", TODAY, ["x" * 201], "", ["share_with_other"]),
        ("Pat", TODAY, ["GP"] * 31, "", ["share_with_other"]),
        ("Pat", TODAY, [], "x" * 5001, ["not_to_share"]),
        ("", None, [], "x" * 5001, ["given_by", "given_on", "not_to_share"]),
    ],
)
def test_consent_problems(name, given_on, share_with, not_to_share, fields) -> None:
    problems = consent_problems(name, given_on, share_with, not_to_share, TODAY)
    assert [problem.field for problem in problems] == fields


@pytest.mark.parametrize(
    ("withdrawn_on", "already", "note", "message"),
    [
        (TODAY, None, "", None),
        (date(2026, 11, 1), None, "Moved on", None),
        (None, None, "", "Enter the date consent was withdrawn"),
        (date(2026, 11, 28), None, "", "must be today or earlier"),
        (date(2026, 10, 31), None, "", "on or after the date it was given"),
        (TODAY, date(2026, 11, 20), "", "already been withdrawn"),
        (TODAY, None, "x" * 5001, "Reason must be 5,000 characters or fewer"),
    ],
)
def test_withdrawal_problems(withdrawn_on, already, note, message) -> None:
    problems = withdrawal_problems(date(2026, 11, 1), withdrawn_on, already, note, TODAY)
    if message is None:
        assert problems == []
    else:
        assert message in problems[0].message
