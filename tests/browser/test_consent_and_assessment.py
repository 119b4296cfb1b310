"""A lead worker records consent, then an EHA for two children over two sittings, and
completes it: every step in place, announced in the Latest events panel without a page
load. Then the same forms without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import FamilyMember, User
from caseapp.services.assessments import framework_sections, save_section
from caseapp.services.context import Actor
from tests.browser.helpers import assert_accessible, expect_heading, screenshot, sign_in, sign_out
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user

NO_RELOAD = "window.__noReload = 1"


@dataclass(frozen=True)
class Family:
    family_id: int
    lead_email: str
    lead_id: int
    maisie: int
    leo: int


@pytest.fixture
def family(live_app: Flask) -> Family:
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah", team=make_team())
        made = make_family(
            ("Maisie", date(2018, 5, 3)),
            ("Leo", date(2021, 2, 10)),
            family_name="Turner",
            actor_user=coordinator,
        )
        make_episode(
            made,
            EpisodeStatus.ALLOCATED,
            lead_worker=lead,
            team=make_team(),
            actor_user=coordinator,
        )
        children = {
            child.given_name: child.id
            for child in db.session.scalars(
                select(FamilyMember).where(
                    FamilyMember.family_id == made.id, FamilyMember.is_child.is_(True)
                )
            )
        }
        result = Family(made.id, lead.email, lead.id, children["Maisie"], children["Leo"])
        db.session.remove()
    return result


def latest_events(page: Page):
    return page.locator("#latest-events")


def still_the_same_page(page: Page) -> None:
    assert page.evaluate("window.__noReload") == 1


def save_section_in_place(page: Page, child: int, key: str, text: str) -> None:
    section = page.locator(f"#eha-{child}-{key}")
    for box in section.locator("textarea").all():
        box.fill(f"{text} ({box.get_attribute('name')})")
    section.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator(f"#eha-{child}-{key} .app-eha-section__notice")).to_contain_text(
        "saved for"
    )


def test_consent_then_an_eha_over_two_sittings(
    page: Page, base_url: str, family: Family, live_app: Flask
) -> None:
    framework: Framework = live_app.extensions["caseapp.framework"]
    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/consent")
    expect_heading(page, "Turner family")
    assert_accessible(page)
    page.evaluate(NO_RELOAD)

    # Consent, in place.
    page.get_by_label("Pat Turner").check()
    page.get_by_role("group", name="Are they a parent").get_by_label("Parent").check()
    page.get_by_label("Signed consent form").check()
    page.get_by_label("School or nursery").check()
    page.get_by_label("GP", exact=True).check()
    page.get_by_label("Anything the family asked not to be shared").fill(
        "Nothing about Pat's health."
    )
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".app-consent__notice")).to_have_text("Consent recorded")
    expect(page.locator(".app-consent__notice")).to_be_focused()
    expect(latest_events(page)).to_contain_text("Consent given by Pat Turner")
    still_the_same_page(page)
    assert_accessible(page)
    screenshot(page, "consent/recorded")

    # A form with problems comes back in place with its errors.
    page.get_by_text("Record new consent").click()
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who gave consent")
    still_the_same_page(page)
    assert_accessible(page)

    # The first sitting: start the EHA and answer a section.
    page.get_by_role("navigation", name="Sections of the family's record").get_by_role(
        "link", name="Assessment"
    ).click()
    expect(page.get_by_role("heading", name="Early Help Assessment", exact=True)).to_be_visible()
    assert_accessible(page)
    page.evaluate(NO_RELOAD)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".app-eha__notice")).to_contain_text("EHA 1 started")
    expect(latest_events(page)).to_contain_text("Early Help Assessment (EHA 1) started")
    expect(latest_events(page)).to_contain_text("Episode moved from Allocated to Assessment (EHA)")
    still_the_same_page(page)
    assert_accessible(page)
    section = page.locator(f"#eha-{family.maisie}-reason")
    section.get_by_label("Why does this child need early help now?").fill(
        "Attendance has fallen to 80% since September."
    )
    section.get_by_role("button", name=re.compile("^Save")).click()
    saved = page.locator(f"#eha-{family.maisie}-reason .app-eha-section__notice")
    expect(saved).to_have_text("Reason for the request saved for Maisie")
    expect(saved).to_be_focused()
    expect(page.locator(f"#eha-{family.maisie}-reason")).to_contain_text("Saved by Priya Shah")
    expect(latest_events(page)).to_contain_text("Reason for the request saved for Maisie")
    still_the_same_page(page)
    assert_accessible(page)
    screenshot(page, "assessment/first_sitting")

    # The second sitting: sign out and back in; the draft is as it was left.
    sign_out(page)
    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    reason = page.locator(f"#eha-{family.maisie}-reason")
    expect(reason.get_by_label("Why does this child need early help now?")).to_have_value(
        "Attendance has fallen to 80% since September."
    )
    expect(reason).to_contain_text("Answered")
    page.evaluate(NO_RELOAD)

    # Completing too early says exactly what is missing, with links to it.
    page.get_by_role("button", name="Complete EHA 1").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("You cannot complete the assessment yet")
    expect(summary.get_by_role("link")).to_have_count(15)
    assert_accessible(page)
    summary.get_by_role("link", name="Leo: answer ‘Analysis’").click()
    expect(page.locator(f"#c{family.leo}-analysis-analysis")).to_be_focused()

    for child in (family.maisie, family.leo):
        for section_def in framework_sections(framework):
            if (child, section_def.key) != (family.maisie, "reason"):
                save_section_in_place(page, child, section_def.key, f"{section_def.title}")
    assert_accessible(page)
    page.get_by_role("button", name="Complete EHA 1").click()
    expect(page.locator(".app-eha__notice")).to_contain_text("EHA 1 completed")
    expect(latest_events(page)).to_contain_text("EHA 1 completed for Maisie and Leo")
    expect(latest_events(page)).to_contain_text(
        "Episode moved from Assessment (EHA) to Plan active"
    )
    still_the_same_page(page)
    # Completed: read-only.
    expect(page.locator("#assessment-content textarea")).to_have_count(0)
    expect(page.get_by_role("heading", name="Start a reassessment")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "assessment/completed")


def fill_the_rest(live_app: Flask, family: Family, assessment_id: int) -> None:
    """Everything but Maisie's reason, through the service: the form is the same each time."""
    with live_app.app_context():
        framework: Framework = live_app.extensions["caseapp.framework"]
        actor = Actor(db.session.get(User, family.lead_id))
        for child in (family.maisie, family.leo):
            for section in framework_sections(framework):
                if (child, section.key) == (family.maisie, "reason"):
                    continue
                save_section(
                    actor,
                    family.family_id,
                    assessment_id,
                    child,
                    section.key,
                    0,
                    {question.key: "Answered" for question in section.questions},
                    framework,
                )
        db.session.remove()


