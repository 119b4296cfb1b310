"""The manager's view: figures about the families a manager oversees, and the families
behind each figure.

Every figure is a *row builder*: a query with one row per child, decision, episode or
disagreement counted, each naming its family and the bucket it falls in (a level, a
month, a kind of drift). A chart groups the rows by bucket; the list behind a bar filters
them to its bucket. Both come from the same builder, so a figure and its list cannot
disagree. Everything is aggregated in the database, in a fixed number of statements, and
stays within the families the manager may see (services/access): the team's episodes,
which the manager's grant makes visible, or the person's visible families.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache, cached_property
from math import ceil
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from caseapp.config import DeadlineSettings
from caseapp.domain.access import Grant, grants_for
from caseapp.domain.charts import (
    LABEL_LINE_CHARACTERS,
    BarChart,
    bar_chart,
    month_keys,
    month_label,
    month_start,
)
from caseapp.domain.deadlines import LEAD_WORKER_STATUSES
from caseapp.domain.drift import (
    DriftCutoffs,
    DriftKind,
    drift_cutoffs,
    oversight_since,
)
from caseapp.domain.level_requests import DisagreementStatus, RequestKind, RequestStatus
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Disagreement,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    SupportRequest,
    User,
)
from caseapp.models.types import one_of, uk_today
from caseapp.services.access import VIEWER_TEAM_ID, viewer_parameters, visible_family_ids_for
from caseapp.services.audit import record_listing
from caseapp.services.context import Actor
from caseapp.services.paging import PageArithmetic

MONTHS = 12
# Wide enough for a month's name, so its year goes underneath.
MONTH_LABEL_WIDTH = 4
NO_LEVEL = "none"


# --- two expressions each database spells its own way ---------------------------------------


class year_month(FunctionElement[str]):
    """'YYYY-MM' of a UTC timestamp column."""

    type = String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


class days_between(FunctionElement[float]):
    """Days (with fractions) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


# --- the row builders -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Who is looking, and when: the builders' person, and the moments they compare with."""

    user: User
    framework: Framework
    settings: DeadlineSettings
    now: datetime

    @property
    def today(self) -> date:
        return uk_today(self.now)

    @property
    def months(self) -> tuple[str, ...]:
        return month_keys(self.today, MONTHS)

    @property
    def window_start(self) -> datetime:
        # Months are grouped in UTC (year_month), so the window starts at UTC midnight.
        first = month_start(self.months[0])
        return datetime(first.year, first.month, 1, tzinfo=self.now.tzinfo)

    @property
    def grants(self) -> frozenset[Grant]:
        return grants_for(self.user.roles)

    @cached_property
    def parameters(self) -> dict[str, Any]:
        """A value for each moment the builders name (see `_moment`), and the viewer's."""
        cutoffs = drift_cutoffs(self.settings, self.now)
        return {
            **viewer_parameters(self.user),
            "window_start": self.window_start,
            "now": self.now,
            "oversight_since": oversight_since(self.settings, self.now),
            **{f"cutoff_{each.name}": getattr(cutoffs, each.name) for each in fields(cutoffs)},
        }


# A builder's statement depends on the viewer's grants, never on when or on who: each
# moment it compares with, and the viewer's team, is a named parameter bound from
# Scope.parameters when it runs, so one statement built per set of grants serves every
# visit (building and keying the dashboard's statement costs several times what running
# it does).
def _moment(name: str) -> BindParameter[Any]:
    """The moment `name` of Scope.parameters, typed by the column it is compared with."""
    return bindparam(name)


_CUTOFF_NAMES = frozenset(each.name for each in fields(DriftCutoffs))


def _cutoff(name: str) -> BindParameter[Any]:
    """One of the DriftCutoffs."""
    if name not in _CUTOFF_NAMES:
        raise AssertionError(f"not a drift cutoff: {name}")
    return _moment(f"cutoff_{name}")


RowBuilder = Callable[[frozenset[Grant]], Select[Any]]


def _rows(family_id: Any, member_id: Any, at: Any, bucket: Any, detail: Any = None) -> list[Any]:
    """The columns every builder returns, named alike so charts and lists can use any."""
    return [
        family_id.label("family_id"),
        # Typed, so PostgreSQL can join on and sort by a column that is empty here.
        (member_id if member_id is not None else cast(null(), Integer)).label("member_id"),
        at.label("at"),
        cast(bucket, String).label("bucket"),
        (detail if detail is not None else cast(null(), Float)).label("detail"),
    ]


