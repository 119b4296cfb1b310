"""The browser harness itself: it must notice the problems it exists to catch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.helpers import PageProblems, assert_accessible


def test_a_content_security_policy_violation_is_caught(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        page.goto(f"{base_url}/sign-in")
        # An inline script: the app's CSP (script-src 'self') must refuse it, and say so.
        with page.expect_console_message(lambda message: message.type == "error"):
            page.evaluate(
                """() => {
                    const script = document.createElement("script");
                    script.textContent = "document.body.dataset.inline = 'ran'";
                    document.body.append(script);
                }"""
            )
        assert page.locator("body").get_attribute("data-inline") is None
    finally:
        context.close()
    assert any("Content Security Policy" in m for m in problems.messages), problems.messages


def test_an_accessibility_violation_is_caught(browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<!DOCTYPE html><html lang="en"><title>t</title>'
            '<main><h1>Broken</h1><img src="data:,"></main></html>'
        )
        with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
            assert_accessible(page)
    finally:
        context.close()
