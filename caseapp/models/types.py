"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ColumnElement, DateTime, Dialect, Enum, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from caseapp.domain.working_days import UK_TIME

# JSONB on PostgreSQL so lists of indicator codes can be indexed and compared later.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def uk_today(now: datetime | None = None) -> date:
    """The date in England at `now` (default: now): what staff mean by today."""
    return (now or utcnow()).astimezone(UK_TIME).date()


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are always stored and returned as aware UTC.

    SQLite has no time zone type, so without this the same column would come back
    naive on SQLite and aware on PostgreSQL, and comparisons would break on one of them.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def text_enum(enum: type[StrEnum], length: int) -> Enum:
    """A StrEnum stored as its value in a plain string column: adding a member later needs
    no ALTER TYPE on PostgreSQL, and SQLite and PostgreSQL store it alike."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def one_of(column: ColumnElement[Any], values: Iterable[StrEnum]) -> ColumnElement[bool]:
    """`column IN (...)` for a fixed set of the domain's own values (the statuses that
    make up the Hub queue, say), written into the SQL rather than sent as parameters.

    PostgreSQL keeps one plan for a prepared statement only if a plan made without
    knowing the parameters looks as good as one made with them. With a status list as
    parameters it cannot tell how many rows the list matches, so it plans such a statement
    afresh on every request (measured: 2 to 12 ms a statement on the Hub queue and the
    manager's view). Written out, the list is part of the statement, and the plan is kept.
    The values are the code's constants, never what anyone typed."""
    return column.in_(
        [literal(value, column.type, literal_execute=True) for value in sorted(values)]
    )
