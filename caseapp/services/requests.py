"""Requests for support: receiving one, and showing it to the person who made it.

A request creates (or joins) the family record, opens an episode waiting for the Hub's
decision and sets the deadline for that decision, all in one transaction, so the Hub
never sees half a request and the family chronology starts with how the request came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from math import ceil
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import DeadlineState, deadline_state
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia, TriageOutcome, consent_problem
from caseapp.domain.matching import Identity, name_match, pair_up, resemblance
from caseapp.domain.names import postcode_key
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import working_days_deadline
from caseapp.extensions import db
from caseapp.models import (
    Episode,
    Family,
    FamilyMember,
    SupportRequest,
    SupportRequestChild,
    Team,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.access import can_see_family
from caseapp.services.audit import audit_by, record_view
from caseapp.services.context import Actor
from caseapp.services.duplicates import find_possible_duplicates
from caseapp.services.episodes import stage_episode
from caseapp.services.families import FamilyDetails, MemberDetails, new_member, stage_family
from caseapp.services.paging import page_parameters, paged
from caseapp.services.reopening import stage_rerequest_flag
from caseapp.services.timeline import add_timeline_event

# Early help is for children: from the 18th birthday a person is an adult.
ADULT_AGE = 18


class RequestError(ValueError):
    """A request for support that cannot be accepted as it stands."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class OpenEpisodeConflict(RequestError):
    """The family already has an open episode: a family has one at a time."""


@dataclass(frozen=True)
class ChildDetails:
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str = ""

    @property
    def identity(self) -> Identity:
        return Identity(self.given_name, self.family_name, self.date_of_birth)

    def member_details(self) -> MemberDetails:
        return MemberDetails(
            given_name=self.given_name.strip(),
            family_name=self.family_name.strip(),
            is_child=True,
            date_of_birth=self.date_of_birth,
            gender=self.gender,
        )


@dataclass(frozen=True)
class CarerDetails:
    """A parent or carer of the children."""

    given_name: str
    family_name: str
    relationship: str
    parental_responsibility: bool = False
    first_language: str = "English"
    needs_interpreter: bool = False

    def member_details(self) -> MemberDetails:
        return MemberDetails(
            given_name=self.given_name.strip(),
            family_name=self.family_name.strip(),
            is_child=False,
            relationship_to_child=self.relationship.strip(),
            parental_responsibility=self.parental_responsibility,
            first_language=self.first_language.strip(),
            needs_interpreter=self.needs_interpreter,
        )


@dataclass(frozen=True)
class RequestDetails:
    """Everything a request for support says. `received_via` ONLINE means the person
    submitting it is the referrer; PHONE and EMAIL are recorded by the Hub for someone
    outside the app."""

    received_via: ReceivedVia
    referrer_name: str
    referrer_agency: str
    referrer_contact: str
    children: tuple[ChildDetails, ...]
    carers: tuple[CarerDetails, ...]
    reason: str
    consent_given: bool
    consent_given_by: str = ""
    consent_not_needed_reason: str = ""
    significant_harm: bool = False
    tried_so_far: str = ""
    address: str = ""
    postcode: str = ""
    locality: str = ""

    @property
    def identities(self) -> list[Identity]:
        return [child.identity for child in self.children]


def birth_date_problem(born: date, today: date) -> str | None:
    """Why `born` cannot be the date of birth of a child the Hub can help, or None."""
    if born >= today:
        return "Date of birth must be in the past"
    eighteenth = _birthday_in(born, born.year + ADULT_AGE)
    if eighteenth <= today:
        return "Date of birth must be less than 18 years ago: add adults as parents or carers"
    return None


def _birthday_in(born: date, year: int) -> date:
    # Someone born on 29 February comes of age on 1 March in a year without one.
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def request_problems(details: RequestDetails, today: date) -> list[tuple[str, str]]:
    """Every rule the request breaks, as (field, message). The form shows the same rules
    next to its fields; this is the service's own check."""
    problems: list[tuple[str, str]] = []
    if not details.children:
        problems.append(("children", "Enter at least one child"))
    for index, child in enumerate(details.children):
        if not (child.given_name.strip() and child.family_name.strip()):
            problems.append((f"children-{index}-given_name", "Enter the child's full name"))
        problem = birth_date_problem(child.date_of_birth, today)
        if problem:
            problems.append((f"children-{index}-date_of_birth", problem))
    if not details.carers:
        problems.append(("carers", "Enter at least one parent or carer"))
    if not details.reason.strip():
        problems.append(("reason", "Enter the reason for the request"))
    for field, value in (
        ("referrer_name", details.referrer_name),
        ("referrer_agency", details.referrer_agency),
        ("referrer_contact", details.referrer_contact),
    ):
        if not value.strip():
            problems.append((field, "Enter the referrer's name, agency and contact details"))
    consent = consent_problem(
        details.significant_harm,
        details.consent_given,
        details.consent_given_by,
        details.consent_not_needed_reason,
    )
    if consent:
        problems.append(("consent", consent))
    return problems


