"""The manager's view: every figure, and the list behind it, against counts made here in
plain Python over the rows the test created; within the manager's families only; in a
fixed number of statements however many families there are."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.config import DeadlineSettings
from caseapp.domain.casework import (
    ActionStatus,
    AssessmentStatus,
    ContactType,
    MeetingKind,
    MeetingStatus,
)
from caseapp.domain.deadlines import (
    LEAD_WORKER_STATUSES,
    DeadlineKind,
    EpisodeFacts,
    episode_deadlines,
)
from caseapp.domain.drift import DriftKind, months_before
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.level_requests import (
    DisagreementStatus,
    RequestKind,
    RequestStatus,
    RequestTarget,
)
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Assessment,
    CaseNote,
    Disagreement,
    Episode,
    FamilyMember,
    LevelChangeRequest,
    OversightNote,
    PlanAction,
    SupportRequest,
    TafMeeting,
    Team,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.context import Actor
from caseapp.services.manager_view import (
    FIGURES,
    Chart,
    ChartRow,
    Dashboard,
    figure_families,
    manager_dashboard,
)
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

SETTINGS = DeadlineSettings()
LEAD_STATUSES = [
    EpisodeStatus.ALLOCATED,
    EpisodeStatus.ASSESSMENT,
    EpisodeStatus.PLAN_ACTIVE,
    EpisodeStatus.REVIEW,
    EpisodeStatus.STEPPED_UP,
    EpisodeStatus.REQUESTED,
]


@dataclass
class World:
    """What the test made, as plain Python values to count over."""

    manager: User
    now: datetime
    # Families the manager's team works with (any episode of the North team).
    visible: set[int] = field(default_factory=set)
    episodes: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    allocations: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    disagreements: list[dict] = field(default_factory=list)
    oversight: list[dict] = field(default_factory=list)


def _ago(now: datetime, rng: random.Random, most_days: int) -> datetime:
    return now - timedelta(days=rng.uniform(0, most_days))


def build_world(app: Flask, families: int, seed: int = 7) -> World:
    rng = random.Random(seed)
    framework: Framework = app.extensions["caseapp.framework"]
    levels = [*framework.level_codes, None]
    now = utcnow()
    north, south = make_team("North Early Help Team"), make_team("South Early Help Team")
    manager = make_user("manager", team=north, name="Morgan Manager")
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=north)
    world = World(manager=manager, now=now)
    for number in range(families):
        # One family in four belongs to the South team: never counted.
        team: Team = south if number % 4 == 3 else north
        family = make_family(
            ("Ada", date(2015, 1, 1) + timedelta(days=number)),
            ("Ben", date(2019, 1, 1) + timedelta(days=number)),
            family_name=f"Family{number}",
            actor_user=coordinator,
        )
        if team is north:
            world.visible.add(family.id)
        # Some families had an earlier episode, closed at some point in the last 14 months.
        if rng.random() < 0.5:
            closed = make_episode(family, EpisodeStatus.CLOSED, team=team, actor_user=coordinator)
            closed.opened_at = _ago(now, rng, 900)
            closed.closed_at = _ago(now, rng, 430)
            world.episodes.append(_episode_row(closed))
        status = rng.choice(LEAD_STATUSES)
        has_lead = status is not EpisodeStatus.REQUESTED
        episode = make_episode(
            family,
            status,
            lead_worker=lead if has_lead else None,
            team=team,
            actor_user=coordinator,
        )
        episode.opened_at = _ago(now, rng, 500)
        if has_lead:
            episode.allocated_at = episode.opened_at + timedelta(days=rng.uniform(0, 60))
            if episode.allocated_at > now:
                episode.allocated_at = now - timedelta(hours=1)
        received = episode.opened_at - timedelta(hours=rng.uniform(0, 30))
        db.session.add(
            SupportRequest(
                episode_id=episode.id,
                family_id=family.id,
                received_at=received,
                received_via=ReceivedVia.PHONE,
                recorded_by_id=coordinator.id,
                referrer_name="A referrer",
                referrer_agency="A school",
                referrer_contact="01632 960 000",
                reason="Worries",
                consent_given=True,
                decision_due_at=received + timedelta(days=2),
            )
        )
        world.episodes.append(_episode_row(episode))
        if episode.allocated_at is not None:
            world.allocations.append(
                {"family_id": family.id, "received": received, "allocated": episode.allocated_at}
            )
        for member in db.session.scalars(
            select(FamilyMember).where(FamilyMember.family_id == family.id)
        ):
            if member.is_child:
                member.current_level_code = rng.choice(levels)
                world.children.append(
                    {"family_id": family.id, "level": member.current_level_code, "team": team.id}
                )
        _casework(world, rng, family.id, episode, lead)
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(list(RequestKind))
            status_ = rng.choice(
                [RequestStatus.APPROVED, RequestStatus.APPROVED, RequestStatus.DECLINED]
            )
            decided = _ago(now, rng, 420)
            db.session.add(
                LevelChangeRequest(
                    family_id=family.id,
                    episode_id=episode.id,
                    kind=kind,
                    target=RequestTarget.LEVEL,
                    status=status_,
                    rationale="Because",
                    requested_by_id=lead.id,
                    decided_by_id=manager.id,
                    decided_at=decided,
                )
            )
            world.requests.append(
                {"family_id": family.id, "kind": kind, "status": status_, "decided": decided}
            )
        db.session.commit()
    return world


def _episode_row(episode: Episode) -> dict:
    return {
        "id": episode.id,
        "family_id": episode.family_id,
        "status": episode.status,
        "opened": episode.opened_at,
        "allocated": episode.allocated_at,
        "closed": episode.closed_at,
    }


def _casework(
    world: World, rng: random.Random, family_id: int, episode: Episode, lead: User
) -> None:
    now, today = world.now, uk_today(world.now)
    for _ in range(rng.randint(0, 2)):
        held = rng.random() < 0.7
        at = _ago(now, rng, 120)
        agreed = uk_today(at) + timedelta(days=rng.randint(7, 80)) if rng.random() < 0.5 else None
        db.session.add(
            TafMeeting(
                family_id=family_id,
                episode_id=episode.id,
                kind=MeetingKind.REVIEW,
                status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
                at=at,
                next_meeting_on=agreed,
                scheduled_by_id=lead.id,
            )
        )
        world.meetings.append({"episode_id": episode.id, "held": held, "at": at, "agreed": agreed})
    if rng.random() < 0.5:
        completed = rng.random() < 0.5
        completed_at = _ago(now, rng, 30) if completed else None
        db.session.add(
            Assessment(
                family_id=family_id,
                episode_id=episode.id,
                number=1,
                status=AssessmentStatus.COMPLETED if completed else AssessmentStatus.DRAFT,
                started_by_id=lead.id,
                completed_by_id=lead.id if completed else None,
                completed_at=completed_at,
            )
        )
        world.assessments.append({"episode_id": episode.id, "completed_at": completed_at})
    for _ in range(rng.randint(0, 3)):
        due = today + timedelta(days=rng.randint(-20, 20))
        status = rng.choice(list(ActionStatus))
        db.session.add(
            PlanAction(
                family_id=family_id,
                episode_id=episode.id,
                description="Something",
                owner_name="Someone",
                due_on=due,
                status=status,
                created_by_id=lead.id,
            )
        )
        world.actions.append({"episode_id": episode.id, "due": due, "status": status})
    for _ in range(rng.randint(0, 2)):
        on = today - timedelta(days=rng.randint(0, 60))
        db.session.add(
            CaseNote(
                family_id=family_id,
                episode_id=episode.id,
                contact_on=on,
                contact_type=ContactType.HOME_VISIT,
                text="Visited",
                recorded_by_id=lead.id,
            )
        )
        world.notes.append({"family_id": family_id, "on": on})
    for _ in range(rng.randint(0, 2)):
        status = rng.choice(list(DisagreementStatus))
        resolve_by = now + timedelta(days=rng.uniform(-10, 10))
        db.session.add(
            Disagreement(
                family_id=family_id,
                parties="Two practitioners",
                disputed="A decision",
                resolve_by=resolve_by,
                status=status,
                raised_by_id=lead.id,
            )
        )
        world.disagreements.append(
            {"family_id": family_id, "status": status, "resolve_by": resolve_by}
        )
    if rng.random() < 0.5:
        on = today - timedelta(days=rng.randint(0, 200))
        db.session.add(
            OversightNote(
                family_id=family_id, oversight_on=on, summary="Reviewed", manager_id=lead.id
            )
        )
        world.oversight.append({"family_id": family_id, "on": on})


# --- the independent counts ------------------------------------------------------------------


def _month(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m}"


def _window_start(now: datetime) -> datetime:
    month, year = now.month - 11, now.year
    if month < 1:
        month, year = month + 12, year - 1
    return datetime(year, month, 1, tzinfo=UTC)


def expected_levels(world: World, north_id: int) -> Counter[str]:
    open_north = {
        row["family_id"] for row in world.episodes if row["closed"] is None
    } & world.visible
    counts: Counter[str] = Counter()
    for child in world.children:
        if child["family_id"] in open_north and child["team"] == north_id:
            counts[child["level"] or "none"] += 1
    return counts


def expected_monthly(world: World, kind: RequestKind) -> Counter[str]:
    start = _window_start(world.now)
    return Counter(
        _month(row["decided"])
        for row in world.requests
        if row["family_id"] in world.visible
        and row["kind"] is kind
        and row["status"] is RequestStatus.APPROVED
        and row["decided"] >= start
    )


def expected_closures(world: World) -> Counter[str]:
    start = _window_start(world.now)
    return Counter(
        _month(row["closed"])
        for row in world.episodes
        if row["family_id"] in world.visible and row["closed"] and row["closed"] >= start
    )


def expected_medians(world: World) -> dict[str, tuple[float, int]]:
    start = _window_start(world.now)
    by_month: dict[str, list[float]] = {}
    for row in world.allocations:
        if row["family_id"] in world.visible and row["allocated"] >= start:
            days = (row["allocated"] - row["received"]).total_seconds() / 86400
            by_month.setdefault(_month(row["allocated"]), []).append(days)
    return {month: (statistics.median(days), len(days)) for month, days in by_month.items()}


def expected_drift(world: World) -> dict[DriftKind, set[int]]:
    now, today = world.now, uk_today(world.now)
    drifting: dict[DriftKind, set[int]] = {kind: set() for kind in DriftKind}
    for episode in world.episodes:
        if episode["closed"] is not None or episode["family_id"] not in world.visible:
            continue
        family_id = episode["family_id"]
        if episode["opened"] < months_before(now, 12):
            drifting[DriftKind.OPEN_OVER_A_YEAR].add(family_id)
        if episode["status"] not in LEAD_WORKER_STATUSES or episode["allocated"] is None:
            continue
        held = [m for m in world.meetings if m["episode_id"] == episode["id"] and m["held"]]
        last = max(held, key=lambda m: m["at"]) if held else None
        completed = [
            a["completed_at"]
            for a in world.assessments
            if a["episode_id"] == episode["id"] and a["completed_at"]
        ]
        facts = EpisodeFacts(
            status=episode["status"],
            allocated_at=episode["allocated"],
            eha_completed_at=min(completed) if completed else None,
            last_taf_held_at=last["at"] if last else None,
            next_taf_agreed_on=last["agreed"] if last else None,
        )
        for deadline in episode_deadlines(facts, SETTINGS, now):
            if deadline.overdue and deadline.kind in (
                DeadlineKind.FIRST_TAF,
                DeadlineKind.TAF_REVIEW,
            ):
                drifting[DriftKind.TAF_REVIEW_OVERDUE].add(family_id)
            if deadline.overdue and deadline.kind is DeadlineKind.EHA:
                drifting[DriftKind.EHA_OVERDUE].add(family_id)
        if any(
            a["episode_id"] == episode["id"] and a["status"].is_open and a["due"] < today
            for a in world.actions
        ):
            drifting[DriftKind.ACTIONS_OVERDUE].add(family_id)
        window = today - timedelta(days=28)
        allocated_day = episode["allocated"].astimezone(UK_TIME).date()
        if allocated_day < window and not any(
            n["family_id"] == family_id and n["on"] >= window for n in world.notes
        ):
            drifting[DriftKind.NO_RECENT_CONTACT].add(family_id)
    return drifting


def expected_disagreements(world: World) -> Counter[str]:
    return Counter(
        "overdue" if row["resolve_by"] < world.now else "on_time"
        for row in world.disagreements
        if row["family_id"] in world.visible and row["status"] is DisagreementStatus.OPEN
    )


def expected_without_oversight(world: World) -> set[int]:
    since = uk_today(world.now) - timedelta(days=SETTINGS.oversight_days)
    open_families = {row["family_id"] for row in world.episodes if row["closed"] is None}
    overseen = {row["family_id"] for row in world.oversight if row["on"] >= since}
    return (open_families & world.visible) - overseen


# --- the tests ---------------------------------------------------------------------------------


def _dashboard(app: Flask, world: World) -> Dashboard:
    return manager_dashboard(
        Actor(world.manager), app.extensions["caseapp.framework"], SETTINGS, world.now
    )


def _listed(app: Flask, world: World, figure: str) -> tuple[int, list[int]]:
    """Every row of a figure's list, page by page: its total and the families named."""
    families: list[int] = []
    page_number, total = 1, 0
    while True:
        page = figure_families(
            Actor(world.manager),
            figure,
            page_number,
            5,
            app.extensions["caseapp.framework"],
            SETTINGS,
            world.now,
        )
        total = page.total
        families += [row.family_id for row in page.rows]
        if page_number >= page.pages:
            return total, families
        page_number += 1


