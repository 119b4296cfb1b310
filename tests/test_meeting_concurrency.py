"""Recording a TAF meeting while someone else moves it: no lost updates.

Each person works in a thread with its own application context, so each has its own
SQLAlchemy session and database connection, as two requests to two app servers would.
On PostgreSQL the second writer waits on the first one's row lock, then finds the
meeting's version moved on; SQLite serialises the writers. Either way exactly one wins
and the other is told what the meeting is now, by whom and when.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from caseapp.domain.casework import MeetingStatus
from caseapp.domain.meetings import AttendeeEntry, MeetingRecord, ScoreEntry
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import OutcomeScore, PlanAction, TafAttendee, TafMeeting, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.context import Actor
from caseapp.services.meetings import MeetingConflict, record_meeting, reschedule_meeting
from tests.factories import DEMO_TEST_PASSWORD, make_team, make_user
from tests.test_allocation_concurrency import TIMEOUT, in_own_request_context, run_in_thread
from tests.test_meetings import Case, arrange, make_case, record_data

MOVED_TO = "3pm"


@dataclass
class Attempt:
    saved: bool = False
    conflict: MeetingConflict | None = None
    error: BaseException | None = None


def the_record(case: Case, held_on: date) -> MeetingRecord:
    return MeetingRecord(
        held_on=held_on,
        attendees=(AttendeeEntry("Pat Turner", "Mother"),),
        scores=tuple(ScoreEntry(outcome_id, 5) for outcome_id in case.outcome_ids),
        next_meeting_on=held_on + timedelta(weeks=6),
    )


def in_own_session(
    app: Flask,
    user_id: int,
    work: Callable[[Actor], object],
    attempt: Attempt,
    before_first_flush: Callable[[], None],
) -> None:
    with app.app_context():
        session: Session = db.session()
        done = threading.Event()

        def hook(*_: Any) -> None:
            if not done.is_set():
                done.set()
                before_first_flush()

        event.listen(session, "before_flush", hook)
        try:
            work(Actor(db.session.get(User, user_id)))
            attempt.saved = True
        except MeetingConflict as conflict:
            attempt.conflict = conflict
        except BaseException as error:  # reported by the test, never swallowed
            attempt.error = error


def assert_one_won(case: Case, meeting_id: int, recording: Attempt, moving: Attempt) -> None:
    for attempt in (recording, moving):
        assert attempt.error is None, repr(attempt.error)
    assert sorted((recording.saved, moving.saved)) == [False, True]
    db.session.expire_all()
    meeting = db.session.get(TafMeeting, meeting_id)
    meetings = db.session.scalar(select(func.count(TafMeeting.id)))
    attendees = db.session.scalar(select(func.count(TafAttendee.id)))
    scores = db.session.scalar(select(func.count(OutcomeScore.id)))
    if recording.saved:
        assert meeting.status is MeetingStatus.HELD
        assert (meetings, attendees, scores) == (2, 1, len(case.outcome_ids))
        assert moving.conflict.current.status is MeetingStatus.HELD
        assert moving.conflict.current.changed_by == "Priya Shah"
    else:
        assert meeting.status is MeetingStatus.SCHEDULED
        assert meeting.at.astimezone(UK_TIME).hour == 15
        # Nothing of the record was saved: no attendees, scores or next meeting.
        assert (meetings, attendees, scores) == (1, 0, 0)
        state = recording.conflict.current
        assert (state.status, state.changed_by) == (MeetingStatus.SCHEDULED, "Tom Okafor")
        assert state.at.astimezone(UK_TIME).hour == 15


def race_once(app: Flask, family_name: str) -> None:
    """Both hold the same version and reach their write at the same moment."""
    case = make_case(family_name=family_name)
    manager = make_user("manager", name="Tom Okafor", team=make_team())
    meeting = arrange(case)
    version, today = meeting.version, uk_today()
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    recording, moving = Attempt(), Attempt()

    def record(actor: Actor) -> object:
        return record_meeting(actor, case.family_id, meeting.id, version, the_record(case, today))

    def move(actor: Actor) -> object:
        later = today + timedelta(days=1)
        return reschedule_meeting(actor, case.family_id, meeting.id, version, later, MOVED_TO, "")

    threads = [
        run_in_thread(in_own_session, app, case.lead.id, record, recording, barrier.wait),
        run_in_thread(in_own_session, app, manager.id, move, moving, barrier.wait),
    ]
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    assert_one_won(case, meeting.id, recording, moving)


def clear_meetings() -> None:
    """Each round's counts start from nothing."""
    for table in (TimelineEvent, PlanAction, OutcomeScore, TafAttendee, TafMeeting):
        db.session.execute(table.__table__.delete())
    db.session.commit()


