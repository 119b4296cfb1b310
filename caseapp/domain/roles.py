"""Roles a person can hold, and what each one's home in the app is."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEAD_WORKER = "lead_worker"
    HUB_COORDINATOR = "hub_coordinator"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.LEAD_WORKER: "Lead worker",
    Role.HUB_COORDINATOR: "Early Help Hub coordinator",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Administrator",
}

# The order a person's homes are offered in: case work first, administration last.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.LEAD_WORKER,
    Role.HUB_COORDINATOR,
    Role.MANAGER,
    Role.ADMIN,
)

CASE_ROLES: frozenset[Role] = frozenset({Role.LEAD_WORKER, Role.HUB_COORDINATOR, Role.MANAGER})


def primary_role(roles: frozenset[Role]) -> Role | None:
    """The role whose home page a person lands on after signing in."""
    return next((role for role in ROLE_PRECEDENCE if role in roles), None)


def ordered_roles(roles: frozenset[Role]) -> list[Role]:
    return [role for role in ROLE_PRECEDENCE if role in roles]