def test_every_figure_matches_a_count_made_from_the_rows(app: Flask) -> None:
    world = build_world(app, families=24)
    north_id = db.session.scalar(select(Team.id).where(Team.name == "North Early Help Team"))
    dashboard = _dashboard(app, world)

    levels = expected_levels(world, north_id)
    assert sum(levels.values()) > 0
    assert {row.figure: row.value for row in dashboard.levels.rows} == {
        f"level:{bucket}": levels.get(bucket, 0)
        for bucket in [*app.extensions["caseapp.framework"].level_codes, "none"]
    }

    expected = {
        "step_up": expected_monthly(world, RequestKind.STEP_UP),
        "step_down": expected_monthly(world, RequestKind.STEP_DOWN),
        "closure": expected_closures(world),
    }
    for chart in dashboard.monthly:
        assert sum(expected[chart.id].values()) > 0, chart.id
        assert {row.figure.split(":")[1]: row.value for row in chart.rows if row.value} == dict(
            expected[chart.id]
        ), chart.id
        assert len(chart.rows) == 12

    medians = expected_medians(world)
    assert medians
    for row in dashboard.allocation.rows:
        month = row.figure.split(":")[1]
        median, count = medians.get(month, (0.0, 0))
        assert row.count == count, month
        assert row.value == round(median, 1), month

    drifting = expected_drift(world)
    assert any(drifting.values())
    assert {row.figure: row.value for row in dashboard.drift.rows} == {
        f"drift:{kind.value}": len(families) for kind, families in drifting.items()
    }

    disagreements = expected_disagreements(world)
    assert {row.figure: row.value for row in dashboard.disagreements.rows} == {
        "disagreement:overdue": disagreements["overdue"],
        "disagreement:on_time": disagreements["on_time"],
    }
    assert dashboard.oversight.value == len(expected_without_oversight(world))


