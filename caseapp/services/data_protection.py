"""Data protection: subject access exports, the retention sweep, and backup and restore.

Each of these reaches across every table that holds a family's record, so they live
together: a table added to the case record must be added here too (a test checks it).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, or_, select, text, update
from sqlalchemy.engine import URL, make_url

from caseapp.extensions import db
from caseapp.models import (
    Assignment,
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    LevelDecision,
    SupportRequest,
    SupportRequestChild,
    TimelineEvent,
    User,
)
from caseapp.services.access import can_see_family
from caseapp.services.audit import add_audit_event, audit_by
from caseapp.services.context import Actor

RETENTION_NOTE = "family record deleted under retention"

# Tables that point at a family's record but are not part of it: the audit trail is kept
# (anonymised) after the record goes.
KEPT_AFTER_RETENTION = frozenset({"audit_events"})


def case_record_tables() -> tuple[Table, ...]:
    """Every table holding part of a family's case record: `families` and each table with
    a foreign key into one of them, read from the schema so a new table is swept (and
    tested) without anyone remembering to list it. Children come before their parents,
    so deleting in this order never trips a foreign key."""
    record: set[str] = {"families"}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in record or table.name in KEPT_AFTER_RETENTION:
                continue
            if any(key.column.table.name in record for key in table.foreign_keys):
                record.add(table.name)
                changed = True
    return tuple(table for table in reversed(db.metadata.sorted_tables) if table.name in record)


def _family_scope(table: Table, family_id: int) -> ColumnElement[bool]:
    """The rows of `table` that belong to the family: by its own family_id, or through
    the first foreign key into another table of the record."""
    if table.name == "families":
        return table.c.id == family_id
    if "family_id" in table.c:
        return table.c.family_id == family_id
    record = {record_table.name for record_table in case_record_tables()}
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        parent = key.column.table
        if parent.name != table.name and parent.name in record:
            return key.parent.in_(select(key.column).where(_family_scope(parent, family_id)))
    raise ValueError(f"{table.name} has no way to its family")


# --- Subject access -------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row_as_dict(row: db.Model, exclude: frozenset[str] = frozenset()) -> dict[str, object]:
    """Every stored column of `row`, as JSON-ready values (dates as ISO 8601, UTC)."""
    return {
        column.key: _json_value(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in exclude
    }


@dataclass(frozen=True)
class SubjectAccessExport:
    """Everything held about one family member, as stored."""

    generated_at: datetime
    member: FamilyMember
    family: Family
    level_decisions: list[LevelDecision]
    support_requests: list[SupportRequest]
    episodes: list[Episode]
    assignments: list[Assignment]
    timeline_events: list[TimelineEvent]
    audit_events: list[AuditEvent]
    # Every other part of the case record about this member or the family as a whole
    # (consent, EHA, plan, TAF meetings, case notes, requests, oversight ...), by table.
    casework: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    staff: dict[int, User] = field(default_factory=dict)

    def staff_name(self, user_id: int | None) -> str:
        if user_id is None:
            return "System"
        user = self.staff.get(user_id)
        return user.name if user is not None else f"Staff member {user_id}"

    def as_json(self) -> dict[str, object]:
        return {
            "generated_at": _json_value(self.generated_at),
            "subject": row_as_dict(self.member),
            "family": {"reference": self.family.reference, **row_as_dict(self.family)},
            "level_decisions": [row_as_dict(row) for row in self.level_decisions],
            "support_requests": [row_as_dict(row) for row in self.support_requests],
            "episodes": [row_as_dict(row) for row in self.episodes],
            "assignments": [row_as_dict(row) for row in self.assignments],
            "timeline_events": [row_as_dict(row) for row in self.timeline_events],
            "audit_events": [row_as_dict(row) for row in self.audit_events],
            "casework": self.casework,
            # Staff named anywhere above, so ids can be read; no account details.
            "staff": [
                {"id": user.id, "name": user.name, "job_title": user.job_title}
                for user in sorted(self.staff.values(), key=lambda user: user.id)
            ],
        }


# Columns that name a member of staff, so the export can say who they are.
STAFF_COLUMNS = frozenset(
    {
        "decided_by_id",
        "recorded_by_id",
        "referrer_user_id",
        "lead_worker_id",
        "triage_by_id",
        "assigned_by_id",
        "actor_id",
        "user_id",
        "started_by_id",
        "completed_by_id",
        "updated_by_id",
        "created_by_id",
        "owner_user_id",
        "scheduled_by_id",
        "withdrawal_recorded_by_id",
        "requested_by_id",
        "by_id",
        "raised_by_id",
        "resolved_by_id",
        "escalated_by_id",
        "manager_id",
    }
)


def _staff_ids(export_rows: list[list[Any]]) -> set[int]:
    attributes = STAFF_COLUMNS
    return {
        value
        for rows in export_rows
        for row in rows
        for attribute in attributes
        if isinstance(value := getattr(row, attribute, None), int)
    }


def subject_access_export(
    actor: Actor, family_id: int, member_id: int
) -> SubjectAccessExport | None:
    """The export, or None if the actor may not see the family or the member is not in it.

    The export is recorded in the audit trail (and committed) before anything is loaded,
    so the record of the export is itself part of what is exported.
    """
    if not can_see_family(actor.user, family_id):
        return None
    member = db.session.scalar(
        select(FamilyMember).where(
            FamilyMember.id == member_id, FamilyMember.family_id == family_id
        )
    )
    if member is None:
        return None
    audit_by(actor, "export", "subject_access", object_id=member_id, family_id=family_id)
    db.session.commit()

    member = db.session.get_one(FamilyMember, member_id)
    family = db.session.get_one(Family, family_id)
    level_decisions = list(
        db.session.scalars(
            select(LevelDecision)
            .where(LevelDecision.member_id == member_id)
            .order_by(LevelDecision.decided_at, LevelDecision.id)
        )
    )
    support_requests = list(
        db.session.scalars(
            select(SupportRequest)
            .join(SupportRequestChild, SupportRequestChild.request_id == SupportRequest.id)
            .where(SupportRequestChild.member_id == member_id)
            .order_by(SupportRequest.received_at, SupportRequest.id)
        )
    )
    episodes = list(
        db.session.scalars(
            select(Episode)
            .where(Episode.family_id == family_id)
            .order_by(Episode.opened_at, Episode.id)
        )
    )
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .join(Episode, Episode.id == Assignment.episode_id)
            .where(Episode.family_id == family_id)
            .order_by(Assignment.assigned_at, Assignment.id)
        )
    )
    # Family-wide entries and those about this member; entries about a brother or sister
    # are their personal data, not this member's.
    timeline_events = list(
        db.session.scalars(
            select(TimelineEvent)
            .where(
                TimelineEvent.family_id == family_id,
                or_(TimelineEvent.member_id.is_(None), TimelineEvent.member_id == member_id),
            )
            .order_by(TimelineEvent.occurred_at, TimelineEvent.id)
        )
    )
    audit_events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.family_id == family_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    rows: list[list[Any]] = [
        level_decisions,
        support_requests,
        episodes,
        assignments,
        timeline_events,
        audit_events,
    ]
    casework = _casework_about(family_id, member_id, {episode.id for episode in episodes})
    staff_ids = _staff_ids(rows) | {
        value
        for table_rows in casework.values()
        for row in table_rows
        for column, value in row.items()
        if column in STAFF_COLUMNS and isinstance(value, int)
    }
    staff = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(staff_ids)))}
        if staff_ids
        else {}
    )
    return SubjectAccessExport(
        generated_at=datetime.now(UTC),
        member=member,
        family=family,
        level_decisions=level_decisions,
        support_requests=support_requests,
        episodes=episodes,
        assignments=assignments,
        timeline_events=timeline_events,
        audit_events=audit_events,
        casework=casework,
        staff=staff,
    )


# Tables the export above already reads in its own way.
_EXPORTED_APART = frozenset(
    {
        "families",
        "family_members",
        "episodes",
        "assignments",
        "level_decisions",
        "support_requests",
        "support_request_children",
        "timeline_events",
    }
)
# Columns naming one family member, and JSON lists of them.
_MEMBER_COLUMNS = ("member_id", "given_by_member_id")
_MEMBER_LISTS = ("member_ids", "seen_member_ids")


def _casework_about(
    family_id: int, member_id: int, episode_ids: set[int]
) -> dict[str, list[dict[str, object]]]:
    """Rows of every other case-record table that are about this member or about the
    family as a whole. A row about a brother or sister (its member column names them, or
    its list of members leaves this one out), or hanging from such a row, is theirs and
    left out. One query per table, parents before children."""
    kept: dict[str, set[int]] = {
        "families": {family_id},
        "family_members": {member_id},
        "episodes": episode_ids,
    }
    record = {table.name for table in case_record_tables()}
    casework: dict[str, list[dict[str, object]]] = {}
    for table in reversed(case_record_tables()):
        if table.name in _EXPORTED_APART:
            continue
        rows = db.session.execute(
            select(table).where(_family_scope(table, family_id)).order_by(*table.primary_key)
        ).mappings()
        parents = [
            (key.parent.name, key.column.table.name)
            for key in table.foreign_keys
            if key.column.table.name in record and key.column.table.name in kept
        ]
        about = []
        for row in rows:
            if any(row.get(column) not in (None, member_id) for column in _MEMBER_COLUMNS):
                continue
            if any(row.get(column) and member_id not in row[column] for column in _MEMBER_LISTS):
                continue
            if any(
                row[column] is not None and row[column] not in kept[parent]
                for column, parent in parents
            ):
                continue
            about.append({column: _json_value(value) for column, value in row.items()})
        if "id" in table.c:
            kept[table.name] = {int(row["id"]) for row in about}  # type: ignore[call-overload]
        if about:
            casework[table.name] = about
    return casework


# --- Retention ------------------------------------------------------------------------


def retention_cutoff(now: datetime, years: int) -> datetime:
    """`years` calendar years before `now`; 29 February falls back to the 28th."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class RetentionCandidate:
    family_id: int
    closed_at: datetime
    members: int
    timeline_events: int
    audit_events: int

    @property
    def reference(self) -> str:
        return f"F{self.family_id:06d}"


