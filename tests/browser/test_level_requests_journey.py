"""Issue 5's journey in a browser: a lead worker asks for a step down for one of two
siblings; a manager returns it for more information; the lead worker adds it and sends it
back; the manager approves. Only that child's level changes, the lead worker sees the
decision on their home page and the timeline shows every step. A manager cannot decide a
request of their own. With JavaScript (htmx, axe-core on every page and after each swap)
and without."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import FamilyMember
from tests.browser.helpers import Account, assert_accessible, screenshot, sign_in, sign_out
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.test_level_requests import World, add_progress


@dataclass(frozen=True)
class Cast:
    lead: Account
    manager: Account
    second_manager: Account
    family_id: int
    elder_id: int
    younger_id: int


def _account(*roles: str, **fields: object) -> Account:
    user = make_user(*roles, **fields)
    return Account(email=user.email, password=DEMO_TEST_PASSWORD, name=user.name)


def _cast(live_app: Flask) -> Cast:
    with live_app.app_context():
        team = make_team("North Early Help Team", "North")
        lead_user = make_user("lead_worker", team=team, name="Lena Lead")
        lead = Account(lead_user.email, DEMO_TEST_PASSWORD, lead_user.name)
        manager = _account("manager", team=team, name="Mo Manager")
        second = _account("manager", team=team, name="Nia Manager")
        family = make_family(
            ("Sam", date(2015, 3, 1)), ("Alex", date(2019, 6, 1)), family_name="Okafor"
        )
        episode = make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead_user, team=team)
        elder, younger = db.session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True))
            .order_by(FamilyMember.date_of_birth)
        ).all()
        elder.current_level_code = younger.current_level_code = "targeted_early_help"
        db.session.commit()
        # Two TAF reviews scoring Alex's outcome 3 then 8, and an action still open.
        add_progress(World(lead_user, lead_user, lead_user, family, episode, elder, younger))
        cast = Cast(lead, manager, second, family.id, elder.id, younger.id)
        db.session.remove()
    return cast


def _level_of(live_app: Flask, member_id: int) -> str | None:
    with live_app.app_context():
        level = db.session.get(FamilyMember, member_id).current_level_code
        db.session.remove()
    return level


def _decide(page: Page, choice: str, rationale: str, javascript: bool, check: Callable) -> None:
    page.get_by_label(choice).check()
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Record decision").click()
    if javascript:
        # The decision page swaps in place, with the outcome said first.
        expect(page.get_by_role("status").filter(has_text="will see your decision")).to_be_visible()
        check(page)
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("Review requests")
        expect(page.get_by_text("will see your decision on their home page")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_step_down_returned_resubmitted_and_approved(
    request: pytest.FixtureRequest, base_url: str, live_app: Flask, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    check = assert_accessible if javascript else (lambda page: None)
    cast = _cast(live_app)
    suffix = "js" if javascript else "nojs"

    # The lead worker asks for a step down for Alex only.
    sign_in(page, base_url, cast.lead.email, cast.lead.password)
    page.goto(f"{base_url}/families/{cast.family_id}/level-requests/new")
    check(page)
    page.get_by_role("link", name="Ask for a step down").click()
    expect(page.get_by_role("heading", name="Ask for a step down")).to_be_visible()
    check(page)
    screenshot(page, f"level-request-form-{suffix}")
    page.get_by_label("Another level of early help").check()
    page.get_by_role("group", name="Which children is this request for?").get_by_label(
        "Alex Okafor"
    ).check()
    page.get_by_role("group", name="Level you are asking for Alex").get_by_label(
        "2. Earliest Help"
    ).check()
    page.get_by_label("Rationale").fill("Attendance is back to 96% and mornings are calm.")
    page.get_by_role("button", name="Send to a manager").click()
    expect(page.get_by_text("Step down request sent. A manager will decide it.")).to_be_visible()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    check(page)
    sign_out(page)

    # A manager returns it for more information.
    sign_in(page, base_url, cast.manager.email, cast.manager.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review requests")
    check(page)
    screenshot(page, f"review-queue-{suffix}")
    page.get_by_role("link", name="Decide the step down request for the Okafor family").click()
    expect(page.get_by_role("heading", name="Decide the step down request")).to_be_visible()
    check(page)
    screenshot(page, f"review-decision-{suffix}")
    _decide(page, "Return for more information", "What does the school say?", javascript, check)
    sign_out(page)

    # The lead worker sees it returned on their home page, adds evidence and sends it back.
    sign_in(page, base_url, cast.lead.email, cast.lead.password)
    decisions = page.get_by_role("table").filter(has_text="Returned for more information")
    expect(decisions).to_contain_text("Okafor family")
    check(page)
    page.get_by_role("link", name="Add the information for the Okafor family").click()
    expect(page.get_by_text("What does the school say?").first).to_be_visible()
    check(page)
    page.get_by_label("Further information").fill("The school confirms 96% attendance.")
    page.get_by_role("button", name="Send back to the manager").click()
    expect(page.get_by_text("Further information sent.")).to_be_visible()
    check(page)
    sign_out(page)

    # The manager approves.
    sign_in(page, base_url, cast.manager.email, cast.manager.password)
    page.goto(f"{base_url}/reviews")
    expect(page.get_by_text("More information added")).to_be_visible()
    page.get_by_role("link", name="Decide the step down request for the Okafor family").click()
    expect(page.get_by_text("The school confirms 96% attendance.").first).to_be_visible()
    _decide(page, "Approve", "Good progress: earliest help is right for Alex.", javascript, check)
    assert _level_of(live_app, cast.younger_id) == "earliest_help"
    assert _level_of(live_app, cast.elder_id) == "targeted_early_help"
    sign_out(page)

    # The lead worker sees the decision; the timeline shows every step.
    sign_in(page, base_url, cast.lead.email, cast.lead.password)
    expect(page.get_by_role("table").filter(has_text="Approved")).to_contain_text("Okafor family")
    page.goto(f"{base_url}/families/{cast.family_id}/timeline")
    timeline = page.locator("main")
    for step in (
        "Step down for Alex to Earliest Help requested",
        "returned for more information by Mo Manager",
        "Step down request resubmitted with more information",
        "approved by Mo Manager",
        "Alex's level of need set from Targeted Early Help to Earliest Help",
    ):
        expect(timeline).to_contain_text(step)
    check(page)
    sign_out(page)


def test_a_manager_cannot_decide_their_own_request(
    page: Page, base_url: str, live_app: Flask
) -> None:
    cast = _cast(live_app)
    sign_in(page, base_url, cast.manager.email, cast.manager.password)
    page.goto(f"{base_url}/families/{cast.family_id}/level-requests/new?kind=step_down")
    page.get_by_label("Another level of early help").check()
    page.get_by_role("group", name="Which children is this request for?").get_by_label(
        "Sam Okafor"
    ).check()
    page.get_by_role("group", name="Level you are asking for Sam").get_by_label(
        "2. Earliest Help"
    ).check()
    page.get_by_label("Rationale").fill("Covering for the lead worker.")
    page.get_by_role("button", name="Send to a manager").click()
    expect(page.get_by_text("Step down request sent.")).to_be_visible()
    page.goto(f"{base_url}/reviews")
    expect(page.get_by_text("Another manager must decide")).to_be_visible()
    page.get_by_role("link", name="View the step down request for the Okafor family").click()
    expect(page.get_by_text("another manager must decide it")).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    assert_accessible(page)
