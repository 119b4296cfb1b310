"""Counting the SQL statements a piece of work sends, to prove there is no query per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from caseapp.extensions import db


class Statement(str):
    """The SQL text, carrying the parameters it was sent with (for EXPLAIN)."""

    parameters: Any


@contextmanager
def counting_statements() -> Iterator[list[Statement]]:
    statements: list[Statement] = []

    def record(conn: Any, cursor: Any, sql: str, parameters: Any, *args: Any) -> None:
        statement = Statement(sql)
        statement.parameters = parameters
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
