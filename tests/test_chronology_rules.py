"""The chronology's pure rules as tables: categories, filters, note summaries, CSV cells."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from caseapp.domain.chronology import (
    EARLIEST_DATE,
    SUMMARY_LENGTH,
    ChronologyFilter,
    NoteFacts,
    csv_cell,
    excerpt,
    filter_problems,
    note_summary,
)
from caseapp.domain.timeline import (
    CATEGORY_LABELS,
    EVENT_CATEGORIES,
    EventCategory,
    EventKind,
)
from caseapp.domain.triage_rules import Problem

# --- categories ------------------------------------------------------------------------------


def test_every_kind_of_event_has_a_category() -> None:
    assert set(EVENT_CATEGORIES) == set(EventKind)


def test_every_category_has_a_label_and_at_least_one_kind() -> None:
    assert set(CATEGORY_LABELS) == set(EventCategory)
    assert all(category.kinds for category in EventCategory)


def test_the_categories_divide_the_kinds_without_overlap() -> None:
    kinds = [kind for category in EventCategory for kind in category.kinds]
    assert sorted(kinds) == sorted(EventKind)


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        (EventKind.REQUEST_RECEIVED, EventCategory.HUB_AND_REFERRAL),
        (EventKind.LEAD_WORKER_ASSIGNED, EventCategory.FAMILY_AND_LEAD_WORKER),
        (EventKind.LEVEL_DECIDED, EventCategory.LEVELS_AND_DECISIONS),
        (EventKind.LEVEL_CHANGE_APPROVED, EventCategory.LEVELS_AND_DECISIONS),
        (EventKind.LEVEL_CHANGE_REQUESTED, EventCategory.REQUESTS_AND_OVERSIGHT),
        (EventKind.CONSENT_WITHDRAWN, EventCategory.CONSENT),
        (EventKind.ASSESSMENT_COMPLETED, EventCategory.ASSESSMENT),
        (EventKind.ACTION_COMPLETED, EventCategory.PLAN),
        (EventKind.MEETING_RECORDED, EventCategory.TAF_MEETINGS),
        (EventKind.CASE_NOTE_ADDED, EventCategory.CASE_NOTES),
        (EventKind.OVERSIGHT_RECORDED, EventCategory.REQUESTS_AND_OVERSIGHT),
    ],
)
def test_the_category_a_practitioner_finds_each_kind_under(
    kind: EventKind, category: EventCategory
) -> None:
    assert EVENT_CATEGORIES[kind] is category
    assert kind in category.kinds


# --- which events a filter admits --------------------------------------------------------------

CHILD, SIBLING = 11, 12
NOON_27_NOV = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("filters", "kind", "member_id", "occurred_at", "admitted"),
    [
        (ChronologyFilter(), "case_note_added", None, NOON_27_NOV, True),
        (ChronologyFilter(), "kind_from_the_future", None, NOON_27_NOV, True),
        # Types of event
        (
            ChronologyFilter(categories=frozenset({EventCategory.CASE_NOTES})),
            "case_note_added",
            None,
            NOON_27_NOV,
            True,
        ),
        (
            ChronologyFilter(categories=frozenset({EventCategory.CASE_NOTES})),
            "meeting_recorded",
            None,
            NOON_27_NOV,
            False,
        ),
        (
            ChronologyFilter(categories=frozenset({EventCategory.CASE_NOTES})),
            "kind_from_the_future",
            None,
            NOON_27_NOV,
            False,
        ),
        (
            ChronologyFilter(
                categories=frozenset({EventCategory.CASE_NOTES, EventCategory.TAF_MEETINGS})
            ),
            "meeting_recorded",
            None,
            NOON_27_NOV,
            True,
        ),
        # A child, with and without the events about the whole family
        (ChronologyFilter(member_id=CHILD), "level_decided", CHILD, NOON_27_NOV, True),
        (ChronologyFilter(member_id=CHILD), "level_decided", SIBLING, NOON_27_NOV, False),
        (ChronologyFilter(member_id=CHILD), "meeting_recorded", None, NOON_27_NOV, True),
        (
            ChronologyFilter(member_id=CHILD, child_only=True),
            "meeting_recorded",
            None,
            NOON_27_NOV,
            False,
        ),
        (
            ChronologyFilter(member_id=CHILD, child_only=True),
            "level_decided",
            CHILD,
            NOON_27_NOV,
            True,
        ),
        # "Leave out the whole family" means nothing until a child is chosen.
        (ChronologyFilter(child_only=True), "meeting_recorded", None, NOON_27_NOV, True),
        # Dates are days in England, both ends included.
        (
            ChronologyFilter(date_from=date(2026, 11, 27), date_to=date(2026, 11, 27)),
            "case_note_added",
            None,
            NOON_27_NOV,
            True,
        ),
        (
            ChronologyFilter(date_from=date(2026, 11, 28)),
            "case_note_added",
            None,
            NOON_27_NOV,
            False,
        ),
        (
            ChronologyFilter(date_to=date(2026, 11, 26)),
            "case_note_added",
            None,
            NOON_27_NOV,
            False,
        ),
        # 11:30pm UTC on 30 June is 12:30am on 1 July in England (summer time).
        (
            ChronologyFilter(date_from=date(2026, 7, 1)),
            "case_note_added",
            None,
            datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
            True,
        ),
        (
            ChronologyFilter(date_to=date(2026, 6, 30)),
            "case_note_added",
            None,
            datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
            False,
        ),
        # In winter England is on UTC: 11:30pm on 31 December is still 31 December.
        (
            ChronologyFilter(date_to=date(2025, 12, 31)),
            "case_note_added",
            None,
            datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
            True,
        ),
    ],
)
def test_which_events_a_filter_admits(
    filters: ChronologyFilter,
    kind: str,
    member_id: int | None,
    occurred_at: datetime,
    admitted: bool,
) -> None:
    assert filters.admits(kind, member_id, occurred_at) is admitted


TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("filters", "problems"),
    [
        (ChronologyFilter(), []),
        (ChronologyFilter(date_from=date(2026, 9, 1), date_to=TODAY), []),
        (ChronologyFilter(date_from=TODAY, date_to=TODAY), []),
        (ChronologyFilter(member_id=CHILD), []),
        (
            ChronologyFilter(date_from=TODAY, date_to=date(2026, 9, 1)),
            [Problem("date_to", "Date to must be the same as or after date from")],
        ),
        (
            ChronologyFilter(date_from=date(2026, 11, 28)),
            [Problem("date_from", "Date from must be today or in the past")],
        ),
        (
            ChronologyFilter(date_to=date(9999, 12, 31)),
            [Problem("date_to", "Date to must be today or in the past")],
        ),
        (
            ChronologyFilter(date_from=date(1, 1, 1)),
            [Problem("date_from", f"Date from must be in {EARLIEST_DATE.year} or later")],
        ),
        # Each date's own problem first: the order of two wrong dates is not worth saying.
        (
            ChronologyFilter(date_from=date(9999, 1, 1), date_to=date(1999, 1, 1)),
            [
                Problem("date_from", "Date from must be today or in the past"),
                Problem("date_to", "Date to must be in 2000 or later"),
            ],
        ),
        (
            ChronologyFilter(member_id=999),
            [Problem("child", "Choose a child from the list")],
        ),
    ],
)
def test_filter_problems(filters: ChronologyFilter, problems: list[Problem]) -> None:
    assert filter_problems(filters, [CHILD, SIBLING], TODAY) == problems


def test_the_audit_records_the_choices_and_nothing_else() -> None:
    filters = ChronologyFilter(
        categories=frozenset({EventCategory.PLAN, EventCategory.CASE_NOTES}),
        member_id=CHILD,
        child_only=True,
        date_from=date(2026, 9, 1),
    )
    assert filters.audit_detail() == {
        "categories": ["notes", "plan"],
        "member_id": CHILD,
        "child_only": True,
        "date_from": "2026-09-01",
        "date_to": None,
        "order": "newest",
    }


# --- what a case note's entry says -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("Short note.", 200, "Short note."),
        ("  Line one.\n\nLine   two. ", 200, "Line one. Line two."),
        ("one two three four five", 14, "one two three…"),
        ("one two, three", 10, "one two…"),
        ("x" * 30, 10, "x" * 9 + "…"),
        ("", 200, ""),
    ],
)
def test_excerpt(text: str, length: int, expected: str) -> None:
    assert excerpt(text, length) == expected
    assert len(excerpt(text, length)) <= length


@pytest.mark.parametrize(
    ("facts", "summary"),
    [
        (
            NoteFacts(
                "Home visit", date(2026, 11, 25), ("Maisie Turner", "Pat Turner"), "", "All well."
            ),
            "Home visit on 25 November 2026. Seen: Maisie Turner, Pat Turner. All well.",
        ),
        (
            NoteFacts(
                "Phone call", date(2026, 11, 2), (), "  Mrs  Hollis, teacher ", "Rang school."
            ),
            "Phone call on 2 November 2026. Seen: Mrs Hollis, teacher. Rang school.",
        ),
        (
            NoteFacts("Other contact", date(2026, 1, 5), (), "", "Letter sent."),
            "Other contact on 5 January 2026. Nobody recorded as seen. Letter sent.",
        ),
    ],
)
def test_note_summary(facts: NoteFacts, summary: str) -> None:
    assert note_summary(facts) == summary


def test_a_long_note_is_summarised_by_its_opening_words() -> None:
    text = "Visited at home. " * 100
    summary = note_summary(NoteFacts("Home visit", TODAY, ("Maisie Turner",), "", text))
    assert summary.startswith(
        "Home visit on 27 November 2026. Seen: Maisie Turner. Visited at home."
    )
    assert summary.endswith("…")
    assert len(summary) < 300


def test_a_summary_always_fits_its_column() -> None:
    many = tuple(f"Person{number} Longfamilyname" for number in range(40))
    summary = note_summary(NoteFacts("Home visit", TODAY, many, "o" * 500, "text " * 100))
    assert len(summary) <= SUMMARY_LENGTH
    assert summary.startswith("Home visit on 27 November 2026. Seen: Person0")


# --- spreadsheet cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("Home visit", "Home visit"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 1632 960123", "'+44 1632 960123"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=b", "a=b"),
        ("", ""),
        ("Zoë’s visit", "Zoë’s visit"),
    ],
)
def test_csv_cell_stops_formulas(value: str, safe: str) -> None:
    assert csv_cell(value) == safe
