"""Fictional data at the size of a large council, written fast, for the benchmark.

`flask --app caseapp bench-data --families N` fills an empty, migrated database with N
families and everything around them in proportion: for N = 100,000 about 20,000 open
episodes, 250,000 children, 1,500 staff in 60 teams, lead workers holding 15 to 40 open
families, about 2,000,000 timeline events with a long tail (the first family has 3,000),
and plans, TAF meetings, case notes and requests for the open work.

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

from sqlalchemy import Table, func, select, text
from werkzeug.security import generate_password_hash

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
from caseapp.domain.level_requests import RequestKind, RequestStatus, RequestTarget
from caseapp.domain.names import name_key, postcode_key
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Agency,
    Assessment,
    Assignment,
    CaseNote,
    Consent,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    LevelDecision,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    SupportRequest,
    SupportRequestChild,
    TafAttendee,
    TafMeeting,
    Team,
    TimelineEvent,
    User,
    UserRole,
)

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
)
HUB_STATES = frozenset(
    {EpisodeStatus.REQUESTED, EpisodeStatus.TRIAGE, EpisodeStatus.AWAITING_ALLOCATION}
)
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


class _Writer:
    """Buffers rows per table and writes them in batches the fastest way each backend has."""

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.tables: dict[str, Table] = {}
        self.written: dict[str, int] = {}

    def add(self, model: type[db.Model], row: dict[str, Any]) -> None:
        table: Table = model.__table__
        self.tables[table.name] = table
        buffer = self.buffers.setdefault(table.name, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        # Every table at once, in the order each was first added: parents come before
        # the rows that point at them, so foreign keys hold at every batch.
        for table_name in list(self.buffers):
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
    levels: list[str]
    now: datetime

    def add(self, model: type[db.Model], row: dict[str, Any]) -> None:
        self.writer.add(model, row)

    def take(self, table: str) -> int:
        return self.ids.take(table)


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
    run = _Run(writer, ids, rng, staff, framework.key, levels, now)
    _write_families(run, sizes, progress)
    writer.finish()
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
        staff.managers.append(person(Role.MANAGER, team_id, "manager"))
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
        created = now - timedelta(days=rng.randint(30, 3_000))
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
        children = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
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
                    "current_level_code": rng.choice(run.levels),
                    "created_at": created,
                },
            )
            children.append(member_id)
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
        is_open = family_id in open_families
        status = next(states) if is_open else EpisodeStatus.CLOSED
        if family_id == LONG_TIMELINE_FAMILY_ID:
            status = EpisodeStatus.PLAN_ACTIVE
        lead = next(lead_cycle) if status not in HUB_STATES else None
        episode_id = _write_episode(run, family_id, children, status, lead, created)
        _write_events(run, family_id, episode_id, children, event_counts[number], created)
        if number % 1_000 == 999:
            progress(1_000)
    progress(sizes.families % 1_000)


def _cycle(items: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    while True:
        yield from items


def _write_episode(
    run: _Run,
    family_id: int,
    children: list[int],
    status: EpisodeStatus,
    lead: tuple[int, int] | None,
    created: datetime,
) -> int:
    rng, now, staff = run.rng, run.now, run.staff
    episode_id = run.take("episodes")
    opened = created + timedelta(days=rng.randint(0, 20))
    closed = status is EpisodeStatus.CLOSED
    allocated_at = opened + timedelta(days=rng.randint(1, 6)) if lead else None
    coordinator = rng.choice(staff.coordinators)
    row: dict[str, Any] = {
        "id": episode_id,
        "family_id": family_id,
        "status": status,
        "opened_at": opened,
        "team_id": lead[1] if lead else None,
        "lead_worker_id": lead[0] if lead and not closed else None,
        "allocated_at": allocated_at,
        "urgent": status is EpisodeStatus.STEP_UP_REQUESTED,
    }
    if closed:
        row["closed_at"] = min(opened + timedelta(days=rng.randint(60, 400)), now)
        row["closure_reason"] = rng.choice(
            (ClosureReason.NEEDS_MET, ClosureReason.STEPPED_DOWN_TO_UNIVERSAL, ClosureReason.OTHER)
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
        return episode_id
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
    for child in children:
        run.add(
            LevelDecision,
            {
                "id": run.take("level_decisions"),
                "member_id": child,
                "episode_id": episode_id,
                "framework_key": run.framework_key,
                "level_code": rng.choice(run.levels),
                "decided_by_id": coordinator,
                "decided_at": opened + timedelta(days=1),
                "rationale": "Needs across school and home.",
            },
        )
    if not closed:
        _write_casework(
            run, family_id, episode_id, children, status, lead[0], allocated_at or opened
        )
    return episode_id


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
