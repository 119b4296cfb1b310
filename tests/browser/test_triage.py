"""Triage and allocation in a real browser, with and without JavaScript, checked by axe."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import Agency, Episode, Team
from tests.browser.helpers import assert_accessible, expect_heading, screenshot, sign_in
from tests.factories import DEMO_TEST_PASSWORD, make_user
from tests.test_triage import MadeRequest, make_request


@dataclass(frozen=True)
class Scene:
    coordinator_email: str
    made: MadeRequest


@pytest.fixture
def scene(live_app: Flask) -> Scene:
    """A request about two siblings from a school, and lead workers in two agencies."""
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        north = Team(name="North Early Help Team", locality="North")
        south = Team(name="South Early Help Team", locality="South")
        make_user(
            "lead_worker",
            name="Gemma Clarke",
            team=north,
            agency=Agency(name="Family Practitioner Service", kind="council"),
        )
        make_user(
            "lead_worker",
            name="Daniel Price",
            team=south,
            agency=Agency(name="Health Visiting", kind="health"),
        )
        made = make_request()
        email = coordinator.email
        db.session.remove()
    return Scene(email, made)


def decide(page: Page, made: MadeRequest) -> None:
    page.get_by_role("group", name="Level of need for Maisie").get_by_label(
        "3. Targeted Early Help"
    ).check()
    page.get_by_role("group", name="Level of need for Leo").get_by_label("2. Earliest Help").check()
    maisie_card = page.get_by_role("region", name="Maisie Turner")
    maisie_card.get_by_text("Parenting capacity", exact=True).click()
    maisie_card.get_by_label("Parent struggling to provide adequate care").check()
    page.get_by_label("Rationale for the decision").fill(
        "Maisie's attendance and home routines need a coordinated plan; Leo's needs can be "
        "met by nursery with support."
    )
    page.get_by_role("radio", name="Early help", exact=True).check()
    page.get_by_role("radio", name="Phone call").check()
    page.get_by_role("button", name="Record decision").click()


def test_a_coordinator_triages_two_siblings_and_allocates_a_lead_worker(
    page: Page, base_url: str, scene: Scene
) -> None:
    sign_in(page, base_url, scene.coordinator_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/hub/episodes/{scene.made.episode_id}/triage")
    expect_heading(page, "Triage the request for support")
    page.get_by_role("button", name="Pick up this request").click()
    expect(page.get_by_text("Picked up by you")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_title("Error: Triage: Turner family – Early Help case tracker")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Select a level of need for Maisie",
            "Select a level of need for Leo",
            "Enter the rationale for your decision",
            "Select the outcome of triage",
            "Select how you told the referrer",
        ]
    )
    assert_accessible(page)
    screenshot(page, "triage-errors")

    decide(page, scene.made)
    expect_heading(page, "Allocate a lead worker")
    expect(page.get_by_text("Decision recorded: Early help.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name, team or agency").press_sequentially("south", delay=30)
    expect(page).to_have_url(
        f"{base_url}/hub/episodes/{scene.made.episode_id}/allocate?q=south&sort=name"
    )
    expect(page.get_by_role("status")).to_have_text(
        "Showing 1 to 1 of 1 lead worker matching ‘south’."
    )
    page.get_by_label("Daniel Price").check()
    screenshot(page, "triage-allocate")
    page.get_by_role("button", name="Allocate lead worker").click()
    expect(page).to_have_url(f"{base_url}/families/{scene.made.family_id}")
    expect(page.get_by_text("Allocated to Daniel Price")).to_be_visible()


def test_the_same_work_without_javascript(
    page_without_js: Page, base_url: str, scene: Scene
) -> None:
    page = page_without_js
    sign_in(page, base_url, scene.coordinator_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/hub/episodes/{scene.made.episode_id}/triage")
    expect(page.get_by_label("Route")).to_be_visible()
    decide(page, scene.made)
    expect_heading(page, "Allocate a lead worker")

    page.get_by_label("Name, team or agency").fill("gemma")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(
        f"{base_url}/hub/episodes/{scene.made.episode_id}/allocate?q=gemma&sort=name"
    )
    page.get_by_label("Gemma Clarke").check()
    page.get_by_role("button", name="Allocate lead worker").click()
    expect(page).to_have_url(f"{base_url}/families/{scene.made.family_id}")
    expect(page.get_by_text("Allocated to Gemma Clarke")).to_be_visible()


def test_taking_over_from_another_coordinator_is_a_deliberate_step(
    page: Page, base_url: str, live_app: Flask, scene: Scene
) -> None:
    with live_app.app_context():
        gemma = make_user("hub_coordinator", name="Priya Shah")
        episode = db.session.get(Episode, scene.made.episode_id)
        episode.status = EpisodeStatus.TRIAGE
        episode.triage_by_id = gemma.id
        db.session.commit()
        db.session.remove()
    sign_in(page, base_url, scene.coordinator_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/hub/episodes/{scene.made.episode_id}/triage")
    expect(page.get_by_text("Priya Shah is triaging this request")).to_be_visible()
    expect(page.get_by_label("Rationale for the decision")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Take over from Priya Shah").click()
    expect(page.get_by_text("Picked up by you")).to_be_visible()
