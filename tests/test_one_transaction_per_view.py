"""A page that shows a record reads it and records the view in one transaction: the view's
record is written after the reads and its commit ends them, so the page pays for one pool
checkout, BEGIN and COMMIT, not a second set for a record committed on its own first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from caseapp.extensions import db
from caseapp.models import AuditEvent
from tests.factories import make_user
from tests.test_family_page import HTMX, add_events, allocated_family, next_link, sign_in
from tests.test_hub_queue import fill_queue
from tests.test_level_requests import make_world
from tests.test_review_queue import pending_request


@contextmanager
def counting_transactions() -> Iterator[Counter[str]]:
    """How many connections were taken from the pool, and transactions begun and ended."""
    seen: Counter[str] = Counter()
    listeners: list[tuple[Any, str, Callable[..., None]]] = []
    for target, name in (
        (db.engine.pool, "checkout"),
        (db.engine, "begin"),
        (db.engine, "commit"),
        (db.engine, "rollback"),
    ):
        listeners.append((target, name, lambda *_, name=name: seen.update([name])))
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield seen
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


ONE_TRANSACTION = Counter(checkout=1, begin=1, commit=1)


@dataclass(frozen=True)
class Visit:
    client: FlaskClient
    url: str
    user_id: int
    object_type: str
    headers: dict[str, str] = field(default_factory=dict)


def family_page(app: Flask) -> Visit:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    return Visit(sign_in(app, lead), f"/families/{family.id}", lead.id, "family")


def timeline_show_more(app: Flask) -> Visit:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    add_events(family.id, coordinator, 30, datetime(2026, 1, 5, 12, tzinfo=UTC))
    client = sign_in(app, lead)
    show_more = next_link(client.get(f"/families/{family.id}").get_data(as_text=True))
    assert show_more is not None
    return Visit(client, show_more, lead.id, "timeline", HTMX)


def hub_queue(app: Flask) -> Visit:
    coordinator = make_user("hub_coordinator")
    fill_queue(coordinator, 3)
    return Visit(sign_in(app, coordinator), "/hub", coordinator.id, "hub_queue")


def review_queue(app: Flask) -> Visit:
    world = make_world()
    pending_request(world)
    return Visit(sign_in(app, world.manager), "/reviews", world.manager.id, "review_queue")


def caseload(app: Flask) -> Visit:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    allocated_family(coordinator, lead)
    return Visit(sign_in(app, lead), "/caseload", lead.id, "caseload")


def manager_view(app: Flask) -> Visit:
    world = make_world()
    pending_request(world)
    return Visit(sign_in(app, world.manager), "/manager", world.manager.id, "manager_view")


def views_recorded(user_id: int, object_type: str) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.user_id == user_id,
            AuditEvent.action == "view",
            AuditEvent.object_type == object_type,
        )
    )


@pytest.mark.parametrize(
    "page",
    [
        family_page,
        timeline_show_more,
        hub_queue,
        review_queue,
        caseload,
        manager_view,
    ],
)
def test_a_page_reads_and_records_its_view_in_one_transaction(
    app: Flask, page: Callable[[Flask], Visit]
) -> None:
    visit = page(app)
    before = views_recorded(visit.user_id, visit.object_type)
    # The test's own reading ends here, so that only the request's transactions are counted.
    db.session.commit()

    with counting_transactions() as seen:
        response = visit.client.get(visit.url, headers=visit.headers)

    assert response.status_code == 200
    assert seen == ONE_TRANSACTION
    assert views_recorded(visit.user_id, visit.object_type) == before + 1
