"""Backup and restore: a restored backup holds every row the database held."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from caseapp.extensions import db
from caseapp.services.data_protection import libpq_connection
from tests.conftest import empty_tables
from tests.factories import make_user
from tests.test_subject_access import build_case_record


def _dump_every_table() -> dict[str, list[tuple[object, ...]]]:
    db.session.remove()
    tables = [*db.metadata.sorted_tables, sa.table("alembic_version", sa.column("version_num"))]
    dump: dict[str, list[tuple[object, ...]]] = {}
    with db.engine.connect() as connection:
        for table in tables:
            rows = connection.execute(sa.select(table)).all()
            dump[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return dump


def test_backup_then_restore_finds_every_record(app: Flask, tmp_path: Path) -> None:
    build_case_record()
    build_case_record(family_name="Second")
    make_user("admin", name="Ada Admin")
    before = _dump_every_table()
    assert all(before[name] for name in ("families", "audit_events", "support_request_children"))
    backup = tmp_path / "caseapp.backup"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0

    empty_tables(app)
    emptied = _dump_every_table()
    assert not any(rows for name, rows in emptied.items() if name != "alembic_version")

    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert _dump_every_table() == before

    # The restored database still works through the app, sequences included.
    make_user("manager", name="After Restore")
    assert len(_dump_every_table()["users"]) == len(before["users"]) + 1


def test_restore_refuses_a_database_holding_records(app: Flask, tmp_path: Path) -> None:
    backup = tmp_path / "caseapp.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    make_user("admin", name="Written After The Backup")

    result = runner.invoke(args=["restore", str(backup)])

    assert result.exit_code != 0
    assert "already holds records" in result.output
    assert "Written After The Backup" in {row[2] for row in _dump_every_table()["users"]}


def test_force_restores_over_records(app: Flask, tmp_path: Path) -> None:
    make_user("admin", name="In The Backup")
    backup = tmp_path / "caseapp.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    before = _dump_every_table()
    make_user("admin", name="Written After The Backup")

    result = runner.invoke(args=["restore", "--force", str(backup)])

    assert result.exit_code == 0, result.output
    assert _dump_every_table() == before


def test_restore_refuses_a_missing_file(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "missing")])
    assert result.exit_code != 0 and "no backup file" in result.output


@pytest.mark.parametrize(
    ("url", "libpq", "password"),
    [
        (
            "postgresql+psycopg://caseapp:s3cret@db.internal:5433/caseapp?sslmode=require",
            "postgresql://caseapp@db.internal:5433/caseapp?sslmode=require",
            "s3cret",
        ),
        (
            "postgresql+psycopg://postgres@127.0.0.1/test",
            "postgresql://postgres@127.0.0.1/test",
            None,
        ),
    ],
)
def test_libpq_connection_keeps_the_password_out_of_the_url(
    url: str, libpq: str, password: str | None
) -> None:
    converted, environment = libpq_connection(url)
    assert converted == libpq
    assert environment.get("PGPASSWORD") == password