def test_each_list_holds_exactly_the_rows_its_figure_counts(app: Flask) -> None:
    world = build_world(app, families=16, seed=11)
    dashboard = _dashboard(app, world)
    rows = [
        *dashboard.levels.rows,
        *(row for chart in dashboard.monthly for row in chart.rows),
        *dashboard.drift.rows,
        *dashboard.disagreements.rows,
        dashboard.oversight,
    ]
    for row in rows:
        total, families = _listed(app, world, row.figure)
        assert total == row.value == len(families), row.figure
        assert set(families) <= world.visible, row.figure
    for row in dashboard.allocation.rows:
        total, _ = _listed(app, world, row.figure)
        assert total == row.count, row.figure

    drifting = expected_drift(world)
    for kind, families in drifting.items():
        _, listed = _listed(app, world, f"drift:{kind.value}")
        assert set(listed) == families, kind
    _, listed = _listed(app, world, "oversight:none")
    assert set(listed) == expected_without_oversight(world)
    total, _ = _listed(app, world, "disagreement")
    assert total == sum(expected_disagreements(world).values())


def test_a_manager_without_a_team_sees_nothing(app: Flask) -> None:
    world = build_world(app, families=4)
    world.manager = make_user("manager")
    dashboard = _dashboard(app, world)
    assert dashboard.levels.total == 0
    assert dashboard.drift.total == 0
    assert dashboard.oversight.value == 0
    assert all(chart.total == 0 for chart in dashboard.monthly)


