"""What the browser tests share: accounts, page problems, signing in and out, axe, screenshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Page, expect

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOT_DIR = Path("/tmp/screens")

_axe = Axe()


@dataclass(frozen=True)
class Account:
    """A person made in the live app's database, with what they sign in with."""

    email: str
    password: str
    name: str


@dataclass
class PageProblems:
    """Console errors and uncaught exceptions seen while a test drove a page."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url") or "unknown source"
        self.messages.append(f"console error: {message.text} (from {where})")

    def _on_page_error(self, error: Error) -> None:
        self.messages.append(f"uncaught exception: {error}")


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the GOV.UK form, as a person would: by the fields' labels."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every violation found."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    lines: list[str] = []
    for violation in results.response["violations"]:
        lines.append(
            f"  - {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      at {target}: {node['html'][:160]}")
    if lines:
        pytest.fail(f"axe found violations on {page.url}:\n" + "\n".join(lines), pytrace=False)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in /tmp/screens/ (never in the repo), for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
