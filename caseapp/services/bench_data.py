"""Fictional data at the size of a large council, written fast, for the benchmark.

`flask --app caseapp bench-data --families N` fills an empty, migrated database with N
families and everything around them in proportion: for N = 100,000 about 20,000 open
episodes, 250,000 children, 1,500 staff in 60 teams (one manager each), lead workers holding
15 to 40 open families, about 2,000,000 timeline events with a long tail (the first family
has 3,000), and plans, TAF meetings, case notes and pending requests for the open work.

Around them, what the manager's view counts, as the app's own services would have left it
(less their timeline events and audit records):
- every closed episode was closed by an approved request, decided by the team's manager at
  its closure (a step down to universal services, or a closure for needs met or another
  reason), with the request's children, its history of reviews and, for a step down, each
  child's new level; closures are spread evenly over eight years, so each month of the
  manager's charts has its share;
- some open families were stepped up: to children's social care (the episode waits as
  stepped up, each child at the social care level) or to a higher level of early help;
  others had a request declined; many of these decisions fall in the last twelve months;
- the team's manager records oversight of each allocated open family about monthly, though
  about a quarter have none within the usual period, and of some closed ones too;
- one allocated open family in 50 has a professional disagreement, raised by its lead
  worker: half still open (some past the date to resolve it by), half resolved, some
  escalated a stage or two.

Rows bypass the ORM: ids are assigned here, rows are built as plain dicts and written in
large batches (COPY on PostgreSQL, executemany on SQLite), which is what makes millions of
rows take minutes. Columns a row leaves out take the model's own default, so a column
added to a model later does not break the generator. The data goes through no service, so
it is for measuring only: the demo data (services/demo_data.py) is what shows the app.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Table, func, select, text
from werkzeug.security import generate_password_hash

from caseapp.config import DeadlineSettings
from caseapp.domain.casework import (
    ActionStatus,
    AssessmentStatus,
    ConsentGiver,
    ConsentMethod,
    ContactType,
    MeetingKind,
    MeetingStatus,
)
from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.domain.level_requests import (
    DisagreementStatus,
    RequestKind,
    RequestStatus,
    RequestTarget,
    ReviewAction,
)
from caseapp.domain.names import name_key, postcode_key
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Agency,
    Assessment,
    Assignment,
    CaseNote,
    Consent,
    Disagreement,
    DisagreementEscalation,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    LevelDecision,
    OutcomeScore,
    OversightNote,
    PlanAction,
    PlanOutcome,
    RequestReview,
    SupportRequest,
    SupportRequestChild,
    TafAttendee,
    TafMeeting,
    Team,
    TimelineEvent,
    User,
    UserRole,
)
from caseapp.services.drift_facts import refresh_drift_facts

BENCH_DOMAIN = "bench.invalid"
BENCH_PASSWORD = "benchmark only, never real"
# The family whose chronology is the long tail's end: the benchmark opens its page.
LONG_TIMELINE_FAMILY_ID = 1
LONG_TIMELINE_EVENTS = 3_000
EVENTS_PER_FAMILY = 20
CASELOAD_AVERAGE = 26
OPEN_SHARE = 0.20
BATCH = 20_000

GIVEN = [
    "Amelia",
    "Ava",
    "Oliver",
    "Noah",
    "Isla",
    "Leo",
    "Freya",
    "Arthur",
    "Mia",
    "Harry",
    "Zara",
    "Yusuf",
    "Maja",
    "Jakub",
    "Aisha",
    "Ibrahim",
    "Lily",
    "George",
    "Grace",
    "Theo",
    "Ruby",
    "Oscar",
    "Evie",
    "Jack",
    "Sofia",
    "Adam",
    "Layla",
    "Mohammed",
    "Chloe",
    "Ethan",
]
SURNAMES = [
    "Turner",
    "Kowalski",
    "Begum",
    "Hughes",
    "Adeyemi",
    "Walsh",
    "Murphy",
    "Patel",
    "Fletcher",
    "Nowak",
    "Ali",
    "Robinson",
    "Clarke",
    "Evans",
    "Khan",
    "Shaw",
    "Wright",
    "Green",
    "Baker",
    "Hall",
    "Wood",
    "Lewis",
    "Okafor",
    "Singh",
    "Doyle",
    "Price",
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
LOCALITIES = ("North", "South", "East", "West", "Central", "Moorside")
AGENCY_KINDS = ("school", "health", "local authority", "voluntary", "police", "housing")
# Open episodes by state: most are being worked; a few wait for the Hub or a manager.
OPEN_STATES: tuple[tuple[EpisodeStatus, int], ...] = (
    (EpisodeStatus.REQUESTED, 2),
    (EpisodeStatus.TRIAGE, 1),
    (EpisodeStatus.AWAITING_ALLOCATION, 2),
    (EpisodeStatus.ALLOCATED, 8),
    (EpisodeStatus.ASSESSMENT, 12),
    (EpisodeStatus.PLAN_ACTIVE, 55),
    (EpisodeStatus.REVIEW, 10),
    (EpisodeStatus.STEP_DOWN_REQUESTED, 4),
    (EpisodeStatus.CLOSURE_REQUESTED, 4),
    (EpisodeStatus.STEP_UP_REQUESTED, 2),
    # Stepped up to social care by a manager's approval: the episode stays open, as the
    # review queue leaves it.
    (EpisodeStatus.STEPPED_UP, 3),
)
HUB_STATES = frozenset(
    {EpisodeStatus.REQUESTED, EpisodeStatus.TRIAGE, EpisodeStatus.AWAITING_ALLOCATION}
)
# Open episodes far enough on (assessed, with a plan) for a manager to have decided a
# request about them before.
WORKED_STATES = frozenset(
    {
        EpisodeStatus.ASSESSMENT,
        EpisodeStatus.PLAN_ACTIVE,
        EpisodeStatus.REVIEW,
        EpisodeStatus.STEP_DOWN_REQUESTED,
        EpisodeStatus.CLOSURE_REQUESTED,
        EpisodeStatus.STEP_UP_REQUESTED,
    }
)
# Where an episode was when a request moved it to wait for the decision.
STATES_BEFORE_REQUEST = (EpisodeStatus.PLAN_ACTIVE, EpisodeStatus.PLAN_ACTIVE, EpisodeStatus.REVIEW)
CLOSURE_REASONS = (
    ClosureReason.NEEDS_MET,
    ClosureReason.STEPPED_DOWN_TO_UNIVERSAL,
    ClosureReason.OTHER,
)
# What a closure request said of the closure and of afterwards; a step down says neither.
CLOSURE_TEXTS: dict[ClosureReason, tuple[str, str]] = {
    ClosureReason.NEEDS_MET: ("", "School pastoral team keeps in touch; family know how to ask."),
    ClosureReason.STEPPED_DOWN_TO_UNIVERSAL: ("", ""),
    ClosureReason.OTHER: (
        "Family asked to end support while they settle in a new home.",
        "Health visitor stays in touch; family know how to ask again.",
    ),
}
REQUEST_RATIONALES: dict[RequestKind, str] = {
    RequestKind.STEP_UP: "Worries about home have grown since the last review.",
    RequestKind.STEP_DOWN: "Progress sustained over two reviews.",
    RequestKind.CLOSURE: "The plan's outcomes are met and the family agree.",
}
# Shares of worked open episodes with an earlier approved step up within early help, and
# with an earlier declined request; the rest have neither.
LEVEL_UP_SHARE = 0.08
DECLINED_SHARE = 0.08
# Decided requests that went back once for more information first.
RETURNED_SHARE = 0.10
URGENT_STEP_UP_SHARE = 0.3
# Allocated open families whose manager has not recorded oversight within the period
# (DeadlineSettings.oversight_days, 90 days by default): they are the manager's list.
OVERSIGHT_LAPSED_SHARE = 0.25
CLOSED_OVERSIGHT_SHARE = 0.10
# An episode is closed at least this long after its allocation.
CLOSED_AFTER_DAYS = 60
# One allocated open family in this many has a professional disagreement.
DISAGREEMENT_EVERY = 50
EVENT_KINDS = (
    EventKind.CASE_NOTE_ADDED,
    EventKind.ACTION_UPDATED,
    EventKind.ACTION_ADDED,
    EventKind.MEETING_RECORDED,
    EventKind.ASSESSMENT_SECTION_SAVED,
    EventKind.LEVEL_DECIDED,
    EventKind.EPISODE_STATUS_CHANGED,
)


class BenchDataRefused(Exception):
    """The database already holds families: the generator only fills an empty one."""


@dataclass(frozen=True)
class Sizes:
    families: int
    teams: int
    users: int
    coordinators: int

    @classmethod
    def for_families(cls, families: int) -> Sizes:
        scale = families / 100_000
        return cls(
            families=families,
            # Teams in proportion, so a team (and its manager's pages) holds about as many
            # families at every size and a page's cost can be compared across sizes.
            teams=max(1, round(60 * scale)),
            users=max(40, round(1_500 * scale)),
            coordinators=max(2, round(40 * scale)),
        )


@dataclass
class _Ids:
    """The next id of each table: rows are numbered here so children can point at them."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass
