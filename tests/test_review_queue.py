"""The manager's review queue and decision page, and an urgent step up at the top of the
Hub queue too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.level_requests import RequestKind, RequestStatus, RequestTarget
from caseapp.extensions import db
from caseapp.models import LevelChangeRequest, LevelChangeRequestChild, User
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment
from tests.factories import make_episode, make_family, make_team, make_user
from tests.statements import counting_statements
from tests.test_level_requests import (
    World,
    add_progress,
    ask,
    make_world,
    only_request,
    sign_in,
    step_down_form,
    version_of,
)


def pending_request(
    world: World,
    *,
    urgent: bool = False,
    hours_ago: int = 1,
    kind: RequestKind = RequestKind.STEP_DOWN,
    by: User | None = None,
) -> LevelChangeRequest:
    at = utcnow() - timedelta(hours=hours_ago)
    made = LevelChangeRequest(
        family_id=world.family.id,
        episode_id=world.episode.id,
        kind=kind,
        target=RequestTarget.SOCIAL_CARE if urgent else RequestTarget.LEVEL,
        urgent=urgent,
        rationale="Because.",
        requested_by_id=(by or world.lead).id,
        requested_at=at,
        submitted_at=at,
    )
    made.children = [
        LevelChangeRequestChild(
            member_id=world.younger.id,
            from_level_code="targeted_early_help",
            to_level_code="earliest_help",
        )
    ]
    db.session.add(made)
    db.session.commit()
    return made


def test_queue_lists_urgent_first_then_oldest_and_only_the_managers_families(app: Flask) -> None:
    old = make_world(family_name="Older")
    new = make_world(family_name="Newer")
    urgent = make_world(family_name="Urgent")
    pending_request(old, hours_ago=50)
    pending_request(new, hours_ago=2)
    pending_request(urgent, urgent=True, kind=RequestKind.STEP_UP, hours_ago=1)
    # Another team's family is not the manager's to see.
    south = make_team("South Early Help Team", "South")
    stranger = make_family(family_name="Stranger")
    episode = make_episode(
        stranger, EpisodeStatus.PLAN_ACTIVE, lead_worker=make_user(team=south), team=south
    )
    db.session.add(
        LevelChangeRequest(
            family_id=stranger.id,
            episode_id=episode.id,
            kind=RequestKind.CLOSURE,
            target=RequestTarget.UNIVERSAL,
            rationale="Done.",
            requested_by_id=make_user(team=south).id,
        )
    )
    # Decided requests have left the queue.
    decided = pending_request(old, hours_ago=90)
    decided.status = RequestStatus.APPROVED
    db.session.commit()

    manager = sign_in(app, old.manager)
    page = manager.get("/reviews")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 requests waiting, 1 urgent" in body
    assert body.index("Urgent family") < body.index("Older family") < body.index("Newer family")
    assert "Stranger" not in body
    assert "Urgent: significant harm suspected" in body
    assert "Review requests" in body  # in the manager's navigation


def test_queue_pages_keep_the_order_and_a_page_past_the_end_shows_the_last(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "CASEAPP_PAGE_SIZE", 2)
    worlds = [make_world(family_name=f"Queued{number}") for number in range(5)]
    for number, world in enumerate(worlds[:4]):
        pending_request(world, hours_ago=10 - number)
    pending_request(worlds[4], urgent=True, kind=RequestKind.STEP_UP, hours_ago=1)

    manager = sign_in(app, worlds[0].manager)
    bodies = [manager.get(f"/reviews?page={page}").get_data(as_text=True) for page in (1, 2, 3, 9)]
    order = ["Queued4", "Queued0", "Queued1", "Queued2", "Queued3"]
    for page, names in enumerate([order[:2], order[2:4], order[4:], order[4:]]):
        shown = [name for name in order if f"{name} family" in bodies[page]]
        assert shown == names, page
        assert bodies[page].index(names[0]) <= bodies[page].index(names[-1])
    assert "5 requests waiting, 1 urgent" in bodies[1]


def test_queue_and_decision_page_statements_do_not_grow(app: Flask) -> None:
    world = make_world()
    manager = sign_in(app, world.manager)
    request_id = pending_request(world).id

    def counts() -> tuple[int, int]:
        with counting_statements() as queue:
            assert manager.get("/reviews").status_code == 200
        with counting_statements() as decision:
            assert manager.get(f"/reviews/{request_id}").status_code == 200
        return len(queue), len(decision)

    small = counts()
    for number in range(6):
        pending_request(make_world(family_name=f"More{number}"), hours_ago=number + 3)
    add_progress(world)
    add_progress(world)
    large = counts()
    assert small == large
    assert max(large) <= 15, large


def test_decision_page_shows_family_levels_progress_and_request(app: Flask) -> None:
    world = make_world()
    add_progress(world)
    lead = sign_in(app, world.lead)
    ask(lead, world, step_down_form(world))
    manager = sign_in(app, world.manager)
    body = manager.get(f"/reviews/{only_request().id}").get_data(as_text=True)
    for expected in (
        "Okafor family",
        "Targeted Early Help",  # the children's levels now
        "Distance travelled",
        "Alex goes to school every day",
        "Keep going with the morning routine.",  # the last TAF's decisions
        "Walk Alex to school on Mondays",
        "Attendance is back to 96%",
        'name="decision"',
    ):
        assert expected in body, expected


def test_a_decision_on_a_stale_page_shows_who_decided_and_saves_nothing(app: Flask) -> None:
    world = make_world()
    made = pending_request(world)
    first, second = sign_in(app, world.manager), sign_in(app, world.other_manager)
    loaded_version = made.version
    assert (
        first.post(
            f"/reviews/{made.id}",
            data={"version": loaded_version, "decision": "approve", "rationale": "Yes."},
        ).status_code
        == 302
    )
    late = second.post(
        f"/reviews/{made.id}",
        data={"version": loaded_version, "decision": "decline", "rationale": "No."},
    )
    body = late.get_data(as_text=True)
    assert late.status_code == 200
    assert "Mo Manager approved this request" in body
    assert "Nothing you chose was saved" in body
    assert only_request().status is RequestStatus.APPROVED
    assert only_request().decided_by_id == world.manager.id


def test_decision_needs_a_choice_and_a_rationale(app: Flask) -> None:
    world = make_world()
    made = pending_request(world)
    manager = sign_in(app, world.manager)
    response = manager.post(f"/reviews/{made.id}", data={"version": made.version})
    body = response.get_data(as_text=True)
    assert "Select your decision" in body and "Enter the rationale for your decision" in body
    assert only_request().status is RequestStatus.PENDING


def test_an_urgent_step_up_is_at_the_top_of_the_hub_queue(app: Flask) -> None:
    hub = make_user("hub_coordinator", name="Hana Hub")
    waiting = make_family(family_name="Waiting")
    make_episode(waiting, EpisodeStatus.REQUESTED)
    world = make_world()
    # Hana has no other link to the family: the urgent step up alone puts it before her.
    lead = sign_in(app, world.lead)
    form = {
        "version": str(version_of(world.episode.id)),
        "kind": "step_up",
        "target": "social_care",
        "urgent": "y",
        "children": [str(world.younger.id)],
        f"level_{world.younger.id}": "statutory_specialist",
        "rationale": "Disclosure at school today.",
    }
    assert ask(lead, world, form).status_code == 302
    coordinator = sign_in(app, hub)
    body = coordinator.get("/hub").get_data(as_text=True)
    assert body.index("Okafor family") < body.index("Waiting family")
    assert "Step up requested" in body
    assert f"/level-requests/{only_request().id}" in body
    # The coordinator may open the request it links to.
    assert coordinator.get(f"/level-requests/{only_request().id}").status_code == 200

    # Once decided, it leaves the Hub queue.
    manager = sign_in(app, world.manager)
    manager.post(
        f"/reviews/{only_request().id}",
        data={"version": only_request().version, "decision": "approve", "rationale": "Go."},
    )
    assert "Okafor family" not in coordinator.get("/hub").get_data(as_text=True)


def test_a_non_urgent_step_up_is_not_in_the_hub_queue(app: Flask) -> None:
    hub = make_user("hub_coordinator")
    world = make_world()

    stage_assignment(Actor(hub), world.episode, world.lead, reason="Cover")
    world.episode.status = EpisodeStatus.STEP_UP_REQUESTED
    db.session.commit()
    coordinator = sign_in(app, hub)
    assert "Okafor family" not in coordinator.get("/hub").get_data(as_text=True)
    assert db.session.scalar(select(LevelChangeRequest.id)) is None