def families_past_retention(now: datetime, years: int) -> list[RetentionCandidate]:
    """Families with episodes, none open, the last closed more than `years` ago.

    A family with no episode at all is not listed: it has no closure to count from.
    """
    cutoff = retention_cutoff(now, years)
    members = (
        select(func.count(FamilyMember.id))
        .where(FamilyMember.family_id == Episode.family_id)
        .correlate(Episode)
        .scalar_subquery()
    )
    events = (
        select(func.count(TimelineEvent.id))
        .where(TimelineEvent.family_id == Episode.family_id)
        .correlate(Episode)
        .scalar_subquery()
    )
    audits = (
        select(func.count(AuditEvent.id))
        .where(AuditEvent.family_id == Episode.family_id)
        .correlate(Episode)
        .scalar_subquery()
    )
    last_closed = func.max(Episode.closed_at)
    query = (
        select(Episode.family_id, last_closed, members, events, audits)
        .group_by(Episode.family_id)
        # COUNT(closed_at) skips NULLs, so it equals COUNT(id) only when none is open.
        .having(func.count(Episode.closed_at) == func.count(Episode.id), last_closed < cutoff)
        .order_by(last_closed, Episode.family_id)
    )
    return [
        RetentionCandidate(
            family_id=family_id,
            closed_at=closed_at,
            members=member_count,
            timeline_events=event_count,
            audit_events=audit_count,
        )
        for family_id, closed_at, member_count, event_count, audit_count in db.session.execute(
            query
        )
    ]


