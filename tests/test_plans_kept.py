"""The Hub queue's and the manager's view's statements carry the domain's status sets
written out, not as parameters (models/types.one_of).

psycopg prepares a statement the sixth time a connection runs it; PostgreSQL then keeps
one plan for it only if a plan made without its parameters looks no worse than one made
with them. With a status set as parameters it cannot tell how many episodes the set
matches, so on the benchmark's data it planned these statements afresh on every request
(2 to 12 ms each). On a test's few rows every plan looks alike, so what is checked here
is the cause: no status of those sets travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection

from caseapp.domain.casework import ActionStatus
from caseapp.domain.deadlines import LEAD_WORKER_STATUSES
from caseapp.domain.hub import HUB_QUEUE_STATUSES, URGENT_STEP_UP_STATUSES
from caseapp.domain.queue_rules import QueueStage
from caseapp.extensions import db
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.hub_queue import QueueFilters, hub_queue
from caseapp.services.manager_view import manager_dashboard
from tests.factories import make_user
from tests.test_hub_queue import add_to_queue
from tests.test_manager_view import SETTINGS, build_world

WRITTEN_OUT: frozenset[StrEnum] = frozenset(
    {*HUB_QUEUE_STATUSES, *URGENT_STEP_UP_STATUSES, *LEAD_WORKER_STATUSES}
    | {ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}
)


@contextmanager
def sent() -> Iterator[list[tuple[str, Any]]]:
    """Each statement sent to the database, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def keep(_: Connection, __: Any, statement: str, parameters: Any, *rest: Any) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def bound_values(parameters: Any) -> list[Any]:
    return list(parameters.values() if isinstance(parameters, dict) else parameters)


def statuses_sent_as_parameters(run: Callable[[], object], starts: tuple[str, ...]) -> set[str]:
    with sent() as statements:
        run()
    chosen = [(sql, values) for sql, values in statements if sql.startswith(starts)]
    assert len(chosen) == len(starts), [sql[:40] for sql, _ in statements]
    return {
        str(value)
        for _, values in chosen
        for value in bound_values(values)
        if isinstance(value, str) and value in WRITTEN_OUT
    }


def test_the_hub_queue_writes_its_statuses_into_its_statements(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    for number in range(3):
        add_to_queue(coordinator, f"Kept{number}", urgent=number == 0)
    db.session.commit()

    starts = ("SELECT count(CASE", "SELECT queued.id")
    for filters in (
        QueueFilters(urgent_only=True),
        QueueFilters(stage=QueueStage.DECISION),
        QueueFilters(stage=QueueStage.ALLOCATION),
    ):

        def open_queue(filters: QueueFilters = filters) -> None:
            hub_queue(Actor(coordinator), filters, 1, utcnow())

        assert statuses_sent_as_parameters(open_queue, starts) == set(), filters


def test_the_managers_figures_write_their_statuses_into_the_statement(app: Flask) -> None:
    world = build_world(app, families=4)
    db.session.commit()
    framework = app.extensions["caseapp.framework"]

    def open_dashboard() -> None:
        manager_dashboard(Actor(world.manager), framework, SETTINGS, utcnow())

    assert statuses_sent_as_parameters(open_dashboard, ("SELECT anon_1.figure",)) == set()
