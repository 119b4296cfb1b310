"""Browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium.

One live server and one browser per session; every test gets a fresh browser context, so
no cookies or storage leak between tests, and the tables are emptied after each test.
Console errors (which include Chromium's reports of Content-Security-Policy
violations) and uncaught page exceptions fail the test that caused them.

Chromium is never downloaded: when /usr/bin/chromium is missing the tests skip, unless
CASEAPP_REQUIRE_BROWSER=1 (set by CI), where they fail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from caseapp.extensions import db
from caseapp.models import Agency, Team
from tests.browser.helpers import Account, PageProblems
from tests.conftest import build_app, empty_tables
from tests.factories import DEMO_TEST_PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "Debian's Chromium is not installed: apt-get install chromium chromium-driver; "
    "the browser tests were skipped"
)
REQUIRE_BROWSER = os.environ.get("CASEAPP_REQUIRE_BROWSER") == "1"
# The network is closed and we run as root: no sandbox, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


# --- the live server ------------------------------------------------------------------------


class _QuietRequestHandler(WSGIRequestHandler):
    """Keeps the access log out of failure reports; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp("browser-db")
    app = build_app(f"sqlite:///{directory / 'browser.sqlite3'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_app(live_server: LiveServer) -> Flask:
    return live_server.app


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(autouse=True)
def _empty_tables_after_each_test(live_server: LiveServer) -> Iterator[None]:
    yield
    empty_tables(live_server.app)


@pytest.fixture
def make_account(live_app: Flask) -> Callable[..., Account]:
    """Create a user in the live app's database; `agency`/`team` take names to create."""

    def make(*roles: str, agency: str | None = None, team: str | None = None, **fields: Any):
        with live_app.app_context():
            if agency is not None:
                fields["agency"] = Agency(name=agency, kind="council")
            if team is not None:
                fields["team"] = Team(name=team, locality="North")
            user = make_user(*roles, **fields)
            account = Account(
                email=user.email,
                password=str(fields.get("password", DEMO_TEST_PASSWORD)),
                name=user.name,
            )
            db.session.remove()
        return account

    return make


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"{CHROMIUM_MISSING} (CASEAPP_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _open_page(browser: Browser, **context_options: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, **context_options)
    context.set_default_timeout(5_000)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    try:
        yield page
    finally:
        context.close()
    if problems.messages:
        pytest.fail(
            "the browser reported problems:\n" + "\n".join(f"  - {m}" for m in problems.messages),
            pytrace=False,
        )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser)


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, java_script_enabled=False)
