"""The Early Help Hub's queue: requests awaiting a decision and episodes awaiting a lead worker.

Four statements answer any page, however many rows it shows: the filter options, the
headline counts with the filtered total, the page of episodes (joined to the family, the
request and the coordinator triaging it) and the children of those families.

The queue is a small part of a council's episodes, but it grows with the council: every
statement on it starts from ix_episodes_hub_queue and tests the filters on the queue's own
episodes, the counts read only that index, and the page is chosen from the index before
anything is joined to it, so no statement reads a council-wide table.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from caseapp.domain.access import Grant, grants_for
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
from caseapp.models.families import family_reference
from caseapp.models.types import one_of
from caseapp.services.access import viewer_parameters, visible_family_ids_for
from caseapp.services.audit import record_listing
from caseapp.services.context import Actor
from caseapp.services.paging import page_parameters, paged

# The queue's episodes under their own name: visible_family_ids_for() reads other episodes in a
# subquery on `Episode`, which SQLAlchemy would otherwise correlate with these.
Queued = aliased(Episode, name="queued")
# Whoever is triaging a request, named in its status.
TriageBy = aliased(User, name="triage_by")
# The queue's order: urgent first, then by deadline, a missing deadline last on both
# databases (SQLite would otherwise put NULL first), the older episode first on a tie.
# ix_episodes_hub_queue holds these after the status, so the page is chosen from the index.
QUEUE_ORDER = (Queued.urgent.desc(), Queued.hub_due_at.asc().nulls_last(), Queued.id)

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
    used = sorted(name for name, value in vars(filters).items() if value not in (None, "", False))
    queue = _queue_page(actor, filters, page, now)
    record_listing(actor, "hub_queue", {"filters": used, "page": page})
    return queue


def _queue_page(actor: Actor, filters: QueueFilters, page: int, now: datetime) -> QueuePage:
    page_size: int = current_app.config["CASEAPP_PAGE_SIZE"]
    today = now.astimezone(UK_TIME).date()
    options = _options()
    filters = replace(
        filters,
        team_id=filters.team_id if filters.team_id in {t.id for t in options.teams} else None,
        locality=filters.locality if filters.locality in options.localities else None,
    )
    applied, values = _filters_used(filters, today)
    statements = _statements(grants_for(actor.user.roles), applied)
    parameters = {**viewer_parameters(actor.user), **values, "now": now}
    counts, total = _counts(statements.counts, parameters)
    page_count = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), page_count)
    rows = db.session.execute(
        statements.page_rows,
        {**parameters, **page_parameters(page, page_size)},
    ).all()

    children = _children_of(rows, today)
    items = tuple(
        QueueItem(
            episode_id=row.id,
            family_id=row.family_id,
            family_name=row.family_name,
            family_reference=family_reference(row.family_id),
            locality=row.locality,
            status=row.status,
            stage=QueueStage.of(row.status) if row.status in HUB_QUEUE_STATUSES else None,
            urgent=row.urgent,
            due_at=row.hub_due_at,
            standing=deadline_standing(row.hub_due_at, now) if row.hub_due_at else None,
            received_at=row.received_at or row.opened_at,
            received_via=row.received_via,
            referrer_agency=row.referrer_agency or "",
            triage_by_name=row.triage_by_name,
            children=children.get((row.family_id, row.request_id), ()),
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
        counts=counts,
        options=options,
        filters=filters,
    )


@dataclass(frozen=True)
class _QueueStatements:
    counts: Select[Any]
    page_rows: Select[Any]


def _has_child(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        FamilyMember.family_id == Queued.family_id, FamilyMember.is_child.is_(True), condition
    )


_NAME_KEY = bindparam("name_key")
# Each filter as a condition on the queue's episodes with its value a parameter, so a
# statement is built once for each combination of filters used. In this order in every
# statement: the tests of the episode itself first, as they cost least; the others look up
# the episode's own family, so the queue is never joined to a council-wide table.
_FILTERS: dict[str, ColumnElement[bool]] = {
    # A filter per stage, its statuses written out (models/types.one_of).
    **{f"stage_{stage.value}": one_of(Queued.status, stage.statuses) for stage in QueueStage},
    "urgent": Queued.urgent.is_(True),
    "overdue": Queued.hub_due_at < bindparam("now"),
    "team": Queued.team_id == bindparam("team_id"),
    "reference": Queued.family_id == bindparam("reference_family_id"),
    # Nothing searchable was typed (only punctuation): match nothing, not everything.
    "nothing_searchable": false(),
    "locality": exists().where(
        Family.id == Queued.family_id, Family.locality == bindparam("locality")
    ),
    "level": _has_child(FamilyMember.current_level_code == bindparam("level_code")),
    "age": _has_child(
        FamilyMember.date_of_birth.between(bindparam("born_from"), bindparam("born_to"))
    ),
    # Prefix matches on the normalised keys, so the indexes on them can be used.
    "name": exists().where(
        FamilyMember.family_id == Queued.family_id,
        FamilyMember.name_key.startswith(_NAME_KEY)
        | FamilyMember.family_name_key.startswith(_NAME_KEY),
    ),
}


def _filters_used(filters: QueueFilters, today: date) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which of _FILTERS the filters ask for, in its order, and their parameters."""
    names: set[str] = set()
    values: dict[str, Any] = {}
    if filters.stage is not None:
        names.add(f"stage_{filters.stage.value}")
    if filters.urgent_only:
        names.add("urgent")
    if filters.overdue_only:
        names.add("overdue")
    if filters.team_id is not None:
        names.add("team")
        values["team_id"] = filters.team_id
    if filters.locality:
        names.add("locality")
        values["locality"] = filters.locality
    if filters.level_code:
        names.add("level")
        values["level_code"] = filters.level_code
    if filters.age_band is not None:
        names.add("age")
        values["born_from"], values["born_to"] = birth_date_range(filters.age_band, today)
    if filters.search.strip():
        reference = _REFERENCE.match(filters.search)
        key = name_key(filters.search)
        if reference:
            names.add("reference")
            values["reference_family_id"] = int(reference.group(1))
        elif key:
            names.add("name")
            values["name_key"] = key
        else:
            names.add("nothing_searchable")
    return tuple(name for name in _FILTERS if name in names), values


