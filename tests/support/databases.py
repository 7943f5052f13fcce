"""Real databases for the tests: a migrated SQLite file per test, and a PostgreSQL database per
test session (created and dropped here) emptied between tests.

PostgreSQL is reached through ``ETWIN_TEST_POSTGRES_URL`` (default: the local server with trust
authentication); ``make test`` starts it when it is down.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "ETWIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.sqlite"
    upgrade("sqlite:///" + str(path))
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"etwin-{uuid.uuid4().hex[:8]}.sqlite"
    shutil.copyfile(template, target)
    return "sqlite:///" + str(target)


class PostgresDatabase:
    """One throw-away database on the local server, migrated once and truncated per test."""

    def __init__(self, revision: str = "head") -> None:
        self.revision = revision  # what __enter__ migrates to (the migration tests: "0001")
        self.name = f"etwin_test_{uuid.uuid4().hex[:10]}"
        base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
        self.url = f"{base}/{self.name}"
        self._admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> PostgresDatabase:
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.url, self.revision)
        self._engine = create_engine(self.url)
        return self

    def truncate(self) -> None:
        import etwin_lti.persistence.models  # noqa: F401

        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        if not tables:
            return
        with self._engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    def __exit__(self, *exc: object) -> None:
        self._engine.dispose()
        with self._admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        self._admin.dispose()


def postgres_database() -> Iterator[PostgresDatabase]:
    with PostgresDatabase() as database:
        yield database
