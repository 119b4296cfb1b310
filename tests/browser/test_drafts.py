"""Never losing typed work, in Chromium: autosave, a timeout and back, a lost connection,
and the warning before the session ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import Draft
from tests.browser.helpers import Account, assert_accessible, screenshot, sign_in

TYPED = "Maisie has missed 12 days this term and seems tired in class."


def open_the_request_form(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request support").click()
    page.wait_for_load_state()


def reason(page: Page):
    return page.get_by_label("Why are you asking for support?")


def sign_in_here(page: Page, account: Account) -> None:
    """Sign in on the sign-in page the app sent us to, keeping where it will send us back."""
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@contextmanager
def sessions_end_at_once(live_app: Flask) -> Iterator[None]:
    """Any request after this comes from a session idle for too long."""
    previous = live_app.config["CASEAPP_SESSION_IDLE_MINUTES"]
    live_app.config["CASEAPP_SESSION_IDLE_MINUTES"] = 0
    try:
        time.sleep(1.1)
        yield
    finally:
        live_app.config["CASEAPP_SESSION_IDLE_MINUTES"] = previous


def go_offline(page: Page) -> None:
    # Once the page has finished loading (its favicon too), so only our saves fail.
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)


def draft_copies(page: Page) -> list[str]:
    names = page.evaluate("Object.keys(window.sessionStorage)")
    return [name for name in names if name.startswith("caseapp-draft:")]


def saved_reason(live_app: Flask) -> list[str]:
    with live_app.app_context():
        fields = db.session.scalar(select(Draft.fields))
        db.session.remove()
    return (fields or {}).get("reason", [])


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_typed_work_survives_a_session_timeout(
    request: pytest.FixtureRequest,
    base_url: str,
    live_app: Flask,
    make_account: Callable[..., Account],
    javascript: bool,
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    account = make_account("lead_worker", agency="Oakfield Primary School")
    sign_in(page, base_url, account.email, account.password)
    open_the_request_form(page)
    reason(page).fill(TYPED)
    if javascript:
        status = page.get_by_role("status").filter(has_text="Draft saved at")
        expect(status).to_be_visible()
        assert saved_reason(live_app) == [TYPED]
        assert_accessible(page)
        screenshot(page, "drafts-saved")

    with sessions_end_at_once(live_app):
        page.get_by_role("button", name="Send request").click()
        page.wait_for_load_state()
    expect(page.get_by_text("What you typed has been kept")).to_be_visible()

    sign_in_here(page, account)
    expect(page.get_by_text("We restored what you typed at")).to_be_visible()
    expect(reason(page)).to_have_value(TYPED)
    if javascript:
        assert_accessible(page)
    screenshot(page, f"drafts-restored-{'js' if javascript else 'nojs'}")

    page.get_by_role("button", name="Discard draft").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The draft was discarded.")).to_be_visible()
    expect(reason(page)).to_have_value("")
    assert saved_reason(live_app) == []


def test_work_typed_offline_is_saved_when_the_connection_returns(
    page: Page, base_url: str, live_app: Flask, make_account: Callable[..., Account]
) -> None:
    account = make_account("lead_worker", agency="Oakfield Primary School")
    sign_in(page, base_url, account.email, account.password)
    open_the_request_form(page)

    go_offline(page)
    reason(page).fill(TYPED)
    offline = page.get_by_role("status").filter(has_text="Not saved: you seem to be offline.")
    expect(offline).to_be_visible()
    assert saved_reason(live_app) == []
    assert_accessible(page)
    screenshot(page, "drafts-offline")

    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible()
    assert saved_reason(live_app) == [TYPED]
    assert draft_copies(page) == [], "the offline copy is gone once saved"


def test_work_typed_offline_is_forgotten_by_the_tab_at_sign_out(
    page: Page, base_url: str, make_account: Callable[..., Account]
) -> None:
    account = make_account("lead_worker", agency="Oakfield Primary School")
    sign_in(page, base_url, account.email, account.password)
    open_the_request_form(page)
    go_offline(page)
    reason(page).fill(TYPED)
    expect(page.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    assert draft_copies(page) == ["caseapp-draft:request-for-support"]
    assert page.evaluate("Object.keys(window.localStorage)") == []
    page.context.set_offline(False)
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert draft_copies(page) == []


def test_the_warning_before_the_session_ends(
    page: Page, base_url: str, live_app: Flask, make_account: Callable[..., Account]
) -> None:
    idle_minutes = live_app.config["CASEAPP_SESSION_IDLE_MINUTES"]
    account = make_account("lead_worker", agency="Oakfield Primary School")
    sign_in(page, base_url, account.email, account.password)
    page.clock.install()
    page.goto(f"{base_url}/requests/new")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward(f"{idle_minutes - 5}:01")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("you will be signed out in 5 minutes")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "drafts-session-warning")

    with page.expect_response("**/session/keep-alive") as kept:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()

    # Escape means the person is here too.
    page.clock.fast_forward(f"{idle_minutes - 5}:01")
    expect(dialog).to_be_visible()
    with page.expect_response("**/session/keep-alive"):
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Typing renews the session as the draft is saved, so no warning comes then.
    page.clock.fast_forward(f"{idle_minutes - 6}:00")
    reason(page).fill(TYPED)
    page.clock.fast_forward("00:02")
    expect(page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible()
    page.clock.fast_forward("02:00")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward(f"{idle_minutes}:01")
    ended = page.get_by_role("dialog", name="You have been signed out")
    expect(ended).to_be_visible()
    assert_accessible(page)
    screenshot(page, "drafts-session-ended")
    ended.get_by_role("link", name="Sign in again").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{base_url}/requests/new")
