"""Issue #4's journey end to end: a lead worker records consent, completes an EHA for two
children over two sittings, builds the plan, records a TAF meeting and adds a case note.

With JavaScript every change is made in place and the Latest events panel shows it without
a page load (a marker set on the window after each full navigation must survive the htmx
change). Without JavaScript the same forms post, redirect and show the event after the
redirect."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import FamilyMember
from caseapp.models.types import uk_today
from caseapp.services.assessments import framework_sections
from tests.browser.helpers import assert_accessible, screenshot, sign_in, sign_out
from tests.browser.test_consent_and_assessment import (
    NO_RELOAD,
    Family,
    latest_events,
    save_section_in_place,
    still_the_same_page,
)
from tests.browser.test_meetings import fill_date as fill_date_in_group
from tests.browser.test_notes_and_chronology import fill_note
from tests.browser.test_plan import action_row, add_action, add_outcome, fill_date
from tests.factories import DEMO_TEST_PASSWORD, make_team, make_user
from tests.test_family_page import allocated_family

CHILDREN = (("Maisie", date(2018, 5, 3)), ("Leo", date(2021, 2, 10)))
LEO_OUTCOME = "Leo settles at bedtime and sleeps through"
LEO_ACTION = "Set up a bedtime routine with Leo"
NOTE = "Saw Maisie at home. The plan is working and mornings are calmer."


@pytest.fixture
def family(live_app: Flask) -> Family:
    """The Turners, Maisie and Leo, allocated to Priya Shah."""
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah", team=make_team())
        made, _ = allocated_family(coordinator, lead, children=CHILDREN)
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


def go_to_section(page: Page, name: str) -> None:
    """Follow the section's link: a normal page load."""
    page.get_by_role("navigation", name="Sections of the family's record").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.locator("#section-content")).to_be_visible()
    page.wait_for_load_state()


def fill_consent(page: Page) -> None:
    page.get_by_label("Pat Turner").check()
    page.get_by_role("group", name="Are they a parent").get_by_label("Parent").check()
    page.get_by_label("Signed consent form").check()
    page.get_by_label("School or nursery").check()
    page.get_by_label("GP", exact=True).check()
    page.get_by_role("button", name="Record consent").click()


