"""Need-to-know: the grant table, its SQL, and the pages that must honour it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from caseapp.domain.access import ROLE_GRANTS, Grant, grants_for
from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import Episode, Family, User
from caseapp.services.access import (
    can_see_family,
    viewer_parameters,
    visible_families,
    visible_families_for,
    visible_family_ids,
    visible_family_ids_for,
)
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment, stage_closure
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user


@pytest.mark.parametrize(
    ("role", "grants"),
    [
        (Role.LEAD_WORKER, {Grant.LEADS_OPEN_EPISODE, Grant.TAF_MEMBER}),
        (Role.HUB_COORDINATOR, {Grant.IN_HUB, Grant.ALLOCATED_OPEN_EPISODE}),
        (Role.MANAGER, {Grant.TEAM_EPISODE}),
        (Role.ADMIN, set()),
    ],
)
def test_each_role_grants(role: Role, grants: set[Grant]) -> None:
    assert ROLE_GRANTS[role] == grants
    assert grants_for(frozenset({role})) == grants


def test_every_role_is_in_the_grant_table() -> None:
    assert set(ROLE_GRANTS) == set(Role)


@pytest.mark.parametrize(
    ("roles", "grants"),
    [
        (set(), set()),
        ({Role.ADMIN, Role.LEAD_WORKER}, {Grant.LEADS_OPEN_EPISODE, Grant.TAF_MEMBER}),
        (
            {Role.LEAD_WORKER, Role.HUB_COORDINATOR},
            {
                Grant.LEADS_OPEN_EPISODE,
                Grant.TAF_MEMBER,
                Grant.IN_HUB,
                Grant.ALLOCATED_OPEN_EPISODE,
            },
        ),
        (
            {Role.MANAGER, Role.LEAD_WORKER},
            {Grant.TEAM_EPISODE, Grant.LEADS_OPEN_EPISODE, Grant.TAF_MEMBER},
        ),
        (set(Role), set(Grant)),
    ],
)
def test_several_roles_add_up(roles: set[Role], grants: set[Grant]) -> None:
    assert grants_for(frozenset(roles)) == grants


@dataclass
class World:
    users: dict[str, User]
    families: dict[str, int]


@pytest.fixture
def world(app: Flask) -> World:
    """Families in each position relative to each kind of user.

    own: led by `lead` in the North team, allocated by `coordinator`.
    elsewhere: another team's family, led and allocated by other people.
    closed: was led by `lead` in the North team, allocated by `coordinator`, now closed.
    waiting: a request waiting for a Hub decision in the South team.
    dual_led: led by `dual` (a lead worker who is also a coordinator), South team.
    """
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    users = {
        "lead": make_user("lead_worker", team=north),
        "other_lead": make_user("lead_worker", team=south),
        "coordinator": make_user("hub_coordinator"),
        "other_coordinator": make_user("hub_coordinator"),
        "manager": make_user("manager", team=north),
        "admin": make_user("admin"),
        "dual": make_user("lead_worker", "hub_coordinator"),
    }
    plans = {
        "own": (EpisodeStatus.ALLOCATED, "lead", north, "coordinator"),
        "elsewhere": (EpisodeStatus.PLAN_ACTIVE, "other_lead", south, "other_coordinator"),
        "closed": (EpisodeStatus.CLOSED, "lead", north, "coordinator"),
        "waiting": (EpisodeStatus.REQUESTED, None, south, "other_coordinator"),
        "dual_led": (EpisodeStatus.PLAN_ACTIVE, "dual", south, "other_coordinator"),
    }
    families = {}
    for key, (status, lead, team, allocator) in plans.items():
        family = make_family(family_name=key.replace("_", "").capitalize())
        make_episode(
            family,
            status,
            lead_worker=users[lead] if lead else None,
            team=team,
            actor_user=users[allocator],
        )
        families[key] = family.id
    return World(users=users, families=families)


VISIBLE: dict[str, set[str]] = {
    "lead": {"own"},
    "other_lead": {"elsewhere"},
    "coordinator": {"own", "waiting"},
    "other_coordinator": {"elsewhere", "waiting", "dual_led"},
    "manager": {"own", "closed"},
    "admin": set(),
    "dual": {"dual_led", "waiting"},
}


def visible_keys(world: World, user: User) -> set[str]:
    ids = set(db.session.scalars(select(Family.id).where(visible_families(user))))
    return {key for key, family_id in world.families.items() if family_id in ids}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_who_sees_which_family(world: World, who: str) -> None:
    user = world.users[who]
    assert visible_keys(world, user) == VISIBLE[who]
    # The id-set form that lists start from agrees with the per-row test.
    ids = visible_family_ids(user)
    started_from = set(db.session.scalars(ids)) if ids is not None else set()
    assert {k for k, i in world.families.items() if i in started_from} == VISIBLE[who]
    for key, family_id in world.families.items():
        assert can_see_family(user, family_id) is (key in VISIBLE[who]), key
    # The forms built once for everyone with the same grants, run with this person.
    grants, person = grants_for(user.roles), viewer_parameters(user)
    condition = select(Family.id).where(visible_families_for(grants))
    assert set(db.session.scalars(condition, person)) == _ids(world, VISIBLE[who])
    shared_ids = visible_family_ids_for(grants)
    started_from = set(db.session.scalars(shared_ids, person)) if shared_ids is not None else set()
    assert started_from == _ids(world, VISIBLE[who])


def _ids(world: World, keys: set[str]) -> set[int]:
    return {world.families[key] for key in keys}


def test_a_lead_worker_loses_the_family_when_it_is_reassigned(world: World) -> None:
    episode = db.session.scalar(select(Episode).where(Episode.family_id == world.families["own"]))
    other_lead = world.users["other_lead"]
    stage_assignment(Actor(world.users["coordinator"]), episode, other_lead, "Moved school")
    db.session.commit()
    assert not can_see_family(world.users["lead"], world.families["own"])
    assert can_see_family(other_lead, world.families["own"])
    # The coordinator allocated it both times, so keeps it.
    assert can_see_family(world.users["coordinator"], world.families["own"])


def test_a_lead_worker_loses_the_family_when_the_episode_closes(world: World) -> None:
    episode = db.session.scalar(select(Episode).where(Episode.family_id == world.families["own"]))
    stage_closure(Actor(world.users["lead"]), episode, ClosureReason.NEEDS_MET)
    db.session.commit()
    assert not can_see_family(world.users["lead"], world.families["own"])
    assert not can_see_family(world.users["coordinator"], world.families["own"])
    # The team's manager keeps oversight of the closed record.
    assert can_see_family(world.users["manager"], world.families["own"])


def test_a_coordinator_loses_a_hub_family_someone_else_allocates(world: World) -> None:
    episode = db.session.scalar(
        select(Episode).where(Episode.family_id == world.families["waiting"])
    )
    stage_assignment(Actor(world.users["other_coordinator"]), episode, world.users["other_lead"])
    episode.status = EpisodeStatus.ALLOCATED
    db.session.commit()
    assert not can_see_family(world.users["coordinator"], world.families["waiting"])
    assert can_see_family(world.users["other_coordinator"], world.families["waiting"])


def test_a_manager_without_a_team_sees_no_family(world: World) -> None:
    assert visible_keys(world, make_user("manager")) == set()


def sign_in(app: Flask, user: User):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_the_family_page_answers_only_those_who_may_see_it(
    app: Flask, world: World, who: str
) -> None:
    client = sign_in(app, world.users[who])
    for key, family_id in world.families.items():
        family_name = db.session.get(Family, family_id).name
        for path in (f"/families/{family_id}", f"/families/{family_id}/timeline"):
            response = client.get(path)
            body = response.get_data(as_text=True)
            if who == "admin":
                assert response.status_code == 403, path
            elif key in VISIBLE[who]:
                assert response.status_code == 200, path
                assert family_name in body
            else:
                assert response.status_code == 404, (who, key, path)
                assert family_name not in body


@pytest.mark.parametrize("who", sorted(set(VISIBLE) - {"admin"}))
def test_search_lists_and_counts_only_visible_families(app: Flask, world: World, who: str) -> None:
    client = sign_in(app, world.users[who])
    # Every family in the world shares the postcode district MF1.
    body = client.post(
        "/families/search", data={"postcode": "MF1"}, follow_redirects=True
    ).get_data(as_text=True)
    listed = set(re.findall(r'href="/families/(\d+)"', body))
    assert listed == {str(world.families[key]) for key in VISIBLE[who]}
    count = len(VISIBLE[who])
    if count:
        assert f"{count} famil{'y' if count == 1 else 'ies'} found" in body
    else:
        assert "No families found" in body
    for key in set(world.families) - VISIBLE[who]:
        assert db.session.get(Family, world.families[key]).name not in body


def test_search_is_refused_to_an_administrator(app: Flask, world: World) -> None:
    client = sign_in(app, world.users["admin"])
    assert client.post("/families/search", data={"postcode": "MF1"}).status_code == 403