def test_the_figures_follow_the_moment_and_the_managers_team_on_every_visit(app: Flask) -> None:
    # The statements are built once for everyone with the same grants and kept: each
    # visit must still count at its own moment, and for the team the person has then.
    world = build_world(app, families=24)
    first = _dashboard(app, world)
    assert first.levels.total > 0 and all(chart.total > 0 for chart in first.monthly)

    world.now += timedelta(days=3 * 365)
    later = _dashboard(app, world)
    assert later.levels == first.levels
    assert all(chart.total == 0 for chart in later.monthly)
    assert later.drift.rows[-1].value == len(
        {row["family_id"] for row in world.episodes if row["closed"] is None} & world.visible
    )

    world.manager.team = make_team("East Early Help Team")
    db.session.commit()
    moved = _dashboard(app, world)
    assert moved.levels.total == 0 and moved.drift.total == 0


def _page_statements(client: FlaskClient, url: str) -> int:
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return len(statements)


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_the_page_takes_the_same_few_statements_however_many_families(app: Flask) -> None:
    counts = {"/manager": [], "/manager/families?figure=drift:open_over_a_year": []}
    world = build_world(app, families=3, seed=1)
    client = _signed_in(app, world.manager)
    for url in counts:
        counts[url].append(_page_statements(client, url))
    build_world(app, families=20, seed=2)
    for url in counts:
        counts[url].append(_page_statements(client, url))
    for url, (small, large) in counts.items():
        assert small == large, url
        assert small <= 15, url


