"""The family page: members, levels with history, lead worker, deadlines and the timeline."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Agency,
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    SupportRequest,
    TimelineEvent,
    User,
)
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment, stage_episode
from caseapp.services.families import FamilyDetails, MemberDetails, stage_family
from caseapp.services.family_view import TIMELINE_PAGE_SIZE, TimelineCursor, age_text
from caseapp.services.levels import stage_level_decision
from caseapp.services.timeline import add_timeline_event
from caseapp.web.formatting import iso_utc, uk_date, uk_datetime, uk_time
from tests.factories import DEMO_TEST_PASSWORD, make_family, make_team, make_user
from tests.statements import counting_statements

HTMX = {"HX-Request": "true"}


def framework(app: Flask) -> Framework:
    return app.extensions["caseapp.framework"]


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def children_of(family_id: int) -> list[FamilyMember]:
    return list(
        db.session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id == family_id, FamilyMember.is_child.is_(True))
            .order_by(FamilyMember.id)
        )
    )


def allocated_family(
    coordinator: User,
    lead: User,
    children: tuple[tuple[str, date], ...] = (("Maisie", date(2018, 5, 3)),),
    family_name: str = "Turner",
    allocated_at: datetime | None = None,
) -> tuple[Family, Episode]:
    family = make_family(*children, family_name=family_name, actor_user=coordinator)
    episode = stage_episode(Actor(coordinator), family, make_team())
    stage_assignment(Actor(coordinator), episode, lead, at=allocated_at)
    episode.status = EpisodeStatus.ALLOCATED
    db.session.commit()
    return family, episode


def timeline_summaries(body: str) -> list[str]:
    # An entry is <li><time>when</time><p>who</p><p>what</p></li>.
    whats = re.findall(r"</time><p>.*?</p><p>(.*?)</p></li>", body, re.S)
    return [html.unescape(re.sub(r"<span[^>]*>.*?</span>\s*", "", what)).strip() for what in whats]


def next_link(body: str) -> str | None:
    match = re.search(r'<a href="(/families/\d+/timeline\?before=[^"]+)"', body)
    return html.unescape(match.group(1)) if match else None


# --- content --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    family_id: int
    lead: User


@pytest.fixture
def household(app: Flask) -> Household:
    """Two children at different levels with history, two adults, a reassigned lead worker."""
    coordinator = make_user("hub_coordinator", name="Tom Okafor")
    agency = Agency(name="Oakfield Primary School", kind="school")
    first_lead = make_user("lead_worker", name="Gemma Clarke")
    lead = make_user("lead_worker", name="Priya Shah", agency=agency)
    actor = Actor(coordinator)
    family = stage_family(
        actor,
        FamilyDetails(
            name="Kowalski family",
            address="17 Mill Lane, Moorford",
            postcode="mf1 2ab",
            locality="North",
            members=(
                MemberDetails(
                    given_name="Pat",
                    family_name="Kowalski",
                    is_child=False,
                    relationship_to_child="Mother",
                    parental_responsibility=True,
                    first_language="Polish",
                    needs_interpreter=True,
                ),
                MemberDetails(
                    given_name="Marek",
                    family_name="Kowalski",
                    is_child=False,
                    relationship_to_child="Uncle",
                    lives_in_home=False,
                ),
                MemberDetails(
                    given_name="Zofia",
                    family_name="Kowalski",
                    is_child=True,
                    date_of_birth=date(2015, 2, 14),
                    gender="Female",
                    first_language="Polish",
                ),
                MemberDetails(
                    given_name="Leo",
                    family_name="Kowalski",
                    is_child=True,
                    date_of_birth=date(2020, 9, 1),
                    gender="Male",
                ),
            ),
        ),
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    episode = stage_episode(actor, family, make_team("North Early Help Team"))
    by_name = {child.given_name: child for child in children_of(family.id)}
    zofia, leo = by_name["Zofia"], by_name["Leo"]
    levels = framework(app)
    stage_level_decision(
        actor,
        levels,
        zofia,
        "earliest_help",
        "Attendance dipping; school can support",
        ["eh-cd-01"],
        episode=episode,
        at=datetime(2026, 3, 3, 10, tzinfo=UTC),
    )
    stage_level_decision(
        actor,
        levels,
        zofia,
        "targeted_early_help",
        "Needs across domains now need a plan",
        ["teh-cd-01", "teh-pc-01"],
        episode=episode,
        at=datetime(2026, 3, 10, 10, tzinfo=UTC),
    )
    stage_level_decision(
        actor,
        levels,
        leo,
        "universal",
        "Needs met by nursery",
        [],
        episode=episode,
        at=datetime(2026, 3, 10, 10, tzinfo=UTC),
    )
    stage_assignment(actor, episode, first_lead, at=datetime(2026, 3, 11, 9, tzinfo=UTC))
    stage_assignment(
        actor, episode, lead, "Gemma left the team", at=datetime(2026, 3, 20, 9, tzinfo=UTC)
    )
    episode.status = EpisodeStatus.ASSESSMENT
    db.session.commit()
    return Household(family_id=family.id, lead=lead)


def page_of(app: Flask, household: Household) -> str:
    client = sign_in(app, household.lead)
    return client.get(f"/families/{household.family_id}").get_data(as_text=True)


def test_header_and_members(app: Flask, household: Household) -> None:
    family = db.session.get(Family, household.family_id)
    assert family is not None
    body = page_of(app, household)
    assert "<h1" in body and "Kowalski family" in body
    assert family.reference in body and "17 Mill Lane, Moorford, MF1 2AB" in body
    # Children first, oldest first, each with age, date of birth and level.
    children = body.index('id="children"')
    adults = body.index('id="adults"')
    zofia, leo = body.index("Zofia Kowalski"), body.index("Leo Kowalski")
    assert children < zofia < leo < adults
    assert "Born 14 February 2015" in body and "Born 1 September 2020" in body
    assert "Targeted Early Help" in body and "Universal" in body
    # Adults: relationship, parental responsibility, whether they live in the home.
    adult_rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body[adults:], re.S)
    pat = next(row for row in adult_rows if "Pat Kowalski" in row)
    marek = next(row for row in adult_rows if "Marek Kowalski" in row)
    assert re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", pat, re.S)[:3] == ["Mother", "Yes", "Yes"]
    assert re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", marek, re.S)[:3] == ["Uncle", "No", "No"]
    assert "Interpreter needed" in pat


def test_level_history_per_child(app: Flask, household: Household) -> None:
    body = page_of(app, household)
    levels = framework(app)
    history = body[body.index("Level of need history") : body.index('id="adults"')]
    assert "Zofia Kowalski: 2 decisions" in history
    assert "Leo Kowalski: 1 decision" in history
    # Newest first, from one level to the next, with who, why and on what evidence.
    assert history.index("Earliest Help to Targeted Early Help") < history.index(
        "Set to Earliest Help"
    )
    assert "by Tom Okafor" in history
    assert "Needs across domains now need a plan" in history
    for code in ("teh-cd-01", "teh-pc-01", "eh-cd-01"):
        assert str(escape(levels.indicator(code).text)) in history
    assert "(Parenting capacity)" in history
    assert "No indicators recorded." in history
    # The table links each child to their history.
    zofia = db.session.scalar(select(FamilyMember).where(FamilyMember.given_name == "Zofia"))
    assert f'href="#level-history-{zofia.id}"' in body
    assert f'id="level-history-{zofia.id}"' in body


def test_lead_worker_and_assignment_history(app: Flask, household: Household) -> None:
    body = page_of(app, household)
    card = body[body.index('id="episode-heading"') :]
    assert "Assessment (EHA)" in card
    assert "Priya Shah" in card and "Oakfield Primary School" in card
    assert "Since 20 March 2026" in card
    assert "North Early Help Team" in card
    history = body[body.index('id="lead-workers"') : body.index('id="timeline"')]
    assert history.index("Priya Shah") < history.index("Gemma Clarke")
    assert "Gemma left the team" in history and "First allocation" in history
    assert "Current" in history and "20 March 2026" in history


def test_deadlines_mark_what_is_overdue(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    long_ago = datetime.now(UTC) - timedelta(days=70)
    family, _ = allocated_family(coordinator, lead, allocated_at=long_ago)
    body = sign_in(app, lead).get(f"/families/{family.id}").get_data(as_text=True)
    deadlines = body[body.index('id="deadlines-heading"') :]
    assert "app-card--overdue" in body
    assert "Early Help Assessment (EHA)" in deadlines
    assert "First Team Around the Family (TAF) meeting" in deadlines
    assert deadlines.count('class="app-overdue">Overdue') == 2


def test_a_hub_deadline_not_yet_due(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    family = make_family(actor_user=coordinator)
    episode = stage_episode(Actor(coordinator), family, None)
    episode.hub_due_at = datetime.now(UTC) + timedelta(days=30)
    db.session.commit()
    body = sign_in(app, coordinator).get(f"/families/{family.id}").get_data(as_text=True)
    deadlines = body[body.index('id="deadlines-heading"') :]
    assert "Hub decision" in deadlines
    assert "app-overdue" not in deadlines and "app-card--overdue" not in body
    assert "Not allocated yet" in body


def test_the_request_for_support_and_who_is_triaging_it(app: Flask) -> None:
    coordinator = make_user("hub_coordinator", name="Tom Okafor")
    family = make_family(actor_user=coordinator)
    episode = stage_episode(Actor(coordinator), family, None, EpisodeStatus.TRIAGE)
    episode.triage_by_id = coordinator.id
    support_request = SupportRequest(
        episode_id=episode.id,
        family_id=family.id,
        received_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
        received_via=ReceivedVia.PHONE,
        recorded_by_id=coordinator.id,
        referrer_name="Ms Head",
        referrer_agency="Oakfield Primary School",
        referrer_contact="01234 567890",
        reason="Attendance has fallen",
        consent_given=True,
        consent_given_by="Pat Testfamily",
        decision_due_at=datetime(2026, 11, 25, 17, tzinfo=UTC),
    )
    db.session.add(support_request)
    db.session.commit()
    body = sign_in(app, coordinator).get(f"/families/{family.id}").get_data(as_text=True)
    card = body[body.index('id="episode-heading"') :]
    assert "Being triaged by" in card and "Tom Okafor" in card
    assert "Received 23 November 2026 from Ms Head, Oakfield Primary School" in card
    assert f'href="/requests/{support_request.id}"' in card


def test_a_family_without_an_open_episode(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family = make_family()
    episode = stage_episode(Actor(manager), family, make_team())
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = datetime(2026, 4, 1, 12, tzinfo=UTC)
    db.session.commit()
    body = sign_in(app, manager).get(f"/families/{family.id}").get_data(as_text=True)
    assert "No open episode" in body and "1 April 2026" in body
    assert 'id="deadlines-heading"' not in body


def test_viewing_the_family_page_is_audited(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    client = sign_in(app, lead)
    client.get(f"/families/{family.id}")
    client.get(f"/families/{family.id}/timeline", headers=HTMX)
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view").order_by(AuditEvent.id)
    ).all()
    assert [(view.object_type, view.object_id, view.family_id) for view in views] == [
        ("family", family.id, family.id),
        ("timeline", family.id, family.id),
    ]
    assert {view.user_id for view in views} == {lead.id}


def test_a_refused_family_page_is_not_audited_as_a_view(app: Flask) -> None:
    family = make_family()
    client = sign_in(app, make_user("lead_worker"))
    assert client.get(f"/families/{family.id}").status_code == 404
    assert client.get("/families/999999").status_code == 404
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all() == []


# --- timeline -------------------------------------------------------------------------------


def add_events(family_id: int, actor: User, count: int, start: datetime) -> None:
    """`count` events, seven to a timestamp, so pages end in the middle of a tie."""
    for number in range(count):
        add_timeline_event(
            family_id=family_id,
            kind=EventKind.EPISODE_STATUS_CHANGED,
            summary=f"Note {number:02d}",
            actor_id=actor.id,
            occurred_at=start - timedelta(minutes=number // 7),
        )
    db.session.commit()


def expected_order(family_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(TimelineEvent.summary)
            .where(TimelineEvent.family_id == family_id)
            .order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc())
        )
    )


def test_timeline_is_newest_first_with_who_and_uk_time(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator", name="Tom Okafor"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    # 13:15 UTC in July is 2:15pm in British Summer Time.
    add_timeline_event(
        family_id=family.id,
        kind=EventKind.REFERRER_INFORMED,
        summary="School told by phone",
        actor_id=coordinator.id,
        occurred_at=datetime(2026, 7, 1, 13, 15, tzinfo=UTC),
    )
    db.session.commit()
    body = sign_in(app, lead).get(f"/families/{family.id}").get_data(as_text=True)
    assert timeline_summaries(body) == expected_order(family.id)
    assert "1 Jul 2026, 2:15pm" in body
    assert "Referrer told the outcome:" in body and "Tom Okafor" in body


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_show_more_continues_exactly_where_the_page_stopped(app: Flask, htmx: bool) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    add_events(family.id, coordinator, 47, datetime(2026, 1, 5, 12, tzinfo=UTC))
    expected = expected_order(family.id)
    events = db.session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.family_id == family.id)
        .order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc())
    ).all()
    # The test only proves something if page boundaries fall inside ties.
    for end in (TIMELINE_PAGE_SIZE, 2 * TIMELINE_PAGE_SIZE):
        assert events[end - 1].occurred_at == events[end].occurred_at

    client = sign_in(app, lead)
    body = client.get(f"/families/{family.id}").get_data(as_text=True)
    seen = timeline_summaries(body)
    assert len(seen) == TIMELINE_PAGE_SIZE
    link = next_link(body)
    pages = 1
    while link is not None:
        response = client.get(link, headers=HTMX if htmx else {})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        if htmx:
            assert "<html" not in page and "<h1" not in page
            assert page.lstrip().startswith('<li tabindex="-1" autofocus')
        else:
            assert "<html" in page and "Earlier timeline events" in page
        seen += timeline_summaries(page)
        link = next_link(page)
        pages += 1
    assert seen == expected
    assert pages == -(-len(expected) // TIMELINE_PAGE_SIZE)


def test_show_more_link_is_an_htmx_enhanced_link(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    add_events(family.id, coordinator, 25, datetime(2026, 1, 5, 12, tzinfo=UTC))
    body = sign_in(app, lead).get(f"/families/{family.id}").get_data(as_text=True)
    more = re.search(r'<li class="app-timeline__more">(.*?)</li>', body, re.S)
    assert more is not None
    link = next_link(more.group(1))
    assert link is not None
    assert f'hx-get="{html.escape(link)}"' in more.group(1)
    assert 'hx-target="closest li"' in more.group(1) and 'hx-swap="outerHTML"' in more.group(1)


def test_a_page_without_more_events_has_no_show_more(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    body = sign_in(app, lead).get(f"/families/{family.id}").get_data(as_text=True)
    assert "Show older events" not in body


@pytest.mark.parametrize(
    "before",
    ["junk", "12_", "-5_3", "1_2_3", "99999999999999999999_1", "1_99999999999", "1_2147483648"],
)
def test_a_malformed_cursor_is_a_bad_request(app: Flask, before: str) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    response = sign_in(app, lead).get(f"/families/{family.id}/timeline?before={before}")
    assert response.status_code == 400


def test_cursor_round_trip() -> None:
    cursor = TimelineCursor(datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC), 42)
    assert TimelineCursor.decode(cursor.encode()) == cursor


# --- speed ----------------------------------------------------------------------------------


def build_family(app: Flask, coordinator: User, lead: User, children: int, events: int) -> int:
    names = ("Ava", "Ben", "Cara", "Dan")
    family, episode = allocated_family(
        coordinator,
        lead,
        children=tuple((names[n], date(2015 + n, 1, 1)) for n in range(children)),
        family_name=f"Size{children}",
    )
    for child in children_of(family.id):
        stage_level_decision(
            Actor(coordinator),
            framework(app),
            child,
            "earliest_help",
            "Emerging needs",
            ["eh-cd-01", "eh-pc-01"],
            episode=episode,
        )
    db.session.commit()
    existing = len(expected_order(family.id))
    add_events(family.id, coordinator, events - existing, datetime(2026, 1, 5, tzinfo=UTC))
    assert len(expected_order(family.id)) == events
    return family.id


def test_the_page_costs_the_same_queries_however_big_the_family(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    small = build_family(app, coordinator, lead, children=1, events=3)
    large = build_family(app, coordinator, lead, children=4, events=60)
    client = sign_in(app, lead)
    counts = []
    for family_id in (small, large):
        db.session.close()
        with counting_statements() as statements:
            assert client.get(f"/families/{family_id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # Who is signed in, the family with its members (the access check is part of it), one
    # query per kind of record (the last is whether the family has withdrawn consent, shown
    # on every section), then the audit.
    assert counts[0] <= 11


def test_the_audit_commit_does_not_load_the_signed_in_person_again(app: Flask) -> None:
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    client = sign_in(app, lead)
    name, family_id = lead.name, family.id
    for url in (f"/families/{family_id}", f"/families/{family_id}/timeline"):
        db.session.close()
        with counting_statements() as statements:
            body = client.get(url).get_data(as_text=True)
        # The header still names them, from the one load at the start of the request.
        assert f'<span class="app-header__user">{escape(name)}</span>' in body
        assert sum("FROM users" in statement for statement in statements) == 1, url
        assert sum("FROM user_roles" in statement for statement in statements) == 0, url
        assert sum("INSERT INTO audit_events" in statement for statement in statements) == 1


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2026, 1, 15), date(2026, 1, 20), "0 months"),
        (date(2025, 12, 20), date(2026, 1, 20), "1 month"),
        (date(2025, 12, 21), date(2026, 1, 20), "0 months"),
        (date(2024, 1, 21), date(2026, 1, 20), "23 months"),
        (date(2024, 1, 20), date(2026, 1, 20), "2 years"),
        (date(2010, 2, 28), date(2026, 2, 27), "15 years"),
        (date(2026, 2, 1), date(2026, 1, 20), "Not born yet"),
    ],
)
def test_age_text(born: date, today: date, age: str) -> None:
    assert age_text(born, today) == age


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 27, 14, 15, tzinfo=UTC), "27 Nov 2026, 2:15pm"),
        (datetime(2026, 7, 1, 8, 0, tzinfo=UTC), "1 Jul 2026, 9am"),
        (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 Jul 2026, midday"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "1 Jan 2026, midnight"),
        # 23:30 UTC on 31 May is already 1 June in British Summer Time.
        (datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "1 Jun 2026, 12:30am"),
    ],
)
def test_uk_datetime(moment: datetime, text: str) -> None:
    assert uk_datetime(moment) == text


def test_iso_utc_is_a_short_machine_readable_time() -> None:
    # Seconds are enough for a <time> element; UK summer time becomes UTC.
    assert iso_utc(datetime(2026, 7, 1, 14, 15, 9, 123456, tzinfo=UK_TIME)) == (
        "2026-07-01T13:15:09Z"
    )


def test_uk_date_and_time() -> None:
    assert uk_date(date(2026, 11, 27)) == "27 November 2026"
    assert uk_date(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == "1 June 2026"
    assert uk_time(datetime(2026, 12, 1, 17, 0, tzinfo=UK_TIME)) == "5pm"


def test_show_more_seeks_in_the_timeline_index(app: Flask, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the query plan is PostgreSQL's")
    coordinator, lead = make_user("hub_coordinator"), make_user("lead_worker")
    family, _ = allocated_family(coordinator, lead)
    client = sign_in(app, lead)
    cursor = TimelineCursor(datetime.now(UTC), 1_000_000).encode()
    with counting_statements() as statements:
        client.get(f"/families/{family.id}/timeline?before={cursor}", headers=HTMX)
    sql = next(statement for statement in statements if "FROM timeline_events" in statement)
    parameters = sql.parameters
    connection = db.session.connection()
    # Tiny test tables would be read whole; ask what the plan is when that is not an option.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(
        row[0]
        for row in connection.exec_driver_sql(
            f"EXPLAIN {sql}",
            parameters,  # type: ignore[arg-type]
        ).fetchall()
    )
    assert "Index Scan Backward using ix_timeline_events_family_occurred" in plan
    assert re.search(r"Index Cond: .*ROW\(occurred_at, id\) < ROW\(", plan)
    assert "OFFSET" not in sql.upper()
