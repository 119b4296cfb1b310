"""Administration of staff accounts: listing, creating, changing roles, disabling."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import Agency, Team, User
from caseapp.services.accounts import AccountError, stage_user
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor


@dataclass(frozen=True)
class StaffPage:
    users: list[User]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class StaffDetails:
    name: str
    email: str
    job_title: str
    roles: set[Role]
    agency_id: int | None
    team_id: int | None


def staff_page(search: str, page: int, per_page: int) -> StaffPage:
    query = select(User)
    term = search.strip().lower()
    if term:
        query = query.where(or_(User.email.startswith(term), func.lower(User.name).contains(term)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    users = db.session.scalars(
        query.order_by(User.name, User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return StaffPage(list(users), total, page, pages)


def organisation_choices() -> tuple[list[Agency], list[Team]]:
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return list(agencies), list(teams)


def _agency_and_team(details: StaffDetails) -> tuple[Agency | None, Team | None]:
    agency = db.session.get(Agency, details.agency_id) if details.agency_id else None
    team = db.session.get(Team, details.team_id) if details.team_id else None
    return agency, team


def create_staff_account(actor: Actor, details: StaffDetails, password: str) -> User:
    agency, team = _agency_and_team(details)
    user = stage_user(
        email=details.email,
        name=details.name,
        password=password,
        roles=details.roles,
        job_title=details.job_title,
        agency=agency,
        team=team,
        created_by=actor.user,
        remote_addr=actor.remote_addr,
    )
    db.session.commit()
    return user


def update_staff_account(actor: Actor, user_id: int, details: StaffDetails) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if not details.roles:
        raise AccountError("Give the person at least one role", "roles")
    if user.id == actor.user_id and Role.ADMIN not in details.roles:
        raise AccountError("You cannot remove your own administrator role", "roles")
    user.name = details.name.strip()
    user.job_title = details.job_title.strip()
    user.agency, user.team = _agency_and_team(details)
    previous = sorted(role.value for role in user.roles)
    user.roles = details.roles
    audit_by(
        actor,
        "update",
        "user",
        object_id=user.id,
        detail={"roles_before": previous, "roles_after": sorted(r.value for r in details.roles)},
    )
    db.session.commit()
    return user


def set_account_active(actor: Actor, user_id: int, active: bool) -> User:
    """Disabling takes effect on the person's next request: sessions check it each time."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if user.id == actor.user_id and not active:
        raise AccountError("You cannot disable your own account", "active")
    user.active = active
    audit_by(actor, "enable" if active else "disable", "user", object_id=user.id)
    db.session.commit()
    return user


def find_staff(user_id: int) -> User | None:
    return db.session.get(User, user_id)
