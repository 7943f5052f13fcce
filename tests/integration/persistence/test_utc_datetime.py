"""``UtcDateTime`` on both databases: aware UTC in, aware UTC out, naive refused.

PostgreSQL is reached with a session time zone that is not UTC, so that a column which merely
passed ``timestamptz`` through would hand back Brussels time; SQLite has no time zone at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from etwin_lti.persistence.db import make_engine
from etwin_lti.persistence.models.api_tokens import ApiTokenRow
from etwin_lti.persistence.types import NaiveDatetimeError

PLUS_TWO = timezone(timedelta(hours=2))
NOON_UTC = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    options = (
        {} if database_url.startswith("sqlite") else {"options": "-c timezone=Europe/Brussels"}
    )
    engine = (
        make_engine(database_url, connect_args=options) if options else make_engine(database_url)
    )
    yield engine
    engine.dispose()


def _token(n: int, created_at: datetime, **more: datetime | None) -> ApiTokenRow:
    return ApiTokenRow(token_hash=f"h{n}", role="admin", label="", created_at=created_at, **more)


def test_times_come_back_as_aware_utc_whatever_offset_went_in(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(_token(1, NOON_UTC.astimezone(PLUS_TWO), last_used_at=NOON_UTC, revoked_at=None))
        s.commit()
    with Session(engine) as s:
        if engine.dialect.name == "postgresql":
            assert s.scalar(text("SHOW timezone")) == "Europe/Brussels"
        row = s.scalars(select(ApiTokenRow)).one()
        assert row.created_at == NOON_UTC and row.created_at.tzinfo is UTC
        assert row.last_used_at is not None and row.last_used_at.tzinfo is UTC
        assert row.revoked_at is None


def test_comparisons_in_queries_use_the_same_clock(engine: Engine) -> None:
    # Stored through +02:00 and queried through UTC (and the reverse): SQLite compares the stored
    # text, so both sides must be UTC wall time for this to hold.
    with Session(engine) as s:
        s.add_all(
            [_token(1, NOON_UTC.astimezone(PLUS_TWO)), _token(2, NOON_UTC + timedelta(hours=1))]
        )
        s.commit()
        later = select(ApiTokenRow.token_hash).where(ApiTokenRow.created_at > NOON_UTC)
        assert s.scalars(later).all() == ["h2"]
        since = NOON_UTC.astimezone(PLUS_TWO) + timedelta(minutes=30)
        assert s.scalars(
            select(ApiTokenRow.token_hash).where(ApiTokenRow.created_at < since)
        ).all() == ["h1"]


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"created_at": datetime(2026, 6, 1, 12)}, id="naive-required-column"),
        pytest.param(
            {"created_at": NOON_UTC, "revoked_at": datetime(2026, 6, 1)}, id="naive-optional"
        ),
    ],
)
def test_a_naive_datetime_is_refused_and_nothing_is_written(
    engine: Engine, values: dict[str, datetime]
) -> None:
    with Session(engine) as s:
        s.add(_token(1, NOON_UTC))  # a good row in the same unit of work
        s.add(_token(2, **values))  # type: ignore[arg-type]
        with pytest.raises(StatementError) as raised:
            s.commit()
        assert isinstance(raised.value.orig, NaiveDatetimeError)
    with Session(engine) as s:
        assert s.scalars(select(ApiTokenRow)).all() == []


def test_a_naive_datetime_is_refused_in_a_query_too(engine: Engine) -> None:
    with Session(engine) as s, pytest.raises(StatementError) as raised:
        s.scalars(select(ApiTokenRow).where(ApiTokenRow.created_at < datetime(2026, 1, 1))).all()
    assert isinstance(raised.value.orig, NaiveDatetimeError)