def decision_due_at(
    received_at: datetime, significant_harm: bool, settings: DeadlineSettings
) -> datetime:
    """Hub decisions are due in working days; a suspected significant harm step-up sooner."""
    days = (
        settings.step_up_decision_working_days
        if significant_harm
        else settings.hub_decision_working_days
    )
    return working_days_deadline(received_at, days, settings.working_day_ends)


def localities() -> list[str]:
    """The localities teams cover: where a request can be routed."""
    return list(db.session.scalars(select(Team.locality).distinct().order_by(Team.locality)))


def submit_request(
    actor: Actor,
    details: RequestDetails,
    link_family_id: int | None = None,
    *,
    received_at: datetime | None = None,
) -> SupportRequest:
    """Record a request for support, its family, children and episode, in one transaction.

    With `link_family_id` (Hub coordinators only, and only to a family the duplicate check
    offered) the request joins that family: entered children who match recorded ones are
    taken to be them; the others are added as new members.

    Raises RequestError for a request that breaks a rule, and OpenEpisodeConflict when the
    family already has an open episode.
    """
    problems = request_problems(details, uk_today())
    if problems:
        field, message = problems[0]
        raise RequestError(message, field)
    is_coordinator = actor.user.has_role(Role.HUB_COORDINATOR)
    if details.received_via is not ReceivedVia.ONLINE and not is_coordinator:
        raise RequestError("Only the Early Help Hub records requests received by phone or email")
    if link_family_id is not None:
        if not is_coordinator:
            raise RequestError("Only the Early Help Hub can add a request to an existing family")
        offered = find_possible_duplicates(details.identities)
        if link_family_id not in {duplicate.family_id for duplicate in offered}:
            raise RequestError(
                "That family does not match the children entered: choose again", "link_family"
            )

    received_at = received_at or utcnow()
    settings: DeadlineSettings = current_app.config["CASEAPP_DEADLINES"]
    due_at = decision_due_at(received_at, details.significant_harm, settings)
    try:
        if link_family_id is None:
            family, children = _stage_new_family(actor, details, received_at)
            address_note = ""
        else:
            family, children = _stage_linked_family(actor, details, link_family_id, received_at)
            address_note = _address_note(family, details)
        team = _team_for(details.locality or family.locality, actor.user)
        episode = stage_episode(actor, family, team, EpisodeStatus.REQUESTED, at=received_at)
    except IntegrityError as error:
        # Another request opened an episode for this family a moment ago.
        db.session.rollback()
        raise OpenEpisodeConflict(
            "This family already has an open episode: a family can have only one at a time"
        ) from error
    episode.urgent = details.significant_harm
    episode.hub_due_at = due_at
    if link_family_id is not None:
        # A known family asking again: name its last episode, flagged if closed within a year.
        stage_rerequest_flag(episode, received_at)

    support_request = SupportRequest(
        episode_id=episode.id,
        family_id=family.id,
        received_at=received_at,
        received_via=details.received_via,
        recorded_by_id=actor.user_id,
        referrer_user_id=actor.user_id if details.received_via is ReceivedVia.ONLINE else None,
        referrer_name=details.referrer_name.strip(),
        referrer_agency=details.referrer_agency.strip(),
        referrer_contact=details.referrer_contact.strip(),
        reason=details.reason.strip(),
        tried_so_far=details.tried_so_far.strip(),
        consent_given=details.consent_given,
        consent_given_by=details.consent_given_by.strip() if details.consent_given else "",
        consent_not_needed_reason=(
            "" if details.consent_given else details.consent_not_needed_reason.strip()
        ),
        significant_harm=details.significant_harm,
        decision_due_at=due_at,
    )
    support_request.children = [SupportRequestChild(member_id=child.id) for child in children]
    db.session.add(support_request)
    db.session.flush()

    add_timeline_event(
        family_id=family.id,
        episode_id=episode.id,
        kind=EventKind.REQUEST_RECEIVED,
        summary=_received_summary(details, len(children)) + address_note,
        actor_id=actor.user_id,
        occurred_at=received_at,
        detail={
            "request_id": support_request.id,
            "received_via": details.received_via.value,
            "referrer_agency": details.referrer_agency.strip(),
            "member_ids": [child.id for child in children],
            "significant_harm": details.significant_harm,
        },
    )
    audit_by(
        actor,
        "create",
        "support_request",
        object_id=support_request.id,
        family_id=family.id,
        detail={"linked_to_existing_family": link_family_id is not None},
    )
    db.session.commit()
    return support_request


