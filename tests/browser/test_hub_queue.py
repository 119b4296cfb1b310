"""The Hub queue in a real browser: filtering and paging in place with htmx, the address bar
keeping the state, the back button, and the same work done without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from tests.browser.helpers import assert_accessible, expect_heading, screenshot, sign_in
from tests.factories import DEMO_TEST_PASSWORD, make_user
from tests.test_hub_queue import add_to_queue

SURNAMES = (
    "Abbott", "Acton", "Baker", "Barton", "Bell", "Banks", "Carr", "Dale", "Drew", "Eaton",
    "Fox", "Gale", "Hale", "Hunt", "Ives", "Jay", "Kemp", "Lane", "Lowe", "Marsh",
    "Nash", "Oakes", "Page", "Penn", "Quick", "Rowe", "Shaw", "Tate", "Vale", "Wade",
)  # fmt: skip
FAMILIES = len(SURNAMES)
STAGES = (EpisodeStatus.REQUESTED, EpisodeStatus.TRIAGE, EpisodeStatus.AWAITING_ALLOCATION)


@pytest.fixture
def coordinator_email(live_app: Flask) -> str:
    """A coordinator and a queue of 30 families: 10 at each Hub status, 3 of them urgent."""
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        now = datetime.now(UTC)
        for number, surname in enumerate(SURNAMES):
            add_to_queue(
                coordinator,
                surname,
                status=STAGES[number % 3],
                children=(("Sam", date(2015, 1, 1) + timedelta(days=number * 100)),),
                urgent=number in {4, 13, 22},
                due_at=now + timedelta(hours=6 * number - 40),
                received_at=now - timedelta(days=2),
            )
        email = coordinator.email
        db.session.remove()
    return email


def summary(page: Page) -> Locator:
    return page.locator("#queue-summary")


def test_filters_and_pages_swap_the_results_and_keep_the_address(
    page: Page, base_url: str, coordinator_email: str
) -> None:
    sign_in(page, base_url, coordinator_email, DEMO_TEST_PASSWORD)
    expect(page).to_have_url(f"{base_url}/hub")
    expect_heading(page, "Hub queue")
    expect(summary(page)).to_have_text(
        f"Showing 1 to 25 of {FAMILIES} families, urgent first, then by deadline"
    )
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(25)
    assert_accessible(page)
    screenshot(page, "hub-queue")
    # Set on this document: still there afterwards only if the page was never reloaded.
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Status").select_option("Awaiting allocation")
    expect(page).to_have_url(f"{base_url}/hub?status=allocation")
    expect(summary(page)).to_have_text("10 families, urgent first, then by deadline")
    expect(rows).to_have_count(10)

    search = page.get_by_label("Search by name or family reference")
    search.press_sequentially("BA", delay=30)
    # The typed name stays out of the address; only a token for it goes in.
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/hub\?status=allocation&s=[\w-]+$"))
    # Baker and Banks; Barton is awaiting a decision.
    expect(rows).to_have_count(2)
    expect(search).to_be_focused()
    expect(search).to_have_value("BA")

    page.get_by_role("link", name="Clear filters").first.click()
    expect(page).to_have_url(f"{base_url}/hub")
    page.evaluate("window.sameDocument = true")

    pages = page.get_by_role("navigation", name="Pages of the queue")
    pages.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(f"{base_url}/hub?page=2")
    expect(summary(page)).to_have_text(
        f"Showing 26 to {FAMILIES} of {FAMILIES} families, urgent first, then by deadline"
    )
    expect(rows).to_have_count(FAMILIES - 25)
    assert page.evaluate("window.sameDocument") is True
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(f"{base_url}/hub")
    expect(summary(page)).to_contain_text("Showing 1 to 25")

    # A bookmark of a filtered page shows the same list.
    page.goto(f"{base_url}/hub?urgent=y")
    expect(rows).to_have_count(3)
    expect(page.get_by_label("Urgent", exact=True)).to_be_checked()
    expect(page.locator("#queue-results")).to_contain_text("Urgent: significant harm suspected")


def test_the_figures_filter_the_queue(page: Page, base_url: str, coordinator_email: str) -> None:
    sign_in(page, base_url, coordinator_email, DEMO_TEST_PASSWORD)
    page.get_by_role("link", name="3 urgent").click()
    expect(page).to_have_url(f"{base_url}/hub?urgent=y")
    expect(page.locator("#queue-results tbody tr")).to_have_count(3)
    page.get_by_role("link", name=re.compile(r"^\d+ overdue$")).click()
    expect(page).to_have_url(f"{base_url}/hub?overdue=y")
    expect(page.locator("#queue-results .app-overdue").first).to_be_visible()


def test_filtering_and_paging_work_without_javascript(
    page_without_js: Page, base_url: str, coordinator_email: str
) -> None:
    page = page_without_js
    sign_in(page, base_url, coordinator_email, DEMO_TEST_PASSWORD)
    page.get_by_label("Status").select_option("Awaiting a decision")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/hub\?.*status=decision"))
    expect(summary(page)).to_have_text("20 families, urgent first, then by deadline")

    page.get_by_label("Status").select_option("Any status")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("navigation", name="Pages of the queue").get_by_role(
        "link", name="Page 2"
    ).click()
    expect(page).to_have_url(f"{base_url}/hub?page=2")
    expect(page.locator("#queue-results tbody tr")).to_have_count(FAMILIES - 25)
