"""The triage and allocation rules as tables: pure functions, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import TriageOutcome
from caseapp.domain.triage_rules import (
    ChildChoice,
    RequestFacts,
    TriageChoices,
    allocation_problems,
    can_allocate,
    can_triage,
    outcome_mismatch,
    triage_problems,
)
from caseapp.frameworks import load_framework

FRAMEWORK = load_framework("staffordshire")
TODAY = date(2026, 11, 27)
FACTS = RequestFacts(
    significant_harm=False, outside_referrer=True, received_on=date(2026, 11, 25), today=TODAY
)
MAISIE = ChildChoice(1, "Maisie", "targeted_early_help", ("teh-cd-01",))
LEO = ChildChoice(2, "Leo", "earliest_help")
VALID = TriageChoices(
    outcome=TriageOutcome.EARLY_HELP,
    rationale="Needs across two domains.",
    children=(MAISIE, LEO),
    referrer_told_how="phone",
    referrer_told_on=TODAY,
)


@pytest.mark.parametrize(
    ("outcome", "services", "significant_harm", "needs_reason"),
    [
        (TriageOutcome.ADVICE, ["universal"], False, None),
        # Earliest help is often met by the people already there, with advice from the Hub.
        (TriageOutcome.ADVICE, ["universal", "early_help"], False, None),
        (TriageOutcome.ADVICE, ["social_care"], False, "not a step up"),
        (TriageOutcome.ADVICE, ["universal"], True, "Significant harm is suspected"),
        (TriageOutcome.EARLY_HELP, ["early_help", "universal"], False, None),
        (TriageOutcome.EARLY_HELP, ["universal", "universal"], False, "early help level"),
        (TriageOutcome.EARLY_HELP, ["early_help", "social_care"], False, "not a step up"),
        (TriageOutcome.EARLY_HELP, ["early_help"], True, "Significant harm is suspected"),
        (TriageOutcome.STEP_UP, ["social_care", "early_help"], False, None),
        (TriageOutcome.STEP_UP, ["social_care"], True, None),
        (TriageOutcome.STEP_UP, ["early_help"], False, "No child is at a social care level"),
        (TriageOutcome.STEP_UP, ["early_help"], True, "No child is at a social care level"),
    ],
)
def test_outcome_mismatch(
    outcome: TriageOutcome, services: list[str], significant_harm: bool, needs_reason: str | None
) -> None:
    reason = outcome_mismatch(outcome, services, significant_harm)
    if needs_reason is None:
        assert reason is None
    else:
        assert reason is not None and needs_reason in reason


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({}, []),
        ({"rationale": "   "}, ["rationale"]),
        ({"outcome": None}, ["outcome"]),
        ({"children": (replace(MAISIE, level_code=""), LEO)}, ["level_1"]),
        ({"children": (replace(MAISIE, level_code="level-9"), LEO)}, ["level_1"]),
        ({"children": (MAISIE, replace(LEO, indicator_codes=("nope",)))}, ["indicators_2"]),
        # No child at an early help level: early help needs the coordinator's reason...
        (
            {
                "children": (
                    replace(MAISIE, level_code="universal"),
                    replace(LEO, level_code="universal"),
                )
            },
            ["outcome_reason"],
        ),
        # ...and with one it is accepted.
        (
            {
                "children": (replace(MAISIE, level_code="universal"),),
                "outcome_reason": "Parents asked for help with routines.",
            },
            [],
        ),
        # The outcome is compared with levels only once every level is a real one.
        ({"children": (replace(MAISIE, level_code="level-9"),)}, ["level_1"]),
        (
            {
                "outcome": TriageOutcome.STEP_UP,
                "children": (replace(MAISIE, level_code="statutory_specialist"),),
            },
            ["social_care_route", "social_care_contacted"],
        ),
        (
            {
                "outcome": TriageOutcome.STEP_UP,
                "children": (replace(MAISIE, level_code="statutory_specialist"),),
                "social_care_route": "SCAS by phone",
                "social_care_contacted": "Ruth Adams",
            },
            [],
        ),
        ({"referrer_told_how": ""}, ["referrer_told_how"]),
        ({"referrer_told_how": "pigeon"}, ["referrer_told_how"]),
        ({"referrer_told_on": None}, ["referrer_told_on"]),
        ({"referrer_told_on": date(2026, 11, 28)}, ["referrer_told_on"]),
        ({"referrer_told_on": date(2026, 11, 24)}, ["referrer_told_on"]),
        ({"referrer_told_on": date(2026, 11, 25)}, []),
    ],
)
def test_triage_problems(change: dict[str, object], fields: list[str]) -> None:
    choices = replace(VALID, **change)  # type: ignore[arg-type]
    assert [problem.field for problem in triage_problems(choices, FACTS, FRAMEWORK)] == fields


def test_a_referrer_who_uses_the_app_is_not_asked_how_they_were_told() -> None:
    choices = replace(VALID, referrer_told_how="", referrer_told_on=None)
    facts = replace(FACTS, outside_referrer=False)
    assert triage_problems(choices, facts, FRAMEWORK) == []


def test_significant_harm_without_a_step_up_needs_a_reason() -> None:
    facts = replace(FACTS, significant_harm=True)
    assert [p.field for p in triage_problems(VALID, facts, FRAMEWORK)] == ["outcome_reason"]


def test_problems_name_the_child() -> None:
    choices = replace(VALID, children=(replace(MAISIE, level_code=""),))
    (problem,) = triage_problems(choices, FACTS, FRAMEWORK)
    assert problem.message == "Select a level of need for Maisie"


@pytest.mark.parametrize(
    ("status", "triageable"),
    [
        (status, status in {EpisodeStatus.REQUESTED, EpisodeStatus.TRIAGE})
        for status in EpisodeStatus
    ],
)
def test_can_triage(status: EpisodeStatus, triageable: bool) -> None:
    assert can_triage(status) is triageable


@pytest.mark.parametrize(
    ("status", "has_lead", "allowed"),
    [
        (EpisodeStatus.REQUESTED, False, False),
        (EpisodeStatus.TRIAGE, False, False),
        (EpisodeStatus.AWAITING_ALLOCATION, False, True),
        (EpisodeStatus.ALLOCATED, True, True),
        (EpisodeStatus.PLAN_ACTIVE, True, True),
        (EpisodeStatus.REVIEW, True, True),
        (EpisodeStatus.STEP_UP_REQUESTED, True, True),
        # Open to social care with nobody from early help: no lead worker to change.
        (EpisodeStatus.STEPPED_UP, False, False),
        (EpisodeStatus.STEPPED_UP, True, True),
        (EpisodeStatus.STEP_DOWN_REQUESTED, False, True),
        (EpisodeStatus.CLOSED, True, False),
        (EpisodeStatus.CLOSED, False, False),
    ],
)
def test_can_allocate(status: EpisodeStatus, has_lead: bool, allowed: bool) -> None:
    assert can_allocate(status, has_lead) is allowed


@pytest.mark.parametrize(
    ("status", "current", "chosen", "reason", "fields"),
    [
        (EpisodeStatus.AWAITING_ALLOCATION, None, 7, "", []),
        (EpisodeStatus.AWAITING_ALLOCATION, None, None, "", ["lead_worker"]),
        (EpisodeStatus.ALLOCATED, 7, 8, "Gemma is on long-term leave", []),
        # Reassignment needs a reason.
        (EpisodeStatus.ALLOCATED, 7, 8, "  ", ["reason"]),
        (EpisodeStatus.ALLOCATED, 7, 7, "Same person", ["lead_worker"]),
        (EpisodeStatus.ALLOCATED, 7, None, "", ["lead_worker", "reason"]),
        (EpisodeStatus.TRIAGE, None, 7, "", ["lead_worker"]),
        (EpisodeStatus.CLOSED, 7, 8, "Too late", ["lead_worker"]),
    ],
)
def test_allocation_problems(
    status: EpisodeStatus, current: int | None, chosen: int | None, reason: str, fields: list[str]
) -> None:
    problems = allocation_problems(status, current, chosen, reason)
    assert [problem.field for problem in problems] == fields
