"""Requesting support in a real browser, with and without JavaScript, checked by axe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from caseapp.extensions import db
from tests.browser.helpers import Account, assert_accessible, expect_heading, screenshot, sign_in
from tests.factories import make_family, make_team


def fill_child(page: Page, row: int, given: str, family: str, born: date) -> None:
    child = page.get_by_role("group", name=f"Child {row + 1}", exact=True)
    child.get_by_label("Given name").fill(given)
    child.get_by_label("Family name").fill(family)
    child.get_by_label("Day").fill(str(born.day))
    child.get_by_label("Month").fill(str(born.month))
    child.get_by_label("Year").fill(str(born.year))


def fill_carer(page: Page, given: str, family: str, relationship: str) -> None:
    carer = page.get_by_role("group", name="Parent or carer 1", exact=True)
    carer.get_by_label("Given name").fill(given)
    carer.get_by_label("Family name").fill(family)
    carer.get_by_label("Relationship to the children").fill(relationship)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_lead_worker_requests_support_and_sees_it_on_their_home_page(
    request: pytest.FixtureRequest,
    base_url: str,
    make_account: Callable[..., Account],
    javascript: bool,
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    account = make_account("lead_worker", agency="Oakfield Primary School")
    sign_in(page, base_url, account.email, account.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request support").click()
    expect_heading(page, "Request support for a family")
    expect(page.get_by_label("Referrer's name")).to_have_value(account.name)
    if javascript:
        assert_accessible(page)

    fill_child(page, 0, "Maisie", "Turner", date(2099, 1, 1))
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date of birth must be in the past")
    expect(summary).to_contain_text("Enter the reason for the request")
    expect(page).to_have_title("Error: Request support \N{EN DASH} Early Help case tracker")
    if javascript:
        assert_accessible(page)
        # The summary's link takes the reader to the field at fault.
        summary.get_by_role("link", name="Enter at least one parent or carer").click()
        expect(
            page.get_by_role("group", name="Parent or carer 1").get_by_label("Given name")
        ).to_be_focused()

    fill_child(page, 0, "Maisie", "Turner", date(2017, 6, 2))
    fill_child(page, 1, "Tom", "Turner", date(2020, 11, 20))
    fill_carer(page, "Sarah", "Turner", "Mother")
    page.get_by_label("Why are you asking for support?").fill("Maisie is often late.")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Who gave consent?").fill("Sarah Turner (mother)")
    page.get_by_role("button", name="Send request").click()

    expect_heading(page, "Turner family")
    expect(page.get_by_text("Waiting for the Hub's decision, due by")).to_be_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"requests-sent-{'js' if javascript else 'nojs'}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    requests = page.get_by_role("table", name="Your requests for support and the Hub's decisions")
    expect(requests).to_contain_text("Turner family")
    if javascript:
        assert_accessible(page)


def test_a_coordinator_links_a_request_to_the_family_already_known(
    page: Page, base_url: str, live_app: Flask, make_account: Callable[..., Account]
) -> None:
    with live_app.app_context():
        make_team()
        known = make_family(("John", date(2017, 3, 4)), family_name="Smith")
        reference = known.reference
        db.session.remove()
    account = make_account("hub_coordinator")
    sign_in(page, base_url, account.email, account.password)
    page.goto(f"{base_url}/requests/new")
    page.get_by_label("By phone").check()
    page.get_by_label("Referrer's name").fill("Jan Moss")
    page.get_by_label("Agency or organisation").fill("Health Visiting, North")
    page.get_by_label("Phone number or email address").fill("01632 960123")
    fill_child(page, 0, "Jon", "Smyth", date(2017, 3, 4))
    fill_carer(page, "Pat", "Smith", "Mother")
    page.get_by_label("Why are you asking for support?").fill("Health visitor worried.")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Who gave consent?").fill("Pat Smith")
    page.get_by_role("button", name="Send request").click()

    expect_heading(page, "Check if the Hub already knows this family")
    card = page.get_by_role("region", name=f"Smith family {reference}")
    expect(card).to_contain_text("Similar name, same date of birth")
    assert_accessible(page)
    screenshot(page, "requests-possible-duplicate")

    card.get_by_role("button", name="Link to this family").click()
    expect_heading(page, "Smith family")
    expect(page.get_by_text("waiting in the Hub queue")).to_be_visible()
    expect(page.get_by_text("John Smith, born 4 March 2017")).to_be_visible()
