"""The database out of reach on a path that does not go through ``Database.session()`` (the
launch's Core reads, ADR 0033): the same 503 "try again" as everywhere else, a page inside the
frame and JSON for programs, never a 500 or a traceback (the soak's finding, issue 11)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import (
    InterfaceError,
    OperationalError,
    PendingRollbackError,
    ProgrammingError,
)

from tests.integration.pages.conftest import PagesWorld

LOST = [
    OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")),
    InterfaceError("SELECT 1", {}, Exception("the connection is closed")),
    # What the soak met right after PostgreSQL's restart (bench/soak.py).
    PendingRollbackError(
        "Can't reconnect until invalid transaction is rolled back.  Please rollback() fully "
        "before proceeding"
    ),
]


def _failing_reads(world: PagesWorld, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    store = world.app.extensions["etwin"].launch_sessions

    def get(*_args: Any, **_kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(store, "get", get)


@pytest.mark.parametrize(
    "error", LOST, ids=["operational", "connection-closed", "pending-rollback"]
)
def test_a_lost_database_is_a_503_page_in_the_frame_and_json_for_programs(
    world: PagesWorld, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    pupil = world.as_pupil()
    _failing_reads(world, monkeypatch, error)
    page = pupil.get(world.ts_url)
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "try again" in text and "Traceback" not in text and "closed" not in text
    assert 'data-error="dependency_unavailable"' in text
    api = pupil.get(world.ts_url, headers={"Accept": "application/json"})
    assert api.status_code == 503 and api.get_json()["code"] == "dependency_unavailable"


def test_a_wrong_statement_stays_a_logged_500(
    world: PagesWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pupil = world.as_pupil()
    _failing_reads(world, monkeypatch, ProgrammingError("SELECT x", {}, Exception("no column")))
    page = pupil.get(world.ts_url)
    assert page.status_code == 500 and "Traceback" not in page.get_data(as_text=True)
    assert "unexpected error" in caplog.text
