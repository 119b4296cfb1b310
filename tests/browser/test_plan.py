"""The family plan in a real browser: a lead worker adds an outcome and an action, changes
the action and marks it done, all in place (the Latest events panel keeps up, and the page
never reloads); and the same journey without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from caseapp.models.types import uk_today, utcnow
from tests.browser.helpers import assert_accessible, screenshot
from tests.browser.test_family_page import sign_in_to
from tests.factories import make_team, make_user
from tests.test_family_page import allocated_family


@dataclass(frozen=True)
class Setup:
    family_id: int
    lead_email: str

    @property
    def path(self) -> str:
        return f"/families/{self.family_id}/plan"


@pytest.fixture
def setup(live_app: Flask) -> Setup:
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah", team=make_team())
        family, _ = allocated_family(
            coordinator,
            lead,
            children=(("Maisie", date(2018, 5, 3)), ("Leo", date(2021, 2, 10))),
            allocated_at=utcnow() - timedelta(days=20),
        )
        result = Setup(family.id, lead.email)
    return result


def fill_date(group: Locator, day: date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def add_outcome(page: Page) -> None:
    form = page.locator("section.app-plan-new-outcome")
    form.get_by_label("Maisie Turner").check()
    form.get_by_label("What will be different?").fill("Maisie goes to school every day, on time")
    form.get_by_label("How will everyone know it has happened? (optional)").fill(
        "Attendance above 95% for the spring term"
    )
    form.get_by_label("Getting a good education").check()
    form.get_by_label("Improved family relationships").check()
    form.get_by_role("button", name="Add outcome").click()


def add_action(page: Page, due: date) -> None:
    outcome = page.locator("section.app-plan-outcome").filter(has_text="Maisie goes to school")
    outcome.get_by_text("Add an action").click()
    outcome.get_by_label("What will be done?").fill("Walk Maisie to school each morning")
    outcome.get_by_label("Who will do it?").fill("Pat Turner")
    outcome.get_by_label("Their agency or role (optional)").fill("Parent")
    fill_date(outcome.get_by_role("group", name="Date it will be done by"), due)
    outcome.get_by_role("button", name="Add action").click()


def action_row(page: Page) -> Locator:
    return page.locator("li.app-plan-action").filter(has_text="Walk Maisie to school")


def latest_events(page: Page) -> Locator:
    return page.locator("#latest-events")


def test_keeping_the_plan_in_place(page: Page, base_url: str, setup: Setup) -> None:
    sign_in_to(page, base_url, setup.lead_email, setup.path)
    expect(page.get_by_role("heading", name="Family plan")).to_be_visible()
    assert_accessible(page)
    # Set on this page only: a full page load would lose it.
    page.evaluate("window.__noReload = true")

    add_outcome(page)
    expect(page.get_by_role("status")).to_contain_text("Outcome added")
    expect(page.get_by_role("heading", name="For Maisie Turner")).to_be_visible()
    expect(latest_events(page)).to_contain_text("Plan outcome added")
    assert_accessible(page)

    due = uk_today() + timedelta(days=10)
    add_action(page, due)
    expect(page.get_by_role("status")).to_contain_text("Action added")
    expect(action_row(page)).to_contain_text("Pat Turner, Parent")
    expect(latest_events(page)).to_contain_text("Plan action added")
    assert_accessible(page)
    screenshot(page, "plans/plan_with_action")

    action_row(page).get_by_role("link", name="Change").click()
    editing = page.locator("li.app-plan-action--editing")
    expect(editing.get_by_role("heading", name="Change action")).to_be_focused()
    assert_accessible(page)
    # Cancel puts the row back as it was.
    editing.get_by_role("link", name="Cancel").click()
    expect(editing).to_have_count(0)
    expect(action_row(page)).to_contain_text("Not started")

    action_row(page).get_by_role("link", name="Change").click()
    editing.get_by_label("Who will do it?").fill("Gemma Clarke")
    editing.get_by_label("Their agency or role (optional)").fill("Oakfield Primary School")
    editing.get_by_label("In progress").check()
    screenshot(page, "plans/changing_an_action")
    editing.get_by_role("button", name="Save action").click()
    expect(action_row(page)).to_contain_text("Action updated")
    expect(action_row(page)).to_contain_text("Gemma Clarke, Oakfield Primary School")
    expect(action_row(page)).to_contain_text("In progress")
    expect(latest_events(page)).to_contain_text("Plan action updated")
    assert_accessible(page)

    action_row(page).get_by_role("button", name="Mark as done").click()
    expect(action_row(page)).to_contain_text("Marked as done")
    expect(action_row(page).locator(".govuk-tag")).to_have_text("Done")
    expect(action_row(page).get_by_role("button", name="Mark as done")).to_have_count(0)
    expect(latest_events(page)).to_contain_text("Plan action completed")
    assert_accessible(page)
    screenshot(page, "plans/action_done")

    assert page.evaluate("window.__noReload") is True

    # The page a browser without JavaScript uses to change an action.
    change_href = action_row(page).get_by_role("link", name="Change").get_attribute("href")
    page.goto(f"{base_url}{change_href}")
    expect(page.get_by_role("heading", name="Change an action")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plans/change_action_page")


def test_a_mistake_is_shown_on_the_form_in_place(page: Page, base_url: str, setup: Setup) -> None:
    sign_in_to(page, base_url, setup.lead_email, setup.path)
    page.evaluate("window.__noReload = true")
    form = page.locator("section.app-plan-new-outcome")
    form.get_by_role("button", name="Add outcome").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter what will be different")
    expect(summary).to_contain_text("Choose at least one headline outcome this serves")
    expect(summary).to_be_focused()
    assert_accessible(page)
    screenshot(page, "plans/outcome_errors")
    assert page.evaluate("window.__noReload") is True


def test_keeping_the_plan_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    page = page_without_js
    # axe needs JavaScript: these pages' markup is checked with it on in the tests above.
    sign_in_to(page, base_url, setup.lead_email, setup.path)
    add_outcome(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Outcome added")

    # Overdue already: agreed before it was typed in, so the date is before today.
    due = uk_today() - timedelta(days=2)
    add_action(page, due)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added")
    expect(action_row(page)).to_contain_text("Overdue")
    expect(action_row(page)).to_contain_text("(overdue)")
    screenshot(page, "plans/overdue_without_js")

    action_row(page).get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", name="Change an action")).to_be_visible()
    page.get_by_label("Who will do it?").fill("Gemma Clarke")
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action updated")
    expect(action_row(page)).to_contain_text("Gemma Clarke")

    action_row(page).get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Marked as done")
    expect(action_row(page).locator(".govuk-tag")).to_have_text("Done")
