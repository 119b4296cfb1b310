"""Need-to-know: which relationships to a family let a person with each role see it.

This table is the whole policy. `services/access.py` turns each grant into one SQL
condition, so the same rule filters lists, searches, exports and single-record checks.
"""

from __future__ import annotations

from enum import StrEnum

from caseapp.domain.roles import Role


class Grant(StrEnum):
    # The person is the current lead worker of the family's open episode.
    LEADS_OPEN_EPISODE = "leads_open_episode"
    # The family has an episode waiting for the Hub (a decision or a lead worker), or an
    # urgent step up, which the Hub queue lists too.
    IN_HUB = "in_hub"
    # The person allocated a lead worker to one of the family's open episodes.
    ALLOCATED_OPEN_EPISODE = "allocated_open_episode"
    # One of the family's episodes belongs to the person's team.
    TEAM_EPISODE = "team_episode"
    # The person is named as a member of the Team Around the Family of an open episode.
    TAF_MEMBER = "taf_member"


ROLE_GRANTS: dict[Role, frozenset[Grant]] = {
    Role.LEAD_WORKER: frozenset({Grant.LEADS_OPEN_EPISODE, Grant.TAF_MEMBER}),
    Role.HUB_COORDINATOR: frozenset({Grant.IN_HUB, Grant.ALLOCATED_OPEN_EPISODE}),
    Role.MANAGER: frozenset({Grant.TEAM_EPISODE}),
    # Administrators run the service, not cases: no family is visible through this role.
    Role.ADMIN: frozenset(),
}


def grants_for(roles: frozenset[Role]) -> frozenset[Grant]:
    """Everything any of a person's roles grants; several roles add up."""
    return frozenset().union(*(ROLE_GRANTS[role] for role in roles))


def may_keep_casework(
    roles: frozenset[Role],
    user_id: int,
    user_team_id: int | None,
    lead_worker_id: int | None,
    episode_team_id: int | None,
) -> bool:
    """Who may add to and change an open episode's consent, EHA, plan, TAF meetings and
    case notes: its lead worker, and a manager of its team (who can cover an absence).
    TAF members and the Hub can read the record but do not keep it."""
    if Role.LEAD_WORKER in roles and lead_worker_id is not None and lead_worker_id == user_id:
        return True
    return (
        Role.MANAGER in roles
        and user_team_id is not None
        and episode_team_id is not None
        and user_team_id == episode_team_id
    )
