"""The rules of Team Around the Family (TAF) meetings: which kind a new meeting is, when
the next one falls due, the 0-10 progress scale, and what recording a meeting requires.

Pure functions over plain values, so the pages and the service refuse the same things.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

from caseapp.domain.casework import MeetingKind
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.triage_rules import Problem

SCORE_MIN = 0
SCORE_MAX = 10
SCORES = tuple(range(SCORE_MIN, SCORE_MAX + 1))

# A family coming down from social care starts early help with a step-down TAF meeting.
_STEPPING_DOWN = frozenset({EpisodeStatus.STEPPED_UP, EpisodeStatus.STEP_DOWN_REQUESTED})


def kind_for_new_meeting(held_meetings: int, episode_status: EpisodeStatus) -> MeetingKind:
    """The first meeting of an episode is the initial TAF (or the step-down TAF when the
    family is coming down from social care); every later one reviews the plan."""
    if held_meetings > 0:
        return MeetingKind.REVIEW
    return MeetingKind.STEP_DOWN if episode_status in _STEPPING_DOWN else MeetingKind.INITIAL


def default_next_meeting_on(held_on: date, review_weeks: int) -> date:
    """The date a meeting suggests for the next one: `review_weeks` on (six by default)."""
    return held_on + timedelta(weeks=review_weeks)


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time_of_day(text: str) -> time | None:
    """'10am', '10:30am', '2.15pm', '14:30', 'midday': the time a person typed, or None
    if it is not one."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in ("midday", "noon", "12noon"):
        return time(12, 0)
    match = _TIME.match(cleaned)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = match.group(3)
    if half is None and match.group(2) is None:
        return None  # "10" alone could be morning or evening
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def scheduling_problems(on: date | None, at_text: str, today: date) -> list[Problem]:
    """A meeting is arranged for a real date and time, today or later."""
    problems = []
    if on is None:
        problems.append(Problem("on", "Enter the date of the meeting"))
    elif on < today:
        problems.append(Problem("on", "The date of the meeting must be today or in the future"))
    if not at_text.strip():
        problems.append(Problem("at", "Enter the time of the meeting"))
    elif parse_time_of_day(at_text) is None:
        problems.append(Problem("at", "Enter a time like 10am, 2:30pm or 14:30"))
    return problems


@dataclass(frozen=True)
class AttendeeEntry:
    """Someone invited: a member of staff (user_id) or anyone else, by name."""

    name: str
    agency: str = ""
    role: str = ""
    present: bool = True
    user_id: int | None = None


@dataclass(frozen=True)
class ScoreEntry:
    outcome_id: int
    score: int | None
    comment: str = ""


@dataclass(frozen=True)
class ActionEntry:
    """A new action agreed in the meeting; it joins the family's plan."""

    description: str
    owner_name: str
    owner_agency: str = ""
    due_on: date | None = None
    outcome_id: int | None = None

    @property
    def is_blank(self) -> bool:
        return not (self.description.strip() or self.owner_name.strip() or self.due_on)


@dataclass(frozen=True)
class MeetingRecord:
    """What was said and agreed at a meeting, as the lead worker records it."""

    held_on: date | None
    attendees: tuple[AttendeeEntry, ...]
    scores: tuple[ScoreEntry, ...]
    actions: tuple[ActionEntry, ...] = ()
    family_views: str = ""
    child_views: str = ""
    decisions: str = ""
    next_meeting_on: date | None = None


def recording_problems(
    record: MeetingRecord, open_outcome_ids: Iterable[int], today: date
) -> list[Problem]:
    """Everything that stops a meeting being recorded, each naming its form field.

    A record must say when it was held (not in the future), who came, a score from 0 to
    10 for every outcome the plan is working towards, and when the next meeting is
    (after this one). Each new action needs what, who and by when.
    """
    problems: list[Problem] = []
    held_on = record.held_on
    if held_on is None:
        problems.append(Problem("held_on", "Enter the date the meeting was held"))
    elif held_on > today:
        problems.append(
            Problem("held_on", "The date the meeting was held must be today or in the past")
        )
    if not record.attendees:
        problems.append(Problem("attendees-0-name", "Enter who was invited to the meeting"))
    elif not any(attendee.present for attendee in record.attendees):
        problems.append(Problem("attendees-0-present", "Record at least one person who was there"))
    scored = {entry.outcome_id: entry.score for entry in record.scores}
    for number, outcome_id in enumerate(open_outcome_ids, start=1):
        score = scored.get(outcome_id)
        if score is None:
            problems.append(
                Problem(f"score_{outcome_id}", f"Score progress towards outcome {number}")
            )
        elif not SCORE_MIN <= score <= SCORE_MAX:
            problems.append(
                Problem(f"score_{outcome_id}", f"Score outcome {number} from 0 to {SCORE_MAX}")
            )
    problems.extend(_action_problems(record.actions, held_on))
    if record.next_meeting_on is None:
        problems.append(Problem("next_meeting_on", "Enter the date of the next meeting"))
    elif held_on is not None and record.next_meeting_on <= held_on:
        problems.append(
            Problem("next_meeting_on", "The next meeting must be after the date of this one")
        )
    return problems


def _action_problems(actions: tuple[ActionEntry, ...], held_on: date | None) -> list[Problem]:
    problems = []
    for index, action in enumerate(actions):
        if action.is_blank:
            continue
        which = f" (action {index + 1})"
        if not action.description.strip():
            problems.append(
                Problem(f"actions-{index}-description", f"Enter what will be done{which}")
            )
        if not action.owner_name.strip():
            problems.append(Problem(f"actions-{index}-owner_name", f"Enter who will do it{which}"))
        if action.due_on is None:
            problems.append(Problem(f"actions-{index}-due_on", f"Enter when it is due{which}"))
        elif held_on is not None and action.due_on < held_on:
            problems.append(
                Problem(f"actions-{index}-due_on", f"The due date must be after the meeting{which}")
            )
    return problems