def _family_name(details: RequestDetails) -> str:
    surnames: list[str] = []
    for person in (*details.children, *details.carers):
        surname = person.family_name.strip()
        if surname and surname.casefold() not in {known.casefold() for known in surnames}:
            surnames.append(surname)
    return f"{' / '.join(surnames[:3])} family"


def _stage_new_family(
    actor: Actor, details: RequestDetails, at: datetime
) -> tuple[Family, list[FamilyMember]]:
    family = stage_family(
        actor,
        FamilyDetails(
            name=_family_name(details),
            address=details.address,
            postcode=details.postcode,
            locality=details.locality,
            members=(
                *(child.member_details() for child in details.children),
                *(carer.member_details() for carer in details.carers),
            ),
        ),
        at=at,
    )
    # stage_family keeps the members in the order given: the children come first.
    return family, family.members[: len(details.children)]


def _stage_linked_family(
    actor: Actor, details: RequestDetails, family_id: int, at: datetime
) -> tuple[Family, list[FamilyMember]]:
    # Locked so two coordinators linking requests to one family are taken one at a time.
    family = db.session.scalar(select(Family).where(Family.id == family_id).with_for_update())
    if family is None:
        raise RequestError("That family record no longer exists: choose again", "link_family")
    _refuse_second_open_episode(family)
    recorded = list(
        db.session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id == family.id)
            .order_by(FamilyMember.id)
        )
    )
    recorded_children = [
        (member, Identity(member.given_name, member.family_name, member.date_of_birth))
        for member in recorded
        if member.date_of_birth is not None
    ]
    recorded_adults = [member for member in recorded if not member.is_child]

    def child_rank(entered: ChildDetails, known: tuple[FamilyMember, Identity]) -> int | None:
        alike = resemblance(entered.identity, known[1])
        return None if alike is None else alike.rank

    def carer_rank(entered: CarerDetails, known: FamilyMember) -> int | None:
        alike = name_match(
            entered.given_name, entered.family_name, known.given_name, known.family_name
        )
        return None if alike is None else int(alike)

    child_pairs = pair_up(details.children, recorded_children, child_rank)
    carer_pairs = pair_up(details.carers, recorded_adults, carer_rank)

    children: list[FamilyMember] = []
    for index, child in enumerate(details.children):
        if index in child_pairs:
            children.append(recorded_children[child_pairs[index]][0])
        else:
            children.append(_stage_added_member(actor, family, child.member_details(), at))
    for index, carer in enumerate(details.carers):
        if index not in carer_pairs:
            _stage_added_member(actor, family, carer.member_details(), at)
    return family, children


def _refuse_second_open_episode(family: Family) -> None:
    row = db.session.execute(
        select(Episode.status, User.name)
        .outerjoin(User, User.id == Episode.lead_worker_id)
        .where(Episode.family_id == family.id, Episode.closed_at.is_(None))
    ).first()
    if row is None:
        return
    status, lead_worker = row
    db.session.rollback()
    who = f"; lead worker {lead_worker}" if lead_worker else ""
    raise OpenEpisodeConflict(
        f"This family already has an open episode ({status.label}{who}). A family can have "
        "only one open episode: pass this request to the people working with the family "
        "instead of opening another.",
        "link_family",
    )


def _stage_added_member(
    actor: Actor, family: Family, details: MemberDetails, at: datetime
) -> FamilyMember:
    member = new_member(details)
    member.family_id = family.id
    member.created_at = at
    db.session.add(member)
    db.session.flush()
    role = "Child" if details.is_child else "Parent or carer"
    add_timeline_event(
        family_id=family.id,
        member_id=member.id,
        kind=EventKind.MEMBER_ADDED,
        summary=f"{role} {member.full_name} added from a request for support",
        actor_id=actor.user_id,
        occurred_at=at,
    )
    audit_by(actor, "create", "family_member", object_id=member.id, family_id=family.id)
    return member


def _address_note(family: Family, details: RequestDetails) -> str:
    # Postcodes are compared because addresses are typed in too many ways to compare.
    if postcode_key(details.postcode) in ("", family.postcode_key):
        return ""
    given = ", ".join(part for part in (details.address.strip(), details.postcode.strip()) if part)
    return f". The referrer gave a different address: {given}"


def _team_for(locality: str, recorder: User) -> Team | None:
    """The team covering the family's locality, else the team of whoever recorded it."""
    if locality.strip():
        team = db.session.scalar(
            select(Team)
            .where(func.lower(Team.locality) == locality.strip().lower())
            .order_by(Team.id)
            .limit(1)
        )
        if team is not None:
            return team
    return recorder.team


