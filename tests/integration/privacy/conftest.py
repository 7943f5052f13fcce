from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_test_app
from tests.integration.privacy.world import World, build_world


@pytest.fixture
def world(app_database_url: str, tmp_path: Path) -> Iterator[World]:
    """On SQLite and PostgreSQL. The task queue is unreachable: nothing here needs it."""
    missing = tmp_path / "no-such-folder" / "queue.sqlite"
    app = make_test_app(app_database_url, tmp_path, QUEUE_PATH=str(missing))
    yield build_world(app)
    app.extensions["etwin"].database.dispose()
