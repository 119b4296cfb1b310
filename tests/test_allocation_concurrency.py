"""Two coordinators allocating the same family at the same moment: no lost updates.

Each coordinator works in its own thread with its own application context, so each has
its own SQLAlchemy session and its own database connection, as two requests to two app
servers would. Runs on SQLite and on PostgreSQL; SQLite serialises writers, PostgreSQL
makes the second writer wait on the first one's row lock, and on both exactly one wins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, TimelineEvent, User
from caseapp.models.types import utcnow
from caseapp.services.allocation import AllocationConflict, allocate
from caseapp.services.context import Actor
from tests.factories import DEMO_TEST_PASSWORD, make_team, make_user
from tests.test_allocation import lead_worker, version_of
from tests.test_triage import MadeRequest, make_request

TIMEOUT = 20


@dataclass
class Outcome:
    """What one coordinator's allocation came to."""

    allocated: bool = False
    conflict: AllocationConflict | None = None
    error: BaseException | None = None
    tried: list[int] = field(default_factory=list)


def allocate_in_own_session(
    app: Flask,
    coordinator_id: int,
    made: MadeRequest,
    version: int,
    lead_worker_id: int,
    outcome: Outcome,
    before_first_flush: Callable[[], None] | None = None,
) -> None:
    """One coordinator's request: a fresh app context, session and connection."""
    with app.app_context():
        session: Session = db.session()
        if before_first_flush is not None:
            done = threading.Event()

            def hook(*_: Any) -> None:
                if not done.is_set():
                    done.set()
                    before_first_flush()

            event.listen(session, "before_flush", hook)
        try:
            coordinator = db.session.get(User, coordinator_id)
            outcome.tried.append(lead_worker_id)
            allocate(Actor(coordinator), made.episode_id, version, lead_worker_id, "")
            outcome.allocated = True
        except AllocationConflict as conflict:
            outcome.conflict = conflict
        except BaseException as error:  # reported by the test, never swallowed
            outcome.error = error


def run_in_thread(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def current_assignments(episode_id: int) -> list[Assignment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Assignment).where(
                Assignment.episode_id == episode_id, Assignment.ended_at.is_(None)
            )
        )
    )


def assert_exactly_one_won(
    made: MadeRequest, outcomes: list[Outcome], lead_of: dict[int, str]
) -> None:
    for outcome in outcomes:
        assert outcome.error is None, repr(outcome.error)
    winners = [outcome for outcome in outcomes if outcome.allocated]
    losers = [outcome for outcome in outcomes if outcome.conflict is not None]
    assert (len(winners), len(losers)) == (1, 1)
    (current,) = current_assignments(made.episode_id)
    assert current.lead_worker_id == winners[0].tried[0]
    # The loser is told the state now: the winner's choice, by whom and when.
    state = losers[0].conflict.current
    assert state.lead_worker_id == current.lead_worker_id
    assert state.lead_worker_name == lead_of[current.lead_worker_id]
    assert state.assigned_by_id == current.assigned_by_id
    assert state.assigned_at == current.assigned_at
    # Nothing of the loser's was saved, and nothing of the winner's was lost.
    episode = db.session.get(Episode, made.episode_id)
    assert episode.lead_worker_id == current.lead_worker_id
    assert episode.status is EpisodeStatus.ALLOCATED
    assert db.session.scalar(select(func.count(Assignment.id))) == 1
    assigned_events = db.session.scalar(
        select(func.count(TimelineEvent.id)).where(
            TimelineEvent.episode_id == made.episode_id,
            TimelineEvent.kind == EventKind.LEAD_WORKER_ASSIGNED,
        )
    )
    assert assigned_events == 1