class _Staff:
    lead_workers: list[tuple[int, int]]  # (user id, team id)
    coordinators: list[int]
    managers: list[int]
    # Each team's one manager, who decides its requests and records its oversight.
    manager_of: dict[int, int] = field(default_factory=dict)


class _Writer:
    """Buffers rows per table and writes them in batches the fastest way each backend has."""

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.tables: dict[str, Table] = {}
        self.written: dict[str, int] = {}
        # Parents before the rows that point at them, so foreign keys hold at every batch
        # whichever order a run happens to first add its tables in.
        self.order = {table.name: n for n, table in enumerate(db.metadata.sorted_tables)}

    def add(self, model: type[db.Model], row: dict[str, Any]) -> None:
        table: Table = model.__table__
        self.tables[table.name] = table
        buffer = self.buffers.setdefault(table.name, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table_name in sorted(self.buffers, key=self.order.__getitem__):
            rows = self.buffers.get(table_name) or []
            if rows:
                self._write(self.tables[table_name], rows)
                self.written[table_name] = self.written.get(table_name, 0) + len(rows)
            self.buffers[table_name] = []

    def _write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(table.columns)
        values = [[self._value(column, row) for column in columns] for row in rows]
        if self.dialect == "postgresql":
            names = ", ".join(f'"{column.name}"' for column in columns)
            raw = self.connection.connection.driver_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for record in values:
                    copy.write_row(record)
        else:
            names = ", ".join(f'"{column.name}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            raw = self.connection.connection.driver_connection
            raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)

    def _value(self, column: Any, row: dict[str, Any]) -> Any:
        if column.name in row:
            value = row[column.name]
        elif column.default is not None:
            value = column.default.arg
            if callable(value):
                value = value(None)
        elif column.server_default is not None and not column.nullable:
            value = False
        else:
            value = None
        return self._adapt(value)

    def _adapt(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value)
        if hasattr(value, "value") and isinstance(value.value, str):  # a StrEnum member
            return value.value
        if self.dialect == "sqlite":
            if isinstance(value, datetime):
                return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, bool):
                return int(value)
        return value

    def finish(self) -> None:
        self.flush()
        if self.dialect == "postgresql":
            # Ids were given explicitly, so each sequence must move past them.
            for table in self.tables.values():
                if "id" in table.columns and table.columns["id"].autoincrement is not False:
                    self.connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                        )
                    )


