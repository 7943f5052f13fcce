"""Shared fixtures.

``database_url`` is parametrized over SQLite and PostgreSQL: a test that asks for it (or for
``app``/``container`` built on it) runs on both. Tests that need only one backend ask for
``sqlite_url`` or ``postgres_url``.

Those are freshly migrated, empty databases. ``app_database_url`` (``app_sqlite_url``,
``app_postgres_url``) is the same database after the app's after-upgrade steps (the tool's
signing key, the country list), done once per session on a template: what every test app
would otherwise redo (an RSA key generation each). Every test still gets its own copy.

Every test gets its own instance folder: ``make_test_app`` passes ``tmp_path`` as
``INSTANCE_PATH`` and ``ETWIN_INSTANCE_PATH`` points there for apps built otherwise, so no test
reads or writes the repository's ``instance/`` (queue, secret key, sandbox key).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from etwin_lti.app import create_app
from tests.support.databases import (
    PostgresDatabase,
    Snapshot,
    migrated_sqlite_template,
    sqlite_copy,
    sqlite_path,
)
from tests.support.loopback_cookies import loopback_is_secure

TEST_SECRET = "test-secret-key-that-is-long-enough"
# Like ETWIN_ENCRYPTION_KEYS in production: one key for the whole run, so the template
# databases' encrypted tool keys open in every test's own instance folder.
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI="


# The garbage collector's default schedule (a young collection every 700 new objects) spent about
# 40 % of a page test's time here: 58-68 s in ~3,500 collections for the 61 tests of
# tests/integration/pages/test_twinspace_page.py on one process (measured with gc.callbacks), as
# every test builds an app, an engine and a launch, tens of thousands of objects. With these
# thresholds and the objects alive after collection (modules, test items) frozen out of the
# collector's sight: 17 s in 37 collections, the worker's peak memory 266 MB. Garbage is still
# collected, in larger batches.
GC_THRESHOLDS = (50_000, 10, 100)


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _loopback_cookies() -> Iterator[None]:
    with loopback_is_secure():
        yield


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
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "BASE_URL": "http://tool.test",
        "INSTANCE_PATH": str(instance_path),
        # Everything here runs on 127.0.0.1: the outbound guard's lab setting. Its own tests
        # turn it off to prove the guard.
        "ALLOW_PRIVATE_URLS": True,
        # Counters would carry from test to test (Redis) and trip walks of every route; the
        # tests of the limits turn them on.
        "RATE_LIMITS_ENABLED": False,
    }
    base.update(config)
    if base.get("DEMO"):
        _keep_sandbox_key(Path(str(base["INSTANCE_PATH"])))
    app = create_app(base)
    app.extensions["etwin"].after_upgrade.run()
    return app


def _keep_sandbox_key(instance_path: Path) -> None:
    """The demo sandbox LMS keeps its RSA key in the instance folder; a fresh folder per test
    would generate one per test (slow), so each starts with the session's key, as after a
    restart."""
    from tests.e2e.peer import session_keys

    key_file = instance_path / "sandbox-platform-key.pem"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(session_keys().private_pem)


def settle(app: Flask) -> None:
    """Close an app's database connections (before its file is copied, or at teardown)."""
    app.extensions["etwin"].database.dispose()


@pytest.fixture(scope="session")
def _app_sqlite_template(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("app-template")
    app = make_test_app(sqlite_copy(_sqlite_template, directory), directory)
    settle(app)
    return sqlite_path(app.extensions["etwin"].settings.database_url)


@pytest.fixture(scope="session")
def _app_postgres_snapshot(
    _postgres: PostgresDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Snapshot:
    _postgres.truncate()
    settle(make_test_app(_postgres.url, tmp_path_factory.mktemp("app-template")))
    return _postgres.snapshot()


@pytest.fixture
def app_sqlite_url(_app_sqlite_template: Path, tmp_path: Path) -> str:
    return sqlite_copy(_app_sqlite_template, tmp_path)


@pytest.fixture
def app_postgres_url(_postgres: PostgresDatabase, _app_postgres_snapshot: Snapshot) -> str:
    return _postgres.restore(_app_postgres_snapshot)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_database_url(request: pytest.FixtureRequest) -> str:
    """``database_url`` once the app's after-upgrade steps ran (for tests that build an app)."""
    return request.getfixturevalue(f"app_{request.param}_url")


@pytest.fixture(autouse=True)
def _instance_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Apps built without ``make_test_app`` (CLI runs, bare ``create_app``) get a folder of their
    own too, never the repository's ``instance/``."""
    monkeypatch.setenv("ETWIN_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))


@pytest.fixture
def app(app_sqlite_url: str, tmp_path: Path) -> Flask:
    """The tool on a fresh migrated SQLite database (use ``pg_app`` for PostgreSQL)."""
    return make_test_app(app_sqlite_url, tmp_path)


@pytest.fixture
def pg_app(app_postgres_url: str, tmp_path: Path) -> Flask:
    return make_test_app(app_postgres_url, tmp_path)


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def container(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["etwin"]


@pytest.fixture(autouse=True)
def _quiet_alembic() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
