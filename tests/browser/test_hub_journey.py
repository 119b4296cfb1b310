"""The Hub's whole journey in one browser session, as issue 3 describes it: a coordinator
records a request for two siblings, is shown the family the Hub already knows, links to
it, triages the children to different levels, allocates a lead worker; the lead worker
finds the family on their caseload, and the family timeline shows every step. It runs
with JavaScript and without."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from caseapp.extensions import db
from tests.browser.helpers import (
    Account,
    assert_accessible,
    expect_heading,
    sign_in,
    sign_out,
)
from tests.browser.test_requests import fill_carer, fill_child
from tests.factories import make_family, make_team


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_request_triage_allocation_and_caseload(
    request: pytest.FixtureRequest,
    base_url: str,
    live_app: Flask,
    make_account: Callable[..., Account],
    javascript: bool,
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    check = assert_accessible if javascript else (lambda page: None)
    with live_app.app_context():
        make_team()
        known = make_family(("John", date(2017, 3, 4)), family_name="Smith")
        reference = known.reference
        db.session.remove()
    coordinator = make_account("hub_coordinator")
    lead = make_account("lead_worker", name="Gemma Clarke", agency="Family Practitioner Service")

    # The coordinator records a request that came in by phone.
    sign_in(page, base_url, coordinator.email, coordinator.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request support").click()
    page.get_by_label("By phone").check()
    page.get_by_label("Referrer's name").fill("Jan Moss")
    page.get_by_label("Agency or organisation").fill("Oakfield Primary School")
    page.get_by_label("Phone number or email address").fill("01632 960123")
    fill_child(page, 0, "Jon", "Smyth", date(2017, 3, 4))
    fill_child(page, 1, "Amy", "Smith", date(2020, 11, 20))
    fill_carer(page, "Pat", "Smith", "Mother")
    page.get_by_label("Why are you asking for support?").fill(
        "Attendance has dropped and the children arrive hungry."
    )
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Who gave consent?").fill("Pat Smith, mother")
    page.get_by_role("button", name="Send request").click()

    # The duplicate check finds John Smith under the misspelt "Jon Smyth".
    expect_heading(page, "Check if the Hub already knows this family")
    card = page.get_by_role("region", name=f"Smith family {reference}")
    expect(card).to_contain_text("Similar name, same date of birth")
    check(page)
    card.get_by_role("button", name="Link to this family").click()
    expect_heading(page, "Smith family")

    # Triage from the Hub queue: the siblings get different levels.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hub queue").click()
    expect_heading(page, "Hub queue")
    check(page)
    page.get_by_role("link", name="Triage").first.click()
    expect_heading(page, "Triage the request for support")
    check(page)
    page.get_by_role("group", name="Level of need for John").get_by_label(
        "3. Targeted Early Help"
    ).check()
    page.get_by_role("group", name="Level of need for Amy").get_by_label("2. Earliest Help").check()
    john = page.get_by_role("region", name="John Smith")
    john.get_by_text("Parenting capacity", exact=True).click()
    john.get_by_label("Parent struggling to provide adequate care").check()
    page.get_by_label("Rationale for the decision").fill(
        "John's attendance needs a coordinated plan; Amy's needs can be met at nursery."
    )
    page.get_by_role("radio", name="Early help", exact=True).check()
    page.get_by_role("radio", name="Phone call").check()
    page.get_by_role("button", name="Record decision").click()

    # Allocation.
    expect_heading(page, "Allocate a lead worker")
    check(page)
    page.get_by_label("Name, team or agency").fill("gemma")
    page.get_by_role("button", name="Search").click()
    # With JavaScript the typed search also refreshes the list a moment later; choose only
    # once the list shows the search's result, or the refresh would clear the choice.
    expect(page.get_by_role("status")).to_contain_text("matching ‘gemma’")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Gemma Clarke").check()
    expect(page.get_by_label("Gemma Clarke")).to_be_checked()
    page.get_by_role("button", name="Allocate lead worker").click()
    expect(page.get_by_text("Allocated to Gemma Clarke")).to_be_visible()

    # The family page's timeline shows each step, newest first.
    expect_heading(page, "Smith family")
    check(page)
    timeline = page.locator(".app-timeline")
    for step in (
        "Request for support received",
        "Level of need decided",
        "Hub decision recorded",
        "Referrer told the outcome",
        "Lead worker assigned",
    ):
        expect(timeline).to_contain_text(step)
    sign_out(page)

    # The lead worker finds the family on their caseload at once.
    sign_in(page, base_url, lead.email, lead.password)
    expect_heading(page, "My caseload")
    expect(page.get_by_role("link", name="Smith family")).to_be_visible()
    check(page)