@dataclass
class _Run:
    """What every part of one generation run shares."""

    writer: _Writer
    ids: _Ids
    rng: random.Random
    staff: _Staff
    framework_key: str
    # The framework's early help levels, lowest first.
    levels: list[str]
    now: datetime
    # Where a step down to universal services and a step up to social care take a child;
    # None if the framework has no such level.
    universal_level: str | None = None
    social_care_level: str | None = None
    # The period within which a manager is expected to record oversight.
    oversight_days: int = DeadlineSettings().oversight_days
    # Allocated open families so far: every DISAGREEMENT_EVERY-th has a disagreement.
    allocated_open: int = 0

    def add(self, model: type[db.Model], row: dict[str, Any]) -> None:
        self.writer.add(model, row)

    def take(self, table: str) -> int:
        return self.ids.take(table)

    def moment_between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()


# What happened to an open family before now, besides its casework.
NO_HISTORY = "none"
LEVEL_UP = "level_up"  # a step up to a higher level of early help, approved
DECLINED = "declined"  # a step up, step down or closure, declined
SOCIAL_CARE = "social_care"  # a step up to children's social care, approved


@dataclass
class _Case:
    """One family's episode, as decided before any of its rows is written: its children's
    levels follow from what happened to it."""

    family_id: int
    status: EpisodeStatus
    closure_reason: ClosureReason | None
    history: str
    children: list[int] = field(default_factory=list)
    # Each child's level when the Hub decided it, and now (changed by an approval).
    levels_before: list[str] = field(default_factory=list)
    levels_now: list[str] = field(default_factory=list)
    urgent: bool = False
    episode_id: int = 0
    team_id: int | None = None
    lead_id: int | None = None
    allocated_at: datetime | None = None
    closed_at: datetime | None = None


def generate(
    families: int,
    framework: Framework,
    now: datetime,
    progress: Callable[[int], None] = lambda families: None,
    seed: int = 20_261_127,
) -> dict[str, int]:
    """Fill the empty database; returns the rows written per table."""
    if db.session.scalar(select(func.count()).select_from(Family)):
        raise BenchDataRefused("the database already holds families")
    rng = random.Random(seed)
    ids = _Ids()
    writer = _Writer()
    sizes = Sizes.for_families(families)
    staff = _write_staff(writer, ids, sizes, rng)
    levels = [level.code for level in framework.early_help_levels] or list(framework.level_codes)
    universal = framework.levels_by_service("universal")
    social_care = framework.levels_by_service("social_care")
    run = _Run(
        writer,
        ids,
        rng,
        staff,
        framework.key,
        levels,
        now,
        universal_level=universal[-1].code if universal else None,
        social_care_level=social_care[0].code if social_care else None,
        oversight_days=current_app.config.get(
            "CASEAPP_DEADLINES", DeadlineSettings()
        ).oversight_days,
    )
    _write_families(run, sizes, progress)
    writer.finish()
    # The rows went in without the ORM, whose flushes keep the open episodes' drift facts.
    refresh_drift_facts(writer.connection)
    db.session.commit()
    # Fresh planner statistics, as a database that grew to this size would have. On
    # PostgreSQL, VACUUM also marks the pages all-visible, as autovacuum would have done in
    # production (and may not be running here), so index-only scans need not visit the table.
    engine = db.engine
    refresh = "VACUUM (ANALYZE)" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(refresh))
    return writer.written


def _write_staff(writer: _Writer, ids: _Ids, sizes: Sizes, rng: random.Random) -> _Staff:
    password_hash = generate_password_hash(BENCH_PASSWORD)
    agencies = []
    for number in range(40):
        agency_id = ids.take("agencies")
        kind = AGENCY_KINDS[number % len(AGENCY_KINDS)]
        writer.add(Agency, {"id": agency_id, "name": f"Bench {kind} {number + 1}", "kind": kind})
        agencies.append(agency_id)
    teams = []
    for number in range(sizes.teams):
        team_id = ids.take("teams")
        locality = LOCALITIES[number % len(LOCALITIES)]
        writer.add(Team, {"id": team_id, "name": f"Bench team {number + 1}", "locality": locality})
        teams.append(team_id)
    staff = _Staff([], [], [])

    def person(role: Role, team_id: int | None, label: str) -> int:
        user_id = ids.take("users")
        writer.add(
            User,
            {
                "id": user_id,
                "email": f"{label}{user_id}@{BENCH_DOMAIN}",
                "name": f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                "job_title": role.label,
                "password_hash": password_hash,
                "agency_id": rng.choice(agencies),
                "team_id": team_id,
            },
        )
        writer.add(UserRole, {"user_id": user_id, "role": role})
        return user_id

    for team_id in teams:
        manager_id = person(Role.MANAGER, team_id, "manager")
        staff.managers.append(manager_id)
        staff.manager_of[team_id] = manager_id
    for _ in range(sizes.coordinators):
        staff.coordinators.append(person(Role.HUB_COORDINATOR, None, "hub"))
    person(Role.ADMIN, None, "admin")
    for number in range(sizes.users - len(teams) - sizes.coordinators - 1):
        team_id = teams[number % len(teams)]
        staff.lead_workers.append((person(Role.LEAD_WORKER, team_id, "lead"), team_id))
    return staff


def _open_states(rng: random.Random) -> Iterator[EpisodeStatus]:
    states = [state for state, weight in OPEN_STATES for _ in range(weight)]
    while True:
        yield rng.choice(states)


def _event_counts(families: int, rng: random.Random) -> list[int]:
    """Events per family: most have a handful, a few hundreds, one has 3,000; on average
    EVENTS_PER_FAMILY."""
    counts = [min(int(rng.paretovariate(1.6) * 6), 1_500) for _ in range(families)]
    counts[0] = LONG_TIMELINE_EVENTS
    scale = EVENTS_PER_FAMILY * families / max(sum(counts), 1)
    return [max(3, round(count * scale)) if i else count for i, count in enumerate(counts)]


