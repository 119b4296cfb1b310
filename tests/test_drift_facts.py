"""An open episode's drift facts (services/drift_facts.py) always equal what its rows say,
however those rows are added, changed or removed."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from caseapp.domain.casework import ActionStatus, AssessmentStatus, ContactType, MeetingStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import (
    Assessment,
    CaseNote,
    Episode,
    Family,
    OversightNote,
    PlanAction,
    TafMeeting,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.drift_facts import current_facts
from tests.factories import make_episode
from tests.test_allocation_concurrency import TIMEOUT, run_in_thread
from tests.test_case_notes import led_family, note_form, sign_in
from tests.test_manager_view import build_world

FACT_NAMES = tuple(current_facts())


def kept_and_worked_out() -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    """Each open episode's facts as kept, and as its rows give them now."""
    open_episodes = Episode.closed_at.is_(None)
    kept = db.session.execute(
        select(Episode.id, *(getattr(Episode, name) for name in FACT_NAMES)).where(open_episodes)
    ).all()
    worked_out = db.session.execute(
        select(Episode.id, *current_facts().values()).where(open_episodes)
    ).all()
    return {row[0]: tuple(row[1:]) for row in kept}, {
        row[0]: tuple(
            _as_kept(name, value) for name, value in zip(FACT_NAMES, row[1:], strict=True)
        )
        for row in worked_out
    }


def _as_kept(name: str, value: Any) -> Any:
    # SQLite answers EXISTS with 0 or 1; the column holds a boolean.
    return bool(value) if name == "eha_completed" else value


def assert_facts_kept() -> None:
    kept, worked_out = kept_and_worked_out()
    assert kept == worked_out


def _one(rng: random.Random, model: type[Any]) -> Any:
    rows = list(db.session.scalars(select(model)))
    return rng.choice(rows) if rows else None


def _change_something(rng: random.Random, today: date) -> None:
    """One random change to a source row: added, changed or removed."""
    choice = rng.randrange(9)
    if choice == 0 and (note := _one(rng, CaseNote)):
        note.contact_on = today - timedelta(days=rng.randint(0, 90))
    elif choice == 1 and (note := _one(rng, CaseNote)):
        db.session.delete(note)
    elif choice == 2 and (meeting := _one(rng, TafMeeting)):
        meeting.status = rng.choice(list(MeetingStatus))
        meeting.at = utcnow() - timedelta(days=rng.randint(0, 120))
        meeting.next_meeting_on = rng.choice([None, today + timedelta(days=rng.randint(-30, 30))])
    elif choice == 3 and (meeting := _one(rng, TafMeeting)):
        db.session.delete(meeting)
    elif choice == 4 and (assessment := _one(rng, Assessment)):
        assessment.status = rng.choice(list(AssessmentStatus))
    elif choice == 5 and (action := _one(rng, PlanAction)):
        action.status = rng.choice(list(ActionStatus))
        action.due_on = today + timedelta(days=rng.randint(-20, 20))
    elif choice == 6 and (action := _one(rng, PlanAction)):
        db.session.delete(action)
    elif choice == 7 and (note := _one(rng, OversightNote)):
        note.oversight_on = today - timedelta(days=rng.randint(0, 200))
    elif choice == 8 and (episode := _one(rng, Episode)) and episode.closed_at is None:
        # The family's next episode starts from the family's whole history of contact.
        episode.status = EpisodeStatus.CLOSED
        episode.closed_at = utcnow()
        db.session.flush()
        make_episode(db.session.get(Family, episode.family_id), EpisodeStatus.ALLOCATED)


def test_the_facts_follow_every_change_to_their_rows(app: Flask) -> None:
    build_world(app, families=8, seed=3)
    db.session.commit()
    assert_facts_kept()
    kept, _ = kept_and_worked_out()
    assert any(any(value is not None for value in facts) for facts in kept.values())

    rng, today = random.Random(11), uk_today()
    for _ in range(60):
        _change_something(rng, today)
        db.session.commit()
        assert_facts_kept()


def test_a_case_note_posted_by_the_lead_worker_is_the_familys_newest_contact(
    app: Flask,
) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    db.session.commit()
    form = note_form(case)

    response = client.post(f"/families/{case.family_id}/notes", data=form)

    assert response.status_code == 302
    episode = db.session.get(Episode, case.episode_id)
    db.session.refresh(episode)
    day, month, year = (int(part) for part in form["contact_on"])  # type: ignore[union-attr]
    assert episode.last_contact_on == date(year, month, day)
    assert_facts_kept()


def _note(case: Any, on: date) -> CaseNote:
    return CaseNote(
        family_id=case.family_id,
        episode_id=case.episode_id,
        contact_on=on,
        contact_type=ContactType.HOME_VISIT,
        text="Visited",
        recorded_by_id=case.lead.id,
    )


def test_two_notes_saved_at_once_both_count(app: Flask) -> None:
    """The second saver's refresh must read the first's note, committed while it waited:
    the newest contact is the newer of the two, whichever commits last."""
    case = led_family()
    db.session.commit()
    newer, older = uk_today(), uk_today() - timedelta(days=20)
    first_flushed, let_first_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def save(on: date, after_flush: Callable[[], None]) -> None:
        with app.app_context():
            try:
                db.session.add(_note(case, on))
                db.session.flush()
                after_flush()
                db.session.commit()
            except BaseException as error:  # reported by the main thread
                errors.append(error)
                raise

    def hold_open() -> None:
        first_flushed.set()
        let_first_commit.wait(TIMEOUT)

    first = run_in_thread(save, newer, hold_open)
    assert first_flushed.wait(TIMEOUT)
    second = run_in_thread(save, older, lambda: None)
    # Long enough for the second to be waiting on the first (PostgreSQL's row lock,
    # SQLite's write lock); if it is not yet, it reads the first's note anyway.
    second.join(0.5)
    let_first_commit.set()
    for thread in (first, second):
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    assert not errors

    db.session.expire_all()
    assert db.session.get(Episode, case.episode_id).last_contact_on == newer
    assert_facts_kept()