def test_the_same_forms_without_javascript(
    page_without_js: Page, base_url: str, family: Family, live_app: Flask
) -> None:
    # axe-core needs JavaScript: these pages are checked by the journey above.
    page = page_without_js
    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/consent")
    page.get_by_role("button", name="Record consent").click()
    expect(page).to_have_title(re.compile("^Error: Consent"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who gave consent")
    page.get_by_label("Pat Turner").check()
    page.get_by_role("group", name="Are they a parent").get_by_label("Parent").check()
    page.get_by_label("By phone").check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Consent recorded")
    expect(page.get_by_role("heading", name=re.compile("Consent in place"))).to_be_visible()

    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("EHA 1 started")
    reason = page.locator(f"#eha-{family.maisie}-reason")
    reason.get_by_label("Why does this child need early help now?").fill("Attendance")
    reason.get_by_role("button", name=re.compile("^Save")).click()
    expect(page).to_have_url(re.compile(rf"/assessments/\d+#eha-{family.maisie}-reason$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Reason for the request saved for Maisie"
    )
    assessment_id = int(re.search(r"/assessments/(\d+)", page.url).group(1))
    page.get_by_role("button", name="Complete EHA 1").click()
    expect(page).to_have_title(re.compile("^Error: Early Help Assessment"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Leo: answer ‘Analysis’")

    fill_the_rest(live_app, family, assessment_id)
    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    page.get_by_role("button", name="Complete EHA 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("EHA 1 completed")
    expect(page.locator("#assessment-content textarea")).to_have_count(0)

    # Withdrawal, and the warning every section of the record then shows.
    page.goto(f"{base_url}/families/{family.family_id}/consent")
    page.get_by_text("The family has withdrawn consent").click()
    page.get_by_label("Their reason, if they gave one").fill("They want to manage on their own.")
    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.get_by_role("region", name="Consent withdrawn")).to_be_visible()
    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    expect(page.get_by_role("region", name="Consent withdrawn")).to_be_visible()
    expect(page.locator(".app-eha__start")).to_contain_text("The family withdrew consent on")
    screenshot(page, "assessment/withdrawn_no_js")