def _plan_case(run: _Run, family_id: int, status: EpisodeStatus, child_count: int) -> _Case:
    """What happens to the family's episode, and so each child's level before and now."""
    rng = run.rng
    reason = rng.choice(CLOSURE_REASONS) if status is EpisodeStatus.CLOSED else None
    history = NO_HISTORY
    if status is EpisodeStatus.STEPPED_UP and run.social_care_level:
        history = SOCIAL_CARE
    elif status in WORKED_STATES:
        draw = rng.random()
        if draw < LEVEL_UP_SHARE and len(run.levels) > 1:
            history = LEVEL_UP
        elif draw < LEVEL_UP_SHARE + DECLINED_SHARE:
            history = DECLINED
    case = _Case(family_id, status, reason, history)
    case.levels_before = [rng.choice(run.levels) for _ in range(child_count)]
    case.levels_now = list(case.levels_before)
    if reason is ClosureReason.STEPPED_DOWN_TO_UNIVERSAL and run.universal_level:
        case.levels_now = [run.universal_level] * child_count
    elif history == SOCIAL_CARE:
        assert run.social_care_level is not None
        # A request is about one child at least, often their brothers and sisters too.
        case.levels_now = [
            run.social_care_level if n == 0 or rng.random() < 0.7 else level
            for n, level in enumerate(case.levels_before)
        ]
        case.urgent = rng.random() < URGENT_STEP_UP_SHARE
    elif history == LEVEL_UP:
        # The children stepped up were below the top level of early help, and are at it now.
        for n in range(child_count):
            if n == 0 or rng.random() < 0.6:
                case.levels_before[n] = rng.choice(run.levels[:-1])
                case.levels_now[n] = run.levels[-1]
    return case


def _write_families(run: _Run, sizes: Sizes, progress: Callable[[int], None]) -> None:
    rng, now, staff = run.rng, run.now, run.staff
    states = _open_states(rng)
    event_counts = _event_counts(sizes.families, rng)
    open_families = set(rng.sample(range(1, sizes.families + 1), int(sizes.families * OPEN_SHARE)))
    open_families.add(LONG_TIMELINE_FAMILY_ID)
    # Open families go round-robin to as many lead workers as give each about
    # CASELOAD_AVERAGE of them, at every size, so a caseload page measures the same work.
    holders = max(1, round(len(open_families) / CASELOAD_AVERAGE))
    lead_cycle = _cycle(staff.lead_workers[:holders])
    for number in range(sizes.families):
        family_id = run.take("families")
        surname = rng.choice(SURNAMES)
        outward = f"BX{rng.randint(1, 40)}"
        inward = f"{rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        postcode = f"{outward} {inward}"
        is_open = family_id in open_families
        status = next(states) if is_open else EpisodeStatus.CLOSED
        if family_id == LONG_TIMELINE_FAMILY_ID:
            status = EpisodeStatus.PLAN_ACTIVE
        closed_at: datetime | None = None
        if is_open:
            created = now - timedelta(days=rng.randint(30, 3_000))
        else:
            # Closures spread evenly over the years, as a council's are, so no month of the
            # manager's charts holds more than its share. The family came months before:
            # its episode opens up to 20 days after it came and is allocated up to 6 days
            # later, so it closes CLOSED_AFTER_DAYS after its allocation at least.
            closed_at = now - timedelta(days=rng.uniform(0, 2_900))
            created = closed_at - timedelta(days=rng.randint(CLOSED_AFTER_DAYS, 400) + 26)
        run.add(
            Family,
            {
                "id": family_id,
                "name": f"{surname} family",
                "address": f"{rng.randint(1, 200)} Bench Street",
                "postcode": postcode,
                "postcode_key": postcode_key(postcode),
                "locality": rng.choice(LOCALITIES),
                "created_at": created,
            },
        )
        case = _plan_case(run, family_id, status, rng.choice((1, 2, 2, 3, 3, 4)))
        case.closed_at = closed_at
        for level in case.levels_now:
            given = rng.choice(GIVEN)
            member_id = run.take("family_members")
            born = (now - timedelta(days=rng.randint(200, 6_200))).date()
            run.add(
                FamilyMember,
                {
                    "id": member_id,
                    "family_id": family_id,
                    "is_child": True,
                    "given_name": given,
                    "family_name": surname,
                    "name_key": name_key(given, surname),
                    "family_name_key": name_key(surname),
                    "date_of_birth": born,
                    "current_level_code": level,
                    "created_at": created,
                },
            )
            case.children.append(member_id)
        for _ in range(rng.choice((1, 1, 2))):
            given = rng.choice(GIVEN)
            run.add(
                FamilyMember,
                {
                    "id": run.take("family_members"),
                    "family_id": family_id,
                    "is_child": False,
                    "given_name": given,
                    "family_name": surname,
                    "name_key": name_key(given, surname),
                    "family_name_key": name_key(surname),
                    "relationship_to_child": "Parent",
                    "parental_responsibility": True,
                    "created_at": created,
                },
            )
        lead = next(lead_cycle) if status not in HUB_STATES else None
        _write_episode(run, case, lead, created)
        _write_events(run, family_id, case.episode_id, case.children, event_counts[number], created)
        if number % 1_000 == 999:
            progress(1_000)
    progress(sizes.families % 1_000)