def _team_episode(grants: frozenset[Grant]) -> ColumnElement[bool]:
    """Episodes of the manager's team. Every figure but disagreements starts from these,
    through the episodes' team index, so a figure costs the same in a council of 100,000
    families as in one of 1,000: it reads the team's episodes, never all of them.

    A family with an episode of the team is exactly what the team grant lets its
    manager see, so rows found this way need no further need-to-know test (a test per
    row was most of the page's work). Without that grant there are no such rows."""
    if Grant.TEAM_EPISODE not in grants:
        return false()
    # A manager with no team binds NULL, which no episode's team equals: no rows.
    return Episode.team_id == bindparam(VIEWER_TEAM_ID)


def _open_team_episode(grants: frozenset[Grant]) -> ColumnElement[bool]:
    return and_(Episode.closed_at.is_(None), _team_episode(grants))


def children_by_level(grants: frozenset[Grant]) -> Select[Any]:
    """Children of the open episodes of the manager's team, by their current level."""
    return (
        select(
            *_rows(
                FamilyMember.family_id,
                FamilyMember.id,
                Episode.opened_at,
                func.coalesce(FamilyMember.current_level_code, NO_LEVEL),
            )
        )
        .join(Episode, Episode.family_id == FamilyMember.family_id)
        .where(FamilyMember.is_child.is_(True), _open_team_episode(grants))
    )


def _approved_requests(kind: RequestKind) -> RowBuilder:
    def builder(grants: frozenset[Grant]) -> Select[Any]:
        return (
            select(
                *_rows(
                    LevelChangeRequest.family_id,
                    None,
                    LevelChangeRequest.decided_at,
                    year_month(LevelChangeRequest.decided_at),
                )
            )
            .join(Episode, Episode.id == LevelChangeRequest.episode_id)
            .where(
                _team_episode(grants),
                # A request is decided while its episode is open, so one decided in the
                # window is on an episode open then: the team's index gives those (its open
                # ones and those closed since), not every episode it ever had.
                or_(Episode.closed_at.is_(None), Episode.closed_at >= _moment("window_start")),
                LevelChangeRequest.kind == kind,
                LevelChangeRequest.status == RequestStatus.APPROVED,
                LevelChangeRequest.decided_at >= _moment("window_start"),
            )
        )

    return builder


def closures(grants: frozenset[Grant]) -> Select[Any]:
    return select(
        *_rows(Episode.family_id, None, Episode.closed_at, year_month(Episode.closed_at))
    ).where(_team_episode(grants), Episode.closed_at >= _moment("window_start"))


def allocations(grants: frozenset[Grant]) -> Select[Any]:
    """First allocations in the window, with the days from the request for support."""
    return (
        select(
            *_rows(
                Episode.family_id,
                None,
                Episode.allocated_at,
                year_month(Episode.allocated_at),
                days_between(SupportRequest.received_at, Episode.allocated_at),
            )
        )
        .join(SupportRequest, SupportRequest.episode_id == Episode.id)
        .where(_team_episode(grants), Episode.allocated_at >= _moment("window_start"))
    )


def _taf_review_overdue() -> ColumnElement[bool]:
    """As deadlines.episode_deadlines has it: after a meeting held, the next is due on the
    date that meeting agreed, or the usual cycle after it; before any, the first TAF is
    due a set time after allocation."""
    held = Episode.latest_taf_held_at
    review_overdue = and_(
        held.is_not(None),
        or_(
            Episode.latest_taf_next_on < _cutoff("agreed_review_before"),
            and_(Episode.latest_taf_next_on.is_(None), held < _cutoff("last_taf_before")),
        ),
    )
    first_overdue = and_(
        held.is_(None), Episode.allocated_at < _cutoff("first_taf_allocated_before")
    )
    return or_(review_overdue, first_overdue)


def _drift_condition(kind: DriftKind) -> ColumnElement[bool]:
    """Each kind of drift as a test of the episode's own row: its work's facts are kept on
    it (services/drift_facts.py)."""
    working = and_(one_of(Episode.status, LEAD_WORKER_STATUSES), Episode.allocated_at.is_not(None))
    match kind:
        case DriftKind.TAF_REVIEW_OVERDUE:
            return and_(working, _taf_review_overdue())
        case DriftKind.EHA_OVERDUE:
            return and_(
                working,
                Episode.allocated_at < _cutoff("eha_allocated_before"),
                Episode.eha_completed.is_(False),
            )
        case DriftKind.ACTIONS_OVERDUE:
            return and_(working, Episode.first_open_action_due_on < _cutoff("actions_due_before"))
        case DriftKind.NO_RECENT_CONTACT:
            return and_(
                working,
                Episode.allocated_at < _cutoff("contact_allocated_before"),
                or_(
                    Episode.last_contact_on.is_(None),
                    Episode.last_contact_on < _cutoff("contact_since"),
                ),
            )
        case DriftKind.OPEN_OVER_A_YEAR:
            return Episode.opened_at < _cutoff("opened_before")


