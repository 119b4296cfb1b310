"""Two people saving the same plan record at the same moment: no lost updates.

Each person works in a thread of their own with its own application context, so each has
its own SQLAlchemy session and database connection, as two requests to two app servers
would. SQLite serialises the writers; PostgreSQL makes the second wait on the first one's
row lock and then finds the version moved on. On both, exactly one save wins and the other
is told what the record says now and who changed it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from caseapp.domain.plan import ActionDraft, OutcomeDraft
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import PlanAction, PlanOutcome, TimelineEvent, User
from caseapp.services.context import Actor
from caseapp.services.plans import (
    PlanConflict,
    action_edit,
    complete_action,
    outcome_edit,
    update_action,
    update_outcome,
)
from tests.factories import DEMO_TEST_PASSWORD, make_team, make_user
from tests.test_allocation_concurrency import TIMEOUT, in_own_request_context, run_in_thread
from tests.test_plans import Plan, add_action, add_outcome, edit_data, make_plan


@pytest.fixture
def plan(app: Flask) -> Plan:
    return make_plan()


@dataclass
class Attempt:
    """What one person's save came to."""

    saved: bool = False
    conflict: PlanConflict | None = None
    error: BaseException | None = None
    owner: str = ""
    # What a losing save was told: the record's content now, and who changed it.
    told: list[str] = field(default_factory=list)


def at_the_same_moment(app: Flask, work: list[Callable[[], None]]) -> None:
    """Run each piece of work in its own thread and app context, all held at their first
    flush until every one has reached it, so their writes meet."""
    barrier = threading.Barrier(len(work), timeout=TIMEOUT)

    def run(piece: Callable[[], None]) -> None:
        with app.app_context():
            session: Session = db.session()
            done = threading.Event()

            def hold(*_: Any) -> None:
                if not done.is_set():
                    done.set()
                    barrier.wait()

            event.listen(session, "before_flush", hold)
            piece()

    threads = [run_in_thread(run, piece) for piece in work]
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()


def save_action(
    user_id: int, plan: Plan, action_id: int, version: int, owner: str, attempt: Attempt
) -> Callable[[], None]:
    def piece() -> None:
        try:
            actor = Actor(db.session.get(User, user_id))
            edit = action_edit(actor, plan.family_id, action_id)
            attempt.owner = owner
            draft = ActionDraft(
                description=edit.action.description,
                owner_name=owner,
                owner_agency="",
                due_on=edit.action.due_on,
            )
            update_action(actor, edit, version, draft)
            attempt.saved = True
        except PlanConflict as conflict:
            attempt.conflict = conflict
            attempt.told = [conflict.record.owner_name, conflict.change.by]
        except BaseException as error:  # reported by the test, never swallowed
            attempt.error = error

    return piece


def test_two_saves_of_one_action_at_the_same_version_keep_exactly_one(
    app: Flask, plan: Plan
) -> None:
    manager = make_user("manager", name="Sam Lee", team=make_team())
    names = {plan.lead.id: plan.lead.name, manager.id: "Sam Lee"}
    for round_number in range(3):
        action = add_action(plan, None, description=f"Round {round_number}")
        attempts = [Attempt(), Attempt()]
        at_the_same_moment(
            app,
            [
                save_action(
                    plan.lead.id, plan, action.id, action.version, "Priya's pick", attempts[0]
                ),
                save_action(manager.id, plan, action.id, action.version, "Sam's pick", attempts[1]),
            ],
        )
        for attempt in attempts:
            assert attempt.error is None, repr(attempt.error)
        assert sorted(attempt.saved for attempt in attempts) == [False, True]
        winner = next(attempt for attempt in attempts if attempt.saved)
        loser = next(attempt for attempt in attempts if not attempt.saved)
        db.session.expire_all()
        saved = db.session.get(PlanAction, action.id)
        assert (saved.owner_name, saved.version) == (winner.owner, 2)
        # The loser is told what it says now and who changed it: the winner.
        winner_name = names[plan.lead.id] if winner is attempts[0] else "Sam Lee"
        assert loser.told == [winner.owner, winner_name]
        updates = db.session.scalar(
            select(func.count(TimelineEvent.id)).where(
                TimelineEvent.kind == EventKind.ACTION_UPDATED,
                TimelineEvent.summary.startswith(f"Round {round_number} –"),
            )
        )
        assert updates == 1


