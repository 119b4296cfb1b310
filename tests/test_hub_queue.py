"""The Hub queue: what it lists and in what order, its filters, counts, paging and HTMX."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.queue_rules import AgeBand, QueueStage
from caseapp.extensions import db
from caseapp.models import Episode, FamilyMember, SupportRequest, SupportRequestChild, Team, User
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.hub_queue import QueueFilters, hub_queue
from tests.factories import make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

REQUESTED = EpisodeStatus.REQUESTED
TRIAGE = EpisodeStatus.TRIAGE
AWAITING_ALLOCATION = EpisodeStatus.AWAITING_ALLOCATION

# Wednesday 25 November 2026, 10am (UTC and UK time agree in winter).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
HTMX = {"HX-Request": "true", "HX-Target": "queue-results"}


def add_to_queue(
    coordinator: User,
    surname: str,
    *,
    status: EpisodeStatus = REQUESTED,
    children: tuple[tuple[str, date], ...] = (("Alex", date(2018, 5, 1)),),
    concerned: tuple[str, ...] | None = None,
    levels: dict[str, str] | None = None,
    urgent: bool = False,
    due_at: datetime | None = None,
    received_at: datetime | None = None,
    via: ReceivedVia = ReceivedVia.ONLINE,
    agency: str = "Oakfield Primary School",
    team: Team | None = None,
    locality: str = "North",
    triage_by: User | None = None,
    with_request: bool = True,
) -> Episode:
    """A family with an episode in `status`, and (unless told not to) its request for support.

    `concerned` names the children the request is about (all of them by default); `levels`
    gives children's current levels by given name.
    """
    family = make_family(*children, family_name=surname, actor_user=coordinator)
    family.locality = locality
    episode = make_episode(family, status, team=team, actor_user=coordinator)
    episode.urgent = urgent
    episode.hub_due_at = due_at
    episode.triage_by_id = triage_by.id if triage_by else None
    members = db.session.scalars(
        select(FamilyMember).where(FamilyMember.family_id == family.id, FamilyMember.is_child)
    ).all()
    for member in members:
        member.current_level_code = (levels or {}).get(member.given_name)
    if with_request:
        received = received_at or NOW - timedelta(days=1)
        request = SupportRequest(
            episode_id=episode.id,
            family_id=family.id,
            received_at=received,
            received_via=via,
            recorded_by_id=coordinator.id,
            referrer_name="Jo Referrer",
            referrer_agency=agency,
            referrer_contact="jo@example.org",
            reason="Attendance has fallen and there are worries at home",
            consent_given=True,
            consent_given_by="Mother",
            significant_harm=urgent,
            decision_due_at=due_at or received + timedelta(days=2),
        )
        request.children = [
            SupportRequestChild(member_id=member.id)
            for member in members
            if concerned is None or member.given_name in concerned
        ]
        db.session.add(request)
    db.session.commit()
    return episode


def names(page: Any) -> list[str]:
    return [item.family_name for item in page.items]


def family_names_in(body: str) -> list[str]:
    return re.findall(r'href="/families/\d+">([^<]+)</a>', body)


@pytest.fixture
def coordinator(app: Flask) -> User:
    return make_user("hub_coordinator", name="Tom Okafor")


# --- what is listed, and in what order ------------------------------------------------------


def test_lists_only_hub_work_urgent_first_then_by_deadline(coordinator: User) -> None:
    add_to_queue(coordinator, "Later", due_at=NOW + timedelta(days=3))
    add_to_queue(coordinator, "Sooner", status=AWAITING_ALLOCATION, due_at=NOW + timedelta(days=1))
    add_to_queue(coordinator, "Urgentlate", urgent=True, due_at=NOW + timedelta(days=5))
    add_to_queue(coordinator, "Overdue", status=TRIAGE, due_at=NOW - timedelta(days=2))
    add_to_queue(coordinator, "Nodeadline", due_at=None)
    add_to_queue(coordinator, "Urgentsoon", urgent=True, due_at=NOW + timedelta(hours=2))
    # The same deadline: the older episode first, so the order is the same on every load.
    add_to_queue(coordinator, "Tiefirst", due_at=NOW + timedelta(days=4))
    add_to_queue(coordinator, "Tiesecond", due_at=NOW + timedelta(days=4))
    for status in (EpisodeStatus.ALLOCATED, EpisodeStatus.STEPPED_UP, EpisodeStatus.CLOSED):
        add_to_queue(coordinator, f"Not{status.value}", status=status, due_at=NOW)

    page = hub_queue(Actor(coordinator), QueueFilters(), 1, NOW)

    assert names(page) == [
        "Urgentsoon family",
        "Urgentlate family",
        "Overdue family",
        "Sooner family",
        "Later family",
        "Tiefirst family",
        "Tiesecond family",
        "Nodeadline family",
    ]
    assert page.total == 8


def test_each_row_carries_what_the_coordinator_needs(coordinator: User) -> None:
    triager = make_user("hub_coordinator", name="Ana Lopes")
    team = make_team()
    episode = add_to_queue(
        coordinator,
        "Turner",
        status=TRIAGE,
        children=(
            ("Maisie", date(2019, 6, 1)),
            ("Leo", date(2026, 3, 1)),
            ("Zak", date(2012, 1, 1)),
        ),
        concerned=("Maisie", "Leo"),
        levels={"Maisie": "targeted_early_help"},
        due_at=NOW - timedelta(days=3),
        received_at=datetime(2026, 11, 20, 14, 15, tzinfo=UTC),
        via=ReceivedVia.PHONE,
        agency="Health Visiting, North",
        team=team,
        triage_by=triager,
    )
    [item] = hub_queue(Actor(coordinator), QueueFilters(), 1, NOW).items

    assert item.episode_id == episode.id
    assert item.family_reference == f"F{episode.family_id:06d}"
    assert item.stage is QueueStage.DECISION
    assert item.status_label == "In triage with Ana Lopes"
    assert item.received_via is ReceivedVia.PHONE
    assert item.referrer_agency == "Health Visiting, North"
    assert item.received_at == datetime(2026, 11, 20, 14, 15, tzinfo=UTC)
    # Only the children the request is about, eldest first, with ages and levels.
    assert [(c.given_name, c.age, c.level_code) for c in item.children] == [
        ("Maisie", "7 years", "targeted_early_help"),
        ("Leo", "8 months", None),
    ]
    assert item.standing is not None and item.standing.label == "Overdue by 3 working days"


def test_an_episode_without_a_request_shows_all_the_familys_children(coordinator: User) -> None:
    add_to_queue(
        coordinator,
        "Walsh",
        children=(("Ruby", date(2015, 1, 1)), ("Kai", date(2020, 1, 1))),
        with_request=False,
    )
    [item] = hub_queue(Actor(coordinator), QueueFilters(), 1, NOW).items
    assert [child.given_name for child in item.children] == ["Ruby", "Kai"]
    assert item.referrer_agency == "" and item.received_via is None


def test_the_status_says_who_is_triaging_only_while_a_decision_is_awaited(
    coordinator: User,
) -> None:
    add_to_queue(coordinator, "Picked", status=TRIAGE, triage_by=coordinator)
    add_to_queue(coordinator, "Unpicked", status=REQUESTED)
    add_to_queue(coordinator, "Decided", status=AWAITING_ALLOCATION, triage_by=coordinator)
    labels = {
        item.family_name: item.status_label
        for item in hub_queue(Actor(coordinator), QueueFilters(), 1, NOW).items
    }
    assert labels == {
        "Picked family": "In triage with Tom Okafor",
        "Unpicked family": "Request received",
        "Decided family": "Awaiting allocation",
    }


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def varied_queue(coordinator: User) -> dict[str, Any]:
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    add_to_queue(
        coordinator,
        "Turner",
        children=(("Maisie", date(2024, 1, 10)),),  # 2 years old
        levels={"Maisie": "earliest_help"},
        team=north,
        due_at=NOW + timedelta(days=2),
    )
    add_to_queue(
        coordinator,
        "Kowalski",
        status=AWAITING_ALLOCATION,
        children=(("Leo", date(2016, 11, 25)), ("Zara", date(2010, 11, 26))),  # 10 today; 15
        levels={"Leo": "targeted_early_help", "Zara": "earliest_help"},
        team=south,
        locality="South",
        due_at=NOW - timedelta(days=1),
    )
    add_to_queue(
        coordinator,
        "O'Brien-Smith",
        status=TRIAGE,
        children=(("Noah", date(2021, 11, 25)),),  # 5 today
        urgent=True,
        team=north,
        due_at=NOW + timedelta(hours=3),
    )
    add_to_queue(
        coordinator,
        "Begum",
        status=AWAITING_ALLOCATION,
        children=(("Amelia", date(2010, 11, 25)),),  # 16 today
        levels={"Amelia": "targeted_early_help"},
        locality="South",
        due_at=NOW + timedelta(days=6),
    )
    return {"north": north.id, "south": south.id}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (QueueFilters(), {"Turner", "Kowalski", "O'Brien-Smith", "Begum"}),
        (QueueFilters(stage=QueueStage.DECISION), {"Turner", "O'Brien-Smith"}),
        (QueueFilters(stage=QueueStage.ALLOCATION), {"Kowalski", "Begum"}),
        (QueueFilters(level_code="earliest_help"), {"Turner", "Kowalski"}),
        (QueueFilters(level_code="targeted_early_help"), {"Kowalski", "Begum"}),
        (QueueFilters(level_code="statutory_specialist"), set()),
        (QueueFilters(locality="South"), {"Kowalski", "Begum"}),
        (QueueFilters(locality="North"), {"Turner", "O'Brien-Smith"}),
        # A child turns 5 on their birthday: out of the under-5s, into 5 to 10.
        (QueueFilters(age_band=AgeBand.UNDER_5), {"Turner"}),
        (QueueFilters(age_band=AgeBand.PRIMARY), {"O'Brien-Smith", "Kowalski"}),
        (QueueFilters(age_band=AgeBand.SECONDARY), {"Kowalski"}),
        (QueueFilters(age_band=AgeBand.POST_16), {"Begum"}),
        (QueueFilters(urgent_only=True), {"O'Brien-Smith"}),
        (QueueFilters(overdue_only=True), {"Kowalski"}),
        (QueueFilters(search="turner"), {"Turner"}),
        (QueueFilters(search="  TUR ner "), {"Turner"}),
        (QueueFilters(search="Maisie T"), {"Turner"}),
        (QueueFilters(search="zara"), {"Kowalski"}),
        (QueueFilters(search="obrien"), {"O'Brien-Smith"}),
        (QueueFilters(search="O'Brien Smith"), {"O'Brien-Smith"}),
        # Prefix only: the middle of a name does not match.
        (QueueFilters(search="urner"), set()),
        (QueueFilters(search="'-"), set()),
        (QueueFilters(stage=QueueStage.ALLOCATION, level_code="earliest_help"), {"Kowalski"}),
        (QueueFilters(locality="South", age_band=AgeBand.POST_16), {"Begum"}),
    ],
)
def test_each_filter_narrows_the_queue(
    coordinator: User, varied_queue: dict[str, Any], filters: QueueFilters, expected: set[str]
) -> None:
    page = hub_queue(Actor(coordinator), filters, 1, NOW)
    assert {name.removesuffix(" family") for name in names(page)} == expected
    assert page.total == len(expected)


def test_filter_by_team(coordinator: User, varied_queue: dict[str, Any]) -> None:
    north = hub_queue(Actor(coordinator), QueueFilters(team_id=varied_queue["north"]), 1, NOW)
    south = hub_queue(Actor(coordinator), QueueFilters(team_id=varied_queue["south"]), 1, NOW)
    assert set(names(north)) == {"Turner family", "O'Brien-Smith family"}
    assert names(south) == ["Kowalski family"]


def test_search_by_family_reference(coordinator: User, varied_queue: dict[str, Any]) -> None:
    begum = next(
        item
        for item in hub_queue(Actor(coordinator), QueueFilters(), 1, NOW).items
        if item.family_name == "Begum family"
    )
    for typed in (begum.family_reference, begum.family_reference.lower(), str(begum.family_id)):
        assert names(hub_queue(Actor(coordinator), QueueFilters(search=typed), 1, NOW)) == [
            "Begum family"
        ]


def test_a_team_or_locality_not_on_record_is_not_applied(
    coordinator: User, varied_queue: dict[str, Any]
) -> None:
    page = hub_queue(Actor(coordinator), QueueFilters(team_id=99999, locality="Atlantis"), 1, NOW)
    assert page.total == 4
    assert page.filters == QueueFilters()


def test_the_localities_offered_are_those_the_teams_cover(coordinator: User) -> None:
    make_team("North Early Help Team", "North")
    make_team("Moorside Early Help Team", "Moorside")
    make_team("Moorside Outreach", "Moorside")
    add_to_queue(coordinator, "Covered", locality="Moorside")
    # A locality no team covers any longer is not offered, nor applied if asked for.
    add_to_queue(coordinator, "Uncovered", locality="Old Town")

    page = hub_queue(Actor(coordinator), QueueFilters(locality="Old Town"), 1, NOW)

    assert page.options.localities == ("Moorside", "North")
    assert page.filters.locality is None and page.total == 2
    moorside = hub_queue(Actor(coordinator), QueueFilters(locality="Moorside"), 1, NOW)
    assert names(moorside) == ["Covered family"]


# --- counts ---------------------------------------------------------------------------------


def test_counts_match_the_rows_and_ignore_the_filters(coordinator: User) -> None:
    layout = [
        (REQUESTED, False, -2),
        (REQUESTED, True, 1),
        (TRIAGE, False, 3),
        (TRIAGE, True, -1),
        (AWAITING_ALLOCATION, False, -5),
        (AWAITING_ALLOCATION, False, 2),
        (AWAITING_ALLOCATION, True, 4),
        (EpisodeStatus.ALLOCATED, True, -3),
        (EpisodeStatus.CLOSED, False, -3),
    ]
    for number, (status, urgent, days) in enumerate(layout):
        add_to_queue(
            coordinator,
            f"Count{chr(65 + number)}",
            status=status,
            urgent=urgent,
            due_at=NOW + timedelta(days=days),
        )
    in_hub = [row for row in layout if row[0] in {REQUESTED, TRIAGE, AWAITING_ALLOCATION}]

    counts = hub_queue(Actor(coordinator), QueueFilters(search="counta"), 1, NOW).counts

    assert counts.awaiting_decision == sum(row[0] in {REQUESTED, TRIAGE} for row in in_hub)
    assert counts.awaiting_allocation == sum(row[0] is AWAITING_ALLOCATION for row in in_hub)
    assert counts.overdue == sum(row[2] < 0 for row in in_hub)
    assert counts.urgent == sum(row[1] for row in in_hub)
    assert (counts.awaiting_decision, counts.awaiting_allocation) == (4, 3)
    assert (counts.overdue, counts.urgent) == (3, 3)
    # Each figure's filter lists exactly as many rows as the figure says.
    assert hub_queue(Actor(coordinator), QueueFilters(overdue_only=True), 1, NOW).total == 3
    assert hub_queue(Actor(coordinator), QueueFilters(urgent_only=True), 1, NOW).total == 3


def test_families_the_person_may_not_see_are_neither_listed_nor_counted(
    coordinator: User,
) -> None:
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    add_to_queue(coordinator, "Northern", team=north, urgent=True, due_at=NOW - timedelta(1))
    add_to_queue(coordinator, "Southern", team=south, urgent=True, due_at=NOW - timedelta(1))
    # A manager sees their own team's families only (domain/access.py).
    manager = make_user("manager", team=north)

    page = hub_queue(Actor(manager), QueueFilters(), 1, NOW)

    assert names(page) == ["Northern family"]
    assert (page.counts.awaiting_decision, page.counts.overdue, page.counts.urgent) == (1, 1, 1)
    assert hub_queue(Actor(manager), QueueFilters(search="southern"), 1, NOW).total == 0


def test_a_coordinator_who_also_manages_a_team_sees_the_whole_queue(
    coordinator: User,
) -> None:
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    add_to_queue(coordinator, "Northern", team=north)
    add_to_queue(coordinator, "Southern", team=south, urgent=True)
    # Grants add up: the Hub coordinator's takes in every family in the queue.
    both = make_user("manager", "hub_coordinator", team=north)

    page = hub_queue(Actor(both), QueueFilters(), 1, NOW)

    assert names(page) == ["Southern family", "Northern family"]
    assert (page.total, page.counts.awaiting_decision, page.counts.urgent) == (2, 2, 1)


# --- the page -------------------------------------------------------------------------------


def test_only_coordinators_reach_the_queue(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker", "manager", "admin")
    assert client.get("/hub").status_code == 403


def test_the_page_shows_each_row_with_its_links_and_markers(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    user = signed_in_as("hub_coordinator", name="Sam Hub")
    now = utcnow()
    decision = add_to_queue(
        user,
        "Hughes",
        urgent=True,
        due_at=now - timedelta(days=10),
        children=(("Oscar", date(2015, 2, 3)),),
        levels={"Oscar": "targeted_early_help"},
        agency="Riverside Academy",
        via=ReceivedVia.EMAIL,
    )
    allocation = add_to_queue(
        user, "Adeyemi", status=AWAITING_ALLOCATION, due_at=now + timedelta(minutes=1)
    )
    add_to_queue(user, "Evans", due_at=now + timedelta(days=14))

    body = client.get("/hub").get_data(as_text=True)

    assert '<h1 class="govuk-heading-l">Hub queue</h1>' in body
    assert family_names_in(body) == ["Hughes family", "Adeyemi family", "Evans family"]
    assert f'href="/families/{decision.family_id}"' in body
    assert f"F{decision.family_id:06d}" in body
    assert "Urgent: significant harm suspected" in body
    assert "Oscar Hughes" in body and "years, level: Targeted Early Help" in body
    assert "Email" in body and "Riverside Academy" in body
    assert re.search(r'class="app-overdue[^"]*">Overdue by \d+ working days<', body)
    assert re.search(r'class="app-due-soon[^"]*">Due (today|in 1 working day)<', body)
    assert re.search(r"Due in \d+ working days", body)
    with app.test_request_context():
        triage_url = url_for("triage.decide", episode_id=decision.id)
        allocate_url = url_for("triage.allocate", episode_id=allocation.id)
    assert f'href="{triage_url}">Triage<' in body
    assert f'href="{allocate_url}">Allocate<' in body
    assert app.jinja_env.filters["uk_datetime"](allocation.hub_due_at) in body


def test_the_figures_are_links_that_apply_their_filter(client: FlaskClient, signed_in_as) -> None:
    user = signed_in_as("hub_coordinator")
    add_to_queue(user, "Late", due_at=utcnow() - timedelta(days=3))
    add_to_queue(user, "Urgent", urgent=True, due_at=utcnow() + timedelta(days=3))
    add_to_queue(user, "Waiting", status=AWAITING_ALLOCATION, due_at=utcnow() + timedelta(days=3))
    body = client.get("/hub").get_data(as_text=True)
    figures = body[body.index('class="app-figures"') : body.index("Filter the queue")]
    for href, number in [
        ("/hub?status=decision", 2),
        ("/hub?status=allocation", 1),
        ("/hub?overdue=y", 1),
        ("/hub?urgent=y", 1),
    ]:
        assert re.search(
            rf'href="{re.escape(href)}">\s*<span class="app-figures__number">{number}</span>',
            figures,
        ), href
    assert family_names_in(client.get("/hub?overdue=y").get_data(as_text=True)) == ["Late family"]
    assert family_names_in(client.get("/hub?urgent=y").get_data(as_text=True)) == ["Urgent family"]
    assert family_names_in(client.get("/hub?status=allocation").get_data(as_text=True)) == [
        "Waiting family"
    ]


def test_filters_are_posted_kept_and_shown_in_the_form(client: FlaskClient, signed_in_as) -> None:
    user = signed_in_as("hub_coordinator")
    team = make_team()
    add_to_queue(user, "Fletcher", team=team, levels={"Alex": "earliest_help"}, urgent=True)
    add_to_queue(user, "Nowak", team=team)

    posted = client.post(
        "/hub",
        data={
            "q": "fletch",
            "status": "decision",
            "level": "earliest_help",
            "team": str(team.id),
            "locality": "North",
            "age": "5-10",
            "urgent": "y",
        },
    )
    # The filters go into the address; the typed name is kept in the session instead.
    address = posted.headers["Location"]
    assert "status=decision" in address and "s=" in address
    assert "fletch" not in address.lower()
    body = client.get(address).get_data(as_text=True)
    # A name in the address itself is ignored: the app never puts one there.
    assert family_names_in(client.get("/hub?q=nowak").get_data(as_text=True)) == [
        "Fletcher family",
        "Nowak family",
    ]

    assert family_names_in(body) == ["Fletcher family"]
    assert re.search(r'<input [^>]*name="q" [^>]*value="fletch"', body)
    for name, value in [
        ("status", "decision"),
        ("level", "earliest_help"),
        ("team", str(team.id)),
        ("locality", "North"),
        ("age", "5-10"),
    ]:
        assert re.search(rf'<option value="{value}"\s+selected>', body), name
    assert re.search(r'name="urgent" type="checkbox" value="y" checked', body)
    assert not re.search(r'name="overdue" type="checkbox" value="y" checked', body)


def test_unknown_filter_values_are_ignored_and_shown_as_any(
    client: FlaskClient, signed_in_as
) -> None:
    user = signed_in_as("hub_coordinator")
    add_to_queue(user, "Campbell")
    response = client.get("/hub?level=no-such-level&status=nope&age=99&team=12345&locality=Mars")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert family_names_in(body) == ["Campbell family"]
    assert re.findall(r'<option value="([^"]*)"\s+selected>', body) == [""] * 5


def test_an_empty_queue_says_so(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("hub_coordinator")
    body = client.get("/hub").get_data(as_text=True)
    assert "No families are waiting for the Hub" in body
    assert "<table" not in body
    body = client.get("/hub?urgent=y").get_data(as_text=True)
    assert "No families match these filters" in body
    assert "Clear filters" in body


# --- paging ---------------------------------------------------------------------------------


@pytest.fixture
def page_size_3(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "CASEAPP_PAGE_SIZE", 3)


def test_pages_hold_the_page_size_and_links_keep_the_filters(
    client: FlaskClient, signed_in_as, page_size_3: None
) -> None:
    user = signed_in_as("hub_coordinator")
    now = utcnow()
    for number in range(8):
        add_to_queue(user, f"Urgent{chr(65 + number)}", urgent=True, due_at=now + timedelta(number))
    add_to_queue(user, "Noturgent", due_at=now)

    first = client.get("/hub?urgent=y").get_data(as_text=True)
    assert family_names_in(first) == ["UrgentA family", "UrgentB family", "UrgentC family"]
    assert "Showing 1 to 3 of 8 families" in first
    assert 'href="/hub?urgent=y&amp;page=2"' in first  # next, and page 2
    assert 'href="/hub?urgent=y&amp;page=3"' in first
    assert 'href="/hub?urgent=y"' in first  # page 1 has no page number in its address
    assert 'aria-current="page"' in first

    third = client.get("/hub?urgent=y&page=3").get_data(as_text=True)
    assert family_names_in(third) == ["UrgentG family", "UrgentH family"]
    assert "Showing 7 to 8 of 8 families" in third
    assert 'rel="prev"' in third and 'rel="next"' not in third

    # Past the end, or nonsense: the nearest real page.
    assert family_names_in(client.get("/hub?urgent=y&page=40").get_data(as_text=True)) == [
        "UrgentG family",
        "UrgentH family",
    ]
    assert "UrgentA family" in client.get("/hub?urgent=y&page=x").get_data(as_text=True)
    assert "UrgentA family" in client.get("/hub?urgent=y&page=-2").get_data(as_text=True)


# --- HTMX -----------------------------------------------------------------------------------


def test_the_full_page_has_the_filter_form_wired_to_swap_the_results(
    client: FlaskClient, signed_in_as
) -> None:
    user = signed_in_as("hub_coordinator")
    add_to_queue(user, "Patel")
    body = client.get("/hub").get_data(as_text=True)
    form = re.search(r"<form method=\"post\" action=\"/hub\"[^>]*>", body)
    assert form is not None
    assert 'hx-post="/hub"' in form.group(0)
    assert 'hx-target="#queue-results"' in form.group(0)
    assert "change" in form.group(0) and "input changed delay" in form.group(0)
    assert '<div id="queue-results"' in body
    assert body.count('id="queue-summary"') == 1
    assert "<html" in body


def test_an_htmx_request_gets_only_the_results(
    client: FlaskClient, signed_in_as, page_size_3: None
) -> None:
    user = signed_in_as("hub_coordinator")
    for number in range(5):
        add_to_queue(user, f"Family{chr(65 + number)}", urgent=number % 2 == 0)

    response = client.get("/hub?q=&status=&urgent=y&level=&page=1", headers=HTMX)
    fragment = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<html" not in fragment and "<form" not in fragment
    assert "app-figures" not in fragment
    assert family_names_in(fragment) == ["FamilyA family", "FamilyC family", "FamilyE family"]
    # The live summary outside the results is updated out of band.
    assert re.search(r'id="queue-summary" role="status" hx-swap-oob="true"', fragment)
    assert "3 families" in fragment
    # The address bar gets the tidy address, without the empty fields.
    assert response.headers["HX-Push-Url"] == "/hub?urgent=y"
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_paging_swaps_results_and_pushes_the_page_address(
    client: FlaskClient, signed_in_as, page_size_3: None
) -> None:
    user = signed_in_as("hub_coordinator")
    for number in range(5):
        add_to_queue(user, f"Family{chr(65 + number)}")
    response = client.get("/hub?page=2", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert family_names_in(fragment) == ["FamilyD family", "FamilyE family"]
    assert 'hx-get="/hub"' in fragment  # the link back to page 1
    assert response.headers["HX-Push-Url"] == "/hub?page=2"


def test_an_htmx_request_aimed_at_no_element_gets_only_the_results(
    client: FlaskClient, signed_in_as
) -> None:
    user = signed_in_as("hub_coordinator")
    add_to_queue(user, "Patel", urgent=True)
    response = client.get("/hub?urgent=y", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<form" not in fragment
    assert family_names_in(fragment) == ["Patel family"]
    assert response.headers["HX-Push-Url"] == "/hub?urgent=y"


def test_a_history_restore_gets_the_whole_page(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("hub_coordinator")
    response = client.get(
        "/hub", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.get_data(as_text=True)


def test_an_htmx_request_for_another_target_gets_the_whole_page(
    client: FlaskClient, signed_in_as
) -> None:
    signed_in_as("hub_coordinator")
    response = client.get("/hub", headers={"HX-Request": "true", "HX-Target": "main-content"})
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Push-Url" not in response.headers


# --- speed ----------------------------------------------------------------------------------


def fill_queue(coordinator: User, how_many: int) -> None:
    team = make_team()
    now = utcnow()
    for number in range(how_many):
        add_to_queue(
            coordinator,
            f"Speed{number:02d}",
            status=(REQUESTED, TRIAGE, AWAITING_ALLOCATION)[number % 3],
            children=(("Ava", date(2014, 4, 4)), ("Reuben", date(2020, 2, 2))),
            levels={"Ava": "earliest_help"},
            urgent=number % 4 == 0,
            due_at=now + timedelta(hours=number - 10),
            team=team,
            triage_by=coordinator if number % 3 == 1 else None,
        )


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_statements_per_request_do_not_grow_with_the_rows(
    client: FlaskClient, signed_in_as, headers: dict[str, str]
) -> None:
    user = signed_in_as("hub_coordinator")
    fill_queue(user, 3)
    db.session.expire_all()
    with counting_statements() as few:
        assert len(family_names_in(client.get("/hub", headers=headers).get_data(as_text=True))) == 3
    fill_queue(user, 27)
    db.session.expire_all()
    with counting_statements() as many:
        assert (
            len(family_names_in(client.get("/hub", headers=headers).get_data(as_text=True))) == 25
        )
    assert len(many) == len(few), "\n".join(many)


def test_filters_and_paging_add_no_statements(
    client: FlaskClient, signed_in_as, page_size_3: None
) -> None:
    """The filtered total comes with the headline counts; filters are tested in the same
    statements, whatever the page."""
    user = signed_in_as("hub_coordinator")
    fill_queue(user, 30)
    db.session.expire_all()
    with counting_statements() as plain:
        client.get("/hub", headers=HTMX)
    db.session.expire_all()
    with counting_statements() as filtered:
        page_2 = client.get(
            "/hub?urgent=y&age=5-10&level=earliest_help&locality=North&page=2", headers=HTMX
        )
    assert len(filtered) == len(plain), "\n".join(filtered)
    assert len(family_names_in(page_2.get_data(as_text=True))) == 3