def drift(grants: frozenset[Grant]) -> Select[Any]:
    """One row per open episode and kind of drift it shows."""
    return union_all(
        *(
            select(*_rows(Episode.family_id, None, Episode.opened_at, literal(kind.value))).where(
                _open_team_episode(grants), _drift_condition(kind)
            )
            for kind in DriftKind
        )
    )  # type: ignore[return-value]


def open_disagreements(grants: frozenset[Grant]) -> Select[Any]:
    """Open disagreements about any family the manager may see, found from those
    families (each probed for its disagreements), not from every one in the council."""
    overdue = Disagreement.resolve_by < _moment("now")
    family_ids = visible_family_ids_for(grants)
    return select(
        *_rows(
            Disagreement.family_id,
            None,
            Disagreement.resolve_by,
            case((overdue, literal("overdue")), else_=literal("on_time")),
        )
    ).where(
        Disagreement.family_id.in_(family_ids) if family_ids is not None else false(),
        Disagreement.status == DisagreementStatus.OPEN,
    )


def without_oversight(grants: frozenset[Grant]) -> Select[Any]:
    """Families with an open episode and no oversight recorded in the period."""
    last_oversight = Episode.last_oversight_on
    return select(*_rows(Episode.family_id, None, last_oversight, literal("none"))).where(
        _open_team_episode(grants),
        or_(last_oversight.is_(None), last_oversight < _moment("oversight_since")),
    )


# --- the figures ------------------------------------------------------------------------------


def _level_label(scope: Scope, bucket: str) -> str | None:
    if bucket == NO_LEVEL:
        return "No level recorded"
    if scope.framework.has_level(bucket):
        return scope.framework.level(bucket).name
    # A level of a framework no longer in force: still counted, named by its code.
    return bucket if bucket else None


def _month_bucket_label(scope: Scope, bucket: str) -> str | None:
    return month_label(bucket) if bucket in scope.months else None


def _drift_label(scope: Scope, bucket: str) -> str | None:
    return DriftKind(bucket).label if bucket in DriftKind.__members__.values() else None


DISAGREEMENT_BUCKETS = {"overdue": "Overdue", "on_time": "Not yet due", "": "All open"}


@dataclass(frozen=True)
class Figure:
    """One figure of the manager's view: what it counts and how its list reads."""

    name: str
    title: str
    builder: RowBuilder
    # How the list's date column is headed.
    at_heading: str
    bucket_label: Callable[[Scope, str], str | None]
    # Whether each row is a child rather than a family.
    lists_children: bool = False
    # Whether the list may show every bucket at once (an empty bucket).
    whole_list: bool = False


FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        Figure(
            "level",
            "Children at each level of need",
            children_by_level,
            "Episode opened",
            _level_label,
            lists_children=True,
        ),
        Figure(
            "step_up",
            "Step-ups approved",
            _approved_requests(RequestKind.STEP_UP),
            "Approved",
            _month_bucket_label,
        ),
        Figure(
            "step_down",
            "Step-downs approved",
            _approved_requests(RequestKind.STEP_DOWN),
            "Approved",
            _month_bucket_label,
        ),
        Figure("closure", "Episodes closed", closures, "Closed", _month_bucket_label),
        Figure(
            "allocation",
            "Lead workers allocated",
            allocations,
            "Allocated",
            _month_bucket_label,
        ),
        Figure("drift", "Drift", drift, "Episode opened", _drift_label),
        Figure(
            "disagreement",
            "Open professional disagreements",
            open_disagreements,
            "Resolve by",
            lambda scope, bucket: DISAGREEMENT_BUCKETS.get(bucket),
            whole_list=True,
        ),
        Figure(
            "oversight",
            "Families without management oversight",
            without_oversight,
            "Last oversight",
            lambda scope, bucket: (
                f"None in the last {scope.settings.oversight_days} days"
                if bucket == "none"
                else None
            ),
        ),
    )
}


