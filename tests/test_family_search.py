"""Family search: by name, date of birth and postcode, within what the searcher may see."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import AuditEvent, User
from caseapp.services import family_search
from caseapp.services.context import Actor
from caseapp.services.families import FamilyDetails, MemberDetails, stage_family
from caseapp.services.family_search import PostcodeQuery, parse_postcode_query
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_user
from tests.statements import counting_statements

HTMX = {"HX-Request": "true"}


def add_family(
    family_name: str,
    postcode: str,
    *members: tuple[str, date | None],
    in_hub: bool = True,
    lead_worker: User | None = None,
) -> int:
    """A family whose members are (given name, date of birth); no date of birth: an adult."""
    coordinator = make_user("hub_coordinator")
    family = stage_family(
        Actor(coordinator),
        FamilyDetails(
            name=f"{family_name} family",
            postcode=postcode,
            members=tuple(
                MemberDetails(
                    given_name=given,
                    family_name=family_name,
                    is_child=born is not None,
                    date_of_birth=born,
                )
                for given, born in members
            ),
        ),
    )
    db.session.commit()
    if in_hub:
        status = EpisodeStatus.PLAN_ACTIVE if lead_worker else EpisodeStatus.REQUESTED
        make_episode(family, status, lead_worker=lead_worker, actor_user=coordinator)
    return family.id


@pytest.fixture
def families(app: Flask) -> dict[str, int]:
    return {
        "Turner": add_family(
            "Turner",
            "MF1 1AA",
            ("Maisie", date(2018, 5, 3)),
            ("Leo", date(2021, 2, 10)),
            ("Pat", None),
        ),
        "O'Brien-Smith": add_family("O'Brien-Smith", "MF10 2BB", ("Zoë", date(2019, 7, 1))),
        "Taylor": add_family("Taylor", "mf23cd", ("Tomasz", date(2018, 5, 3))),
        # Nobody's case: no search may list or count it, though it matches most searches.
        "Turnbull": add_family("Turnbull", "MF1 1AA", ("Maisie", date(2018, 5, 3)), in_hub=False),
    }


@pytest.fixture
def searcher(app: Flask) -> FlaskClient:
    return signed_in(app, make_user("hub_coordinator"))


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def search(client: FlaskClient, headers: dict[str, str] | None = None, **fields: object) -> str:
    query: list[tuple[str, object]] = []
    for name, value in fields.items():
        values = value if isinstance(value, tuple) else (value,)
        query += [(name, part) for part in values]
    response = client.post(
        "/families/search", data=MultiDict(query), headers=headers or {}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def found(body: str) -> list[str]:
    return [
        html.unescape(name) for name in re.findall(r'href="/families/\d+">([^<]+) family</a>', body)
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "tur"}, ["Turner"]),
        ({"name": "TURNER"}, ["Turner"]),
        ({"name": "Mai Tur"}, ["Turner"]),
        ({"name": "maisie turner"}, ["Turner"]),
        ({"name": "Turner Maisie"}, ["Turner"]),
        ({"name": "Turner, Leo"}, ["Turner"]),
        ({"name": "pat"}, ["Turner"]),
        ({"name": "obrien"}, ["O'Brien-Smith"]),
        ({"name": "Zoe O'Brien"}, ["O'Brien-Smith"]),
        ({"name": "zoë  o brien"}, ["O'Brien-Smith"]),
        ({"name": "taylor"}, ["Taylor"]),
        # A given name and a surname must belong to the same person.
        ({"name": "Maisie Taylor"}, []),
        ({"name": "smith"}, []),
        ({"date_of_birth": ("3", "5", "2018")}, ["Taylor", "Turner"]),
        ({"date_of_birth": ("03", "05", "2018")}, ["Taylor", "Turner"]),
        ({"date_of_birth": ("1", "7", "2019")}, ["O'Brien-Smith"]),
        ({"date_of_birth": ("2", "7", "2019")}, []),
        # Name and date of birth must also be the same person's.
        ({"name": "tomasz", "date_of_birth": ("3", "5", "2018")}, ["Taylor"]),
        ({"name": "leo", "date_of_birth": ("3", "5", "2018")}, []),
        ({"postcode": "MF1 1AA"}, ["Turner"]),
        ({"postcode": "mf11aa"}, ["Turner"]),
        ({"postcode": " mf1  1aa "}, ["Turner"]),
        # An outward code is a district: MF1 does not include MF10.
        ({"postcode": "MF1"}, ["Turner"]),
        ({"postcode": "mf10"}, ["O'Brien-Smith"]),
        ({"postcode": "MF1 1"}, ["Turner"]),
        ({"postcode": "MF1 2"}, []),
        ({"postcode": "MF2 3CD"}, ["Taylor"]),
        ({"postcode": "MF1", "name": "taylor"}, []),
        ({"postcode": "MF1", "date_of_birth": ("3", "5", "2018")}, ["Turner"]),
    ],
)
def test_search_finds(
    searcher: FlaskClient,
    families: dict[str, int],
    fields: dict[str, object],
    expected: list[str],
) -> None:
    body = search(searcher, **fields)
    assert found(body) == expected
    assert "Turnbull" not in body
    if expected:
        count = len(expected)
        assert f"{count} famil{'y' if count == 1 else 'ies'} found" in body
    else:
        assert "No families found" in body


def test_a_result_shows_the_family_at_a_glance(app: Flask) -> None:
    lead = make_user("lead_worker", name="Priya Shah")
    add_family("Hughes", "MF4 3EQ", ("Jayden", date(2011, 6, 30)), lead_worker=lead)
    body = search(signed_in(app, lead), name="hughes")
    assert "Hughes family" in body and "MF4 3EQ" in body and "F0000" in body
    assert "Jayden Hughes" in body and "years)" in body
    assert "Plan active" in body and "Lead worker Priya Shah" in body


def test_an_empty_search_lists_nothing_and_explains(
    searcher: FlaskClient, families: dict[str, int]
) -> None:
    for fields in ({}, {"name": "", "postcode": " ", "date_of_birth": ("", "", "")}):
        body = search(searcher, **fields)
        assert found(body) == []
        assert "Search for a family" in body and "Enter at least one of" in body
        assert "govuk-error-summary" not in body
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "a"}, "Enter at least 2 letters of a name"),
        ({"name": "--"}, "Enter at least 2 letters of a name"),
        ({"date_of_birth": ("3", "5", "")}, "Date of birth must include a year"),
        ({"date_of_birth": ("", "5", "")}, "Date of birth must include a day and year"),
        ({"date_of_birth": ("31", "2", "2019")}, "Date of birth must be a real date"),
        ({"date_of_birth": ("3", "May", "2019")}, "Date of birth must be a real date"),
        ({"date_of_birth": ("3", "5", "18")}, "Year must include 4 numbers"),
        ({"postcode": "12345"}, "Enter a real postcode"),
        ({"postcode": "MF1 AA"}, "Enter a real postcode"),
    ],
)
def test_invalid_searches_are_explained(
    searcher: FlaskClient, families: dict[str, int], fields: dict[str, object], message: str
) -> None:
    body = search(searcher, **fields)
    assert "<title>Error: Find a family" in body
    assert "govuk-error-summary" in body
    assert body.count(message) == 2  # in the summary and next to the field
    assert found(body) == []
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all() == []


def test_a_date_of_birth_in_the_future_is_refused(searcher: FlaskClient) -> None:
    tomorrow = datetime.now(UTC).date() + timedelta(days=2)
    body = search(
        searcher, date_of_birth=(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))
    )
    assert "Date of birth must be today or in the past" in body


def test_htmx_gets_only_the_results(searcher: FlaskClient, families: dict[str, int]) -> None:
    body = search(searcher, headers=HTMX, name="mai tur")
    assert "<html" not in body and "<form" not in body
    assert found(body) == ["Turner"]
    assert '<div id="search-status" hx-swap-oob="innerHTML">1 family found</div>' in body


def test_htmx_shows_problems_in_the_results(searcher: FlaskClient) -> None:
    body = search(searcher, headers=HTMX, date_of_birth=("3", "", ""))
    assert "<html" not in body
    assert "Check your search" in body and "Date of birth must include a month and year" in body


def test_the_form_is_enhanced_with_htmx_and_works_without_it(
    searcher: FlaskClient, families: dict[str, int]
) -> None:
    body = search(searcher, name="tur")
    form = re.search(r'<form[^>]*role="search"[^>]*>', body)
    assert form is not None
    tag = form.group(0)
    assert 'method="post"' in tag and 'action="/families/search"' in tag
    assert 'hx-post="/families/search"' in tag and 'hx-target="#search-results"' in tag
    assert 'hx-trigger="keyup changed delay:400ms, submit"' in tag
    # The typed search is kept in the form.
    assert 'value="tur"' in body


def test_results_are_paginated(app: Flask) -> None:
    lead = make_user("lead_worker")
    for number in range(30):
        add_family(
            f"Many{chr(97 + number // 26)}{chr(97 + number % 26)}",
            "MF3 1AB",
            ("Kit", date(2017, 1, 1)),
            lead_worker=lead,
        )
    client = signed_in(app, lead)
    first = search(client, name="many")
    assert "30 families found" in first and "Page 1 of 2" in first
    # The htmx answer is the results block alone, pagination and all (found by the load
    # test: the block could not see the pagination macro imported above it).
    fragment = search(client, headers={"HX-Request": "true"}, name="many")
    assert "<html" not in fragment and "govuk-pagination" in fragment
    assert len(found(first)) == 25
    link = re.search(r'href="(/families/search\?[^"]*page=2[^"]*)"', first)
    # The address names the search by a token kept in the session, never by what was typed.
    assert link is not None and "many" not in link.group(1).lower()
    second = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert len(found(second)) == 5
    assert set(found(first)).isdisjoint(found(second))
    assert found(first) + found(second) == sorted(found(first) + found(second))
    # A page past the end shows the last page rather than nothing.
    past_the_end = html.unescape(link.group(1)).replace("page=2", "page=9")
    assert found(client.get(past_the_end).get_data(as_text=True)) == found(second)


def test_each_result_lists_its_own_children_once_in_age_order(app: Flask) -> None:
    lead = make_user("lead_worker")
    add_family(
        "Adams",
        "MF7 1AB",
        ("Zed", date(2019, 4, 1)),
        ("Amy", date(2015, 9, 1)),
        ("Dana", None),
        lead_worker=lead,
    )
    add_family("Baker", "MF7 1AB", ("Chris", None), lead_worker=lead)
    body = search(signed_in(app, lead), postcode="MF7 1AB")
    assert found(body) == ["Adams", "Baker"]
    assert "2 families found" in body
    start, middle = body.index("Adams family</a>"), body.index("Baker family</a>")
    adams, baker = body[start:middle], body[middle:]
    assert adams.index("Amy Adams") < adams.index("Zed Adams")
    assert adams.count("Amy Adams") == 1 and "Dana" not in body
    assert "None recorded" in baker and "Plan active" in baker


def test_a_search_matching_very_many_families_shows_only_the_first(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(family_search, "MOST_COUNTED", 3)
    # The app is shared by the tests: monkeypatch puts its page size back afterwards.
    monkeypatch.setitem(app.config, "CASEAPP_PAGE_SIZE", 2)
    lead = make_user("lead_worker")
    for family_name in ("Manye", "Manyd", "Manyc", "Manyb", "Manya"):
        add_family(family_name, "MF8 1AB", ("Kit", date(2017, 1, 1)), lead_worker=lead)
    client = signed_in(app, lead)
    body = search(client, name="many")
    assert "More than 3 families found" in body and "Page 1 of 2" in body
    assert "Add a date of birth or postcode" in body
    # The first ones in name order, not the first ones found.
    assert found(body) == ["Manya", "Manyb"]
    link = re.search(r'href="(/families/search\?[^"]*page=2[^"]*)"', body)
    assert link is not None
    # The last page stops at the last family counted; a page past it shows the last page.
    for page in ("page=2", "page=3"):
        address = html.unescape(link.group(1)).replace("page=2", page)
        assert found(client.get(address).get_data(as_text=True)) == ["Manyc"]
    audits = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "search").order_by(AuditEvent.id)
    ).all()
    assert [audit.detail for audit in audits] == [
        {"fields": ["name"], "results": 3, "page": page, "more": True} for page in (1, 2, 2)
    ]


def test_someone_who_may_see_no_family_finds_none(app: Flask) -> None:
    add_family("Turner", "MF1 1AA", ("Maisie", date(2018, 5, 3)))
    manager_without_a_team = make_user("manager")
    body = search(signed_in(app, manager_without_a_team), name="turner")
    assert "No families found" in body and found(body) == []
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).one()
    assert audit.detail == {"fields": ["name"], "results": 0, "page": 1}


def test_the_search_stays_out_of_the_address(app: Flask) -> None:
    lead = make_user("lead_worker")
    client = signed_in(app, lead)
    posted = client.post("/families/search", data={"name": "Maisie Turner", "postcode": "MF1"})
    assert posted.status_code == 302
    location = posted.headers["Location"]
    assert "Maisie" not in location and "MF1" not in location and "s=" in location
    # The kept search fills the form again when the address is opened.
    assert 'value="Maisie Turner"' in client.get(location).get_data(as_text=True)
    # Someone else's session knows nothing of it.
    other = signed_in(app, make_user("lead_worker"))
    assert 'value="Maisie Turner"' not in other.get(location).get_data(as_text=True)
    htmx = client.post("/families/search", data={"name": "Maisie"}, headers={"HX-Request": "true"})
    assert "Maisie" not in htmx.headers["HX-Push-Url"]


def test_each_search_is_audited_without_what_was_typed(
    searcher: FlaskClient, families: dict[str, int]
) -> None:
    search(searcher, name="Maisie Turner", postcode="MF1 1AA")
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all()
    assert len(audits) == 1
    audit = audits[0]
    assert audit.object_type == "family" and audit.family_id is None
    assert audit.detail == {"fields": ["name", "postcode"], "results": 1, "page": 1}
    recorded = json.dumps(audit.detail).lower()
    for typed in ("maisie", "turner", "mf1"):
        assert typed not in recorded


def test_search_costs_the_same_queries_for_few_or_many_results(app: Flask) -> None:
    lead = make_user("lead_worker")
    for number in range(2):
        add_family(
            f"Few{chr(97 + number)}",
            "MF5 1AB",
            ("Kit", date(2017, 1, 1)),
            ("Sam", date(2019, 1, 1)),
            lead_worker=lead,
        )
    for number in range(20):
        add_family(
            f"Lots{chr(97 + number)}", "MF6 1AB", ("Kit", date(2017, 1, 1)), lead_worker=lead
        )
    client = signed_in(app, lead)
    counts = []
    for name in ("few", "lots"):
        db.session.close()
        with counting_statements() as statements:
            search(client, name=name)
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("MF1 1AA", PostcodeQuery("MF11AA", None)),
        ("mf11aa", PostcodeQuery("MF11AA", None)),
        ("SW1A 1AA", PostcodeQuery("SW1A1AA", None)),
        ("M1 1AE", PostcodeQuery("M11AE", None)),
        ("MF1", PostcodeQuery("MF1", 3)),
        ("sw1a", PostcodeQuery("SW1A", 4)),
        ("MF1 1", PostcodeQuery("MF11", 3)),
        ("MF1 1A", PostcodeQuery("MF11A", 3)),
        ("M1", PostcodeQuery("M1", 2)),
        ("M", None),
        ("12345", None),
        ("MF1 AA", None),
        ("MF1 1AAA", None),
        ("MF", None),
    ],
)
def test_parse_postcode_query(typed: str, query: PostcodeQuery | None) -> None:
    assert parse_postcode_query(typed) == query
