"""The manager's view, its figure lists, professional disagreements, management oversight
and a step-down from social care, in Chromium: with htmx (changes in place, no page load)
and without JavaScript, each page and each swap checked with axe-core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import FamilyMember
from caseapp.models.types import uk_today, utcnow
from tests.browser.helpers import assert_accessible, expect_heading, screenshot
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user


@dataclass(frozen=True)
class Setup:
    family_id: int
    manager_email: str
    lead_email: str
    coordinator_email: str


@pytest.fixture
def setup(live_app: Flask) -> Setup:
    with live_app.app_context():
        team = make_team()
        manager = make_user("manager", team=team, name="Morgan Lee")
        lead = make_user("lead_worker", team=team, name="Gemma Clarke")
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        levels = live_app.extensions["caseapp.framework"].level_codes
        family_id = 0
        for number, name in enumerate(["Turner", "Okoro", "Hughes", "Patel", "Novak"]):
            family = make_family(
                ("Maisie", date(2016 + number, 5, 3)),
                ("Leo", date(2020, 2, 10 + number)),
                family_name=name,
                actor_user=coordinator,
            )
            episode = make_episode(
                family,
                EpisodeStatus.PLAN_ACTIVE,
                lead_worker=lead,
                team=team,
                actor_user=coordinator,
            )
            episode.opened_at = utcnow() - timedelta(days=100 * number)
            episode.allocated_at = episode.opened_at + timedelta(days=3)
            for child in db.session.scalars(
                select(FamilyMember).where(
                    FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True)
                )
            ):
                child.current_level_code = levels[(number + child.id) % len(levels)]
            family_id = family_id or family.id
        db.session.commit()
        result = Setup(family_id, manager.email, lead.email, coordinator.email)
        db.session.remove()
    return result


def sign_in_to(page: Page, base_url: str, email: str, path: str) -> None:
    page.goto(f"{base_url}/sign-in?next={path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_manager_reads_the_figures_and_the_families_behind_one(
    page: Page, base_url: str, setup: Setup
) -> None:
    sign_in_to(page, base_url, setup.manager_email, "/manager")
    expect_heading(page, "Manager's view")
    expect(page.locator("svg.app-chart")).to_have_count(7)
    assert_accessible(page)
    screenshot(page, "manager/manager_view")
    drift = page.get_by_role("table", name="Families drifting: the numbers")
    drift.get_by_role("link", name="open over 12 months").click()
    page.wait_for_load_state()
    expect_heading(page, "Drift: Open over 12 months")
    expect(page.get_by_role("status")).to_contain_text("Showing 1 to 1 of 1")
    assert_accessible(page)
    screenshot(page, "manager/figure_list")


def test_a_disagreement_is_raised_escalated_and_resolved_in_place(
    page: Page, base_url: str, setup: Setup
) -> None:
    path = f"/families/{setup.family_id}/disagreements"
    sign_in_to(page, base_url, setup.lead_email, path)
    expect(page.get_by_role("heading", name="Professional disagreements")).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Who disagrees").fill("Gemma Clarke (lead worker), Sam Reed (school)")
    page.get_by_label("The decision and what is disputed").fill(
        "The Hub decided universal services; the school thinks targeted help is needed."
    )
    page.get_by_role("button", name="Record the disagreement").click()
    expect(page.get_by_role("status").first).to_contain_text("Disagreement recorded")
    expect(page.locator("#latest-events")).to_contain_text("Professional disagreement raised")
    assert_accessible(page)

    page.get_by_text("Escalate to stage 2").first.click()
    page.get_by_label("Why are you escalating it?").fill("Not settled between us.")
    page.get_by_role("button", name="Escalate to stage 2").click()
    expect(page.get_by_role("heading", name="Stage 2: open")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Escalated to stage 2.")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Record the resolution").first.click()
    page.get_by_label("How was it resolved?").fill("Agreed at the TAF: targeted help.")
    page.get_by_role("button", name="Record the resolution").click()
    expect(page.get_by_role("heading", name="Stage 2: resolved")).to_be_visible()
    expect(page.locator("#latest-events")).to_contain_text("disagreement resolved")
    assert page.evaluate("window.sameDocument") is True
    assert_accessible(page)
    screenshot(page, "manager/disagreements")


def test_a_disagreement_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    # axe-core needs JavaScript: these pages are checked by the tests above.
    page = page_without_js
    path = f"/families/{setup.family_id}/disagreements"
    sign_in_to(page, base_url, setup.lead_email, path)
    page.get_by_role("button", name="Record the disagreement").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who disagrees")
    page.get_by_label("Who disagrees").fill("Gemma Clarke, Sam Reed")
    page.get_by_label("The decision and what is disputed").fill("The level decided.")
    page.get_by_role("button", name="Record the disagreement").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Disagreement recorded")
    page.locator("summary", has_text="Record the resolution").click()
    page.get_by_label("How was it resolved?").fill("Talked it through.")
    page.get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Stage 1: resolved")).to_be_visible()


def test_the_manager_records_oversight_in_place(page: Page, base_url: str, setup: Setup) -> None:
    sign_in_to(page, base_url, setup.manager_email, f"/families/{setup.family_id}/oversight")
    assert_accessible(page)
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Summary").fill("Plan on track; TAF booked.")
    page.get_by_role("button", name="Record oversight").click()
    expect(page.get_by_role("status").first).to_contain_text("Oversight recorded.")
    expect(page.locator("#latest-events")).to_contain_text("Management oversight")
    assert page.evaluate("window.sameDocument") is True
    assert_accessible(page)
    screenshot(page, "manager/oversight")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_coordinator_records_a_step_down(
    request: pytest.FixtureRequest, base_url: str, setup: Setup, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    # axe-core needs JavaScript; the form is the same page either way.
    check = assert_accessible if javascript else (lambda page: None)
    sign_in_to(page, base_url, setup.coordinator_email, "/step-downs/new")
    expect_heading(page, "Record a step-down from social care")
    check(page)
    child = page.get_by_role("group", name="Child 1")
    child.get_by_label("Given name").fill("Maisie")
    child.get_by_label("Family name").fill("Turner")
    child.get_by_label("Day").fill("3")
    child.get_by_label("Month").fill("5")
    child.get_by_label("Year").fill("2016")
    page.get_by_label("Social care team").fill("Children in Need Team 2")
    page.get_by_label("Handover summary").fill("Risks reduced; needs help with routines.")
    page.get_by_label("Lead worker").select_option(
        label="Gemma Clarke (North Early Help Team), leads 5 open families"
    )
    taf = uk_today() + timedelta(days=7)
    meeting = page.get_by_role("group", name="Date of the step-down TAF meeting")
    meeting.get_by_label("Day").fill(str(taf.day))
    meeting.get_by_label("Month").fill(str(taf.month))
    meeting.get_by_label("Year").fill(str(taf.year))
    page.get_by_label("Time").fill("10am")
    page.get_by_role("button", name="Record the step-down").click()
    page.wait_for_load_state()
    # Maisie Turner is on record: the coordinator is asked which family this is.
    expect(page.get_by_role("heading", name="Check for this family")).to_be_visible()
    check(page)
    screenshot(page, "manager/step_down_matches")
    page.get_by_label("Turner family").check()
    page.get_by_role("button", name="Record the step-down").click()
    page.wait_for_load_state()
    # That family is already in early help: said so, and the matches are offered again.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "already has an open episode of early help"
    )
    check(page)
    page.get_by_label("None of these: add a new family").check()
    page.get_by_role("button", name="Record the step-down").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Step-down recorded for the Turner family"
    )
    check(page)