def figure_key(name: str, bucket: str = "") -> str:
    """How a figure is named in a URL: /manager/families?figure=level:earliest_help."""
    return f"{name}:{bucket}" if bucket else name


COUNTED = ("level", "step_up", "step_down", "closure", "drift", "disagreement", "oversight")


@cache
def _counts_statement(grants: frozenset[Grant]) -> Select[Any]:
    """How many rows each counted figure's builder gives in each bucket: every figure in
    one statement, the builders' rows stacked (UNION ALL) and grouped."""
    stacked = union_all(
        *(
            select(literal(name).label("figure"), rows.c.bucket)
            for name in COUNTED
            for rows in (FIGURES[name].builder(grants).subquery(),)
        )
    ).subquery()
    return select(stacked.c.figure, stacked.c.bucket, func.count()).group_by(
        stacked.c.figure, stacked.c.bucket
    )


def _bucket_counts(scope: Scope) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in COUNTED}
    query = _counts_statement(scope.grants)
    for name, bucket, count in db.session.execute(query, scope.parameters):
        counts[name][bucket] = count
    return counts


@cache
def _medians_statement(grants: frozenset[Grant]) -> Select[Any]:
    """Per month: the median days from request to allocation, and how many there were.
    A window function ranks each month's durations; the middle one (or the average of
    the middle two) is the median, on SQLite and PostgreSQL alike."""
    rows = allocations(grants).subquery()
    ranked = select(
        rows.c.bucket,
        rows.c.detail,
        func.row_number()
        .over(partition_by=rows.c.bucket, order_by=rows.c.detail)
        .label("position"),
        func.count().over(partition_by=rows.c.bucket).label("size"),
    ).subquery()
    return (
        select(ranked.c.bucket, func.avg(ranked.c.detail), func.max(ranked.c.size))
        .where(ranked.c.position * 2 >= ranked.c.size, ranked.c.position * 2 <= ranked.c.size + 2)
        .group_by(ranked.c.bucket)
    )


def _median_days(scope: Scope) -> dict[str, tuple[float, int]]:
    query = _medians_statement(scope.grants)
    return {
        bucket: (float(days), size)
        for bucket, days, size in db.session.execute(query, scope.parameters)
    }


# --- the dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: float
    # The figure behind the number, for /manager/families?figure=...
    figure: str
    # How many rows the value summarises, when it is not itself a count (a median).
    count: int | None = None


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    value_heading: str
    rows: tuple[ChartRow, ...]
    # Month labels ("Nov 2026") go on two lines so twelve fit side by side.
    label_width: int = LABEL_LINE_CHARACTERS

    @property
    def geometry(self) -> BarChart:
        return bar_chart(
            [(row.label, row.value) for row in self.rows], label_width=self.label_width
        )

    @property
    def total(self) -> float:
        return sum(row.value for row in self.rows)


@dataclass(frozen=True)
class Dashboard:
    levels: Chart
    monthly: tuple[Chart, ...]
    allocation: Chart
    drift: Chart
    disagreements: Chart
    oversight: ChartRow
    oversight_days: int


def _level_chart(scope: Scope, counts: Counter[str]) -> Chart:
    buckets = [*scope.framework.level_codes]
    # Levels of a retired framework and children with none come after the levels in force.
    buckets += sorted(bucket for bucket in counts if bucket not in buckets and bucket != NO_LEVEL)
    buckets.append(NO_LEVEL)
    return Chart(
        "levels",
        FIGURES["level"].title,
        "Children",
        tuple(
            ChartRow(
                _level_label(scope, bucket) or bucket,
                counts.get(bucket, 0),
                figure_key("level", bucket),
            )
            for bucket in buckets
        ),
    )


def _monthly_chart(name: str, scope: Scope, counts: Counter[str]) -> Chart:
    figure = FIGURES[name]
    return Chart(
        name,
        figure.title,
        "Number",
        tuple(
            ChartRow(month_label(month), counts.get(month, 0), figure_key(name, month))
            for month in scope.months
        ),
        MONTH_LABEL_WIDTH,
    )


def _allocation_chart(scope: Scope) -> Chart:
    medians = _median_days(scope)
    return Chart(
        "allocation",
        "Median days from request to allocation",
        "Median days",
        tuple(
            ChartRow(
                month_label(month),
                round(medians.get(month, (0.0, 0))[0], 1),
                figure_key("allocation", month),
                count=medians.get(month, (0.0, 0))[1],
            )
            for month in scope.months
        ),
        MONTH_LABEL_WIDTH,
    )


