"""Choosing a lead worker: the picker, allocation, reassignment and who then sees the family."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Agency, Assignment, AuditEvent, Episode, Team, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.access import can_see_family
from caseapp.services.allocation import (
    AllocationConflict,
    AllocationInvalid,
    allocate,
    find_candidates,
    open_allocation,
)
from caseapp.services.context import Actor
from caseapp.services.triage import EpisodeNotFound
from tests.factories import make_episode, make_family, make_team, make_user
from tests.statements import counting_statements
from tests.test_triage import MadeRequest, make_request


def allocate_url(made: MadeRequest) -> str:
    return f"/hub/episodes/{made.episode_id}/allocate"


def awaiting_allocation(**kwargs: object) -> MadeRequest:
    return make_request(status=EpisodeStatus.AWAITING_ALLOCATION, **kwargs)  # type: ignore[arg-type]


def lead_worker(name: str, team: str = "North Early Help Team", agency: str = "Oakfield") -> User:
    found = db.session.scalar(select(Agency).where(Agency.name == agency))
    return make_user(
        "lead_worker",
        name=name,
        team=make_team(team, team.split()[0]),
        agency=found or Agency(name=agency, kind="school"),
    )


def version_of(episode_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Episode, episode_id).version


# --- the picker ----------------------------------------------------------------------------


def test_the_picker_counts_each_lead_workers_open_families(app: Flask) -> None:
    gemma = lead_worker("Gemma Clarke")
    daniel = lead_worker("Daniel Price", "South Early Help Team", "Health Visiting")
    lead_worker("Lucy Bennett")
    retired = lead_worker("Retired Worker")
    retired.active = False
    make_user("hub_coordinator", name="Not A Lead Worker")
    db.session.commit()
    for number, (lead, status) in enumerate(
        [
            (gemma, EpisodeStatus.ALLOCATED),
            (gemma, EpisodeStatus.PLAN_ACTIVE),
            (gemma, EpisodeStatus.CLOSED),
            (daniel, EpisodeStatus.REVIEW),
        ]
    ):
        make_episode(make_family(family_name=f"Family{number}"), status, lead_worker=lead)

    page = find_candidates(page_size=10)
    shown = {candidate.name: candidate for candidate in page.candidates}
    assert sorted(shown) == ["Daniel Price", "Gemma Clarke", "Lucy Bennett"]
    for candidate in page.candidates:
        independent = db.session.scalar(
            select(func.count(Episode.id)).where(
                Episode.lead_worker_id == candidate.user_id, Episode.status != EpisodeStatus.CLOSED
            )
        )
        assert candidate.open_cases == independent
    assert (shown["Gemma Clarke"].open_cases, shown["Daniel Price"].open_cases) == (2, 1)
    assert shown["Daniel Price"].team_name == "South Early Help Team"
    assert shown["Daniel Price"].agency_name == "Health Visiting"

    by_caseload = find_candidates(sort="caseload", page_size=10)
    assert [c.name for c in by_caseload.candidates] == [
        "Lucy Bennett",
        "Daniel Price",
        "Gemma Clarke",
    ]


def test_the_picker_costs_the_same_queries_however_many_lead_workers(app: Flask) -> None:
    for number in range(3):
        lead_worker(f"Worker {number}")
    with counting_statements() as few:
        find_candidates(page_size=25)
    for number in range(3, 20):
        lead = lead_worker(f"Worker {number}")
        make_episode(
            make_family(family_name=f"F{number}"), EpisodeStatus.ALLOCATED, lead_worker=lead
        )
    with counting_statements() as many:
        page = find_candidates(page_size=25)
    assert page.total == 20
    assert len(many) == len(few) == 2  # the page, and its count


def test_the_picker_filters_by_name_team_or_agency_and_pages(app: Flask) -> None:
    lead_worker("Gemma Clarke")
    lead_worker("Aisha Rahman", agency="Riverside Academy")
    lead_worker("Daniel Price", "South Early Help Team")
    assert [c.name for c in find_candidates("gemma").candidates] == ["Gemma Clarke"]
    assert [c.name for c in find_candidates("south").candidates] == ["Daniel Price"]
    assert [c.name for c in find_candidates("RIVERSIDE").candidates] == ["Aisha Rahman"]
    assert [c.name for c in find_candidates("north gemma").candidates] == ["Gemma Clarke"]
    assert find_candidates("100%").total == 0  # wildcards are matched literally
    second = find_candidates(page=2, page_size=2)
    assert (second.total, second.pages, [c.name for c in second.candidates]) == (
        3,
        2,
        ["Gemma Clarke"],
    )
    assert find_candidates(page=99, page_size=2).page == 2


def test_the_allocation_page_and_its_htmx_fragment(
    client: FlaskClient, signed_in_as, monkeypatch: pytest.MonkeyPatch, app: Flask
) -> None:
    made = awaiting_allocation()
    for name in ("Gemma Clarke", "Aisha Rahman", "Daniel Price"):
        lead_worker(name)
    coordinator = signed_in_as("hub_coordinator")
    monkeypatch.setitem(app.config, "CASEAPP_PAGE_SIZE", 2)

    page = client.get(allocate_url(made)).get_data(as_text=True)
    assert "<html" in page
    assert "Allocate a lead worker" in page
    assert "Showing 1 to 2 of 3 lead workers" in page
    assert "Aisha Rahman" in page and "Daniel Price" in page and "Gemma Clarke" not in page
    assert "0 open families" in page
    assert 'hx-target="#candidates"' in page
    assert f"/hub/episodes/{made.episode_id}/allocate?sort=name&amp;page=2" in page

    fragment = client.get(
        allocate_url(made) + "?q=gemma", headers={"HX-Request": "true", "HX-Target": "candidates"}
    )
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    assert text.lstrip().startswith('<div id="candidates">')
    assert "Gemma Clarke" in text and "Aisha Rahman" not in text
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["Vary"]

    # Without JavaScript the same filter is a plain GET that returns the whole page.
    plain = client.get(allocate_url(made) + "?q=gemma").get_data(as_text=True)
    assert "<html" in plain and "Gemma Clarke" in plain and "Aisha Rahman" not in plain
    views = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "view", AuditEvent.user_id == coordinator.id
        )
    )
    assert views == 2  # the two full pages; the fragment shows staff, not the family


# --- allocating ----------------------------------------------------------------------------


def test_allocating_a_lead_worker(client: FlaskClient, signed_in_as) -> None:
    made = awaiting_allocation()
    gemma = lead_worker("Gemma Clarke")
    coordinator = signed_in_as("hub_coordinator", name="Tom Okafor")
    assert not can_see_family(gemma, made.family_id)

    response = client.post(
        allocate_url(made),
        data={"version": version_of(made.episode_id), "lead_worker": gemma.id, "reason": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/families/{made.family_id}")
    with client.session_transaction() as session:
        assert ("success", "Allocated to Gemma Clarke") in session["_flashes"]

    episode = db.session.get(Episode, made.episode_id)
    assert episode.status is EpisodeStatus.ALLOCATED
    assert episode.lead_worker_id == gemma.id
    assert episode.hub_due_at is None
    assert episode.allocated_at is not None
    (assignment,) = db.session.scalars(
        select(Assignment).where(Assignment.episode_id == made.episode_id)
    ).all()
    assert (assignment.lead_worker_id, assignment.assigned_by_id, assignment.ended_at) == (
        gemma.id,
        coordinator.id,
        None,
    )
    kinds = db.session.scalars(
        select(TimelineEvent.kind).where(TimelineEvent.episode_id == made.episode_id)
    ).all()
    assert kinds.count(EventKind.LEAD_WORKER_ASSIGNED) == 1
    # The new lead worker sees the family at once; so does the coordinator who allocated it.
    assert can_see_family(gemma, made.family_id)
    assert can_see_family(coordinator, made.family_id)


def test_reassignment_needs_a_reason_and_keeps_the_history(
    client: FlaskClient, signed_in_as
) -> None:
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    coordinator = signed_in_as("hub_coordinator", name="Tom Okafor")
    made = awaiting_allocation()
    allocate(Actor(coordinator), made.episode_id, version_of(made.episode_id), gemma.id, "")

    page = client.get(allocate_url(made)).get_data(as_text=True)
    assert "Change the lead worker" in page
    assert "Lead worker now" in page
    assert "Why are you changing the lead worker?" in page

    refused = client.post(
        allocate_url(made),
        data={"version": version_of(made.episode_id), "lead_worker": daniel.id, "reason": " "},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Enter the reason for changing the lead worker" in text
    assert db.session.get(Episode, made.episode_id).lead_worker_id == gemma.id

    response = client.post(
        allocate_url(made),
        data={
            "version": version_of(made.episode_id),
            "lead_worker": daniel.id,
            "reason": "Gemma is on long-term leave",
        },
    )
    assert response.status_code == 302
    history = db.session.scalars(
        select(Assignment)
        .where(Assignment.episode_id == made.episode_id)
        .order_by(Assignment.assigned_at, Assignment.id)
    ).all()
    assert [(row.lead_worker_id, row.ended_at is None) for row in history] == [
        (gemma.id, False),
        (daniel.id, True),
    ]
    assert history[1].reason == "Gemma is on long-term leave"
    assert db.session.get(Episode, made.episode_id).status is EpisodeStatus.ALLOCATED
    assert can_see_family(daniel, made.family_id)
    assert not can_see_family(gemma, made.family_id)


def test_only_an_active_lead_worker_can_be_chosen(app: Flask) -> None:
    made = awaiting_allocation()
    coordinator = make_user("hub_coordinator")
    not_a_lead = make_user("hub_coordinator")
    for chosen in (not_a_lead.id, 999_999, None):
        with pytest.raises(AllocationInvalid) as refused:
            allocate(Actor(coordinator), made.episode_id, version_of(made.episode_id), chosen, "")
        assert [problem.field for problem in refused.value.problems] == ["lead_worker"]
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_a_stale_version_is_a_conflict_that_carries_the_current_state(app: Flask) -> None:
    made = awaiting_allocation()
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    tom = make_user("hub_coordinator", name="Tom Okafor")
    priya = make_user("hub_coordinator", name="Priya Shah")
    seen = version_of(made.episode_id)
    open_allocation(Actor(priya), made.episode_id)
    allocate(Actor(tom), made.episode_id, seen, gemma.id, "")
    with pytest.raises(AllocationConflict) as conflict:
        allocate(Actor(priya), made.episode_id, seen, daniel.id, "")
    current = conflict.value.current
    assert (current.lead_worker_name, current.assigned_by_name) == ("Gemma Clarke", "Tom Okafor")
    assert current.assigned_at is not None
    assert current.version == version_of(made.episode_id)
    assert db.session.scalar(select(func.count(Assignment.id))) == 1


def test_someone_who_never_opened_the_page_learns_nothing_from_a_stale_post(
    app: Flask,
) -> None:
    made = awaiting_allocation()
    gemma, daniel = lead_worker("Gemma Clarke"), lead_worker("Daniel Price")
    tom = make_user("hub_coordinator", name="Tom Okafor")
    prober = make_user("hub_coordinator", name="Curious Coordinator")
    seen = version_of(made.episode_id)
    allocate(Actor(tom), made.episode_id, seen, gemma.id, "")
    with pytest.raises(EpisodeNotFound):
        allocate(Actor(prober), made.episode_id, seen, daniel.id, "")


def test_a_manager_may_allocate_but_not_before_triage(client: FlaskClient, signed_in_as) -> None:
    gemma = lead_worker("Gemma Clarke")
    waiting = awaiting_allocation(family_name="Begum")
    undecided = make_request(family_name="Walsh")
    signed_in_as("manager", team=make_team())

    page = client.get(f"/hub/episodes/{undecided.episode_id}/allocate").get_data(as_text=True)
    assert "cannot be allocated while the episode is request received" in page
    refused = client.post(
        f"/hub/episodes/{undecided.episode_id}/allocate",
        data={"version": version_of(undecided.episode_id), "lead_worker": gemma.id},
    )
    assert "cannot be allocated" in refused.get_data(as_text=True)
    assert db.session.get(Episode, undecided.episode_id).lead_worker_id is None

    response = client.post(
        allocate_url(waiting),
        data={"version": version_of(waiting.episode_id), "lead_worker": gemma.id},
    )
    assert response.status_code == 302
    assert db.session.get(Episode, waiting.episode_id).lead_worker_id == gemma.id


def test_lead_workers_cannot_allocate(client: FlaskClient, signed_in_as) -> None:
    made = awaiting_allocation()
    signed_in_as("lead_worker")
    assert client.get(allocate_url(made)).status_code == 403


def test_a_manager_outside_the_familys_team_gets_404(client: FlaskClient, signed_in_as) -> None:
    made = awaiting_allocation()
    signed_in_as("manager", team=Team(name="Another Team", locality="East"))
    assert client.get(allocate_url(made)).status_code == 404


def test_children_and_the_hub_decision_are_shown_when_allocating(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator", name="Tom Okafor")
    today = uk_today()
    data = {
        "version": version_of(made.episode_id),
        f"level_{made.child_ids[0]}": "targeted_early_help",
        "rationale": "Attendance and home conditions both need a plan.",
        "outcome": "early_help",
        "referrer_told_how": "email",
        "referrer_told_on": [str(today.day), str(today.month), str(today.year)],
    }
    response = client.post(f"/hub/episodes/{made.episode_id}/triage", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Decision recorded: Early help. Now allocate a lead worker." in page
    assert "Maisie Turner" in page and "Targeted Early Help" in page
    assert "Early help, by Tom Okafor" in page
    assert "Allocate by" in page
