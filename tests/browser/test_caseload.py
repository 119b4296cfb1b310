"""A lead worker's caseload of fifteen families in every state, with and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from caseapp.domain.casework import ActionStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import Assignment, Episode, FamilyMember, User
from caseapp.models.types import uk_today, utcnow
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment
from tests.browser.helpers import assert_accessible, expect_heading, screenshot, sign_in
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.test_caseload import _action, _complete_eha, _meeting


@dataclass(frozen=True)
class Setup:
    lead_email: str


def _family(
    name: str,
    coordinator: User,
    lead: User,
    children: tuple[tuple[str, date, str], ...],
    status: EpisodeStatus = EpisodeStatus.PLAN_ACTIVE,
    allocated_days_ago: int = 60,
) -> Episode:
    family = make_family(
        *((given, born) for given, born, _ in children),
        family_name=name,
        postcode="MF1 2AB",
        actor_user=coordinator,
    )
    members = {
        member.given_name: member
        for member in db.session.scalars(
            select(FamilyMember).where(FamilyMember.family_id == family.id)
        )
    }
    for given, _, level in children:
        members[given].current_level_code = level
    episode = make_episode(
        family, status, lead_worker=lead, team=make_team(), actor_user=coordinator
    )
    episode.allocated_at = utcnow() - timedelta(days=allocated_days_ago)
    db.session.execute(
        update(Assignment)
        .where(Assignment.episode_id == episode.id)
        .values(assigned_at=episode.allocated_at)
    )
    return episode


@pytest.fixture
def setup(live_app: Flask) -> Setup:
    """Fifteen families: overdue in each way, due soon, on time, with social care, and two
    given to the lead worker since their last visit."""
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah")
        colleague = make_user("lead_worker", name="Gemma Clarke")
        now, today = utcnow(), uk_today()
        eh, targeted = "earliest_help", "targeted_early_help"

        def family(
            name: str,
            *children: tuple[str, date, str],
            status: EpisodeStatus = EpisodeStatus.PLAN_ACTIVE,
            allocated_days_ago: int = 60,
        ) -> Episode:
            return _family(name, coordinator, lead, children, status, allocated_days_ago)

        def reviewed(episode: Episode, held_days_ago: int, next_in_days: int | None) -> None:
            _complete_eha(episode, lead, now - timedelta(days=held_days_ago + 10))
            next_on = today + timedelta(days=next_in_days) if next_in_days is not None else None
            _meeting(episode, lead, now - timedelta(days=held_days_ago), next_on=next_on)

        # The EHA is long overdue: nothing recorded since allocation.
        family("Turner", ("Maisie", date(2018, 5, 3), targeted), ("Leo", date(2021, 2, 10), eh))
        # The TAF review is three weeks late, and two actions are past their dates.
        kowalski = family("Kowalski", ("Zofia", date(2015, 2, 14), targeted))
        reviewed(kowalski, 63, -21)
        for days in (12, 5):
            _action(kowalski, lead, today - timedelta(days=days))
        # Three actions overdue; the review is on time.
        ahmed = family("Ahmed", ("Yusuf", date(2012, 9, 1), eh), ("Aisha", date(2016, 4, 2), eh))
        reviewed(ahmed, 14, 28)
        for days in (9, 9, 2):
            _action(ahmed, lead, today - timedelta(days=days))
        # The EHA is done but no TAF meeting has been held in seven weeks.
        okafor = family("Okafor", ("Chidi", date(2019, 11, 20), targeted), allocated_days_ago=50)
        _complete_eha(okafor, lead, now - timedelta(days=30))
        # A few days late with the EHA.
        family("Evans", ("Ffion", date(2014, 7, 7), eh), allocated_days_ago=24)
        # Due soon: the EHA in a working day or two, a review agreed for tomorrow, an action today.
        family("Nowak", ("Kasia", date(2017, 3, 30), eh), allocated_days_ago=19)
        patel = family("Patel", ("Arjun", date(2010, 1, 15), targeted))
        reviewed(patel, 41, 1)
        smith = family("Smith", ("Jack", date(2020, 8, 8), eh), ("Ruby", date(2023, 6, 1), eh))
        reviewed(smith, 10, 32)
        _action(smith, lead, today)
        # On time.
        family(
            "Hughes",
            ("Evie", date(2016, 10, 12), eh),
            status=EpisodeStatus.ALLOCATED,
            allocated_days_ago=2,
        )
        obrien = family("O'Brien", ("Sean", date(2011, 12, 3), targeted))
        obrien.urgent = True
        reviewed(obrien, 7, 35)
        walsh = family(
            "Walsh", ("Niamh", date(2013, 5, 5), eh), status=EpisodeStatus.CLOSURE_REQUESTED
        )
        reviewed(walsh, 20, 22)
        khan = family("Khan", ("Zara", date(2018, 2, 28), eh))
        reviewed(khan, 12, 30)
        _action(khan, lead, today + timedelta(days=20), ActionStatus.IN_PROGRESS)
        # With children's social care: nothing is owed to early help.
        family(
            "Begum",
            ("Rahim", date(2009, 6, 6), "statutory_specialist"),
            status=EpisodeStatus.STEPPED_UP,
        )

        # The lead worker last looked an hour ago; since then two families came to them.
        lead.caseload_seen_at = now - timedelta(hours=1)
        family(
            "Murphy",
            ("Aoife", date(2022, 1, 9), eh),
            status=EpisodeStatus.ALLOCATED,
            allocated_days_ago=0,
        )
        lewis = _family("Lewis", coordinator, colleague, (("Owen", date(2015, 9, 9), targeted),))
        reviewed(lewis, 50, -8)
        stage_assignment(Actor(coordinator), lewis, lead, "Gemma Clarke has left the team")
        db.session.commit()
        result = Setup(lead.email)
        db.session.remove()
    return result


def family_names(page: Page) -> list[str]:
    return page.locator("table.app-caseload tbody th a").all_inner_texts()


def test_the_caseload_puts_what_is_late_first_and_marks_what_is_new(
    page: Page, base_url: str, setup: Setup
) -> None:
    sign_in(page, base_url, setup.lead_email, DEMO_TEST_PASSWORD)
    expect_heading(page, "My caseload")
    names = family_names(page)
    assert len(names) == 15
    # The EHA allocated 60 days ago is the most overdue; nothing due comes last.
    assert names[0] == "Turner family" and names[-1] == "Begum family"
    assert (
        names.index("Kowalski family") < names.index("Patel family") < names.index("Hughes family")
    )

    figures = page.locator(".app-figures")
    expect(figures).to_contain_text("15 open families")
    expect(figures).to_contain_text("2 new to you since your last visit")
    banner = page.get_by_role("region", name="New to you")
    expect(banner).to_contain_text("2 families have been given to you since your last visit")
    # Most urgent first, like the table: the family handed over has a review overdue.
    expect(banner).to_contain_text("Lewis family and Murphy family.")
    expect(page.locator("table.app-caseload tbody tr.app-caseload__row--new")).to_have_count(2)
    kowalski = page.get_by_role("row").filter(has_text="Kowalski family")
    expect(kowalski).to_contain_text("TAF review meeting")
    expect(kowalski).to_contain_text("2 plan actions")
    assert_accessible(page)
    screenshot(page, "caseload/caseload")

    # The family page says the same about the review.
    kowalski.get_by_role("link", name="Kowalski family").click()
    expect_heading(page, "Kowalski family")
    deadlines = page.get_by_role("region", name="Deadlines")
    expect(deadlines).to_contain_text("TAF review meeting")
    expect(deadlines.locator(".app-overdue")).to_have_count(2)
    assert_accessible(page)
    screenshot(page, "caseload/family_deadlines")

    # That visit was the last one: back on the caseload nothing is new.
    page.goto(f"{base_url}/caseload")
    expect(page.locator(".app-figures")).to_contain_text("0 new to you since your last visit")
    expect(page.get_by_role("region", name="New to you")).to_have_count(0)
    expect(page.locator("tr.app-caseload__row--new")).to_have_count(0)
    assert_accessible(page)


def test_the_caseload_works_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    page = page_without_js
    sign_in(page, base_url, setup.lead_email, DEMO_TEST_PASSWORD)
    expect_heading(page, "My caseload")
    assert len(family_names(page)) == 15
    expect(page.get_by_role("region", name="New to you")).to_contain_text("Lewis family")
    page.get_by_role("link", name="Lewis family").click()
    expect_heading(page, "Lewis family")
    expect(page.get_by_role("region", name="Deadlines")).to_contain_text("TAF review meeting")
    # axe runs as a script, which this browser does not; the test above checks the markup.
