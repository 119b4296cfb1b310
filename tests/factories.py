"""Small builders for test records, going through the services like the app does."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import Episode, Family, Team, User
from caseapp.models.types import utcnow
from caseapp.services.accounts import create_user
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment, stage_episode
from caseapp.services.families import FamilyDetails, MemberDetails, stage_family

DEMO_TEST_PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_user(*roles: str, **fields: object) -> User:
    number = next(_sequence)
    email = str(fields.pop("email", f"user{number}@example.org"))
    name = str(fields.pop("name", f"Test User {number}"))
    return create_user(
        email=email,
        name=name,
        password=str(fields.pop("password", DEMO_TEST_PASSWORD)),
        roles={Role(role) for role in roles} or {Role.LEAD_WORKER},
        **fields,  # type: ignore[arg-type]
    )


def make_family(
    *children: tuple[str, date],
    family_name: str = "Testfamily",
    postcode: str = "MF1 1AA",
    actor_user: User | None = None,
) -> Family:
    """A family with the given (given name, date of birth) children and one parent."""
    actor = Actor(actor_user or make_user("hub_coordinator"))
    children_details = [
        MemberDetails(given_name=name, family_name=family_name, is_child=True, date_of_birth=born)
        for name, born in (children or (("Alex", date(2018, 5, 1)),))
    ]
    parent = MemberDetails(
        given_name="Pat",
        family_name=family_name,
        is_child=False,
        relationship_to_child="Mother",
        parental_responsibility=True,
    )
    members = (*children_details, parent)
    family = stage_family(
        actor,
        FamilyDetails(
            name=f"{family_name} family", postcode=postcode, locality="North", members=members
        ),
    )
    db.session.commit()
    return family


def make_team(name: str = "North Early Help Team", locality: str = "North") -> Team:
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name, locality=locality)
        db.session.add(team)
        db.session.commit()
    return team


def make_episode(
    family: Family,
    status: EpisodeStatus = EpisodeStatus.REQUESTED,
    *,
    lead_worker: User | None = None,
    team: Team | None = None,
    actor_user: User | None = None,
) -> Episode:
    """An episode in `status`; with a lead worker, allocated to them by `actor_user`."""
    actor = Actor(actor_user or make_user("hub_coordinator"))
    episode = stage_episode(actor, family, team)
    if lead_worker is not None:
        stage_assignment(actor, episode, lead_worker)
    episode.status = status
    if status is EpisodeStatus.CLOSED:
        episode.closed_at = utcnow()
    db.session.commit()
    return episode
