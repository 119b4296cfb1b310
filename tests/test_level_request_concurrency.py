"""Two managers deciding the same request at the same moment: exactly one decision is saved.

Each manager works in a thread with its own application context, so each has its own
SQLAlchemy session and database connection, as two requests to two app servers would.
On PostgreSQL the second writer waits on the first one's row lock, then fails the version
check; on SQLite writers are serialised and the same check refuses the second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from caseapp.domain.level_requests import RequestStatus, ReviewDecision
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import FamilyMember, LevelDecision, RequestReview, TimelineEvent, User
from caseapp.services.context import Actor
from caseapp.services.level_requests import LevelRequestConflict
from caseapp.services.review_queue import decide_request
from tests.test_review_queue import make_world, pending_request

TIMEOUT = 20


@dataclass
class Outcome:
    decided: bool = False
    conflict: LevelRequestConflict | None = None
    error: BaseException | None = None


def decide_in_own_session(
    app: Flask,
    manager_id: int,
    request_id: int,
    version: int,
    decision: ReviewDecision,
    outcome: Outcome,
    before_first_flush: Callable[[], Any],
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
            manager = db.session.get(User, manager_id)
            decide_request(
                Actor(manager),
                current_app.extensions["caseapp.framework"],
                request_id,
                version,
                decision,
                f"{decision.label} by {manager.name}",
            )
            outcome.decided = True
        except LevelRequestConflict as conflict:
            outcome.conflict = conflict
        except BaseException as error:  # reported by the test, never swallowed
            outcome.error = error


def test_two_managers_deciding_at_once_save_exactly_one_decision(app: Flask) -> None:
    for round_number in range(3):
        world = make_world(family_name=f"Round{round_number}")
        made = pending_request(world)
        request_id, version = made.id, made.version
        barrier = threading.Barrier(2, timeout=TIMEOUT)
        outcomes = [Outcome(), Outcome()]
        decisions = [ReviewDecision.APPROVE, ReviewDecision.DECLINE]
        threads = [
            threading.Thread(
                target=decide_in_own_session,
                args=(app, manager.id, request_id, version, decision, outcome, barrier.wait),
                daemon=True,
            )
            for manager, decision, outcome in zip(
                (world.manager, world.other_manager), decisions, outcomes, strict=True
            )
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
            assert not thread.is_alive()
        for outcome in outcomes:
            assert outcome.error is None, repr(outcome.error)
        winners = [index for index, outcome in enumerate(outcomes) if outcome.decided]
        losers = [outcome for outcome in outcomes if outcome.conflict is not None]
        assert (len(winners), len(losers)) == (1, 1)
        won = decisions[winners[0]]

        db.session.expire_all()
        saved = db.session.get(type(made), request_id)
        expected_status = (
            RequestStatus.APPROVED if won is ReviewDecision.APPROVE else RequestStatus.DECLINED
        )
        assert saved.status is expected_status
        # The loser is told the request as it is now.
        assert losers[0].conflict.current is not None
        assert losers[0].conflict.current.status is expected_status
        # One review row for the decision, one chronology entry, and levels applied once.
        reviews = db.session.scalar(
            select(func.count(RequestReview.id)).where(RequestReview.request_id == request_id)
        )
        assert reviews == 1
        decided_events = db.session.scalar(
            select(func.count(TimelineEvent.id)).where(
                TimelineEvent.family_id == world.family.id,
                TimelineEvent.kind.in_(
                    [EventKind.LEVEL_CHANGE_APPROVED, EventKind.LEVEL_CHANGE_DECLINED]
                ),
            )
        )
        assert decided_events == 1
        level_decisions = db.session.scalar(
            select(func.count(LevelDecision.id)).where(LevelDecision.member_id == world.younger.id)
        )
        assert level_decisions == (1 if won is ReviewDecision.APPROVE else 0)
        younger = db.session.get(FamilyMember, world.younger.id)
        assert younger.current_level_code == (
            "earliest_help" if won is ReviewDecision.APPROVE else "targeted_early_help"
        )
