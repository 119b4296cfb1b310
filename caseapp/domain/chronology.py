"""The rules of a family chronology that need no database: which events a filter admits,
which filters make sense, what a case note's entry says, and how a cell is made safe for
a spreadsheet.

The chronology is for handover: a manager, an inspector or a social worker taking over
reads it instead of the whole record, so every rule here errs towards showing events
rather than hiding them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from caseapp.domain.timeline import EventCategory
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import UK_TIME

# Nothing in an early help record happened before this; an earlier date is a typing slip,
# and a date this early also keeps the conversion to UTC far from datetime's limits.
EARLIEST_DATE = date(2000, 1, 1)

# How much of a case note the chronology repeats: enough for a reader to know what the
# contact was about, short enough that the full note (on the notes page) stays the record.
NOTE_EXCERPT_LENGTH = 200
SUMMARY_LENGTH = 500  # the timeline_events.summary column


class ChronologyOrder(StrEnum):
    NEWEST_FIRST = "newest"
    OLDEST_FIRST = "oldest"

    @property
    def label(self) -> str:
        return "Newest first" if self is ChronologyOrder.NEWEST_FIRST else "Oldest first"


@dataclass(frozen=True)
class ChronologyFilter:
    """What a practitioner asked to see. Empty `categories` means every kind of event
    (including kinds this release does not know); dates are days in England, inclusive."""

    categories: frozenset[EventCategory] = frozenset()
    # A child of the family; events recorded about them, and (unless `child_only`) the
    # events about the whole family, which have no member.
    member_id: int | None = None
    child_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    order: ChronologyOrder = ChronologyOrder.NEWEST_FIRST

    @property
    def kinds(self) -> frozenset[str] | None:
        """The stored kinds admitted, or None when every kind is."""
        if not self.categories:
            return None
        return frozenset(kind.value for category in self.categories for kind in category.kinds)

    @property
    def occurred_from(self) -> datetime | None:
        """The first instant admitted, in UTC: midnight in England on `date_from`."""
        return _uk_midnight(self.date_from) if self.date_from else None

    @property
    def occurred_before(self) -> datetime | None:
        """The first instant no longer admitted, in UTC: midnight after `date_to`."""
        return _uk_midnight(self.date_to + timedelta(days=1)) if self.date_to else None

    def admits(self, kind: str, member_id: int | None, occurred_at: datetime) -> bool:
        """Whether an event belongs in this chronology: the rule the SQL query follows."""
        kinds = self.kinds
        if kinds is not None and kind not in kinds:
            return False
        # With a child chosen, another member's event never belongs; an event about the
        # whole family (no member) does unless the person asked to leave those out.
        left_out = member_id is not None or self.child_only
        if self.member_id is not None and member_id != self.member_id and left_out:
            return False
        start, end = self.occurred_from, self.occurred_before
        if start is not None and occurred_at < start:
            return False
        return end is None or occurred_at < end

    def audit_detail(self) -> dict[str, object]:
        """The filter as the audit trail records it: choices only, never what is shown."""
        return {
            "categories": sorted(category.value for category in self.categories),
            "member_id": self.member_id,
            "child_only": self.child_only,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "order": self.order.value,
        }


def _uk_midnight(day: date) -> datetime:
    # Across the clock change the offset differs by day, so convert each day on its own.
    return datetime.combine(day, time(0), tzinfo=UK_TIME).astimezone(UTC)


def filter_problems(
    filters: ChronologyFilter, child_ids: Iterable[int], today: date
) -> list[Problem]:
    """Why a filter cannot be applied, each naming the form field to fix."""
    problems = []
    for name, label, day in (
        ("date_from", "Date from", filters.date_from),
        ("date_to", "Date to", filters.date_to),
    ):
        if day is None:
            continue
        if day < EARLIEST_DATE:
            problems.append(Problem(name, f"{label} must be in {EARLIEST_DATE.year} or later"))
        elif day > today:
            problems.append(Problem(name, f"{label} must be today or in the past"))
    if (
        filters.date_from is not None
        and filters.date_to is not None
        and not problems
        and filters.date_from > filters.date_to
    ):
        problems.append(Problem("date_to", "Date to must be the same as or after date from"))
    if filters.member_id is not None and filters.member_id not in set(child_ids):
        problems.append(Problem("child", "Choose a child from the list"))
    return problems


# --- what a case note's chronology entry says ------------------------------------------------


@dataclass(frozen=True)
class NoteFacts:
    contact_label: str
    contact_on: date
    seen: Sequence[str] = field(default_factory=tuple)
    others_seen: str = ""
    text: str = ""


def excerpt(text: str, length: int = NOTE_EXCERPT_LENGTH) -> str:
    """The start of `text` on one line, cut at a word where possible, marked when cut."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[: length - 1]
    space = cut.rfind(" ")
    # Cut at a word unless that loses most of the excerpt (one very long word).
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def note_summary(note: NoteFacts) -> str:
    """'Home visit on 25 November 2026. Seen: Maisie Turner, Pat Turner. <excerpt>'.

    The contact type, date and who was seen are what a reader of a chronology scans for;
    the excerpt says what the contact was about. The full text stays on the notes page.
    """
    day = f"{note.contact_on.day} {note.contact_on:%B %Y}"
    seen = [name for name in note.seen if name]
    if note.others_seen.strip():
        seen.append(" ".join(note.others_seen.split()))
    seen_text = f"Seen: {', '.join(seen)}." if seen else "Nobody recorded as seen."
    head = f"{note.contact_label} on {day}. {seen_text}"
    room = SUMMARY_LENGTH - len(head) - 1
    if room < 20:
        return excerpt(head, SUMMARY_LENGTH)
    return f"{head} {excerpt(note.text, min(NOTE_EXCERPT_LENGTH, room))}".rstrip()


# --- spreadsheets -------------------------------------------------------------------------------

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google
# Sheets (tab and carriage return let a formula hide behind whitespace).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """`value` safe to open in a spreadsheet: a leading apostrophe stops it being run as
    a formula (OWASP's advice), and the reader still sees the text as written."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
