"""The Early Help Hub's queue: requests awaiting a decision and episodes awaiting a lead worker.

A fixed handful of statements answers any page, however many rows it shows: the page of
episodes (joined to the family, the request and the coordinator triaging it), the children
of those families, the filtered total, the headline counts and the filter options.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Row, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import (
    AWAITING_DECISION,
    HUB_QUEUE_STATUSES,
    URGENT_STEP_UP_STATUSES,
    ReceivedVia,
)
from caseapp.domain.level_requests import RequestKind, RequestStatus
from caseapp.domain.names import name_key
from caseapp.domain.queue_rules import (
    AgeBand,
    DeadlineStanding,
    QueueStage,
    birth_date_range,
    deadline_standing,
    describe_age,
)
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import (
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    SupportRequest,
    SupportRequestChild,
    Team,
    User,
)
from caseapp.services.access import visible_families
from caseapp.services.audit import record_listing
from caseapp.services.context import Actor

# The queue's episodes under their own name: visible_families() tests other episodes of the
# family in a subquery on `Episode`, which SQLAlchemy would otherwise correlate with these.
Queued = aliased(Episode, name="queued")

# What a coordinator types when a referrer quotes the family's reference: F000123 or 123.
_REFERENCE = re.compile(r"^\s*[Ff]?\s*0*(\d{1,9})\s*$")


@dataclass(frozen=True)
class QueueFilters:
    """What the coordinator narrowed the queue to; every field unset shows everything."""

    stage: QueueStage | None = None
    level_code: str | None = None
    team_id: int | None = None
    locality: str | None = None
    age_band: AgeBand | None = None
    urgent_only: bool = False
    overdue_only: bool = False
    search: str = ""

    @property
    def active(self) -> bool:
        return self != QueueFilters()


@dataclass(frozen=True)
class QueueChild:
    member_id: int
    given_name: str
    family_name: str
    date_of_birth: date
    age: str
    level_code: str | None


@dataclass(frozen=True)
class QueueItem:
    episode_id: int
    family_id: int
    family_name: str
    family_reference: str
    locality: str
    status: EpisodeStatus
    # None for an urgent step up, which waits for a manager rather than for the Hub.
    stage: QueueStage | None
    urgent: bool
    due_at: datetime | None
    standing: DeadlineStanding | None
    received_at: datetime
    received_via: ReceivedVia | None
    referrer_agency: str
    triage_by_name: str | None
    # The children the request is about; every child of the family if there is no request.
    children: tuple[QueueChild, ...]
    # The open step-up request an urgent step up is listed for.
    step_up_request_id: int | None = None

    @property
    def status_label(self) -> str:
        if self.stage is QueueStage.DECISION and self.triage_by_name:
            return f"In triage with {self.triage_by_name}"
        return self.status.label


@dataclass(frozen=True)
class QueueCounts:
    """Headline figures for the whole queue the person may see, whatever the filters."""

    awaiting_decision: int
    awaiting_allocation: int
    overdue: int
    urgent: int


@dataclass(frozen=True)
class TeamOption:
    id: int
    name: str


@dataclass(frozen=True)
class QueueOptions:
    teams: tuple[TeamOption, ...]
    localities: tuple[str, ...]


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    total: int
    page: int
    page_count: int
    page_size: int
    counts: QueueCounts
    options: QueueOptions
    # The filters applied: those asked for, less a team or locality that is not on record.
    filters: QueueFilters

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.page_size + len(self.items)


def hub_queue(actor: Actor, filters: QueueFilters, page: int, now: datetime) -> QueuePage:
    """One page of the Hub queue as the actor may see it: urgent first, then by deadline.

    `page` past the end shows the last page, so a link kept from a longer queue still works.
    The listing is audited with which filters were used, never what was typed.
    """
    user = actor.user
    used = sorted(name for name, value in vars(filters).items() if value not in (None, "", False))
    record_listing(actor, "hub_queue", {"filters": used, "page": page})
    page_size: int = current_app.config["CASEAPP_PAGE_SIZE"]
    today = now.astimezone(UK_TIME).date()
    options = _options()
    filters = replace(
        filters,
        team_id=filters.team_id if filters.team_id in {t.id for t in options.teams} else None,
        locality=filters.locality if filters.locality in options.localities else None,
    )
    in_queue = [
        or_(
            Queued.status.in_(HUB_QUEUE_STATUSES),
            and_(Queued.status.in_(URGENT_STEP_UP_STATUSES), Queued.urgent.is_(True)),
        ),
        visible_families(user),
    ]
    conditions = [*in_queue, *_filter_conditions(filters, now, today)]

    total = (
        db.session.scalar(
            select(func.count(Queued.id))
            .select_from(Queued)
            .join(Family, Family.id == Queued.family_id)
            .where(*conditions)
        )
        or 0
    )
    page_count = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), page_count)

    triage_by = aliased(User)
    rows = db.session.execute(
        select(
            Queued.id,
            Queued.status,
            Queued.urgent,
            Queued.hub_due_at,
            Queued.opened_at,
            Family,
            SupportRequest.id.label("request_id"),
            SupportRequest.received_at,
            SupportRequest.received_via,
            SupportRequest.referrer_agency,
            triage_by.name.label("triage_by_name"),
            LevelChangeRequest.id.label("step_up_request_id"),
        )
        .join(Family, Family.id == Queued.family_id)
        .outerjoin(SupportRequest, SupportRequest.episode_id == Queued.id)
        .outerjoin(triage_by, triage_by.id == Queued.triage_by_id)
        # An episode has at most one open request (services/level_requests.py).
        .outerjoin(
            LevelChangeRequest,
            and_(
                LevelChangeRequest.episode_id == Queued.id,
                LevelChangeRequest.kind == RequestKind.STEP_UP,
                LevelChangeRequest.status.in_([RequestStatus.PENDING, RequestStatus.RETURNED]),
            ),
        )
        .where(*conditions)
        # The order of ix_episodes_hub_queue after status. A missing deadline goes last on
        # both databases (SQLite would otherwise put NULL first).
        .order_by(Queued.urgent.desc(), Queued.hub_due_at.asc().nulls_last(), Queued.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()

    children = _children_of(rows, today)
    items = tuple(
        QueueItem(
            episode_id=row.id,
            family_id=row.Family.id,
            family_name=row.Family.name,
            family_reference=row.Family.reference,
            locality=row.Family.locality,
            status=row.status,
            stage=QueueStage.of(row.status) if row.status in HUB_QUEUE_STATUSES else None,
            urgent=row.urgent,
            due_at=row.hub_due_at,
            standing=deadline_standing(row.hub_due_at, now) if row.hub_due_at else None,
            received_at=row.received_at or row.opened_at,
            received_via=row.received_via,
            referrer_agency=row.referrer_agency or "",
            triage_by_name=row.triage_by_name,
            children=children.get((row.Family.id, row.request_id), ()),
            step_up_request_id=row.step_up_request_id,
        )
        for row in rows
    )
    return QueuePage(
        items=items,
        total=total,
        page=page,
        page_count=page_count,
        page_size=page_size,
        counts=_counts(in_queue, now),
        options=options,
        filters=filters,
    )


def _filter_conditions(
    filters: QueueFilters, now: datetime, today: date
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.stage is not None:
        conditions.append(Queued.status.in_(filters.stage.statuses))
    if filters.urgent_only:
        conditions.append(Queued.urgent.is_(True))
    if filters.overdue_only:
        conditions.append(Queued.hub_due_at < now)
    if filters.team_id is not None:
        conditions.append(Queued.team_id == filters.team_id)
    if filters.locality:
        conditions.append(Family.locality == filters.locality)
    if filters.level_code:
        conditions.append(_has_child(FamilyMember.current_level_code == filters.level_code))
    if filters.age_band is not None:
        earliest, latest = birth_date_range(filters.age_band, today)
        conditions.append(_has_child(FamilyMember.date_of_birth.between(earliest, latest)))
    if filters.search.strip():
        conditions.append(_search_condition(filters.search))
    return conditions


def _has_child(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        FamilyMember.family_id == Family.id, FamilyMember.is_child.is_(True), condition
    )


def _search_condition(search: str) -> ColumnElement[bool]:
    reference = _REFERENCE.match(search)
    if reference:
        return Family.id == int(reference.group(1))
    key = name_key(search)
    if not key:
        # Nothing searchable was typed (only punctuation): match nothing, not everything.
        return false()
    # Prefix matches on the normalised keys, so the indexes on them can be used.
    return exists().where(
        FamilyMember.family_id == Family.id,
        FamilyMember.name_key.startswith(key) | FamilyMember.family_name_key.startswith(key),
    )


def _children_of(
    rows: Sequence[Row[Any]], today: date
) -> dict[tuple[int, int | None], tuple[QueueChild, ...]]:
    """The children to show on each row, keyed by (family id, request id), in one query."""
    family_ids = [row.Family.id for row in rows]
    request_ids = [row.request_id for row in rows if row.request_id is not None]
    if not family_ids:
        return {}
    members = db.session.execute(
        select(FamilyMember, SupportRequestChild.request_id)
        .outerjoin(
            SupportRequestChild,
            and_(
                SupportRequestChild.member_id == FamilyMember.id,
                SupportRequestChild.request_id.in_(request_ids),
            ),
        )
        .where(FamilyMember.family_id.in_(family_ids), FamilyMember.is_child.is_(True))
        # Eldest first, as on the family page.
        .order_by(FamilyMember.date_of_birth, FamilyMember.id)
    ).all()
    concerned: dict[tuple[int, int | None], list[QueueChild]] = defaultdict(list)
    for member, request_id in members:
        child = QueueChild(
            member_id=member.id,
            given_name=member.given_name,
            family_name=member.family_name,
            date_of_birth=member.date_of_birth,
            age=describe_age(member.date_of_birth, today),
            level_code=member.current_level_code,
        )
        # Every child under (family, None) serves rows whose episode has no request.
        concerned[(member.family_id, None)].append(child)
        if request_id is not None:
            concerned[(member.family_id, request_id)].append(child)
    return {key: tuple(children) for key, children in concerned.items()}


def _counts(in_queue: list[ColumnElement[bool]], now: datetime) -> QueueCounts:
    def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
        # COUNT skips the NULL that CASE gives for other rows.
        return func.count(case((condition, 1)))

    row = db.session.execute(
        select(
            count_where(Queued.status.in_(AWAITING_DECISION)),
            count_where(Queued.status == EpisodeStatus.AWAITING_ALLOCATION),
            count_where(Queued.hub_due_at < now),
            count_where(Queued.urgent.is_(True)),
        )
        .select_from(Queued)
        .join(Family, Family.id == Queued.family_id)
        .where(*in_queue)
    ).one()
    return QueueCounts(
        awaiting_decision=row[0], awaiting_allocation=row[1], overdue=row[2], urgent=row[3]
    )


def _options() -> QueueOptions:
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    localities = db.session.scalars(
        select(Family.locality).where(Family.locality != "").distinct().order_by(Family.locality)
    ).all()
    return QueueOptions(
        teams=tuple(TeamOption(id=team.id, name=team.name) for team in teams),
        localities=tuple(localities),
    )