def delete_family_under_retention(candidate: RetentionCandidate) -> dict[str, int]:
    """Delete one family's case record and anonymise its audit trail, in one transaction.

    Returns how many rows went from each table. The caller has already selected the family
    as past retention; this re-checks nothing, so run it straight after the listing.
    """
    family_id = candidate.family_id
    tables = case_record_tables()
    counts: dict[str, int] = {}
    try:
        for table in tables:
            if table.name == "families":
                continue  # last, once the audit trail no longer points at it
            result = db.session.execute(delete(table).where(_family_scope(table, family_id)))
            counts[table.name] = result.rowcount
        # The audit trail is append-only: the ORM refuses to update an AuditEvent. This is
        # the one sanctioned exception. The trail must outlive the record it is about, yet
        # its foreign key to the family must go before the family can be deleted, and the
        # family cannot be named once its record is gone. So who, when and what stay; the
        # link to the family and any detail (which may quote the record) are replaced by
        # a note. A Core statement on the table bypasses the ORM's refusal deliberately.
        audit_table: Table = AuditEvent.__table__  # type: ignore[assignment]
        anonymised = db.session.execute(
            update(audit_table)
            .where(audit_table.c.family_id == family_id)
            .values(family_id=None, detail={"note": RETENTION_NOTE})
        )
        counts["audit_events_anonymised"] = anonymised.rowcount
        counts["families"] = db.session.execute(
            delete(Family.__table__).where(Family.__table__.c.id == family_id)
        ).rowcount
        add_audit_event(
            action="retention_delete",
            object_type="family",
            user_id=None,
            object_id=family_id,
            detail={"closed_at": _json_value(candidate.closed_at), "deleted": counts},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expunge_all()
    return counts


# --- Backup and restore ---------------------------------------------------------------


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def _database_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _sqlite_file() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The app's SQLite database is in memory; there is no file to back up.")
    return Path(database)


def libpq_connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump and pg_restore, and the environment carrying the password.

    The password goes in PGPASSWORD rather than the URL so it never shows in `ps`.
    """
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    libpq = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return libpq.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed or not on the PATH") from error
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()}")


def database_holds_records() -> bool:
    """True if any table of the app holds a row (the migration bookkeeping aside)."""
    for table in db.metadata.sorted_tables:
        if db.session.execute(select(text("1")).select_from(table).limit(1)).first():
            return True
    return False


def backup_database(path: Path) -> None:
    """Write a consistent copy of the live database to `path`, while the app keeps running."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        source = sqlite3.connect(_sqlite_file())
        target = sqlite3.connect(path)
        try:
            # The online backup API copies page by page under a read lock, so writers
            # elsewhere never see a half-written copy and the copy is never half-written.
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif dialect == "postgresql":
        url, environment = libpq_connection(_database_url())
        _run(["pg_dump", "--format=custom", f"--file={path}", f"--dbname={url}"], environment)
    else:
        raise BackupError(f"Backups of {dialect} databases are not supported")


def restore_database(path: Path, *, force: bool = False) -> None:
    """Replace the app's database with the backup at `path`.

    Refuses if the database holds records, unless `force`: a restore into a live database
    would silently throw away everything written since the backup.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}")
    if not force and database_holds_records():
        raise BackupError(
            "The database already holds records; restoring would replace them. "
            "Use --force to restore anyway."
        )
    dialect = db.engine.dialect.name
    # Pooled connections would hold locks the restore needs, or cache the old schema.
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        _check_sqlite_backup(path)
        source = sqlite3.connect(path)
        target = sqlite3.connect(_sqlite_file())
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif dialect == "postgresql":
        url, environment = libpq_connection(_database_url())
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url}",
                str(path),
            ],
            environment,
        )
    else:
        raise BackupError(f"Restoring {dialect} databases is not supported")
    db.engine.dispose()


def _check_sqlite_backup(path: Path) -> None:
    """Refuse a file that is not a backup of this app, before it overwrites anything."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of this app's SQLite database") from error
    if row is None:
        raise BackupError(f"{path} is not a backup of this app's SQLite database")
