"""Shared fixtures.

``database_url`` is parametrized over SQLite and PostgreSQL: a test that asks for it (or for
``app``/``container`` built on it) runs on both. Tests that need only one backend ask for
``sqlite_url`` or ``postgres_url``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from etwin_lti.app import create_app
from tests.support.databases import PostgresDatabase, migrated_sqlite_template, sqlite_copy

TEST_SECRET = "test-secret-key-that-is-long-enough"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresDatabase]:
    with PostgresDatabase() as database:
        yield database


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
def postgres_url(_postgres: PostgresDatabase) -> str:
    _postgres.truncate()
    return _postgres.url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def make_test_app(database_url: str, instance_path: Path, **config: object) -> Flask:
    base = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://tool.test",
    }
    base.update(config)
    app = create_app(base)
    app.instance_path = str(instance_path)
    app.extensions["etwin"].after_upgrade.run()
    return app


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Flask:
    """The tool on a fresh migrated SQLite database (use ``pg_app`` for PostgreSQL)."""
    return make_test_app(sqlite_url, tmp_path)


@pytest.fixture
def pg_app(postgres_url: str, tmp_path: Path) -> Flask:
    return make_test_app(postgres_url, tmp_path)


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def container(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["etwin"]


@pytest.fixture(autouse=True)
def _quiet_alembic() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
