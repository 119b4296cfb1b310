"""The migrations build the whole schema, and the models never drift from them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from caseapp.extensions import db


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_models_and_migrations_do_not_drift(app: Flask) -> None:
    assert _differences() == []


def test_every_model_table_exists_after_upgrade(app: Flask) -> None:
    existing = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= existing
    assert "alembic_version" in existing


def test_downgrade_to_nothing_and_back(app: Flask) -> None:
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []
