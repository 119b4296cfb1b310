"""The chronology page, its printable page and its CSV export: exactly the filtered events,
in order, only for those who may see the family, audited, in a fixed number of queries."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from caseapp.domain.chronology import ChronologyFilter, ChronologyOrder
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventCategory, EventKind
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import AuditEvent, FamilyMember, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.chronology import CHRONOLOGY_PAGE_SIZE
from caseapp.services.timeline import add_timeline_event
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

HTMX = {"HX-Request": "true"}
KINDS = (
    EventKind.CASE_NOTE_ADDED,
    EventKind.MEETING_RECORDED,
    EventKind.LEVEL_DECIDED,
    EventKind.CONSENT_RECORDED,
    EventKind.ACTION_ADDED,
)


@dataclass(frozen=True)
class Case:
    family_id: int
    lead: User
    maisie: int
    leo: int
    reference: str


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def family_with_events(events: int, family_name: str = "Turner") -> Case:
    """A led family whose chronology has `events` more entries, one a day until yesterday,
    of five kinds, about Maisie, Leo or the whole family in turn; every fourth shares its
    time with the one before, so the order must break ties by id."""
    coordinator = make_user("hub_coordinator", name=f"Coordinator {family_name}")
    lead = make_user("lead_worker", team=make_team())
    family = make_family(
        ("Maisie", date(2018, 5, 3)),
        ("Leo", date(2021, 2, 10)),
        family_name=family_name,
        actor_user=coordinator,
    )
    make_episode(
        family,
        EpisodeStatus.PLAN_ACTIVE,
        lead_worker=lead,
        team=make_team(),
        actor_user=coordinator,
    )
    maisie, leo = db.session.scalars(
        select(FamilyMember.id)
        .where(FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True))
        .order_by(FamilyMember.id)
    ).all()
    yesterday = uk_today() - timedelta(days=1)
    moment = datetime.combine(yesterday - timedelta(days=events), time(10), tzinfo=UK_TIME)
    for number in range(events):
        if number % 4 != 3:
            moment += timedelta(days=1)
        add_timeline_event(
            family_id=family.id,
            kind=KINDS[number % len(KINDS)],
            summary=f"Event {number:03d}",
            actor_id=coordinator.id,
            member_id=(maisie, leo, None)[number % 3],
            occurred_at=moment.astimezone(UTC),
        )
    db.session.commit()
    return Case(family.id, lead, maisie, leo, family.reference)


def expected(family_id: int, filters: ChronologyFilter) -> list[str]:
    """The summaries the chronology must show, by the domain's rule, in order."""
    events = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.family_id == family_id)
    ).all()
    ordered = sorted(events, key=lambda event: (event.occurred_at, event.id))
    if filters.order is ChronologyOrder.NEWEST_FIRST:
        ordered.reverse()
    return [
        event.summary
        for event in ordered
        if filters.admits(event.kind, event.member_id, event.occurred_at)
    ]


def shown(body: str) -> list[str]:
    found = re.findall(r'<p class="govuk-body govuk-!-margin-bottom-1">(.*?)</p>', body)
    return [html.unescape(text) for text in found]


def next_link(body: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" class="govuk-button govuk-button--secondary', body)
    return html.unescape(match.group(1)) if match else None


def filters_and_query(case: Case, name: str) -> tuple[ChronologyFilter, dict[str, object]]:
    day = uk_today() - timedelta(days=20)
    to = uk_today() - timedelta(days=5)
    return {
        "everything": (ChronologyFilter(), {}),
        "oldest first": (ChronologyFilter(order=ChronologyOrder.OLDEST_FIRST), {"order": "oldest"}),
        "notes and meetings": (
            ChronologyFilter(
                categories=frozenset({EventCategory.CASE_NOTES, EventCategory.TAF_MEETINGS})
            ),
            {"category": ["notes", "meetings"]},
        ),
        "Maisie and the family": (ChronologyFilter(member_id=case.maisie), {"child": case.maisie}),
        "only Maisie": (
            ChronologyFilter(member_id=case.maisie, child_only=True),
            {"child": case.maisie, "child_only": "y"},
        ),
        "dates": (
            ChronologyFilter(date_from=day, date_to=to),
            {
                "date_from": [day.day, day.month, day.year],
                "date_to": [to.day, to.month, to.year],
            },
        ),
        "all together": (
            ChronologyFilter(
                categories=frozenset({EventCategory.LEVELS_AND_DECISIONS, EventCategory.PLAN}),
                member_id=case.leo,
                date_from=day,
                order=ChronologyOrder.OLDEST_FIRST,
            ),
            {
                "category": ["levels", "plan"],
                "child": case.leo,
                "date_from": [day.day, day.month, day.year],
                "order": "oldest",
            },
        ),
    }[name]


FILTERS = [
    "everything",
    "oldest first",
    "notes and meetings",
    "Maisie and the family",
    "only Maisie",
    "dates",
    "all together",
]


def get(client: FlaskClient, address: str) -> TestResponse:
    # Read at once, so statements counted around a request include the streamed CSV's.
    return client.get(address, buffered=True)


def url(case: Case, path: str, query: dict[str, object]) -> str:
    return f"/families/{case.family_id}/chronology{path}?{urlencode(query, doseq=True)}"


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILTERS)
def test_the_page_shows_exactly_the_filtered_events_page_by_page(app: Flask, name: str) -> None:
    case = family_with_events(70)
    filters, query = filters_and_query(case, name)
    want = expected(case.family_id, filters)
    client = sign_in(app, case.lead)
    response = client.get(url(case, "", query))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{len(want)} event" in body
    seen = shown(body)
    assert seen == want[:CHRONOLOGY_PAGE_SIZE]
    # "Show more events" continues after the last one shown, with htmx and without.
    link = next_link(body)
    while link is not None:
        fragment = client.get(link, headers=HTMX).get_data(as_text=True)
        assert "<html" not in fragment
        assert "<form" not in fragment
        seen += shown(fragment)
        link = next_link(fragment)
    assert seen == want


def test_without_javascript_show_more_is_a_whole_page(app: Flask) -> None:
    case = family_with_events(40)
    client = sign_in(app, case.lead)
    first = client.get(url(case, "", {"order": "oldest"})).get_data(as_text=True)
    link = next_link(first)
    assert link is not None and "order=oldest" in link
    page = client.get(link).get_data(as_text=True)
    assert "<html" in page
    assert "Continuing after" in page
    want = expected(case.family_id, ChronologyFilter(order=ChronologyOrder.OLDEST_FIRST))
    assert shown(page) == want[CHRONOLOGY_PAGE_SIZE : CHRONOLOGY_PAGE_SIZE * 2]


def test_htmx_gets_the_results_for_a_choice_and_the_form_too_when_it_is_sent(
    app: Flask,
) -> None:
    case = family_with_events(10)
    client = sign_in(app, case.lead)
    notes = ChronologyFilter(categories=frozenset({EventCategory.CASE_NOTES}))
    choice = client.get(
        url(case, "", {"category": "notes"}), headers={**HTMX, "HX-Target": "chronology-results"}
    )
    body = choice.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="chronology-filters"' not in body
    assert 'hx-swap-oob="innerHTML"' in body
    assert shown(body) == expected(case.family_id, notes)

    sent = client.get(
        url(case, "", {"category": "notes", "date_to": ["1", "1", "1999"]}),
        headers={**HTMX, "HX-Target": "chronology"},
    )
    body = sent.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="chronology-filters"' in body
    assert "govuk-error-summary" in body
    assert body.count("Date to must be in 2000 or later") == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": ["2", "11", "2026"], "date_to": ["1", "11", "2026"]},
            "Date to must be the same as or after date from",
        ),
        ({"date_from": ["31", "2", "2026"]}, "Date from must be a real date"),
        ({"date_to": ["1", "1", "1999"]}, "Date to must be in 2000 or later"),
        ({"date_to": ["1", "1", "9999"]}, "Date to must be today or in the past"),
        ({"date_from": ["1", "", ""]}, "Date from must include a month and year"),
        ({"child": "999999"}, "Choose a child from the list"),
        ({"child": "x"}, "Choose a child from the list"),
        ({"category": "secrets"}, "Choose types of event from the list"),
        ({"order": "sideways"}, "Choose newest first or oldest first"),
    ],
)
def test_filters_that_make_no_sense_are_form_errors(
    app: Flask, query: dict[str, object], message: str
) -> None:
    case = family_with_events(3)
    client = sign_in(app, case.lead)
    response = client.get(url(case, "", query))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Chronology" in body
    assert "govuk-error-summary" in body
    assert body.count(message) == 2  # in the summary and beside the field
    assert shown(body) == []
    # The print page and the export send the person back to fix the filter.
    for path in ("/print", "/export.csv"):
        answer = get(client, url(case, path, query))
        assert answer.status_code == 302
        assert answer.location.startswith(f"/families/{case.family_id}/chronology?")


@pytest.mark.parametrize(
    "cursor",
    ["yesterday", "99999999999999999999_1", "1_99999999999999999999", "1_9999999999999999999"],
)
def test_a_broken_cursor_is_a_bad_request(app: Flask, cursor: str) -> None:
    case = family_with_events(3)
    client = sign_in(app, case.lead)
    assert client.get(url(case, "", {"after": cursor})).status_code == 400


def test_a_cursor_past_every_event_shows_that_there_are_no_more(app: Flask) -> None:
    case = family_with_events(3)
    client = sign_in(app, case.lead)
    # Newest first, after the first instant of 1970: nothing is older.
    response = client.get(url(case, "", {"after": "1_2147483647"}))
    assert response.status_code == 200
    assert "There are no more events." in response.get_data(as_text=True)


# --- print and export -------------------------------------------------------------------------


def printed(body: str) -> list[str]:
    rows = re.findall(r"<tr class=\"govuk-table__row\">\s*(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", row, re.S) for row in rows]
    return [html.unescape(row[4]) for row in cells if len(row) == 5]


def exported(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", FILTERS)
def test_print_and_export_hold_exactly_the_filtered_events_oldest_first(
    app: Flask, name: str
) -> None:
    case = family_with_events(60)
    filters, query = filters_and_query(case, name)
    want = expected(
        case.family_id,
        ChronologyFilter(
            categories=filters.categories,
            member_id=filters.member_id,
            child_only=filters.child_only,
            date_from=filters.date_from,
            date_to=filters.date_to,
            order=ChronologyOrder.OLDEST_FIRST,
        ),
    )
    client = sign_in(app, case.lead)
    page = client.get(url(case, "/print", query))
    assert page.status_code == 200
    assert printed(page.get_data(as_text=True)) == want

    response = get(client, url(case, "/export.csv", query))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = exported(response.data)
    assert rows[0] == ["Date and time (UK)", "Event type", "Child", "By whom", "Summary"]
    assert [row[4] for row in rows[1:]] == want


def test_the_csv_says_when_what_about_whom_and_by_whom(app: Flask) -> None:
    case = family_with_events(1)
    client = sign_in(app, case.lead)
    response = get(client, url(case, "/export.csv", {"category": "notes"}))
    [_header, row] = exported(response.data)
    moment = datetime.combine(uk_today() - timedelta(days=1), time(10), tzinfo=UK_TIME)
    assert row == [
        f"{moment:%d/%m/%Y} 10:00",
        "Case note",
        "Maisie Turner",
        "Coordinator Turner",
        "Event 000",
    ]
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="chronology-{case.reference}-{uk_today().isoformat()}.csv"'
    )
    assert "Turner" not in disposition


def test_the_csv_cannot_smuggle_a_formula_into_a_spreadsheet(app: Flask) -> None:
    case = family_with_events(0)
    add_timeline_event(
        family_id=case.family_id,
        kind=EventKind.CASE_NOTE_ADDED,
        summary='=HYPERLINK("http://evil.example","Click")',
        actor_id=case.lead.id,
    )
    db.session.commit()
    client = sign_in(app, case.lead)
    rows = exported(get(client, url(case, "/export.csv", {"category": "notes"})).data)
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example","Click")'


def test_an_export_is_audited_with_its_filter_and_never_its_content(app: Flask) -> None:
    case = family_with_events(5)
    client = sign_in(app, case.lead)
    _, query = filters_and_query(case, "only Maisie")
    get(client, url(case, "/export.csv", query)).get_data()
    client.get(url(case, "/print", query))
    exports = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "export", AuditEvent.object_type == "chronology")
        .order_by(AuditEvent.id)
    ).all()
    assert [audit.detail["format"] for audit in exports] == ["csv", "print"]
    for audit in exports:
        assert audit.user_id == case.lead.id
        assert audit.family_id == case.family_id
        assert audit.detail == {
            "format": audit.detail["format"],
            "categories": [],
            "member_id": case.maisie,
            "child_only": True,
            "date_from": None,
            "date_to": None,
            "order": "oldest",
        }
        assert "Event" not in str(audit.detail)


@pytest.mark.parametrize("path", ["", "/print", "/export.csv"])
def test_only_people_who_may_see_the_family_get_its_chronology(app: Flask, path: str) -> None:
    case = family_with_events(3)
    stranger = sign_in(app, make_user("lead_worker"))
    response = get(stranger, url(case, path, {}))
    assert response.status_code == 404
    assert b"Event 000" not in response.data
    admin = sign_in(app, make_user("admin"))
    assert get(admin, url(case, path, {})).status_code == 403
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert exports == []


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("", {}),
        ("", {"category": ["notes", "plan"], "child": "MAISIE", "order": "oldest"}),
        ("/print", {}),
        ("/export.csv", {"child": "MAISIE"}),
    ],
)
def test_each_page_costs_the_same_queries_however_long_the_chronology(
    app: Flask, path: str, query: dict[str, object]
) -> None:
    small = family_with_events(3, family_name="Small")
    large = family_with_events(600, family_name="Large")
    requests = [
        (
            sign_in(app, case.lead),
            url(
                case,
                path,
                {key: case.maisie if value == "MAISIE" else value for key, value in query.items()},
            ),
        )
        for case in (small, large)
    ]
    counts = []
    for client, address in requests:
        db.session.close()
        with counting_statements() as statements:
            assert get(client, address).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15, counts