def test_the_second_write_of_two_that_read_the_same_version_fails(app: Flask) -> None:
    """Interleaved deterministically: both read version N; Priya's write lands first."""
    made = make_request(status=EpisodeStatus.AWAITING_ALLOCATION)
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    tom = make_user("hub_coordinator", name="Tom Okafor")
    priya = make_user("hub_coordinator", name="Priya Shah")
    seen = version_of(made.episode_id)
    tom_outcome, priya_outcome = Outcome(), Outcome()

    def priya_allocates_meanwhile() -> None:
        # Tom has read the episode and validated his choice; before his UPDATE runs, Priya's
        # whole allocation happens on her own connection and commits.
        thread = run_in_thread(
            allocate_in_own_session, app, priya.id, made, seen, gemma.id, priya_outcome
        )
        thread.join(TIMEOUT)
        assert not thread.is_alive()

    thread = run_in_thread(
        allocate_in_own_session,
        app,
        tom.id,
        made,
        seen,
        daniel.id,
        tom_outcome,
        priya_allocates_meanwhile,
    )
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert priya_outcome.allocated
    assert tom_outcome.conflict is not None
    assert tom_outcome.conflict.current.assigned_by_name == "Priya Shah"
    assert_exactly_one_won(
        made, [tom_outcome, priya_outcome], {gemma.id: "Gemma Clarke", daniel.id: "Daniel Price"}
    )


def test_two_allocations_released_together_save_exactly_one(app: Flask) -> None:
    """Both coordinators hold the same version and reach the write at the same moment."""
    lead_of: dict[int, str] = {}
    for round_number in range(3):
        made = make_request(
            status=EpisodeStatus.AWAITING_ALLOCATION, family_name=f"Round{round_number}"
        )
        first = lead_worker(f"First Lead {round_number}")
        second = lead_worker(f"Second Lead {round_number}")
        lead_of |= {first.id: first.name, second.id: second.name}
        coordinators = [make_user("hub_coordinator"), make_user("hub_coordinator")]
        seen = version_of(made.episode_id)
        barrier = threading.Barrier(2, timeout=TIMEOUT)
        outcomes = [Outcome(), Outcome()]
        threads = [
            run_in_thread(
                allocate_in_own_session,
                app,
                coordinator.id,
                made,
                seen,
                lead.id,
                outcome,
                barrier.wait,
            )
            for coordinator, lead, outcome in zip(
                coordinators, (first, second), outcomes, strict=True
            )
        ]
        for thread in threads:
            thread.join(TIMEOUT)
            assert not thread.is_alive()
        assert_exactly_one_won(made, outcomes, lead_of)
        # Each round's families are separate; clear the count check for the next round.
        db.session.execute(sa.delete(TimelineEvent))
        db.session.execute(sa.update(Episode).values(lead_worker_id=None))
        db.session.execute(sa.delete(Assignment))
        db.session.commit()


def test_a_second_current_assignment_is_refused_by_the_database(app: Flask, backend: str) -> None:
    """A writer that bypassed the episode's version still cannot make two lead workers.

    Its row lands between our look-up of the current assignment and our insert. SQLite
    cannot interleave writers like that (our transaction holds the only write lock), so
    this is a PostgreSQL test.
    """
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: no other write can land inside ours")
    made = make_request(status=EpisodeStatus.AWAITING_ALLOCATION)
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    tom = make_user("hub_coordinator", name="Tom Okafor")
    other = make_user("hub_coordinator", name="Priya Shah")
    seen = version_of(made.episode_id)

    def other_writer_inserts(session: Session, *_: Any) -> None:
        if not any(isinstance(row, Assignment) for row in session.new):
            return
        with db.engine.begin() as connection:  # its own connection, committed at once
            connection.execute(
                sa.insert(Assignment).values(
                    episode_id=made.episode_id,
                    lead_worker_id=gemma.id,
                    assigned_by_id=other.id,
                    assigned_at=utcnow(),
                    reason="",
                )
            )

    session = db.session()
    event.listen(session, "before_flush", other_writer_inserts)
    try:
        with pytest.raises(AllocationConflict) as conflict:
            allocate(Actor(tom), made.episode_id, seen, daniel.id, "")
    finally:
        event.remove(session, "before_flush", other_writer_inserts)
    assert conflict.value.current.lead_worker_name == "Gemma Clarke"
    assert conflict.value.current.assigned_by_name == "Priya Shah"
    (current,) = current_assignments(made.episode_id)
    assert current.lead_worker_id == gemma.id
    # Our whole transaction was rolled back, the episode's versioned update included.
    episode = db.session.get(Episode, made.episode_id)
    assert (episode.lead_worker_id, episode.version) == (None, seen)


