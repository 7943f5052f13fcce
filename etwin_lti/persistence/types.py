"""Column types shared by every model.

``UtcDateTime`` is the one place that knows how each database hands datetimes back: PostgreSQL's
``timestamptz`` returns them in the session's time zone, SQLite (no date type at all) returns them
naive. Every ``DateTime`` column uses it, so repositories always read aware UTC datetimes and no
adapter re-attaches a time zone by hand.

Writing a naive datetime is refused (``NaiveDatetimeError``): a naive value does not say which
clock it came from, and guessing UTC silently would store local wall time as UTC on a machine
whose clock is not UTC. The DDL stays ``DateTime(timezone=True)``, so no migration changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was written to a UTC column."""


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always reads aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime takes a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"naive datetime {value.isoformat()} written to a UTC column")
        utc = value.astimezone(UTC)
        # SQLite's DateTime drops the offset when it formats the string: hand it UTC wall time
        # so that every row, and every comparison in a WHERE clause, is on the same clock.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