@cache
def _statements(grants: frozenset[Grant], filters_used: tuple[str, ...]) -> _QueueStatements:
    """The counts and the page of the queue for anyone with these grants and these filters,
    built once: run with the viewer's parameters, the filters' values and `now` (and
    page_parameters() for the page)."""
    in_queue = _in_queue(grants)
    filtering = [_FILTERS[name] for name in filters_used]
    return _QueueStatements(
        counts=_counts_statement(in_queue, filtering),
        page_rows=_page_rows_statement([*in_queue, *filtering]),
    )


def _page_rows_statement(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    """A page of the episodes meeting `conditions`: chosen from the queue's index, then
    only they are joined to their family, request and the rest."""
    chosen = paged(select(Queued.id).where(*conditions).order_by(*QUEUE_ORDER)).subquery("chosen")
    return (
        select(
            Queued.id,
            Queued.status,
            Queued.urgent,
            Queued.hub_due_at,
            Queued.opened_at,
            Family.id.label("family_id"),
            Family.name.label("family_name"),
            Family.locality,
            SupportRequest.id.label("request_id"),
            SupportRequest.received_at,
            SupportRequest.received_via,
            SupportRequest.referrer_agency,
            TriageBy.name.label("triage_by_name"),
            LevelChangeRequest.id.label("step_up_request_id"),
        )
        .select_from(chosen)
        .join(Queued, Queued.id == chosen.c.id)
        .join(Family, Family.id == Queued.family_id)
        .outerjoin(SupportRequest, SupportRequest.episode_id == Queued.id)
        .outerjoin(TriageBy, TriageBy.id == Queued.triage_by_id)
        # An episode has at most one open request (services/level_requests.py).
        .outerjoin(
            LevelChangeRequest,
            and_(
                LevelChangeRequest.episode_id == Queued.id,
                LevelChangeRequest.kind == RequestKind.STEP_UP,
                one_of(LevelChangeRequest.status, [RequestStatus.PENDING, RequestStatus.RETURNED]),
            ),
        )
        .order_by(*QUEUE_ORDER)
    )


def _in_queue(grants: frozenset[Grant]) -> list[ColumnElement[bool]]:
    """The queue's episodes that a person with `grants` may see, as conditions on the
    episode alone.

    Written as one IN list on the index's first column and a test of its second, so the
    database reads the queue from ix_episodes_hub_queue alone; the same rows as "waiting
    for the Hub, or an urgent step up", which an OR of two IN lists would read from two
    indexes and the table.
    """
    queued = [
        one_of(Queued.status, HUB_QUEUE_STATUSES | URGENT_STEP_UP_STATUSES),
        or_(one_of(Queued.status, HUB_QUEUE_STATUSES), Queued.urgent.is_(True)),
    ]
    if Grant.IN_HUB in grants:
        # This grant shows exactly the families with an episode in this queue (its SQL
        # in services/access.py), so testing each row for it would repeat the test above.
        return queued
    visible = visible_family_ids_for(grants)
    return [*queued, Queued.family_id.in_(visible) if visible is not None else false()]


# The children of the page's families, with the request each is named in (if any).
_CHILDREN = (
    select(
        FamilyMember.id,
        FamilyMember.family_id,
        FamilyMember.given_name,
        FamilyMember.family_name,
        FamilyMember.date_of_birth,
        FamilyMember.current_level_code,
        SupportRequestChild.request_id,
    )
    .outerjoin(
        SupportRequestChild,
        and_(
            SupportRequestChild.member_id == FamilyMember.id,
            SupportRequestChild.request_id.in_(bindparam("request_ids", expanding=True)),
        ),
    )
    .where(
        FamilyMember.family_id.in_(bindparam("family_ids", expanding=True)),
        FamilyMember.is_child.is_(True),
    )
    # Eldest first, as on the family page.
    .order_by(FamilyMember.date_of_birth, FamilyMember.id)
)


def _children_of(
    rows: Sequence[Row[Any]], today: date
) -> dict[tuple[int, int | None], tuple[QueueChild, ...]]:
    """The children to show on each row, keyed by (family id, request id), in one query."""
    family_ids = [row.family_id for row in rows]
    request_ids = [row.request_id for row in rows if row.request_id is not None]
    if not family_ids:
        return {}
    members = db.session.execute(
        _CHILDREN, {"family_ids": family_ids, "request_ids": request_ids}
    ).all()
    concerned: dict[tuple[int, int | None], list[QueueChild]] = defaultdict(list)
    for member in members:
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
        if member.request_id is not None:
            concerned[(member.family_id, member.request_id)].append(child)
    return {key: tuple(children) for key, children in concerned.items()}


def _counts_statement(
    in_queue: list[ColumnElement[bool]], filtering: list[ColumnElement[bool]]
) -> Select[Any]:
    """The headline figures of the whole queue, and how many of its episodes the filters
    leave, in one pass over the queue's index: every column the figures test is in it,
    and the filters come cheapest first (_FILTERS), so a family is looked up only for an
    episode the tests of the episode itself have left."""

    def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
        # COUNT skips the NULL that CASE gives for other rows.
        return func.count(case((condition, 1)))

    return (
        select(
            count_where(one_of(Queued.status, AWAITING_DECISION)),
            count_where(one_of(Queued.status, [EpisodeStatus.AWAITING_ALLOCATION])),
            count_where(Queued.hub_due_at < bindparam("now")),
            count_where(Queued.urgent.is_(True)),
            count_where(and_(*filtering)) if filtering else func.count(),
        )
        .select_from(Queued)
        .where(*in_queue)
    )


def _counts(statement: Select[Any], parameters: dict[str, Any]) -> tuple[QueueCounts, int]:
    row = db.session.execute(statement, parameters).one()
    counts = QueueCounts(
        awaiting_decision=row[0], awaiting_allocation=row[1], overdue=row[2], urgent=row[3]
    )
    return counts, row[4]


_TEAMS = select(Team.id, Team.name, Team.locality).order_by(Team.name)


def _options() -> QueueOptions:
    """The teams, and the localities they cover: the places a request can be routed to,
    and the only ones the request form records a family in (services/requests.py). Read
    from the teams, a short list, rather than from every family on record."""
    teams = db.session.execute(_TEAMS).all()
    return QueueOptions(
        teams=tuple(TeamOption(id=team.id, name=team.name) for team in teams),
        localities=tuple(sorted({team.locality for team in teams if team.locality})),
    )