def in_own_request_context(call: Callable[[], TestResponse]) -> TestResponse:
    """Run a test-client call in a thread of its own, so it gets a fresh app context (and
    `g`, and database session), as a request to another app server would."""
    responses: list[TestResponse] = []
    thread = run_in_thread(lambda: responses.append(call()))
    thread.join(TIMEOUT)
    assert responses, "the request did not finish"
    return responses[0]


def test_two_coordinators_posting_the_same_version(app: Flask) -> None:
    made = make_request(status=EpisodeStatus.AWAITING_ALLOCATION)
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    tom = make_user("hub_coordinator", name="Tom Okafor")
    priya = make_user("hub_coordinator", name="Priya Shah")
    url = f"/hub/episodes/{made.episode_id}/allocate"
    # Read in this thread: the requests' threads have no session these objects belong to.
    gemma_id, daniel_id = gemma.id, daniel.id
    clients: list[FlaskClient] = []
    for coordinator in (tom, priya):
        client = app.test_client()
        signed_in = in_own_request_context(
            lambda client=client, email=coordinator.email: client.post(
                "/sign-in", data={"email": email, "password": DEMO_TEST_PASSWORD}
            )
        )
        assert signed_in.status_code == 302
        clients.append(client)
    version = version_of(made.episode_id)
    for client in clients:
        page = in_own_request_context(lambda client=client: client.get(url))
        assert f'name="version" type="hidden" value="{version}"' in page.get_data(as_text=True)

    first = in_own_request_context(
        lambda: clients[0].post(url, data={"version": version, "lead_worker": gemma_id})
    )
    assert first.status_code == 302
    second = in_own_request_context(
        lambda: clients[1].post(url, data={"version": version, "lead_worker": daniel_id})
    )
    text = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "Tom Okafor allocated this family to Gemma Clarke at " in text
    assert "while you were choosing. Nothing you chose was saved." in text
    assert "Daniel Price" not in text
    (current,) = current_assignments(made.episode_id)
    assert current.lead_worker_id == gemma_id


def test_a_reassignment_race_on_an_open_plan_keeps_one_current_lead(app: Flask) -> None:
    """Later in an episode: both change the lead worker from the same page; one wins."""
    made = make_request(status=EpisodeStatus.AWAITING_ALLOCATION)
    gemma, daniel, lucy = (lead_worker(n) for n in ("Gemma Clarke", "Daniel Price", "Lucy Bennett"))
    tom = make_user("hub_coordinator", name="Tom Okafor")
    # Out of the Hub, the family is seen by the coordinator who allocated it and by the
    # managers of its team: one of each races to change its lead worker.
    priya = make_user("manager", name="Priya Shah", team=make_team())
    allocate(Actor(tom), made.episode_id, version_of(made.episode_id), gemma.id, "")
    seen = version_of(made.episode_id)
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    outcomes = [Outcome(), Outcome()]

    def reassign(coordinator_id: int, lead_id: int, outcome: Outcome) -> None:
        with app.app_context():
            session: Session = db.session()
            done = threading.Event()

            def hook(*_: Any) -> None:
                if not done.is_set():
                    done.set()
                    barrier.wait()

            event.listen(session, "before_flush", hook)
            coordinator = db.session.get(User, coordinator_id)
            outcome.tried.append(lead_id)
            try:
                allocate(Actor(coordinator), made.episode_id, seen, lead_id, "Gemma is on leave")
                outcome.allocated = True
            except AllocationConflict as conflict:
                outcome.conflict = conflict
            except BaseException as error:
                outcome.error = error

    threads = [
        run_in_thread(reassign, tom.id, daniel.id, outcomes[0]),
        run_in_thread(reassign, priya.id, lucy.id, outcomes[1]),
    ]
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    for outcome in outcomes:
        assert outcome.error is None, repr(outcome.error)
    assert sorted(outcome.allocated for outcome in outcomes) == [False, True]
    (current,) = current_assignments(made.episode_id)
    winner = next(outcome for outcome in outcomes if outcome.allocated)
    assert current.lead_worker_id == winner.tried[0]
    history = db.session.scalars(
        select(Assignment).where(Assignment.episode_id == made.episode_id)
    ).all()
    # Gemma's row ended once; exactly one new current row; the loser left no trace.
    assert len(history) == 2
    assert [row.lead_worker_id for row in history if row.ended_at is not None] == [gemma.id]
