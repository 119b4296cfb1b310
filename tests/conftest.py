"""Fixtures: a real app on a real database, on SQLite and on PostgreSQL.

Database tests run once per backend. PostgreSQL tests skip with a clear message when no
server answers, unless CASEAPP_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.test import TestResponse

from caseapp import create_app
from caseapp.extensions import db, limiter
from caseapp.models.audit_guard import install_statements, remove_statements
from tests.factories import DEMO_TEST_PASSWORD, make_user

POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("CASEAPP_REQUIRE_POSTGRES") == "1"


def _postgres_problem() -> str | None:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as error:
        return f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}"
    finally:
        engine.dispose()


def _run_on_server(statement: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def private_postgres_url() -> Iterator[str]:
    """A database of this run's own on the server, so parallel runs never collide."""
    problem = _postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{problem} (CASEAPP_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(f"{problem}; set TEST_DATABASE_URL to run the PostgreSQL tests")
    name = f"caseapp_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _run_on_server(f'DROP DATABASE IF EXISTS "{name}"')
    _run_on_server(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.engine.make_url(POSTGRES_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        _run_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in
    production. Otherwise requests would reuse the test's context: Flask-Login's cached
    user in `g` and the SQLAlchemy session would leak from one request, or client, to the
    next, and tests would pass that real traffic fails."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        self._end_test_transaction()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        self._end_test_transaction()
        return response

    @staticmethod
    def _end_test_transaction() -> None:
        # Commit what the test staged, and let it read afresh what the request committed.
        if has_app_context():
            db.session.commit()


def build_app(url: str, **overrides: object) -> Flask:
    config: dict[str, object] = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-production",
        "WTF_CSRF_ENABLED": False,
        "CASEAPP_FRAMEWORK": "staffordshire",
        "SERVER_NAME": None,
        # A cheap hash keeps sign-in fast in tests; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Every test signs in from 127.0.0.1; the throttling tests lower this themselves.
        "CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS": "10000 per minute",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def empty_tables(app: Flask) -> None:
    if has_app_context():
        # The caller's session may hold a read transaction that would block TRUNCATE.
        db.session.remove()
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(
                    sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                )
            else:
                # The audit trail's triggers refuse DELETE; a test's scratch rows are the
                # one thing that may go, so the guard is lifted for this and put back.
                for statement in remove_statements("sqlite"):
                    connection.execute(sa.text(statement))
                for table in tables:
                    connection.execute(sa.text(f"DELETE FROM {table}"))
                for statement in install_statements("sqlite"):
                    connection.execute(sa.text(statement))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    else:
        yield from private_postgres_url()


@pytest.fixture(scope="session")
def migrated_app(database_url: str) -> Iterator[Flask]:
    app = build_app(database_url)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    with migrated_app.app_context():
        yield migrated_app
        db.session.remove()
        limiter.reset()
    empty_tables(migrated_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def sign_in(self, email: str, password: str = DEMO_TEST_PASSWORD):
        return self._client.post("/sign-in", data={"email": email, "password": password})

    def sign_out(self):
        return self._client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def signed_in_as(client: FlaskClient, auth: AuthActions):
    """Create a user with the given roles and sign the test client in as them."""

    def sign_in(*roles: str, **fields: object):
        user = make_user(*roles, **fields)
        response = auth.sign_in(user.email)
        assert response.status_code == 302, "sign-in failed in a fixture"
        return user

    return sign_in


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which databases and browser the suite really ran on: a skip must not pass
    unnoticed in CI's output."""
    passed = [report.nodeid for report in terminalreporter.stats.get("passed", [])]
    sqlite = sum("[sqlite" in nodeid for nodeid in passed)
    postgresql = sum("[postgresql" in nodeid for nodeid in passed)
    browser = sum(nodeid.startswith("tests/browser/") for nodeid in passed)
    terminalreporter.write_line(
        f"caseapp: passed {sqlite} on SQLite, {postgresql} on PostgreSQL, {browser} in Chromium"
    )
