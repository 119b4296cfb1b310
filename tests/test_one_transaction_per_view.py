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
from tests.factories import make_team, make_user
from tests.statements import counting_statements
from tests.test_assessments import started
from tests.test_consent import make_case as consented_family
from tests.test_disagreements import family_led_by
from tests.test_family_page import HTMX, add_events, allocated_family, next_link, sign_in
from tests.test_hub_queue import fill_queue
from tests.test_level_requests import make_world
from tests.test_meetings import arrange, meetings_url
from tests.test_meetings import make_case as family_with_outcomes
from tests.test_oversight import north_family
from tests.test_plans import add_action, add_outcome, make_plan
from tests.test_reopening import close
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


def oversight(app: Flask) -> Visit:
    manager = make_user("manager", team=make_team())
    family_id = north_family(make_user("lead_worker"))
    url = f"/families/{family_id}/oversight"
    return Visit(sign_in(app, manager), url, manager.id, "family_oversight")


def disagreements(app: Flask) -> Visit:
    lead = make_user("lead_worker")
    url = f"/families/{family_led_by(lead)}/disagreements"
    return Visit(sign_in(app, lead), url, lead.id, "family_disagreements")


# Read by the coordinator, who keeps neither record: the page of someone who does holds a
# form that may have a draft, and drafts are looked up once the page is rendered
# (web/drafts.py), after the view's record has ended the reading transaction.


def consent(app: Flask) -> Visit:
    case = consented_family()
    return Visit(sign_in(app, case.coordinator), case.url, case.coordinator.id, "consent")


def assessment(app: Flask) -> Visit:
    case = consented_family()
    started(app, case)
    url = f"/families/{case.family_id}/assessments"
    return Visit(sign_in(app, case.coordinator), url, case.coordinator.id, "assessments")


def plan(app: Flask) -> Visit:
    family = make_plan()
    add_action(family, add_outcome(family))
    return Visit(sign_in(app, family.lead), family.url, family.lead.id, "plan")


def plan_outcome(app: Flask) -> Visit:
    family = make_plan()
    url = f"{family.url}/outcomes/{add_outcome(family).id}"
    return Visit(sign_in(app, family.lead), url, family.lead.id, "plan_outcome")


def plan_action(app: Flask) -> Visit:
    family = make_plan()
    url = f"{family.url}/actions/{add_action(family, None).id}"
    return Visit(sign_in(app, family.lead), url, family.lead.id, "plan_action")


def meetings(app: Flask) -> Visit:
    case = family_with_outcomes()
    arrange(case)
    return Visit(sign_in(app, case.lead), meetings_url(case), case.lead.id, "taf_meetings")


def meeting(app: Flask) -> Visit:
    case = family_with_outcomes()
    url = meetings_url(case, arrange(case).id)
    return Visit(sign_in(app, case.lead), url, case.lead.id, "taf_meeting")


def meeting_change_form(app: Flask) -> Visit:
    case = family_with_outcomes()
    url = meetings_url(case, arrange(case).id, "change")
    return Visit(sign_in(app, case.lead), url, case.lead.id, "taf_meeting")


def level_request_form(app: Flask) -> Visit:
    world = make_world()
    url = f"/families/{world.family.id}/level-requests/new?kind=step_down"
    return Visit(sign_in(app, world.lead), url, world.lead.id, "family")


def level_request(app: Flask) -> Visit:
    world = make_world()
    url = f"/level-requests/{pending_request(world).id}"
    return Visit(sign_in(app, world.lead), url, world.lead.id, "level_change_request")


def decision_page(app: Flask) -> Visit:
    world = make_world()
    url = f"/reviews/{pending_request(world).id}"
    return Visit(sign_in(app, world.manager), url, world.manager.id, "level_change_request")


def reopen_form(app: Flask) -> Visit:
    world = make_world()
    close(world.episode, days_ago=40)
    url = f"/families/{world.family.id}/reopen"
    return Visit(sign_in(app, world.manager), url, world.manager.id, "family")


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
        oversight,
        disagreements,
        consent,
        assessment,
        plan,
        plan_outcome,
        plan_action,
        meetings,
        meeting,
        meeting_change_form,
        level_request_form,
        level_request,
        decision_page,
        reopen_form,
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


@pytest.mark.parametrize("page", [consent, assessment, plan, plan_action])
def test_what_htmx_swaps_in_of_a_page_reads_no_frame(
    app: Flask, page: Callable[[Flask], Visit]
) -> None:
    visit = page(app)
    db.session.commit()

    with counting_statements() as statements:
        response = visit.client.get(visit.url, headers=HTMX)

    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    # The frame's latest events are the only events these pages read.
    assert not [statement for statement in statements if "FROM timeline_events" in statement]
