"""The family page's "show more" and family search, with and without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import FamilyMember
from caseapp.services.context import Actor
from caseapp.services.levels import stage_level_decision
from caseapp.services.timeline import add_timeline_event
from tests.browser.helpers import assert_accessible, expect_heading, screenshot
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user

EVENTS = 45


@dataclass(frozen=True)
class Setup:
    family_id: int
    lead_email: str
    coordinator_email: str


@pytest.fixture
def setup(live_app: Flask) -> Setup:
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah")
        family = make_family(
            ("Maisie", date(2018, 5, 3)),
            ("Leo", date(2021, 2, 10)),
            family_name="Turner",
            actor_user=coordinator,
        )
        episode = make_episode(
            family,
            EpisodeStatus.ALLOCATED,
            lead_worker=lead,
            team=make_team(),
            actor_user=coordinator,
        )
        framework: Framework = live_app.extensions["caseapp.framework"]
        for child in db.session.scalars(
            select(FamilyMember).where(
                FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True)
            )
        ):
            stage_level_decision(
                Actor(coordinator),
                framework,
                child,
                "earliest_help",
                "Emerging needs the school can meet with some support",
                ["eh-cd-01", "eh-pc-01"],
                episode=episode,
            )
        start = datetime.now(UTC) - timedelta(days=2)
        for number in range(EVENTS):
            add_timeline_event(
                family_id=family.id,
                kind=EventKind.EPISODE_STATUS_CHANGED,
                summary=f"Note {number:02d}",
                actor_id=coordinator.id,
                occurred_at=start - timedelta(hours=number // 4),
            )
        db.session.commit()
        result = Setup(family.id, lead.email, coordinator.email)
        db.session.remove()
    return result


def sign_in_to(page: Page, base_url: str, email: str, path: str) -> None:
    page.goto(f"{base_url}/sign-in?next={path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def timeline_items(page: Page):
    return page.locator("ol.app-timeline > li:not(.app-timeline__more)")


def test_show_more_appends_the_next_events_in_place(
    page: Page, base_url: str, setup: Setup
) -> None:
    path = f"/families/{setup.family_id}"
    sign_in_to(page, base_url, setup.lead_email, path)
    expect_heading(page, "Turner family")
    expect(timeline_items(page)).to_have_count(20)
    page.locator("details summary").first.click()
    assert_accessible(page)
    screenshot(page, "families/family_page")

    # Family created, lead worker assigned and a level for each of two children, then notes.
    total = 4 + EVENTS
    more_href = page.get_by_role("link", name="Show older events").get_attribute("href")
    page.get_by_role("link", name="Show older events").click()
    expect(timeline_items(page)).to_have_count(40)
    expect(page).to_have_url(f"{base_url}{path}")
    # Focus moves to the first new event, so keyboard users carry on from there.
    expect(timeline_items(page).nth(20)).to_be_focused()
    page.get_by_role("link", name="Show older events").click()
    expect(timeline_items(page)).to_have_count(total)
    expect(page.get_by_role("link", name="Show older events")).to_have_count(0)
    texts = timeline_items(page).locator(":scope > :nth-child(3)").all_inner_texts()
    assert len(set(texts)) == total
    notes = [text for text in texts if text.startswith("Episode status changed: Note")]
    # Older hour by hour; within an hour (a tie), the later-recorded event first.
    newest_first = sorted(range(EVENTS), key=lambda n: (n // 4, -n))
    assert notes == [f"Episode status changed: Note {n:02d}" for n in newest_first]
    assert_accessible(page)

    # The page a browser without JavaScript goes to instead.
    page.goto(f"{base_url}{more_href}")
    expect_heading(page, "Earlier timeline events")
    expect(timeline_items(page)).to_have_count(20)
    assert_accessible(page)


def test_show_more_is_a_link_to_the_next_page_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    page = page_without_js
    sign_in_to(page, base_url, setup.lead_email, f"/families/{setup.family_id}")
    expect(timeline_items(page)).to_have_count(20)
    page.get_by_role("link", name="Show older events").click()
    expect_heading(page, "Earlier timeline events")
    expect(timeline_items(page)).to_have_count(20)
    expect(page.get_by_role("link", name="Show older events")).to_be_visible()


def test_search_updates_as_you_type_and_keeps_the_search_out_of_the_url(
    page: Page, base_url: str, setup: Setup
) -> None:
    sign_in_to(page, base_url, setup.coordinator_email, "/families/search")
    expect_heading(page, "Find a family")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).press_sequentially("mai tur", delay=30)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Turner family")).to_be_visible()
    expect(page.locator("#search-status")).to_have_text("1 family found")
    # The address names the search by a token: what was typed stays out of history.
    expect(page).to_have_url(re.compile(r"/families/search\?s=[\w-]+$"))
    screenshot(page, "families/search_results")
    assert_accessible(page)

    postcode = page.get_by_label("Postcode", exact=True)
    postcode.press_sequentially("ZZ1")
    expect(results.get_by_role("heading", name="No families found")).to_be_visible()
    postcode.fill("")
    postcode.press("Backspace")
    expect(results.get_by_role("link", name="Turner family")).to_be_visible()
    page.get_by_label("Day", exact=True).press_sequentially("3")
    expect(results.get_by_text("Date of birth must include a month and year")).to_be_visible()
    assert_accessible(page)


def test_search_works_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    page = page_without_js
    sign_in_to(page, base_url, setup.lead_email, "/families/search")
    page.get_by_label("Day", exact=True).fill("3")
    page.get_by_label("Month", exact=True).fill("5")
    page.get_by_label("Year", exact=True).fill("2018")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Turner family")).to_be_visible()
    page.get_by_label("Year", exact=True).fill("18")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_title("Error: Find a family – Early Help case tracker")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Year must include 4 numbers")
    assert "2018" not in page.url
    screenshot(page, "families/search_errors")
