"""Signing in and out in a real browser, and the accessibility of the pages on the way."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.helpers import (
    Account,
    assert_accessible,
    expect_heading,
    screenshot,
    sign_in,
    sign_out,
)

ROLE_HOMES = [
    ("lead_worker", "/caseload", "My caseload"),
    ("hub_coordinator", "/hub", "Hub queue"),
    ("manager", "/manager", "Manager's view"),
    ("admin", "/admin", "Administration"),
]
TITLE_END = " \N{EN DASH} Early Help case tracker"


def expect_sign_in_page(page: Page, base_url: str) -> None:
    expect(page).to_have_url(f"{base_url}/sign-in")
    expect_heading(page, "Sign in")


@pytest.mark.parametrize(("role", "home", "heading"), ROLE_HOMES, ids=[r[0] for r in ROLE_HOMES])
def test_each_role_signs_in_to_an_accessible_home_and_signs_out(
    page: Page,
    base_url: str,
    make_account: Callable[..., Account],
    role: str,
    home: str,
    heading: str,
) -> None:
    account = make_account(role, job_title="Family practitioner", agency="Northshire Council")
    sign_in(page, base_url, account.email, account.password)

    expect(page).to_have_url(f"{base_url}{home}")
    expect_heading(page, heading)
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name=heading, exact=True)).to_have_attribute("href", home)
    expect(page.get_by_role("banner")).to_contain_text(account.name)
    assert_accessible(page)

    sign_out(page)
    expect_sign_in_page(page, base_url)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{base_url}{home}")
    expect(page).to_have_url(f"{base_url}/sign-in?next={home}")


def test_the_sign_in_page_is_accessible(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/sign-in")
    expect_sign_in_page(page, base_url)
    expect(page).to_have_title(f"Sign in{TITLE_END}")
    assert_accessible(page)


def test_empty_sign_in_shows_an_accessible_error_summary_that_takes_focus(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute(
        "href", "#email"
    )
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute(
        "href", "#password"
    )
    # GOV.UK Frontend's ErrorSummary moves focus to the summary once it is set up.
    expect(summary).to_be_focused()
    expect(page).to_have_title(f"Error: Sign in{TITLE_END}")
    assert_accessible(page)

    # The summary's links take the person to the field to fix.
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()


def test_a_wrong_password_is_refused(
    page: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    account = make_account("lead_worker")
    sign_in(page, base_url, account.email, "not the password at all")

    expect(page).to_have_url(f"{base_url}/sign-in")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    expect(page.get_by_label("Email address")).to_have_value(account.email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert_accessible(page)


def test_signing_in_and_out_works_without_javascript(
    page_without_js: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    page = page_without_js
    account = make_account("hub_coordinator")
    sign_in(page, base_url, account.email, account.password)
    # Proof that no script ran: app.js would have marked the body as GOV.UK-supported.
    expect(page.locator("body")).not_to_have_class(re.compile(r"govuk-frontend-supported"))

    expect(page).to_have_url(f"{base_url}/hub")
    expect_heading(page, "Hub queue")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Hub queue")).to_be_visible()
    sign_out(page)
    expect_sign_in_page(page, base_url)


def test_the_accessibility_statement_is_accessible(
    page: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    # It is public: someone who cannot sign in must be able to read it too.
    response = page.goto(f"{base_url}/accessibility")
    assert_ok(response)
    expect_heading(page, "Accessibility statement")
    assert_accessible(page)

    account = make_account("lead_worker")
    sign_in(page, base_url, account.email, account.password)
    assert_ok(page.goto(f"{base_url}/accessibility"))
    assert_accessible(page)


def test_the_framework_page_is_accessible(
    page: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    account = make_account("lead_worker")
    sign_in(page, base_url, account.email, account.password)
    assert_ok(page.goto(f"{base_url}/framework"))
    expect(page.locator(".govuk-caption-l")).to_have_text("Threshold framework in force")
    assert_accessible(page)


def test_screenshots_for_a_person_to_review(
    page: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    """Writes /tmp/screens/*.png (outside the repo); look at them after a change to layout."""
    page.goto(f"{base_url}/sign-in")
    screenshot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    screenshot(page, "sign-in-errors")

    account = make_account(
        "lead_worker",
        "manager",
        name="Priya Raman-Oduya",
        job_title="Family support worker",
        agency="Northshire County Council",
    )
    sign_in(page, base_url, account.email, account.password)
    expect_heading(page, "My caseload")
    screenshot(page, "home-caseload")

    assert_ok(page.goto(f"{base_url}/framework"))
    screenshot(page, "framework")


def assert_ok(response: Response | None) -> None:
    assert response is not None, "the page gave no response"
    assert response.status == 200, f"{response.url} answered {response.status}"