def _received_summary(details: RequestDetails, children: int) -> str:
    about = f"{children} {'child' if children == 1 else 'children'}"
    via = {
        ReceivedVia.ONLINE: "",
        ReceivedVia.PHONE: ", received by phone",
        ReceivedVia.EMAIL: ", received by email",
    }[details.received_via]
    summary = (
        f"Request for support from {details.referrer_name.strip()} "
        f"({details.referrer_agency.strip()}) about {about}{via}"
    )
    if details.significant_harm:
        summary += "; urgent: significant harm suspected"
    return summary


# --- what the referrer sees ---------------------------------------------------------------


def open_request(actor: Actor, request_id: int) -> SupportRequest | None:
    """The request with what its page shows, if the actor made it, recorded it or works in
    the Hub; otherwise None, so the page answers as if it did not exist. Reading it is
    recorded in the audit trail."""
    row = db.session.execute(
        select(
            SupportRequest.family_id,
            SupportRequest.referrer_user_id,
            SupportRequest.recorded_by_id,
        ).where(SupportRequest.id == request_id)
    ).first()
    if row is None:
        return None
    family_id, referrer_id, recorder_id = row
    user = actor.user
    # The referrer and the recorder always; anyone else only while need-to-know lets them
    # see the family (a coordinator while it is in the Hub or they allocated it).
    if user.id not in (referrer_id, recorder_id) and not can_see_family(user, family_id):
        return None
    support_request = db.session.scalar(
        select(SupportRequest)
        .where(SupportRequest.id == request_id)
        .options(
            joinedload(SupportRequest.family),
            joinedload(SupportRequest.recorded_by),
            joinedload(SupportRequest.decided_by),
            joinedload(SupportRequest.episode).joinedload(Episode.lead_worker),
            selectinload(SupportRequest.children).joinedload(SupportRequestChild.member),
        )
    )
    if support_request is not None:
        record_view(actor, "support_request", request_id, family_id)
    return support_request


@dataclass(frozen=True)
class ReferrerRequest:
    """One of a referrer's requests and where it has got to."""

    id: int
    received_at: datetime
    family_name: str
    children: int
    significant_harm: bool
    decision_due_at: datetime
    decided_at: datetime | None
    decided_by_name: str | None
    outcome: TriageOutcome | None
    lead_worker_name: str | None
    # How the Hub stands against its deadline; None once it has decided.
    due_state: DeadlineState | None


@dataclass(frozen=True)
class ReferrerRequests:
    items: list[ReferrerRequest]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def requests_by_referrer(
    user: User, page: int = 1, per_page: int = 10, now: datetime | None = None
) -> ReferrerRequests:
    """The requests `user` made, newest first, with the Hub's decision: one query."""
    now = now or utcnow()
    page = max(1, page)
    rows = db.session.execute(
        _by_referrer_query(),
        {"referrer_id": user.id, **page_parameters(page, per_page)},
    ).all()
    total = rows[0][-1] if rows else _count_by_referrer(user) if page > 1 else 0
    return ReferrerRequests(
        items=[
            ReferrerRequest(
                *row[:-1],
                due_state=None if row.decided_at else deadline_state(row.decision_due_at, now),
            )
            for row in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


@cache
def _by_referrer_query() -> Select[Any]:
    """Built once, for the parameter `referrer_id` and page_parameters(): it is on
    every lead worker's and manager's home page, and putting it together took longer
    than the database takes to answer it."""
    decided_by = aliased(User)
    lead_worker = aliased(User)
    children = (
        select(func.count())
        .where(SupportRequestChild.request_id == SupportRequest.id)
        .correlate(SupportRequest)
        .scalar_subquery()
    )
    return paged(
        select(
            SupportRequest.id,
            SupportRequest.received_at,
            Family.name,
            children,
            SupportRequest.significant_harm,
            SupportRequest.decision_due_at,
            SupportRequest.decided_at,
            decided_by.name,
            SupportRequest.outcome,
            lead_worker.name,
            func.count().over(),
        )
        .join(Family, Family.id == SupportRequest.family_id)
        .join(Episode, Episode.id == SupportRequest.episode_id)
        .outerjoin(decided_by, decided_by.id == SupportRequest.decided_by_id)
        .outerjoin(lead_worker, lead_worker.id == Episode.lead_worker_id)
        .where(SupportRequest.referrer_user_id == bindparam("referrer_id"))
        .order_by(SupportRequest.received_at.desc(), SupportRequest.id.desc())
    )


def _count_by_referrer(user: User) -> int:
    # Only for a page past the end, where the windowed count has no row to ride on.
    query = select(func.count()).where(SupportRequest.referrer_user_id == user.id)
    return db.session.scalar(query) or 0