def test_the_page_shows_each_figure_with_a_link_and_a_table(app: Flask) -> None:
    world = build_world(app, families=6, seed=3)
    client = _signed_in(app, world.manager)
    body = client.get("/manager").get_data(as_text=True)
    assert "<svg" in body and 'role="img"' in body
    for name in FIGURES:
        assert f"/manager/families?figure={name}" in body, name
    assert body.count('<table class="govuk-table app-chart-table">') == 5


def test_a_figure_list_page_and_its_fragment(app: Flask) -> None:
    world = build_world(app, families=6, seed=3)
    client = _signed_in(app, world.manager)
    url = "/manager/families?figure=level:none"
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Children at each level of need: No level recorded" in page
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="figure-list"' in fragment


def test_unknown_figures_are_not_found(app: Flask) -> None:
    world = build_world(app, families=1)
    client = _signed_in(app, world.manager)
    for figure in ["nothing", "level", "step_up:1999-01", "drift:bored", "oversight:x"]:
        response = client.get("/manager/families", query_string={"figure": figure})
        assert response.status_code == 404, figure
    response = client.get("/manager/families")
    assert response.status_code == 302 and response.location.endswith("/manager")


def test_the_chart_picture_escapes_its_words(app: Flask) -> None:
    # The picture writes its numbers unescaped, for speed; every word must still be escaped.
    hostile = '<script>alert("x")</script> & "Level"'
    chart = Chart(
        id='levels"><script>',
        title="Levels",
        value_heading="Children",
        rows=(ChartRow(hostile, 3, "level:x"), ChartRow("Universal", 1.5, "level:y")),
    )
    with app.test_request_context():
        macros = app.jinja_env.get_template("manager/_bar_chart.html").module
        drawn = str(macros.chart_svg(chart))
    assert "<script>" not in drawn
    assert "&lt;script&gt;" in drawn and "&amp;" in drawn and "&#34;Level&#34;" in drawn
    assert 'aria-labelledby="levels&#34;&gt;&lt;script&gt;-title"' in drawn
    assert ">1.5</text>" in drawn and ">3</text>" in drawn