def test_completing_and_changing_an_action_at_once_keep_one(app: Flask, plan: Plan) -> None:
    manager = make_user("manager", name="Sam Lee", team=make_team())
    action = add_action(plan, None)
    completing, changing = Attempt(), Attempt()

    def complete() -> None:
        try:
            complete_action(Actor(db.session.get(User, plan.lead.id)), plan.family_id, action.id, 1)
            completing.saved = True
        except PlanConflict as conflict:
            completing.conflict = conflict
        except BaseException as error:
            completing.error = error

    at_the_same_moment(
        app, [complete, save_action(manager.id, plan, action.id, 1, "Sam's pick", changing)]
    )
    assert completing.error is None and changing.error is None
    assert completing.saved is not changing.saved
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    assert saved.version == 2
    if completing.saved:
        assert (saved.status.value, saved.owner_name) == ("done", "Pat Turner")
    else:
        assert (saved.status.value, saved.owner_name) == ("not_started", "Sam's pick")
        assert completing.conflict is not None and completing.conflict.change.by == "Sam Lee"


def test_two_saves_of_one_outcome_keep_exactly_one(app: Flask, plan: Plan) -> None:
    manager = make_user("manager", name="Sam Lee", team=make_team())
    outcome = add_outcome(plan)
    headline = app.extensions["caseapp.headline_outcomes"]
    attempts = [Attempt(), Attempt()]

    def save(user_id: int, wording: str, attempt: Attempt) -> Callable[[], None]:
        def piece() -> None:
            try:
                actor = Actor(db.session.get(User, user_id))
                edit = outcome_edit(actor, plan.family_id, outcome.id)
                draft = OutcomeDraft(wording, "", ("education",), None)
                attempt.owner = wording
                update_outcome(actor, edit, 1, draft, headline)
                attempt.saved = True
            except PlanConflict as conflict:
                attempt.conflict = conflict
                attempt.told = [conflict.record.description, conflict.change.by]
            except BaseException as error:
                attempt.error = error

        return piece

    at_the_same_moment(
        app,
        [
            save(plan.lead.id, "Priya's wording", attempts[0]),
            save(manager.id, "Sam's wording", attempts[1]),
        ],
    )
    for attempt in attempts:
        assert attempt.error is None, repr(attempt.error)
    assert sorted(attempt.saved for attempt in attempts) == [False, True]
    winner = next(attempt for attempt in attempts if attempt.saved)
    loser = next(attempt for attempt in attempts if not attempt.saved)
    db.session.expire_all()
    assert db.session.get(PlanOutcome, outcome.id).description == winner.owner
    assert loser.told[0] == winner.owner


def test_two_people_posting_the_same_version_of_an_action(app: Flask, plan: Plan) -> None:
    """Through the pages: both load the edit form, both save; the second is told."""
    manager = make_user("manager", name="Sam Lee", team=make_team())
    action = add_action(plan, None)
    url = f"{plan.url}/actions/{action.id}"
    clients = []
    for person in (manager, plan.lead):
        client = app.test_client()
        signed_in = in_own_request_context(
            lambda client=client, email=person.email: client.post(
                "/sign-in", data={"email": email, "password": DEMO_TEST_PASSWORD}
            )
        )
        assert signed_in.status_code == 302
        clients.append(client)
    for client in clients:
        page = in_own_request_context(lambda client=client: client.get(url))
        assert f'name="edit-{action.id}-version" type="hidden" value="1"' in page.get_data(
            as_text=True
        )
    first = in_own_request_context(
        lambda: clients[0].post(url, data=edit_data(action, owner_name="Sam's pick"))
    )
    assert first.status_code == 302
    second = in_own_request_context(
        lambda: clients[1].post(
            url, data=edit_data(action, owner_name="Priya's pick"), headers={"HX-Request": "true"}
        )
    )
    body = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "Nothing was saved" in body and "Sam Lee changed this action at " in body
    assert "Sam&#39;s pick" in body
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).owner_name == "Sam's pick"
