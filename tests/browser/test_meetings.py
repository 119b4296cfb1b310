"""A lead worker arranges a TAF meeting, records it (people, a member of staff found by
name, scores for two outcomes, the next date) and sees the distance travelled: with
JavaScript, where htmx swaps each step in place and the latest events follow without a
page load, and without it, where every step is a plain form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import User
from caseapp.models.types import uk_today
from tests.browser.helpers import Account, assert_accessible, screenshot, sign_in
from tests.factories import make_episode, make_family, make_team
from tests.test_meetings import Case, add_outcome, hold_meetings

NO_RELOAD = "window.__noReload = true"
STILL_NO_RELOAD = "window.__noReload === true"


@dataclass(frozen=True)
class Setup:
    family_id: int
    lead: Account


@pytest.fixture
def setup(live_app: Flask, make_account: Callable[..., Account]) -> Setup:
    lead = make_account("lead_worker", name="Priya Shah", agency="Family Practitioner Service")
    make_account("lead_worker", name="Gemma Clarke", agency="Moorford Health")
    with live_app.app_context():
        user = db.session.query(User).filter_by(email=lead.email).one()
        family = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
        episode = make_episode(
            family, EpisodeStatus.PLAN_ACTIVE, lead_worker=user, team=make_team()
        )
        outcomes = tuple(
            add_outcome(episode, user, text).id
            for text in ("Maisie goes to school every day", "Pat sleeps through the night")
        )
        # The first TAF meeting, held in the spring, scored both outcomes.
        hold_meetings(Case(family.id, episode.id, user, outcomes), [(3, 2)], date(2026, 4, 13))
        result = Setup(family.id, lead)
        db.session.remove()
    return result


def fill_date(page: Page, group: str, day: date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def expect_no_reload(page: Page, javascript: bool) -> None:
    if javascript:
        assert page.evaluate(STILL_NO_RELOAD), "the page was loaded again"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_arrange_record_and_see_the_distance_travelled(
    request: pytest.FixtureRequest, base_url: str, setup: Setup, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    check = assert_accessible if javascript else (lambda page: None)
    latest = page.locator("#latest-events")
    sign_in(page, base_url, setup.lead.email, setup.lead.password)
    page.goto(f"{base_url}/families/{setup.family_id}/meetings")
    expect(page.get_by_text("No meeting is arranged.")).to_be_visible()
    check(page)
    if javascript:
        page.evaluate(NO_RELOAD)

    # Arrange the review for today.
    fill_date(page, "Date", uk_today())
    page.get_by_label("Time").fill("10am")
    page.get_by_label("Where").fill("Oakfield Primary School")
    page.get_by_role("button", name="Arrange meeting").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("TAF review arranged for")
    expect(latest).to_contain_text("TAF review arranged for")
    expect_no_reload(page, javascript)
    check(page)

    # The time changes: moved in place, and the chronology says so.
    page.get_by_role("link", name=re.compile("^Move or cancel")).click()
    expect(page.get_by_role("heading", name="Move or cancel the TAF review")).to_be_visible()
    check(page)
    screenshot(page, f"meetings-change-{request.node.callspec.id}")
    if javascript:
        page.evaluate(NO_RELOAD)
    page.get_by_label("Time").fill("11am")
    page.get_by_role("button", name="Save changes").click()
    expect(banner).to_contain_text("Meeting moved to")
    expect(page.locator(".app-meeting-next")).to_contain_text(" at 11am")
    expect(latest).to_contain_text("TAF review moved to")
    expect_no_reload(page, javascript)
    check(page)

    page.get_by_role("button", name="Record this meeting").click()
    expect(page.get_by_role("heading", name="Record the TAF review")).to_be_visible()
    check(page)
    if javascript:
        page.evaluate(NO_RELOAD)
    first = page.get_by_role("group", name="Person 1", exact=True)
    first.get_by_label("Name").fill("Pat Turner")
    first.get_by_label("Agency or relationship").fill("Mother")
    second = page.get_by_role("group", name="Person 2", exact=True)
    second.get_by_label("Name").fill("Jane Hollis")
    second.get_by_label("Agency or relationship").fill("Oakfield Primary School")
    second.get_by_label("Sent apologies").check()

    # A member of staff, found by name, joins the family's TAF.
    page.get_by_label("Find a member of staff by name").fill("gemma")
    page.get_by_role("button", name="Find staff").click()
    page.get_by_role("button", name="Add Gemma Clarke").click()
    third = page.get_by_role("group", name=re.compile("^Person 3"))
    expect(third.get_by_label("Name")).to_have_value("Gemma Clarke")
    expect(third).to_contain_text("TAF member")
    expect(
        page.get_by_role("group", name="Person 2", exact=True).get_by_label("Name")
    ).to_have_value("Jane Hollis")
    check(page)
    page.get_by_role("button", name="Add another person").click()
    fifth = page.get_by_role("group", name="Person 5", exact=True)
    expect(fifth.get_by_label("Name")).to_be_focused()
    expect_no_reload(page, javascript)
    check(page)

    page.get_by_label("The family's views").fill("Pat says mornings are calmer.")
    page.get_by_label("The child's views").fill("Maisie likes her new teacher.")
    # Recorded without scores: every problem is listed, nothing typed is lost.
    page.get_by_role("button", name="Record meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Score progress towards outcome 1")
    if javascript:  # GOV.UK Frontend moves the focus to the summary
        expect(summary).to_be_focused()
    expect(page.get_by_label("The family's views")).to_have_value("Pat says mornings are calmer.")
    expect_no_reload(page, javascript)
    check(page)
    page.get_by_role("group", name=re.compile("^Outcome 1")).get_by_label("7", exact=True).check()
    page.get_by_role("group", name=re.compile("^Outcome 2")).get_by_label("5", exact=True).check()
    page.get_by_label("Decisions").fill("Keep the breakfast club place.")
    screenshot(page, f"meetings-record-{request.node.callspec.id}")
    page.get_by_role("button", name="Record meeting").click()

    expect(banner).to_contain_text("Meeting recorded. The next meeting is arranged for")
    expect(page.get_by_role("cell", name="Gemma Clarke")).to_be_visible()
    expect(latest).to_contain_text("TAF meeting recorded")
    expect_no_reload(page, javascript)
    check(page)

    page.get_by_role("link", name="All TAF meetings").click()
    charts = page.get_by_role("img", name=re.compile("^Distance travelled"))
    expect(charts).to_have_count(2)
    expect(page.locator("figure").first).to_contain_text(
        re.compile(r"From 3 on 13 April 2026 to 7 on .* over 2 meetings: up 4\.")
    )
    page.get_by_text("Scores as a table").first.click()
    expect(page.get_by_role("cell", name="7", exact=True).first).to_be_visible()
    check(page)
    screenshot(page, f"meetings-index-{request.node.callspec.id}")
