"""The rules of TAF meetings, as tables: which kind a new meeting is, the next date, times
as people type them, and what arranging or recording a meeting requires."""

from __future__ import annotations

from datetime import date, time

import pytest

from caseapp.domain.casework import MeetingKind
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.meetings import (
    ActionEntry,
    AttendeeEntry,
    MeetingRecord,
    ScoreEntry,
    default_next_meeting_on,
    kind_for_new_meeting,
    parse_time_of_day,
    recording_problems,
    scheduling_problems,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("held", "status", "kind"),
    [
        (0, EpisodeStatus.ALLOCATED, MeetingKind.INITIAL),
        (0, EpisodeStatus.ASSESSMENT, MeetingKind.INITIAL),
        (0, EpisodeStatus.PLAN_ACTIVE, MeetingKind.INITIAL),
        (0, EpisodeStatus.STEPPED_UP, MeetingKind.STEP_DOWN),
        (0, EpisodeStatus.STEP_DOWN_REQUESTED, MeetingKind.STEP_DOWN),
        (1, EpisodeStatus.PLAN_ACTIVE, MeetingKind.REVIEW),
        (1, EpisodeStatus.STEP_DOWN_REQUESTED, MeetingKind.REVIEW),
        (7, EpisodeStatus.REVIEW, MeetingKind.REVIEW),
    ],
)
def test_kind_for_new_meeting(held: int, status: EpisodeStatus, kind: MeetingKind) -> None:
    assert kind_for_new_meeting(held, status) is kind


@pytest.mark.parametrize(
    ("held_on", "weeks", "next_on"),
    [
        (date(2026, 11, 27), 6, date(2027, 1, 8)),
        (date(2026, 2, 16), 6, date(2026, 3, 30)),
        (date(2026, 11, 27), 4, date(2026, 12, 25)),
        (date(2024, 1, 18), 6, date(2024, 2, 29)),
    ],
)
def test_default_next_meeting_on(held_on: date, weeks: int, next_on: date) -> None:
    assert default_next_meeting_on(held_on, weeks) == next_on


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("10am", time(10, 0)),
        ("10 am", time(10, 0)),
        ("10:30am", time(10, 30)),
        ("2.15pm", time(14, 15)),
        ("2:15 PM", time(14, 15)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("midday", time(12, 0)),
        ("14:30", time(14, 30)),
        ("09:05", time(9, 5)),
        ("10", None),
        ("13pm", None),
        ("0am", None),
        ("24:00", None),
        ("10:60", None),
        ("teatime", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_parse_time_of_day(typed: str, meant: time | None) -> None:
    assert parse_time_of_day(typed) == meant


@pytest.mark.parametrize(
    ("on", "at", "fields"),
    [
        (TODAY, "10am", []),
        (date(2027, 1, 8), "2pm", []),
        (None, "10am", ["on"]),
        (date(2026, 11, 26), "10am", ["on"]),
        (TODAY, "", ["at"]),
        (TODAY, "after lunch", ["at"]),
        (None, "", ["on", "at"]),
    ],
)
def test_scheduling_problems(on: date | None, at: str, fields: list[str]) -> None:
    assert [problem.field for problem in scheduling_problems(on, at, TODAY)] == fields


PAT = AttendeeEntry(name="Pat Turner", agency="Mother")
AWAY = AttendeeEntry(name="Jane Hollis", agency="School", present=False)
GOOD = MeetingRecord(
    held_on=TODAY,
    attendees=(PAT, AWAY),
    scores=(ScoreEntry(1, 4), ScoreEntry(2, 0)),
    actions=(ActionEntry("Book a GP appointment", "Pat Turner", due_on=date(2026, 12, 4)),),
    next_meeting_on=date(2027, 1, 8),
)


def _with(**changes: object) -> MeetingRecord:
    return MeetingRecord(**{**GOOD.__dict__, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "problems"),
    [
        (GOOD, []),
        (_with(held_on=None), [("held_on", "Enter the date the meeting was held")]),
        (
            _with(held_on=date(2026, 11, 28), next_meeting_on=date(2027, 1, 8)),
            [("held_on", "The date the meeting was held must be today or in the past")],
        ),
        (_with(attendees=()), [("attendees-0-name", "Enter who was invited to the meeting")]),
        (
            _with(attendees=(AWAY,)),
            [("attendees-0-present", "Record at least one person who was there")],
        ),
        (
            _with(scores=(ScoreEntry(1, 4),)),
            [("score_2", "Score progress towards outcome 2")],
        ),
        (
            _with(scores=(ScoreEntry(1, 11), ScoreEntry(2, -1))),
            [
                ("score_1", "Score outcome 1 from 0 to 10"),
                ("score_2", "Score outcome 2 from 0 to 10"),
            ],
        ),
        (_with(scores=(ScoreEntry(1, 10), ScoreEntry(2, 0))), []),
        (
            _with(actions=(ActionEntry("", "", due_on=None), ActionEntry("Call school", ""))),
            [
                ("actions-1-owner_name", "Enter who will do it (action 2)"),
                ("actions-1-due_on", "Enter when it is due (action 2)"),
            ],
        ),
        (
            _with(actions=(ActionEntry("", "Pat", due_on=date(2026, 11, 1)),)),
            [
                ("actions-0-description", "Enter what will be done (action 1)"),
                ("actions-0-due_on", "The due date must be after the meeting (action 1)"),
            ],
        ),
        (_with(next_meeting_on=None), [("next_meeting_on", "Enter the date of the next meeting")]),
        (
            _with(next_meeting_on=TODAY),
            [("next_meeting_on", "The next meeting must be after the date of this one")],
        ),
    ],
)
def test_recording_problems(record: MeetingRecord, problems: list[tuple[str, str]]) -> None:
    found = recording_problems(record, [1, 2], TODAY)
    assert [(problem.field, problem.message) for problem in found] == problems


def test_outcomes_no_longer_open_need_no_score() -> None:
    assert recording_problems(_with(scores=()), [], TODAY) == []


def test_a_blank_action_row_is_no_action() -> None:
    assert ActionEntry("", " ", due_on=None).is_blank
    assert not ActionEntry("", "", due_on=TODAY).is_blank
