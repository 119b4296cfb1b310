"""Hostile and random input to every TAF meeting form: never a server error, never script
echoed back unescaped, and nothing saved from a submission that breaks a rule."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import strategies as st

from caseapp.models.types import uk_today
from tests.test_form_fuzzing import _hostile_form, _run, text_values
from tests.test_meetings import arrange, make_case, meetings_url, record_data, sign_in


def test_arranging_form(app: Flask) -> None:
    case = make_case()
    client = sign_in(app, case.lead)
    today = uk_today()
    base = {"on": [today.day, today.month, today.year], "at": "10am", "location": "School"}
    _run(
        app,
        lambda data: client.post(meetings_url(case, "new"), data=data),
        _hostile_form(base, ["on", "at", "location"]),
    )


def test_move_and_cancel_forms(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    today = uk_today()
    base = {
        "version": meeting.version,
        "on": [today.day, today.month, today.year],
        "at": "10am",
        "location": "School",
        "reason": "",
    }
    _run(
        app,
        lambda data: client.post(meetings_url(case, meeting.id, "change"), data=data),
        _hostile_form(base, ["version", "on", "at", "location"]),
    )
    _run(
        app,
        lambda data: client.post(meetings_url(case, meeting.id, "cancel"), data=data),
        _hostile_form({"version": meeting.version}, ["version", "reason"]),
    )


def test_record_form(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    first, second = case.outcome_ids
    # The meeting's version is left alone: a valid submission records it once, after
    # which every further one is a conflict, which must be answered just as safely.
    fields = [
        "held_on",
        "attendees-0-name",
        "attendees-0-present",
        "attendees-1-user_id",
        "attendees-7-name",
        "family_views",
        "child_views",
        f"score_{first}",
        f"comment_{second}",
        "decisions",
        "actions-0-description",
        "actions-0-due_on",
        "actions-0-outcome_id",
        "next_meeting_on",
        "staff_query",
    ]
    buttons = st.sampled_from(
        [{}, {"add_attendee": "1"}, {"add_action": "1"}, {"find_staff": "1"}]
        + [{"add_staff": value} for value in ("1", "-1", "9" * 40, "<b>")]
    )
    strategy = st.tuples(_hostile_form(record_data(case, meeting), fields), buttons).map(
        lambda pair: {**pair[0], **pair[1]}
    )

    def send(data: dict[str, Any]) -> Any:
        return client.post(meetings_url(case, meeting.id, "record"), data=data)

    _run(app, send, strategy)
    _run(app, send, st.fixed_dictionaries({"staff_query": text_values, "find_staff": st.just("1")}))
