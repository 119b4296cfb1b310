"""Reading a family's chronology through a filter: a page at a time on screen, all of it
for printing and for the CSV export for handover.

Each function checks need-to-know first, reads, and then records the view (or the export,
with its filter and never its content) in the audit trail, whose commit ends the reading
transaction. Every read is a fixed number of queries, however many events the family has.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, joinedload

from caseapp.domain.chronology import ChronologyFilter, ChronologyOrder, filter_problems
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.models import Family, FamilyMember, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.audit import audit_by, commit_keeping_loaded, record_view
from caseapp.services.casework import Casework, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.family_view import TimelineCursor, timeline_entry

CHRONOLOGY_PAGE_SIZE = 25
WHOLE_FAMILY = "Whole family"

ExportFormat = Literal["print", "csv"]


@dataclass(frozen=True)
class ChronologyEntry:
    event_id: int
    occurred_at: datetime
    what: str
    who: str
    summary: str
    # The family member the event is about, or WHOLE_FAMILY.
    about: str

    @property
    def cursor(self) -> TimelineCursor:
        return TimelineCursor(self.occurred_at, self.event_id)


@dataclass(frozen=True)
class ChronologyPage:
    entries: list[ChronologyEntry]
    # How many events the whole filtered chronology holds.
    total: int
    next_cursor: TimelineCursor | None
    # Set when this page continues from an earlier one.
    after: TimelineCursor | None


@dataclass(frozen=True)
class ChronologyView:
    frame: FamilyFrame
    children: list[FamilyMember]
    # Why the filter could not be applied; when there are any, `page` is None.
    problems: list[Problem]
    page: ChronologyPage | None

    @property
    def family(self) -> Family:
        return self.frame.family


@dataclass(frozen=True)
class ChronologyExport:
    family: Family
    children: list[FamilyMember]
    filters: ChronologyFilter
    problems: list[Problem]
    # Oldest first; read lazily, so a long chronology is never held in memory at once.
    entries: Iterator[ChronologyEntry]


def view_chronology(
    actor: Actor,
    family_id: int,
    filters: ChronologyFilter | None,
    after: TimelineCursor | None,
    page_size: int = CHRONOLOGY_PAGE_SIZE,
) -> ChronologyView:
    """One page of the family's chronology through `filters` (None: the form could not be
    read, so only the frame is loaded). Raises FamilyNotFound."""
    casework = load_casework(actor, family_id)
    children = _children(casework)
    problems = (
        filter_problems(filters, (child.id for child in children), uk_today()) if filters else []
    )
    page = None
    if filters is not None and not problems:
        page = _page(casework.family, filters, after, page_size)
    frame = family_frame(casework)
    record_view(actor, "chronology", family_id, family_id)
    return ChronologyView(frame, children, problems, page)


def export_chronology(
    actor: Actor, family_id: int, filters: ChronologyFilter, export_format: ExportFormat
) -> ChronologyExport:
    """The whole filtered chronology, oldest first, for the print page or the CSV file.
    The export is audited with its filter, and committed, before any event is read.
    Raises FamilyNotFound."""

    # A chronology handed over is read from the beginning, whatever the screen showed.
    oldest_first = replace(filters, order=ChronologyOrder.OLDEST_FIRST)
    casework = load_casework(actor, family_id)
    children = _children(casework)
    problems = filter_problems(oldest_first, (child.id for child in children), uk_today())
    audit_by(
        actor,
        "export",
        "chronology",
        object_id=family_id,
        family_id=family_id,
        detail={"format": export_format, **oldest_first.audit_detail()},
    )
    # A disclosure, not a mere read: its record waits for the log flush, as a change does.
    commit_keeping_loaded()
    entries: Iterator[ChronologyEntry] = iter(())
    if not problems:
        entries = _stream(casework.family, oldest_first)
    return ChronologyExport(casework.family, children, oldest_first, problems, entries)


# --- reading -------------------------------------------------------------------------------


def _children(casework: Casework) -> list[FamilyMember]:
    return [member for member in casework.family.members if member.is_child]


def _matching(family_id: int, filters: ChronologyFilter) -> list[ColumnElement[bool]]:
    """The filter as SQL: the same rule as ChronologyFilter.admits."""
    conditions: list[ColumnElement[bool]] = [TimelineEvent.family_id == family_id]
    kinds = filters.kinds
    if kinds is not None:
        conditions.append(TimelineEvent.kind.in_(sorted(kinds)))
    if filters.member_id is not None:
        about_child = TimelineEvent.member_id == filters.member_id
        conditions.append(
            about_child
            if filters.child_only
            else or_(about_child, TimelineEvent.member_id.is_(None))
        )
    if filters.occurred_from is not None:
        conditions.append(TimelineEvent.occurred_at >= filters.occurred_from)
    if filters.occurred_before is not None:
        conditions.append(TimelineEvent.occurred_at < filters.occurred_before)
    return conditions


def _ordered(filters: ChronologyFilter) -> Select[tuple[TimelineEvent]]:
    newest_first = filters.order is ChronologyOrder.NEWEST_FIRST
    columns = (TimelineEvent.occurred_at, TimelineEvent.id)
    return (
        select(TimelineEvent)
        .options(joinedload(TimelineEvent.actor).lazyload(User.role_rows))
        # Along ix_timeline_events_family_occurred, forwards or backwards.
        .order_by(*(column.desc() if newest_first else column.asc() for column in columns))
    )


def _page(
    family: Family, filters: ChronologyFilter, after: TimelineCursor | None, size: int
) -> ChronologyPage:
    conditions = _matching(family.id, filters)
    total = db.session.scalar(select(func.count(TimelineEvent.id)).where(*conditions)) or 0
    query = _ordered(filters).where(*conditions).limit(size + 1)
    if after is not None:
        position = tuple_(TimelineEvent.occurred_at, TimelineEvent.id)
        cursor = tuple_(
            literal(after.occurred_at, TimelineEvent.occurred_at.type),
            literal(after.event_id, TimelineEvent.id.type),
        )
        # A row comparison, so the database seeks straight to the cursor in the index.
        query = query.where(
            position < cursor
            if filters.order is ChronologyOrder.NEWEST_FIRST
            else position > cursor
        )
    events = list(db.session.scalars(query))
    names = _member_names(family)
    entries = [_entry(event, names) for event in events[:size]]
    return ChronologyPage(
        entries=entries,
        total=total,
        next_cursor=entries[-1].cursor if len(events) > size else None,
        after=after,
    )


def _stream(family: Family, filters: ChronologyFilter) -> Iterator[ChronologyEntry]:
    """Every matching event in one query, fetched in batches as the caller reads."""
    names = _member_names(family)
    query = _ordered(filters).where(*_matching(family.id, filters))
    return _read(db.engine, query, names)


def _read(
    engine: Engine, query: Select[tuple[TimelineEvent]], names: dict[int, str]
) -> Iterator[ChronologyEntry]:
    # A session of its own: a CSV is still being written after the request, and with it
    # the request's session, has ended. Closed when the reader finishes or gives up.
    with Session(engine) as session:
        for event in session.scalars(query.execution_options(yield_per=500)):
            yield _entry(event, names)


def _member_names(family: Family) -> dict[int, str]:
    return {member.id: member.full_name for member in family.members}


def _entry(event: TimelineEvent, names: dict[int, str]) -> ChronologyEntry:
    shown = timeline_entry(event)
    about = WHOLE_FAMILY
    if event.member_id is not None:
        about = names.get(event.member_id, "A former family member")
    return ChronologyEntry(
        event_id=event.id,
        occurred_at=event.occurred_at,
        what=shown.what,
        who=shown.who,
        summary=shown.summary,
        about=about,
    )
