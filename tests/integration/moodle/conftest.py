from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_test_app
from tests.support.fake_moodle import FakeMoodle, serve
from tests.support.moodle_world import MoodleWorld, build_world


@pytest.fixture
def moodle() -> Iterator[FakeMoodle]:
    with serve() as fake:
        yield fake


@pytest.fixture
def world(app_database_url: str, tmp_path: Path, moodle: FakeMoodle) -> Iterator[MoodleWorld]:
    """On SQLite and PostgreSQL."""
    app = make_test_app(app_database_url, tmp_path)
    container = app.extensions["etwin"]
    yield build_world(container, moodle)
    container.moodle._session.close()
    container.database.dispose()