def save_section_without_js(page: Page, child: int, name: str, key: str, title: str) -> None:
    section = page.locator(f"#eha-{child}-{key}")
    for box in section.locator("textarea").all():
        box.fill(f"{title} ({box.get_attribute('name')})")
    section.get_by_role("button", name=re.compile("^Save")).click()
    expect(page).to_have_url(re.compile(rf"#eha-{child}-{key}$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{title} saved for {name}"
    )


def add_leos_outcome(page: Page) -> None:
    form = page.locator("section.app-plan-new-outcome")
    form.get_by_label("Leo Turner").check()
    form.get_by_label("What will be different?").fill(LEO_OUTCOME)
    form.get_by_label("Improved family relationships").check()
    form.get_by_role("button", name="Add outcome").click()


def add_leos_action(page: Page, due: date) -> None:
    outcome = page.locator("section.app-plan-outcome").filter(has_text=LEO_OUTCOME)
    outcome.get_by_text("Add an action").click()
    outcome.get_by_label("What will be done?").fill(LEO_ACTION)
    outcome.get_by_label("Who will do it?").fill("Priya Shah")
    fill_date(outcome.get_by_role("group", name="Date it will be done by"), due)
    outcome.get_by_role("button", name="Add action").click()


def arrange_meeting(page: Page) -> None:
    fill_date_in_group(page, "Date", uk_today())
    page.get_by_label("Time").fill("10am")
    page.get_by_label("Where").fill("Oakfield Primary School")
    page.get_by_role("button", name="Arrange meeting").click()


def fill_meeting_record(page: Page, next_on: date) -> None:
    first = page.get_by_role("group", name="Person 1", exact=True)
    first.get_by_label("Name").fill("Pat Turner")
    first.get_by_label("Agency or relationship").fill("Mother")
    page.get_by_label("The family's views").fill("Pat says mornings are calmer.")
    page.get_by_role("group", name=re.compile("^Outcome 1")).get_by_label("6", exact=True).check()
    page.get_by_role("group", name=re.compile("^Outcome 2")).get_by_label("4", exact=True).check()
    page.get_by_label("Decisions").fill("Keep the breakfast club place.")
    fill_date_in_group(page, "Date of the next meeting", next_on)


def show_every_event(page: Page) -> None:
    """Press "Show more events" until the whole chronology is on the page (in place)."""
    events = page.locator("ol.app-chronology > li:not(.app-timeline__more)")
    more = page.get_by_role("link", name="Show more events")
    while more.count():
        shown = events.count()
        more.click()
        expect(events).not_to_have_count(shown)
        assert_accessible(page)


def expect_event(latest: Locator, *texts: str | re.Pattern[str]) -> None:
    for text in texts:
        expect(latest).to_contain_text(text)


def test_the_lead_workers_whole_journey_updates_the_timeline_in_place(
    page: Page, base_url: str, family: Family, live_app: Flask
) -> None:
    framework: Framework = live_app.extensions["caseapp.framework"]
    sections = framework_sections(framework)
    first_sitting, second_sitting = sections[:2], sections[2:]
    children = ((family.maisie, "Maisie"), (family.leo, "Leo"))
    latest = latest_events(page)

    def changed_in_place(*texts: str | re.Pattern[str]) -> None:
        expect_event(latest, *texts)
        still_the_same_page(page)
        assert_accessible(page)

    def arrived() -> None:
        assert_accessible(page)
        page.evaluate(NO_RELOAD)

    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/consent")
    arrived()

    # Consent.
    fill_consent(page)
    expect(page.locator(".app-consent__notice")).to_have_text("Consent recorded")
    changed_in_place("Consent given by Pat Turner")

    # The first sitting: start the EHA and answer some of it for each child.
    go_to_section(page, "Assessment")
    arrived()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".app-eha__notice")).to_contain_text("EHA 1 started")
    changed_in_place("Early Help Assessment (EHA 1) started")
    for child, name in children:
        for section in first_sitting:
            save_section_in_place(page, child, section.key, section.title)
            changed_in_place(f"{section.title} saved for {name}")
    screenshot(page, "journey/eha_first_sitting")

    # The second sitting: the answers are kept; finish and complete.
    sign_out(page)
    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    for child, _ in children:
        expect(page.locator(f"#eha-{child}-{first_sitting[0].key}")).to_contain_text("Answered")
    arrived()
    for child, name in children:
        for section in second_sitting:
            save_section_in_place(page, child, section.key, section.title)
            changed_in_place(f"{section.title} saved for {name}")
    page.get_by_role("button", name="Complete EHA 1").click()
    expect(page.locator(".app-eha__notice")).to_contain_text("EHA 1 completed")
    changed_in_place(
        "EHA 1 completed for Maisie and Leo",
        "Episode moved from Assessment (EHA) to Plan active",
    )
    screenshot(page, "journey/eha_completed")

    # The plan: an outcome for each child, and an action towards each.
    go_to_section(page, "Plan")
    expect(page.get_by_role("heading", name="Family plan")).to_be_visible()
    arrived()
    add_outcome(page)
    expect(page.get_by_role("heading", name="For Maisie Turner")).to_be_visible()
    changed_in_place("Maisie goes to school every day, on time")
    add_leos_outcome(page)
    expect(page.get_by_role("heading", name="For Leo Turner")).to_be_visible()
    changed_in_place(LEO_OUTCOME)
    due = uk_today() + timedelta(days=14)
    add_action(page, due)
    expect(action_row(page)).to_contain_text("Pat Turner, Parent")
    changed_in_place("Walk Maisie to school each morning")
    add_leos_action(page, due)
    expect(page.locator("li.app-plan-action").filter(has_text=LEO_ACTION)).to_be_visible()
    changed_in_place(LEO_ACTION)
    screenshot(page, "journey/plan")

    # The TAF meeting: arranged, then recorded with scores and the next date.
    go_to_section(page, "TAF meetings")
    expect(page.get_by_text("No meeting is arranged.")).to_be_visible()
    arrived()
    arrange_meeting(page)
    expect(page.locator(".app-meeting-next")).to_contain_text("Oakfield Primary School")
    changed_in_place(re.compile(r"arranged for .*Oakfield Primary School"))
    page.get_by_role("button", name="Record this meeting").click()
    expect(page.get_by_role("heading", name=re.compile("^Record the"))).to_be_visible()
    arrived()
    next_on = uk_today() + timedelta(days=30)
    fill_meeting_record(page, next_on)
    screenshot(page, "journey/meeting_record_form")
    page.get_by_role("button", name="Record meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Meeting recorded. The next meeting is arranged for"
    )
    changed_in_place(f"Next meeting {next_on:%-d %B %Y}")
    screenshot(page, "journey/meeting_recorded")

    # A case note.
    go_to_section(page, "Case notes")
    arrived()
    fill_note(page, NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Note saved")).to_be_visible()
    changed_in_place("Home visit on", "Seen: Maisie Turner.")
    screenshot(page, "journey/note_added")

    # Every step is in the family's chronology.
    latest.get_by_role("link", name="Full chronology").click()
    arrived()
    show_every_event(page)
    chronology = page.locator("ol.app-chronology")
    for text in (
        "Consent given by Pat Turner",
        "EHA 1 completed for Maisie and Leo",
        "Maisie goes to school every day, on time",
        LEO_OUTCOME,
        LEO_ACTION,
        f"Next meeting {next_on:%-d %B %Y}",
        NOTE,
    ):
        expect(chronology).to_contain_text(text)
    still_the_same_page(page)
    assert_accessible(page)
    screenshot(page, "journey/chronology")


def test_the_same_journey_works_without_javascript(
    page_without_js: Page, base_url: str, family: Family, live_app: Flask
) -> None:
    # axe-core needs JavaScript: these pages are checked by the journey above.
    page = page_without_js
    framework: Framework = live_app.extensions["caseapp.framework"]
    sections = framework_sections(framework)
    first_sitting, second_sitting = sections[:2], sections[2:]
    children = ((family.maisie, "Maisie"), (family.leo, "Leo"))
    latest = latest_events(page)
    banner = page.locator(".govuk-notification-banner--success")

    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/consent")
    fill_consent(page)
    expect(banner).to_contain_text("Consent recorded")
    expect(latest).to_contain_text("Consent given by Pat Turner")

    go_to_section(page, "Assessment")
    page.get_by_role("button", name="Start the assessment").click()
    expect(banner).to_contain_text("EHA 1 started")
    expect(latest).to_contain_text("Early Help Assessment (EHA 1) started")
    for child, name in children:
        for section in first_sitting:
            save_section_without_js(page, child, name, section.key, section.title)
            expect(latest).to_contain_text(f"{section.title} saved for {name}")

    sign_out(page)
    sign_in(page, base_url, family.lead_email, DEMO_TEST_PASSWORD)
    page.goto(f"{base_url}/families/{family.family_id}/assessments")
    for child, _ in children:
        expect(page.locator(f"#eha-{child}-{first_sitting[0].key}")).to_contain_text("Answered")
    for child, name in children:
        for section in second_sitting:
            save_section_without_js(page, child, name, section.key, section.title)
            expect(latest).to_contain_text(f"{section.title} saved for {name}")
    page.get_by_role("button", name="Complete EHA 1").click()
    expect(banner).to_contain_text("EHA 1 completed")
    expect_event(
        latest,
        "EHA 1 completed for Maisie and Leo",
        "Episode moved from Assessment (EHA) to Plan active",
    )

    go_to_section(page, "Plan")
    add_outcome(page)
    expect(banner).to_contain_text("Outcome added")
    expect(latest).to_contain_text("Maisie goes to school every day, on time")
    add_leos_outcome(page)
    expect(banner).to_contain_text("Outcome added")
    expect(latest).to_contain_text(LEO_OUTCOME)
    due = uk_today() + timedelta(days=14)
    add_action(page, due)
    expect(banner).to_contain_text("Action added")
    expect(latest).to_contain_text("Walk Maisie to school each morning")
    add_leos_action(page, due)
    expect(banner).to_contain_text("Action added")
    expect(latest).to_contain_text(LEO_ACTION)

    go_to_section(page, "TAF meetings")
    arrange_meeting(page)
    expect(banner).to_contain_text("arranged for")
    expect(latest).to_contain_text(re.compile(r"arranged for .*Oakfield Primary School"))
    page.get_by_role("button", name="Record this meeting").click()
    next_on = uk_today() + timedelta(days=30)
    fill_meeting_record(page, next_on)
    page.get_by_role("button", name="Record meeting").click()
    expect(banner).to_contain_text("Meeting recorded. The next meeting is arranged for")
    expect(latest).to_contain_text(f"Next meeting {next_on:%-d %B %Y}")

    go_to_section(page, "Case notes")
    fill_note(page, NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Note saved")
    expect_event(latest, "Home visit on", "Seen: Maisie Turner.")

    # The chronology, newest first; the earliest steps are on the next page of it.
    page.goto(f"{base_url}/families/{family.family_id}/chronology")
    chronology = page.locator("ol.app-chronology")
    for text in (
        "EHA 1 completed for Maisie and Leo",
        LEO_OUTCOME,
        LEO_ACTION,
        f"Next meeting {next_on:%-d %B %Y}",
        NOTE,
    ):
        expect(chronology).to_contain_text(text)
    screenshot(page, "journey/chronology_without_js")
    page.get_by_role("link", name="Show more events").click()
    expect(page.get_by_text("Continuing after")).to_be_visible()
    expect(chronology).to_contain_text("Consent given by Pat Turner")
