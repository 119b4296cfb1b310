"""Which commits wait for the disk: every change does; a record that someone read a page
does not hold the page up for PostgreSQL's log flush."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from caseapp.extensions import db
from tests.test_case_notes import led_family, note_form, sign_in


@contextmanager
def commit_settings() -> Iterator[list[str | None]]:
    """PostgreSQL's synchronous_commit as each transaction commits, read on its own
    connection just before the COMMIT (None on SQLite, which has no such setting)."""
    seen: list[str | None] = []

    def before_commit(connection: Connection) -> None:
        if connection.dialect.name != "postgresql":
            seen.append(None)
            return
        seen.append(connection.exec_driver_sql("SHOW synchronous_commit").scalar())

    event.listen(db.engine, "commit", before_commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "commit", before_commit)


def test_reading_a_family_does_not_wait_for_the_log_flush_and_a_change_does(
    app: Flask, backend: str
) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    db.session.commit()

    with commit_settings() as reading:
        assert client.get(f"/families/{case.family_id}").status_code == 200
    with commit_settings() as changing:
        response = client.post(f"/families/{case.family_id}/notes", data=note_form(case))
        assert response.status_code == 302

    if backend == "postgresql":
        # The page is one transaction, ended by its record of reading.
        assert reading == ["off"]
        assert changing and set(changing) == {"on"}
    else:
        assert reading == [None]


def test_sqlite_syncs_at_checkpoints_and_postgresql_at_every_change(
    app: Flask, backend: str
) -> None:
    setting = db.session.scalar(
        text("PRAGMA synchronous" if backend == "sqlite" else "SHOW synchronous_commit")
    )
    # SQLite: 1 is NORMAL (see extensions.py). PostgreSQL keeps its default for changes.
    assert str(setting) == ("1" if backend == "sqlite" else "on")
