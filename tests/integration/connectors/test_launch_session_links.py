"""``SqlLaunchSessionStore.create``: the resource link and its launcher are written by the first
launch and again only once ``LINK_REFRESH_SECONDS`` passed or something about the link changed;
every launch still gets its own session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from connectors.sql_launch_sessions import LINK_REFRESH_SECONDS, RecentlyDone, SqlLaunchSessionStore
from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind, ServiceEndpoints
from etwin_lti.lti import claims as c
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.bindings import LinkLauncherRow
from etwin_lti.persistence.models.lti import LaunchSessionRow
from etwin_lti.persistence.models.resource_links import ResourceLinkRow

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Setup:
    database: Database
    store: SqlLaunchSessionStore
    clock: Clock
    writes: list[str]

    def count(self, table: Any) -> int:
        with self.database.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def setup(database_url: str) -> Iterator[Setup]:
    database = Database(database_url)
    clock = Clock()
    writes: list[str] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            writes.append(statement.split("INTO", 1)[1].split()[0].strip('"'))

    store = SqlLaunchSessionStore(database, recorded=RecentlyDone(LINK_REFRESH_SECONDS, clock))
    yield Setup(database, store, clock, writes)
    database.dispose()


def _session(number: int, person_id: int | None = 7, **changes: Any) -> LaunchSession:
    session = LaunchSession(
        id=f"session-{number}",
        person_id=person_id,
        platform_id=1,
        deployment_id="d1",
        context_id="course-1",
        context_title="Class 4B",
        resource_link_id="link-1",
        resource=Resource(ResourceKind.TWINSPACE, 1),
        role="pupil",
        lti_roles=(),
        is_tool_admin=False,
        message_type=c.RESOURCE_LINK_REQUEST,
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
        endpoints=ServiceEndpoints(lineitems_url="https://lms.example/lineitems"),
    )
    return replace(session, **changes)


def test_a_class_entering_one_activity_writes_the_link_once(setup: Setup) -> None:
    setup.store.create(_session(1), record_link=True)
    assert setup.writes == ["launch_sessions", "lti_resource_links", "lti_link_launchers"]
    setup.writes.clear()
    setup.store.create(_session(2), record_link=True)  # the same pupil again
    setup.store.create(_session(3, person_id=8), record_link=True)  # a classmate
    assert setup.writes == ["launch_sessions", "launch_sessions", "lti_link_launchers"]
    assert setup.count(LaunchSessionRow) == 3
    assert setup.count(ResourceLinkRow) == 1
    assert setup.count(LinkLauncherRow) == 2
    for number in (1, 2, 3):
        assert setup.store.get(f"session-{number}", now=NOW) is not None


def test_the_link_is_written_again_when_it_changed_or_the_interval_passed(
    setup: Setup,
) -> None:
    setup.store.create(_session(1), record_link=True)
    setup.writes.clear()
    moved = ServiceEndpoints(lineitems_url="https://lms.example/v2/lineitems")
    setup.store.create(_session(2, endpoints=moved), record_link=True)  # new endpoints: kept
    assert "lti_resource_links" in setup.writes
    with setup.database.engine.connect() as connection:
        assert connection.scalar(select(ResourceLinkRow.lineitems_url)) == moved.lineitems_url
    setup.writes.clear()
    setup.clock.now += LINK_REFRESH_SECONDS
    later = NOW + timedelta(minutes=5)
    setup.store.create(_session(3, endpoints=moved, created_at=later), record_link=True)
    assert setup.writes == ["launch_sessions", "lti_resource_links", "lti_link_launchers"]
    with setup.database.engine.connect() as connection:
        assert connection.scalar(select(ResourceLinkRow.last_launch_at)) == later


def test_a_failed_transaction_is_not_remembered(setup: Setup) -> None:
    setup.store.create(_session(1), record_link=True)
    with pytest.raises(IntegrityError):  # the same session id twice: the insert fails
        setup.store.create(_session(1, person_id=9), record_link=True)
    setup.writes.clear()
    setup.store.create(_session(2, person_id=9), record_link=True)
    assert "lti_link_launchers" in setup.writes  # person 9's launcher was rolled back
    assert setup.count(LinkLauncherRow) == 2
