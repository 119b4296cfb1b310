"""Hostile and random input to the step up, step down and closure forms, the further
information form, the manager's decision and reopening: never a server error, never script
echoed back unescaped."""

from __future__ import annotations

from flask import Flask

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from tests.test_form_fuzzing import _hostile_form, _run
from tests.test_level_requests import make_world, sign_in, step_down_form, version_of
from tests.test_review_queue import pending_request


def test_step_down_request_form(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    url = f"/families/{world.family.id}/level-requests/new?kind=step_down"
    base = step_down_form(world)
    fields = [
        "version",
        "target",
        "children",
        f"level_{world.younger.id}",
        f"indicators_{world.younger.id}",
        "urgent",
        "rationale",
    ]
    _run(app, lambda data: lead.post(url, data=data), _hostile_form(base, fields))


def test_closure_request_form(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    url = f"/families/{world.family.id}/level-requests/new?kind=closure"
    base = {
        "version": str(version_of(world.episode.id)),
        "kind": "closure",
        "closure_reason": ClosureReason.OTHER.value,
        "closure_detail": "Family asked to stop",
        "after_closure": "GP",
        "rationale": "Done",
    }
    fields = ["closure_reason", "closure_detail", "after_closure", "rationale", "kind"]
    _run(app, lambda data: lead.post(url, data=data), _hostile_form(base, fields))


def test_further_information_form(app: Flask) -> None:
    world = make_world()
    made = pending_request(world)
    lead = sign_in(app, world.lead)
    url = f"/level-requests/{made.id}/resubmit"
    base = {"version": str(made.version), "further_information": "More"}
    _run(
        app,
        lambda data: lead.post(url, data=data),
        _hostile_form(base, ["version", "further_information"]),
    )


def test_review_form(app: Flask) -> None:
    world = make_world()
    made = pending_request(world)
    manager = sign_in(app, world.manager)
    url = f"/reviews/{made.id}"
    # "return" keeps the request open for the next example; the rest fuzz what is sent.
    base = {"version": str(made.version), "decision": "return", "rationale": "Why?"}
    _run(
        app,
        lambda data: manager.post(url, data=data),
        _hostile_form(base, ["decision", "rationale"]),
    )


def test_reopen_form(app: Flask) -> None:
    world = make_world(EpisodeStatus.CLOSED)
    manager = sign_in(app, world.manager)
    url = f"/families/{world.family.id}/reopen"
    _run(
        app,
        lambda data: manager.post(url, data=data),
        _hostile_form({"reason": "Again"}, ["reason", "consent_given_by"]),
    )