def test_record_and_move_released_together_save_exactly_one(app: Flask) -> None:
    for number in range(3):
        race_once(app, f"Round{number}")
        clear_meetings()


def test_a_move_that_lands_first_stops_the_record(app: Flask) -> None:
    """Deterministic: the record has read and checked everything; before its UPDATE
    runs, the manager's whole move happens on another connection and commits."""
    case = make_case()
    manager = make_user("manager", name="Tom Okafor", team=make_team())
    meeting = arrange(case)
    version, today = meeting.version, uk_today()
    recording, moving = Attempt(), Attempt()

    def manager_moves_meanwhile() -> None:
        thread = run_in_thread(
            in_own_session,
            app,
            manager.id,
            lambda actor: reschedule_meeting(
                actor, case.family_id, meeting.id, version, today + timedelta(days=1), "3pm", ""
            ),
            moving,
            lambda: None,
        )
        thread.join(TIMEOUT)
        assert not thread.is_alive()

    thread = run_in_thread(
        in_own_session,
        app,
        case.lead.id,
        lambda actor: record_meeting(
            actor, case.family_id, meeting.id, version, the_record(case, today)
        ),
        recording,
        manager_moves_meanwhile,
    )
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert moving.saved and recording.conflict is not None
    assert_one_won(case, meeting.id, recording, moving)


def test_two_people_posting_the_same_version(app: Flask) -> None:
    """Through the web: the lead worker records, the manager then moves the meeting from
    a page loaded before; the manager is told it was recorded and nothing moves."""
    case = make_case()
    manager = make_user("manager", name="Tom Okafor", team=make_team())
    meeting = arrange(case)
    data = record_data(case, meeting)
    base = f"/families/{case.family_id}/meetings/{meeting.id}"
    clients: list[FlaskClient] = []
    for person in (case.lead, manager):
        client = app.test_client()
        signed_in = in_own_request_context(
            lambda client=client, email=person.email: client.post(
                "/sign-in", data={"email": email, "password": DEMO_TEST_PASSWORD}
            )
        )
        assert signed_in.status_code == 302
        clients.append(client)
    for client, page in zip(clients, ("record", "change"), strict=True):
        loaded = in_own_request_context(
            lambda client=client, page=page: client.get(f"{base}/{page}")
        )
        assert f'name="version" type="hidden" value="{meeting.version}"' in loaded.get_data(
            as_text=True
        )
    recorded = in_own_request_context(lambda: clients[0].post(f"{base}/record", data=data))
    assert recorded.status_code == 302
    later = uk_today() + timedelta(days=1)
    moved = in_own_request_context(
        lambda: clients[1].post(
            f"{base}/change",
            data={
                "version": meeting.version,
                "on": [later.day, later.month, later.year],
                "at": "3pm",
                "location": "",
            },
        )
    )
    text = moved.get_data(as_text=True)
    assert moved.status_code == 200
    assert "Priya Shah recorded this meeting at " in text
    assert "Nothing you entered was saved." in text
    db.session.expire_all()
    assert db.session.get(TafMeeting, meeting.id).status is MeetingStatus.HELD
