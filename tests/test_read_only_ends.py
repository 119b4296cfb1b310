"""A request that only read ends with COMMIT, keeping PostgreSQL's prepared statements;
one that changed anything without committing it is still rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text, update

from caseapp.extensions import db
from caseapp.models import Family
from tests.factories import make_family


@pytest.fixture
def endings(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def committed(*_: Any) -> None:
        seen.append("commit")

    def rolled_back(*_: Any) -> None:
        seen.append("rollback")

    event.listen(db.engine, "commit", committed)
    event.listen(db.engine, "rollback", rolled_back)
    yield seen
    event.remove(db.engine, "commit", committed)
    event.remove(db.engine, "rollback", rolled_back)


def _family_name(app: Flask, family_id: int) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Family.name).where(Family.id == family_id))


def test_a_page_that_only_reads_ends_without_a_rollback(
    client: FlaskClient, signed_in_as: Any, endings: list[str]
) -> None:
    signed_in_as("lead_worker")
    endings.clear()
    assert client.get("/caseload").status_code == 200
    assert endings and set(endings) == {"commit"}


def test_changes_never_committed_on_purpose_are_rolled_back(app: Flask, endings: list[str]) -> None:
    family = make_family(family_name="Turner")
    db.session.commit()
    name = family.name

    endings.clear()
    with app.app_context():  # a request's context: its own session, ended by teardown
        db.session.get_one(Family, family.id).name = "Changed in memory"
    assert endings == ["rollback"]
    endings.clear()
    with app.app_context():
        db.session.execute(update(Family).where(Family.id == family.id).values(name="Sent"))
    assert endings == ["rollback"]
    with app.app_context():
        db.session.add(Family(name="Never saved", address="1 Road", postcode="ST1 1AA"))

    assert _family_name(app, family.id) == name
    with app.app_context():
        assert db.session.scalar(select(Family.id).where(Family.name == "Never saved")) is None


def test_postgresql_keeps_the_statements_it_prepared(app: Flask, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    family_id = make_family(family_name="Turner").id
    db.session.commit()
    db.session.remove()
    # One connection in the pool, so every context below gets the same one.
    db.engine.dispose()
    # psycopg prepares a statement on its fifth run on one connection; a rollback between
    # runs would make it forget them all.
    for _ in range(12):
        with app.app_context():
            db.session.execute(select(Family.name).where(Family.id == family_id)).all()
    with app.app_context():
        prepared = db.session.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :families"),
            {"families": "%FROM families%"},
        )
    assert prepared and prepared >= 1