def _cycle(items: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    while True:
        yield from items


def _write_episode(run: _Run, case: _Case, lead: tuple[int, int] | None, created: datetime) -> None:
    rng, now, staff = run.rng, run.now, run.staff
    family_id, children, status = case.family_id, case.children, case.status
    episode_id = case.episode_id = run.take("episodes")
    opened = created + timedelta(days=rng.randint(0, 20))
    closed = status is EpisodeStatus.CLOSED
    allocated_at = opened + timedelta(days=rng.randint(1, 6)) if lead else None
    coordinator = rng.choice(staff.coordinators)
    case.team_id = lead[1] if lead else None
    case.lead_id = lead[0] if lead else None
    case.allocated_at = allocated_at
    row: dict[str, Any] = {
        "id": episode_id,
        "family_id": family_id,
        "status": status,
        "opened_at": opened,
        "team_id": case.team_id,
        "lead_worker_id": lead[0] if lead and not closed else None,
        "allocated_at": allocated_at,
        "urgent": status is EpisodeStatus.STEP_UP_REQUESTED or case.urgent,
    }
    if closed:
        assert case.closed_at is not None and case.closure_reason is not None
        row["closed_at"] = case.closed_at
        row["closure_reason"] = case.closure_reason
        row["closure_detail"] = "; ".join(
            part for part in CLOSURE_TEXTS[case.closure_reason] if part
        )
    if status in HUB_STATES:
        row["hub_due_at"] = now + timedelta(hours=rng.randint(-30, 60))
    run.add(Episode, row)
    request_id = run.take("support_requests")
    run.add(
        SupportRequest,
        {
            "id": request_id,
            "episode_id": episode_id,
            "family_id": family_id,
            "received_at": opened,
            "received_via": ReceivedVia.ONLINE,
            "recorded_by_id": coordinator,
            "referrer_name": "Bench referrer",
            "referrer_agency": "Bench school",
            "referrer_contact": "01632 960 000",
            "reason": "Attendance and behaviour worries at school.",
            "consent_given": True,
            "consent_given_by": "Parent",
            "decision_due_at": opened + timedelta(days=2),
            "decided_at": opened + timedelta(days=1) if status not in HUB_STATES else None,
            "decided_by_id": coordinator if status not in HUB_STATES else None,
            "outcome": TriageOutcome.EARLY_HELP if status not in HUB_STATES else None,
        },
    )
    for child in children:
        run.add(SupportRequestChild, {"request_id": request_id, "member_id": child})
    if lead is None:
        return
    run.add(
        Assignment,
        {
            "id": run.take("assignments"),
            "episode_id": episode_id,
            "lead_worker_id": lead[0],
            "assigned_by_id": coordinator,
            "assigned_at": allocated_at,
            "ended_at": row.get("closed_at"),
        },
    )
    for child, level in zip(children, case.levels_before, strict=True):
        run.add(
            LevelDecision,
            {
                "id": run.take("level_decisions"),
                "member_id": child,
                "episode_id": episode_id,
                "framework_key": run.framework_key,
                "level_code": level,
                "decided_by_id": coordinator,
                "decided_at": opened + timedelta(days=1),
                "rationale": "Needs across school and home.",
            },
        )
    if closed:
        _write_closing_request(run, case)
        if rng.random() < CLOSED_OVERSIGHT_SHARE:
            _write_closed_oversight(run, case)
        return
    _write_casework(run, family_id, episode_id, children, status, lead[0], allocated_at or opened)
    declined = _write_history(run, case)
    _write_oversight(run, case)
    run.allocated_open += 1
    if run.allocated_open % DISAGREEMENT_EVERY == DISAGREEMENT_EVERY // 2:
        resolved = (run.allocated_open // DISAGREEMENT_EVERY) % 2 == 1
        _write_disagreement(run, case, resolved, declined)


def _write_casework(
    run: _Run,
    family_id: int,
    episode_id: int,
    children: list[int],
    status: EpisodeStatus,
    lead_id: int,
    allocated_at: datetime,
) -> None:
    rng, now = run.rng, run.now
    run.add(
        Consent,
        {
            "id": run.take("consents"),
            "family_id": family_id,
            "episode_id": episode_id,
            "given_by_name": "Parent",
            "given_by_role": ConsentGiver.PARENT,
            "share_with": ["School", "Health visiting"],
            "method": ConsentMethod.SIGNED_FORM,
            "given_on": allocated_at.date(),
            "recorded_by_id": lead_id,
        },
    )
    if status is EpisodeStatus.ALLOCATED:
        return
    completed = status is not EpisodeStatus.ASSESSMENT
    run.add(
        Assessment,
        {
            "id": run.take("assessments"),
            "family_id": family_id,
            "episode_id": episode_id,
            "number": 1,
            "status": AssessmentStatus.COMPLETED if completed else AssessmentStatus.DRAFT,
            "member_ids": children,
            "started_by_id": lead_id,
            "started_at": allocated_at + timedelta(days=2),
            "completed_by_id": lead_id if completed else None,
            "completed_at": allocated_at + timedelta(days=14) if completed else None,
        },
    )
    for child in children:
        run.add(
            CaseNote,
            {
                "id": run.take("case_notes"),
                "family_id": family_id,
                "episode_id": episode_id,
                "contact_on": (now - timedelta(days=rng.randint(1, 60))).date(),
                "contact_type": rng.choice(list(ContactType)),
                "seen_member_ids": [child],
                "text": "Visited at home; talked about mornings and school.",
                "recorded_by_id": lead_id,
            },
        )
    if not completed:
        return
    outcomes = []
    for child in children[:3]:
        outcome_id = run.take("plan_outcomes")
        run.add(
            PlanOutcome,
            {
                "id": outcome_id,
                "family_id": family_id,
                "episode_id": episode_id,
                "member_id": child,
                "description": "Gets to school on time every day.",
                "headline_outcomes": ["education"],
                "created_by_id": lead_id,
            },
        )
        outcomes.append(outcome_id)
        for _ in range(2):
            due = (now + timedelta(days=rng.randint(-20, 40))).date()
            run.add(
                PlanAction,
                {
                    "id": run.take("plan_actions"),
                    "family_id": family_id,
                    "episode_id": episode_id,
                    "outcome_id": outcome_id,
                    "description": "Morning routine chart agreed with parent.",
                    "owner_name": "Parent",
                    "due_on": due,
                    "status": rng.choice(
                        (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.DONE)
                    ),
                    "created_by_id": lead_id,
                },
            )
    held = rng.randint(1, 4)
    for number in range(held + 1):
        meeting_id = run.take("taf_meetings")
        at = allocated_at + timedelta(weeks=4 + 6 * number)
        is_held = number < held
        run.add(
            TafMeeting,
            {
                "id": meeting_id,
                "family_id": family_id,
                "episode_id": episode_id,
                "kind": MeetingKind.INITIAL if number == 0 else MeetingKind.REVIEW,
                "status": MeetingStatus.HELD if is_held else MeetingStatus.SCHEDULED,
                "at": at,
                "next_meeting_on": (at + timedelta(weeks=6)).date() if is_held else None,
                "scheduled_by_id": lead_id,
                "recorded_by_id": lead_id if is_held else None,
                "recorded_at": at if is_held else None,
            },
        )
        for attendee in range(3):
            run.add(
                TafAttendee,
                {
                    "id": run.take("taf_attendees"),
                    "meeting_id": meeting_id,
                    "name": "Lead worker" if attendee == 0 else f"Professional {attendee}",
                    "agency": "Bench agency",
                    "present": attendee != 2,
                    "user_id": lead_id if attendee == 0 else None,
                },
            )
        if is_held:
            for outcome_id in outcomes:
                run.add(
                    OutcomeScore,
                    {
                        "id": run.take("outcome_scores"),
                        "meeting_id": meeting_id,
                        "outcome_id": outcome_id,
                        "score": min(10, 2 + number * 2 + rng.randint(0, 2)),
                    },
                )
    if status in (
        EpisodeStatus.STEP_DOWN_REQUESTED,
        EpisodeStatus.CLOSURE_REQUESTED,
        EpisodeStatus.STEP_UP_REQUESTED,
    ):
        _write_request(run, family_id, episode_id, children, status, lead_id)


def _write_request(
    run: _Run,
    family_id: int,
    episode_id: int,
    children: list[int],
    status: EpisodeStatus,
    lead_id: int,
) -> None:
    rng, now = run.rng, run.now
    kind, target = {
        EpisodeStatus.STEP_DOWN_REQUESTED: (RequestKind.STEP_DOWN, RequestTarget.UNIVERSAL),
        EpisodeStatus.CLOSURE_REQUESTED: (RequestKind.CLOSURE, RequestTarget.UNIVERSAL),
        EpisodeStatus.STEP_UP_REQUESTED: (RequestKind.STEP_UP, RequestTarget.SOCIAL_CARE),
    }[status]
    request_id = run.take("level_change_requests")
    submitted = now - timedelta(hours=rng.randint(1, 300))
    run.add(
        LevelChangeRequest,
        {
            "id": request_id,
            "family_id": family_id,
            "episode_id": episode_id,
            "kind": kind,
            "target": target,
            "status": RequestStatus.PENDING,
            "urgent": kind is RequestKind.STEP_UP,
            "rationale": "Progress sustained over two reviews.",
            "closure_reason": ClosureReason.NEEDS_MET if kind is RequestKind.CLOSURE else None,
            "requested_by_id": lead_id,
            "requested_at": submitted,
            "submitted_at": submitted,
        },
    )
    for child in children:
        run.add(
            LevelChangeRequestChild,
            {
                "id": run.take("level_change_request_children"),
                "request_id": request_id,
                "member_id": child,
            },
        )
    # The request's history starts with its submission, as a submitted request's does.
    run.add(
        RequestReview,
        {
            "id": run.take("request_reviews"),
            "request_id": request_id,
            "action": ReviewAction.SUBMITTED,
            "by_id": lead_id,
            "at": submitted,
            "rationale": "Progress sustained over two reviews.",
        },
    )


DECISION_RATIONALES: dict[RequestStatus, str] = {
    RequestStatus.APPROVED: "Agreed: the evidence supports it and the family know.",
    RequestStatus.DECLINED: "Not yet: keep the plan going to the next review TAF.",
}
RETURN_RATIONALE = "Please add the latest TAF scores and the school's view."
FURTHER_INFORMATION = "Latest TAF scores and the school's view added."
OVERSIGHT_SUMMARIES = (
    "Case discussed in supervision; plan on track.",
    "Reviewed chronology and plan; attendance improving.",
    "Supervision: worries about home noted, TAF to review.",
    "Case file audit: assessment and plan up to date.",
)
OVERSIGHT_ACTIONS = ("", "", "Book the review TAF.", "Update the plan's actions with the school.")
DISAGREEMENT_PARTIES = (
    "Lead worker and school",
    "Lead worker and health visitor",
    "Lead worker and the Hub",
)
DISAGREEMENT_SUBJECTS = (
    "Whether the children's needs still meet the threshold for early help.",
    "Who leads the plan's work on school attendance.",
)
# Five working days, about a week: the time each stage of a disagreement has.
DISAGREEMENT_STAGE = timedelta(days=7)


@dataclass(frozen=True)
class _Decided:
    request_id: int
    decided_at: datetime


def _moment_after(
    run: _Run, earliest: datetime, latest: datetime, lookback: timedelta
) -> datetime | None:
    """A moment from `earliest` (or `lookback` before `latest`, if later) to `latest`."""
    start = max(earliest, latest - lookback)
    return run.moment_between(start, latest) if start < latest else None


def _write_decided_request(
    run: _Run,
    case: _Case,
    kind: RequestKind,
    target: RequestTarget,
    status: RequestStatus,
    decided_at: datetime,
    changes: list[tuple[int, str, str | None]],
    *,
    closure_reason: ClosureReason | None = None,
    urgent: bool = False,
    status_before: EpisodeStatus | None = None,
) -> _Decided:
    """A request asked by the lead worker and decided by the team's manager at
    `decided_at`, as review_queue.decide_request leaves it: the request, its children
    (`changes`: member, level from, level asked for), its reviews and, if approved, each
    child's new level."""
    rng = run.rng
    assert case.lead_id is not None and case.allocated_at is not None
    assert case.team_id is not None
    lead, manager = case.lead_id, run.staff.manager_of[case.team_id]
    rationale = REQUEST_RATIONALES[kind]
    decision = DECISION_RATIONALES[status]
    requested = max(
        decided_at - timedelta(hours=rng.randint(24, 600)), case.allocated_at + timedelta(hours=1)
    )
    submitted = requested
    further = ""
    reviews = [(ReviewAction.SUBMITTED, lead, requested, rationale)]
    if rng.random() < RETURNED_SHARE:
        returned = requested + (decided_at - requested) * 0.3
        submitted = requested + (decided_at - requested) * 0.6
        local = submitted.astimezone(UK_TIME)
        further = f"{local.day} {local:%B %Y}: {FURTHER_INFORMATION}"
        reviews += [
            (ReviewAction.RETURNED, manager, returned, RETURN_RATIONALE),
            (ReviewAction.RESUBMITTED, lead, submitted, FURTHER_INFORMATION),
        ]
    approved = status is RequestStatus.APPROVED
    action = ReviewAction.APPROVED if approved else ReviewAction.DECLINED
    reviews.append((action, manager, decided_at, decision))
    detail, after = CLOSURE_TEXTS[closure_reason] if closure_reason else ("", "")
    # A step down or closure keeps a snapshot of the plan's progress as it was sent. Here
    # it shows none, as a closed episode's would: their meetings are not generated.
    evidence: dict[str, Any] = {}
    if kind is not RequestKind.STEP_UP:
        evidence = {
            "taken_at": submitted.isoformat(),
            "last_meeting": None,
            "scores": [],
            "outstanding_actions": [],
        }
    request_id = run.take("level_change_requests")
    run.add(
        LevelChangeRequest,
        {
            "id": request_id,
            "family_id": case.family_id,
            "episode_id": case.episode_id,
            "kind": kind,
            "target": target,
            "status": status,
            "urgent": urgent,
            "rationale": rationale,
            "closure_reason": closure_reason,
            "closure_detail": detail,
            "after_closure": after,
            "evidence": evidence,
            "further_information": further,
            "episode_status_before": status_before,
            "episode_urgent_before": False if urgent else None,
            "requested_by_id": lead,
            "requested_at": requested,
            "submitted_at": submitted,
            "decided_by_id": manager,
            "decided_at": decided_at,
            # One more for every change after the submission.
            "version": len(reviews),
        },
    )
    for member_id, level_from, level_to in changes:
        run.add(
            LevelChangeRequestChild,
            {
                "id": run.take("level_change_request_children"),
                "request_id": request_id,
                "member_id": member_id,
                "from_level_code": level_from,
                "to_level_code": level_to,
            },
        )
    for review_action, by_id, at, words in reviews:
        run.add(
            RequestReview,
            {
                "id": run.take("request_reviews"),
                "request_id": request_id,
                "action": review_action,
                "by_id": by_id,
                "at": at,
                "rationale": words,
            },
        )
    if approved:
        for member_id, level_from, level_to in changes:
            if level_to is None:
                continue
            run.add(
                LevelDecision,
                {
                    "id": run.take("level_decisions"),
                    "member_id": member_id,
                    "episode_id": case.episode_id,
                    "framework_key": run.framework_key,
                    "level_code": level_to,
                    "previous_level_code": level_from,
                    "decided_by_id": manager,
                    "decided_at": decided_at,
                    "rationale": f"{kind.label} approved. Requested because: {rationale}\n\n"
                    f"Manager's decision: {decision}",
                },
            )
    return _Decided(request_id, decided_at)


def _write_closing_request(run: _Run, case: _Case) -> None:
    """The approved request that closed the episode, decided at its closure: a step down
    to universal services, or a closure for its reason."""
    assert case.closed_at is not None and case.closure_reason is not None
    stepped_down = case.closure_reason is ClosureReason.STEPPED_DOWN_TO_UNIVERSAL
    _write_decided_request(
        run,
        case,
        RequestKind.STEP_DOWN if stepped_down else RequestKind.CLOSURE,
        RequestTarget.UNIVERSAL,
        RequestStatus.APPROVED,
        case.closed_at,
        [
            (child, before, now if stepped_down else None)
            for child, before, now in zip(
                case.children, case.levels_before, case.levels_now, strict=True
            )
        ],
        closure_reason=None if stepped_down else case.closure_reason,
        status_before=run.rng.choice(STATES_BEFORE_REQUEST),
    )


def _write_history(run: _Run, case: _Case) -> _Decided | None:
    """The decision the open family had before now, if any; returns a declined one, which
    a disagreement may be about."""
    if case.history == NO_HISTORY:
        return None
    rng, now = run.rng, run.now
    assert case.allocated_at is not None
    latest = now - timedelta(hours=1)
    changed = [
        (child, before, after)
        for child, before, after in zip(
            case.children, case.levels_before, case.levels_now, strict=True
        )
        if before != after
    ]
    if case.history in (SOCIAL_CARE, LEVEL_UP):
        # Mostly within the last year, so the manager's monthly charts show them.
        earliest = case.allocated_at + min(timedelta(days=28), (latest - case.allocated_at) / 2)
        decided = _moment_after(run, earliest, latest, timedelta(days=365))
        assert decided is not None
        social_care = case.history == SOCIAL_CARE
        _write_decided_request(
            run,
            case,
            RequestKind.STEP_UP,
            RequestTarget.SOCIAL_CARE if social_care else RequestTarget.LEVEL,
            RequestStatus.APPROVED,
            decided,
            changed,
            urgent=case.urgent,
            # A step up within early help leaves the episode as it is while it waits.
            status_before=rng.choice(STATES_BEFORE_REQUEST) if social_care else None,
        )
        return None
    decided = _moment_after(
        run,
        case.allocated_at + timedelta(days=21),
        now - timedelta(days=30),
        timedelta(days=400),
    )
    if decided is None:
        return None
    kind = rng.choice((RequestKind.STEP_UP, RequestKind.STEP_DOWN, RequestKind.CLOSURE))
    pairs = list(zip(case.children, case.levels_now, strict=True))
    if kind is RequestKind.STEP_UP:
        target = RequestTarget.SOCIAL_CARE
        changes = [(child, level, run.social_care_level) for child, level in pairs[:1]]
    elif kind is RequestKind.STEP_DOWN:
        target = RequestTarget.UNIVERSAL
        changes = [(child, level, run.universal_level) for child, level in pairs]
    else:
        target = RequestTarget.UNIVERSAL
        changes = [(child, level, None) for child, level in pairs]
    return _write_decided_request(
        run,
        case,
        kind,
        target,
        RequestStatus.DECLINED,
        decided,
        changes,
        closure_reason=ClosureReason.NEEDS_MET if kind is RequestKind.CLOSURE else None,
        urgent=kind is RequestKind.STEP_UP and rng.random() < URGENT_STEP_UP_SHARE,
        status_before=rng.choice(STATES_BEFORE_REQUEST),
    )


def _add_oversight(run: _Run, case: _Case, at: datetime) -> None:
    assert case.team_id is not None
    run.add(
        OversightNote,
        {
            "id": run.take("oversight_notes"),
            "family_id": case.family_id,
            "episode_id": case.episode_id,
            "oversight_on": at.astimezone(UK_TIME).date(),
            "summary": run.rng.choice(OVERSIGHT_SUMMARIES),
            "actions": run.rng.choice(OVERSIGHT_ACTIONS),
            "manager_id": run.staff.manager_of[case.team_id],
            "recorded_at": at,
        },
    )


def _write_oversight(run: _Run, case: _Case) -> None:
    """The team manager's oversight of an allocated open family, about monthly going
    back from the newest; for OVERSIGHT_LAPSED_SHARE of families the newest is older than
    the period, or there is none."""
    rng, now = run.rng, run.now
    assert case.allocated_at is not None
    period = run.oversight_days
    if rng.random() < OVERSIGHT_LAPSED_SHARE:
        if rng.random() < 0.3:
            return
        # Two days' margin, so a note is outside the period on either side of midnight.
        days = rng.randint(period + 2, period + 200)
    else:
        days = rng.randint(0, max(0, min(60, period - 2)))
    for _ in range(rng.randint(1, 6)):
        at = now - timedelta(days=days, minutes=rng.randint(0, 600))
        if at <= case.allocated_at:
            return
        _add_oversight(run, case, at)
        days += rng.randint(20, 40)


def _write_closed_oversight(run: _Run, case: _Case) -> None:
    assert case.allocated_at is not None and case.closed_at is not None
    for _ in range(run.rng.randint(1, 2)):
        _add_oversight(run, case, run.moment_between(case.allocated_at, case.closed_at))


def _write_disagreement(run: _Run, case: _Case, resolved: bool, declined: _Decided | None) -> None:
    """A disagreement raised by the lead worker, as raise_disagreement, then
    escalate_disagreement and resolve_disagreement, leave it. Each stage gives about a
    week; an open one's last deadline is near now, so some are overdue."""
    rng, now = run.rng, run.now
    assert case.lead_id is not None and case.allocated_at is not None
    assert case.team_id is not None
    manager = run.staff.manager_of[case.team_id]
    earliest = case.allocated_at + timedelta(hours=1)
    if now - case.allocated_at < timedelta(days=60):
        resolved = False
    stages = rng.choice((1, 1, 1, 2, 2, 3))
    if resolved:
        last_deadline = now - timedelta(days=rng.uniform(10, 300))
    else:
        last_deadline = now + timedelta(days=rng.uniform(-10, 10))
    # Back from the last stage's deadline: each stage began a few days before or after
    # the one before it was due, and the last one has begun by now.
    starts = [min(last_deadline - DISAGREEMENT_STAGE, now - timedelta(hours=rng.uniform(1, 48)))]
    for _ in range(stages - 1):
        starts.insert(0, starts[0] - timedelta(days=rng.uniform(2, 9)))
    if starts[0] < earliest:
        stages, starts = 1, [max(starts[-1], earliest)]
        last_deadline = max(last_deadline, starts[0] + timedelta(days=5))
    raised = starts[0]
    disputes_decline = declined is not None and declined.decided_at < raised
    disagreement_id = run.take("disagreements")
    resolved_at = (
        run.moment_between(starts[-1], min(last_deadline + timedelta(days=3), now))
        if resolved
        else None
    )
    run.add(
        Disagreement,
        {
            "id": disagreement_id,
            "family_id": case.family_id,
            "episode_id": case.episode_id,
            "request_id": declined.request_id if declined and disputes_decline else None,
            "stage": stages,
            "parties": rng.choice(DISAGREEMENT_PARTIES),
            "disputed": (
                "The manager's decision to decline the request."
                if disputes_decline
                else rng.choice(DISAGREEMENT_SUBJECTS)
            ),
            "resolve_by": last_deadline,
            "status": DisagreementStatus.RESOLVED if resolved else DisagreementStatus.OPEN,
            "raised_by_id": case.lead_id,
            "raised_at": raised,
            "resolution": "Agreed at a meeting of both teams' managers." if resolved else "",
            "resolved_by_id": manager if resolved else None,
            "resolved_at": resolved_at,
            "version": stages + (1 if resolved else 0),
        },
    )
    for stage, start in enumerate(starts[1:], start=2):
        due = last_deadline if stage == stages else start + DISAGREEMENT_STAGE
        run.add(
            DisagreementEscalation,
            {
                "id": run.take("disagreement_escalations"),
                "disagreement_id": disagreement_id,
                "to_stage": stage,
                "reason": "Not agreed at the last stage: taken to the managers.",
                "escalated_by_id": manager,
                "escalated_at": start,
                "resolve_by": due,
            },
        )


def _write_events(
    run: _Run,
    family_id: int,
    episode_id: int,
    children: list[int],
    count: int,
    created: datetime,
) -> None:
    rng, now, staff = run.rng, run.now, run.staff
    span = max((now - created).total_seconds(), 1.0)
    actors = [staff.coordinators[0], *[worker for worker, _ in staff.lead_workers[:50]]]
    for _ in range(count):
        kind = rng.choice(EVENT_KINDS)
        run.add(
            TimelineEvent,
            {
                "id": run.take("timeline_events"),
                "family_id": family_id,
                "episode_id": episode_id,
                "member_id": rng.choice(children) if rng.random() < 0.4 else None,
                "kind": kind.value,
                "occurred_at": created + timedelta(seconds=rng.random() * span),
                "actor_id": rng.choice(actors),
                "summary": f"{kind.label}: recorded for the benchmark",
            },
        )
