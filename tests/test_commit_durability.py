"""Which commits wait for the disk: every change does; a record that someone read a page
does not hold the page up for PostgreSQL's log flush."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from caseapp.extensions import db
from tests.statements import counting_statements
from tests.test_case_notes import led_family, note_form, sign_in

NO_WAIT = "SET LOCAL synchronous_commit TO OFF"


def test_reading_a_family_does_not_wait_for_the_log_flush_and_a_change_does(
    app: Flask, backend: str
) -> None:
    case = led_family()
    client = sign_in(app, case.lead)

    with counting_statements() as reading:
        assert client.get(f"/families/{case.family_id}").status_code == 200
    with counting_statements() as changing:
        response = client.post(f"/families/{case.family_id}/notes", data=note_form(case))
        assert response.status_code == 302

    view_record = next(i for i, s in enumerate(reading) if s.startswith("INSERT INTO audit"))
    if backend == "postgresql":
        assert reading[view_record - 1] == NO_WAIT
    else:
        assert NO_WAIT not in reading
    assert any(s.startswith("INSERT INTO case_notes") for s in changing)
    assert NO_WAIT not in changing


def test_sqlite_syncs_at_checkpoints_and_postgresql_at_every_change(
    app: Flask, backend: str
) -> None:
    setting = db.session.scalar(
        text("PRAGMA synchronous" if backend == "sqlite" else "SHOW synchronous_commit")
    )
    # SQLite: 1 is NORMAL (see extensions.py). PostgreSQL keeps its default for changes.
    assert str(setting) == ("1" if backend == "sqlite" else "on")
