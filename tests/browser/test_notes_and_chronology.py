"""A lead worker records a home visit and finds it in the chronology: with htmx (no page
load, the Latest events panel refreshes itself) and without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import FamilyMember
from caseapp.models.types import uk_today
from caseapp.services.timeline import add_timeline_event
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user

EVENTS = 30


@dataclass(frozen=True)
class Setup:
    family_id: int
    lead_email: str


@pytest.fixture
def setup(live_app: Flask) -> Setup:
    with live_app.app_context():
        coordinator = make_user("hub_coordinator", name="Tom Okafor")
        lead = make_user("lead_worker", name="Priya Shah")
        family = make_family(
            ("Maisie", date(2018, 5, 3)),
            ("Leo", date(2021, 2, 10)),
            family_name="Turner",
            actor_user=coordinator,
        )
        make_episode(
            family,
            EpisodeStatus.PLAN_ACTIVE,
            lead_worker=lead,
            team=make_team(),
            actor_user=coordinator,
        )
        maisie = db.session.scalar(
            select(FamilyMember.id).where(
                FamilyMember.family_id == family.id, FamilyMember.given_name == "Maisie"
            )
        )
        start = datetime.now(UTC) - timedelta(days=EVENTS + 2)
        kinds = (EventKind.MEETING_RECORDED, EventKind.ACTION_ADDED, EventKind.LEVEL_DECIDED)
        for number in range(EVENTS):
            add_timeline_event(
                family_id=family.id,
                kind=kinds[number % 3],
                summary=f"Earlier event {number:02d}",
                actor_id=coordinator.id,
                member_id=maisie if number % 3 == 2 else None,
                occurred_at=start + timedelta(days=number),
            )
        db.session.commit()
        result = Setup(family.id, lead.email)
        db.session.remove()
    return result


def sign_in_to(page: Page, base_url: str, email: str, path: str) -> None:
    page.goto(f"{base_url}/sign-in?next={path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def fill_note(page: Page, text: str) -> None:
    day = uk_today() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Home visit").check()
    page.get_by_label("Maisie Turner").check()
    page.get_by_label("What happened").fill(text)


def events(page: Page):
    return page.locator("ol.app-chronology > li:not(.app-timeline__more)")


def test_a_note_appears_in_the_list_and_latest_events_without_a_page_load(
    page: Page, base_url: str, setup: Setup
) -> None:
    sign_in_to(page, base_url, setup.lead_email, f"/families/{setup.family_id}/notes")
    expect(page.get_by_role("heading", name="Case notes", level=2)).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.__noReload = true")

    # A note with a problem comes back with its error, in place.
    page.get_by_label("Home visit").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what happened")
    assert_accessible(page)

    fill_note(page, "Saw Maisie at home. She has been at school every day this week.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Note saved")).to_be_visible()
    first_note = page.locator(".app-note").first
    expect(first_note).to_contain_text("She has been at school every day this week.")
    expect(first_note).to_contain_text("Seen: Maisie Turner")
    latest = page.locator("#latest-events")
    expect(latest).to_contain_text("Home visit on")
    expect(latest).to_contain_text("Seen: Maisie Turner.")
    assert page.evaluate("window.__noReload") is True
    # The form is empty again for the next note.
    expect(page.get_by_label("What happened")).to_have_value("")
    assert_accessible(page)
    screenshot(page, "notes/note_added")

    # The chronology: filters apply as they change, the URL keeps them.
    latest.get_by_role("link", name="Full chronology").click()
    expect(page.get_by_role("heading", name="Chronology", level=2)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "chronology/everything")
    page.evaluate("window.__noReload = true")
    # The family's own events (record, lead worker), the earlier ones and the note.
    total = 2 + EVENTS + 1
    expect(events(page)).to_have_count(25)
    page.get_by_role("link", name="Show more events").click()
    expect(events(page)).to_have_count(total)
    expect(events(page).nth(25)).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Case notes").check()
    expect(page.get_by_role("heading", name="1 event", exact=True)).to_be_visible()
    expect(events(page)).to_have_count(1)
    expect(events(page).first).to_contain_text("She has been at school every day")
    expect(page).to_have_url(re.compile(r"category=notes"))
    assert_accessible(page)
    page.get_by_label("Case notes").uncheck()
    page.get_by_label("Child", exact=True).select_option(label="Maisie Turner")
    expect(page.get_by_text("about Maisie Turner and the whole family")).to_be_visible()
    page.get_by_label("Leave out events about the whole family").check()
    # Maisie's own events: one level decision in three, and the note about her.
    expect(page.get_by_role("heading", name=f"{EVENTS // 3 + 1} events")).to_be_visible()
    page.get_by_label("Oldest first").check()
    expect(events(page).first).to_contain_text("Earlier event 02")
    assert page.evaluate("window.__noReload") is True
    assert_accessible(page)
    screenshot(page, "chronology/filtered")

    # Dates are checked when the form is sent.
    date_from = page.get_by_role("group", name="Date from")
    date_from.get_by_label("Day").fill("2")
    date_from.get_by_label("Month").fill("1")
    date_from.get_by_label("Year").fill(str(uk_today().year + 1))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date from must be today or in the past"
    )
    assert_accessible(page)
    date_from.get_by_label("Year").fill("")
    date_from.get_by_label("Month").fill("")
    date_from.get_by_label("Day").fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)

    # The printable chronology honours the filter, oldest first.
    page.get_by_role("link", name=re.compile("Printable chronology")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology: Turner family")
    rows = page.locator("table.app-chronology-print tbody tr")
    expect(rows).to_have_count(EVENTS // 3 + 1)
    expect(rows.first).to_contain_text("Earlier event 02")
    assert_accessible(page)
    screenshot(page, "chronology/print")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-template__header")).to_be_hidden()
    expect(page.locator(".app-chronology-print__running-head")).to_be_visible()
    screenshot(page, "chronology/print_media")


def test_notes_and_the_chronology_work_without_javascript(
    page_without_js: Page, base_url: str, setup: Setup
) -> None:
    page = page_without_js
    sign_in_to(page, base_url, setup.lead_email, f"/families/{setup.family_id}/notes")
    fill_note(page, "Phoned mum to arrange the TAF meeting.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Note saved")
    expect(page.locator(".app-note").first).to_contain_text("Phoned mum")
    expect(page.locator("#latest-events")).to_contain_text("Home visit on")

    page.goto(f"{base_url}/families/{setup.family_id}/chronology")
    expect(events(page)).to_have_count(25)
    page.get_by_role("link", name="Show more events").click()
    expect(page.get_by_text("Continuing after")).to_be_visible()
    page.goto(f"{base_url}/families/{setup.family_id}/chronology")
    page.get_by_label("TAF meetings").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name=f"{EVENTS // 3} events")).to_be_visible()
    expect(page).to_have_url(re.compile(r"category=meetings"))