def _drift_chart(counts: Counter[str]) -> Chart:
    return Chart(
        "drift",
        "Families drifting",
        "Families",
        tuple(
            ChartRow(kind.label, counts.get(kind.value, 0), figure_key("drift", kind.value))
            for kind in DriftKind
        ),
    )


def _disagreement_chart(counts: Counter[str]) -> Chart:
    return Chart(
        "disagreements",
        FIGURES["disagreement"].title,
        "Disagreements",
        tuple(
            ChartRow(
                DISAGREEMENT_BUCKETS[bucket],
                counts.get(bucket, 0),
                figure_key("disagreement", bucket),
            )
            for bucket in ("overdue", "on_time")
        ),
    )


def manager_dashboard(
    actor: Actor, framework: Framework, settings: DeadlineSettings, now: datetime
) -> Dashboard:
    """Every figure of the manager's view, in two statements: the counts, and the
    medians (which need the rows ranked, not counted)."""
    scope = Scope(actor.user, framework, settings, now)
    monthly = ("step_up", "step_down", "closure")
    counts = _bucket_counts(scope)
    dashboard = Dashboard(
        levels=_level_chart(scope, counts["level"]),
        monthly=tuple(_monthly_chart(name, scope, counts[name]) for name in monthly),
        allocation=_allocation_chart(scope),
        drift=_drift_chart(counts["drift"]),
        disagreements=_disagreement_chart(counts["disagreement"]),
        oversight=ChartRow(
            FIGURES["oversight"].title,
            counts["oversight"]["none"],
            figure_key("oversight", "none"),
        ),
        oversight_days=settings.oversight_days,
    )
    record_listing(actor, "manager_view", {})
    return dashboard


# --- the families behind a figure ---------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    family_id: int
    family_name: str
    child_name: str | None
    at: datetime | date | None
    detail: float | None

    @property
    def reference(self) -> str:
        return f"F{self.family_id:06d}"


@dataclass(frozen=True)
class FigurePage(PageArithmetic):
    figure: Figure
    key: str
    bucket_label: str
    rows: tuple[FigureRow, ...]
    total: int
    page: int
    page_size: int

    @property
    def shown(self) -> int:
        return len(self.rows)


class UnknownFigure(LookupError):
    """The figure named in the URL is not one of the manager's view."""


def parse_figure(key: str) -> tuple[Figure, str]:
    name, _, bucket = key.partition(":")
    figure = FIGURES.get(name)
    if figure is None or (not bucket and not figure.whole_list):
        raise UnknownFigure(key)
    return figure, bucket


def figure_families(
    actor: Actor,
    key: str,
    page: int,
    page_size: int,
    framework: Framework,
    settings: DeadlineSettings,
    now: datetime,
) -> FigurePage:
    """One page of the rows behind a figure, from the builder that counted them: two
    statements, the count and the page. Raises UnknownFigure for a name or bucket the
    view does not have."""
    figure, bucket = parse_figure(key)
    scope = Scope(actor.user, framework, settings, now)
    label = figure.bucket_label(scope, bucket)
    if label is None:
        raise UnknownFigure(key)
    rows = figure.builder(scope.grants).subquery()
    chosen = select(rows).where(rows.c.bucket == bucket) if bucket else select(rows)
    chosen_rows = chosen.subquery()
    parameters = scope.parameters
    total = db.session.scalar(select(func.count()).select_from(chosen_rows), parameters) or 0
    pages = max(1, ceil(total / page_size))
    page = min(max(page, 1), pages)
    child_name = (FamilyMember.given_name + " " + FamilyMember.family_name).label("child_name")
    query = (
        select(
            chosen_rows.c.family_id,
            Family.name,
            child_name,
            chosen_rows.c.at,
            chosen_rows.c.detail,
        )
        .join(Family, Family.id == chosen_rows.c.family_id)
        .outerjoin(FamilyMember, FamilyMember.id == chosen_rows.c.member_id)
        .order_by(chosen_rows.c.at.asc().nulls_first(), Family.name, Family.id, child_name)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    figure_page = FigurePage(
        figure=figure,
        key=key,
        bucket_label=label,
        rows=tuple(FigureRow(*row) for row in db.session.execute(query, parameters)),
        total=total,
        page=page,
        page_size=page_size,
    )
    record_listing(actor, "manager_figure", {"figure": figure.name})
    return figure_page
