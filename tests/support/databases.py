"""Real databases for the tests: a migrated SQLite file per test, and a PostgreSQL database per
test session (created and dropped here) emptied between tests.

Set-up that every test of a kind repeats (the app's after-upgrade steps, the demo data) is done
once per session on a template: a SQLite file that each test copies, or for PostgreSQL a
``Snapshot`` of the rows that each test reloads after the truncate (measured faster than
``CREATE DATABASE ... TEMPLATE``, which copies every catalog file, and it keeps one database).
The snapshot's rows are also copied into a schema of their own on the server, so a restore is
one round trip of ``INSERT ... SELECT`` (measured 0.25-0.8 s a restore of the pages' demo world
when the rows travelled from Python, one statement and one ``setval`` per table).

PostgreSQL is reached through ``ETWIN_TEST_POSTGRES_URL`` (default: the local server with trust
authentication); ``make test`` starts it when it is down.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, create_engine, select, text

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


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


RESTART_SEQUENCES = (
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
    "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace;"
)


class Snapshot(dict[str, Sequence[Mapping[str, Any]]]):
    """Table name -> its rows (column name -> value), in foreign-key order; ``restore_sql``
    reloads the same rows from their copy on the server (empty: reload from the rows)."""

    restore_sql: str = ""


class PostgresDatabase:
    """One throw-away database on the local server, migrated once and truncated per test."""

    def __init__(self, revision: str = "head") -> None:
        self.revision = revision  # what __enter__ migrates to (the migration tests: "0001")
        self.name = f"etwin_test_{uuid.uuid4().hex[:10]}"
        base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
        self.url = f"{base}/{self.name}"
        self._admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self._snapshots = 0

    def __enter__(self) -> PostgresDatabase:
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.url, self.revision)
        self._engine = create_engine(self.url)
        return self

    def _empty_statements(self) -> str:
        import etwin_lti.persistence.models  # noqa: F401

        tables = reversed(Base.metadata.sorted_tables)  # children before their parents
        statements = "".join(f'DELETE FROM "{t.name}";' for t in tables)
        return statements + RESTART_SEQUENCES if statements else ""

    def truncate(self) -> None:
        """Empty every table and restart every sequence (what ``TRUNCATE ... RESTART
        IDENTITY`` does). With DELETE: measured ~20x faster than TRUNCATE here, which makes new
        files for every table and index (~1 s a test on this machine)."""
        statements = self._empty_statements()
        if not statements:
            return
        with self._engine.begin() as connection:
            connection.exec_driver_sql(statements)

    def snapshot(self) -> Snapshot:
        """Every non-empty table's rows, to ``restore`` in a later test; the rows are copied
        into a schema of their own too (the tests never look outside ``public``)."""
        with self._engine.connect() as connection:
            rows = {
                table.name: [dict(r._mapping) for r in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
        snapshot = Snapshot({name: table_rows for name, table_rows in rows.items() if table_rows})
        self._snapshots += 1
        schema = f"etwin_snapshot_{self._snapshots}"
        tables = Base.metadata.tables
        copy = [f'CREATE SCHEMA "{schema}";']
        load = [self._empty_statements()]
        for name in snapshot:
            columns = ", ".join(f'"{c.name}"' for c in tables[name].columns)
            copy.append(f'CREATE TABLE "{schema}"."{name}" AS SELECT {columns} FROM "{name}";')
            load.append(
                f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "{schema}"."{name}";'
            )
            load.extend(self._continue_sequences(tables[name]))
        with self._engine.begin() as connection:
            connection.exec_driver_sql("".join(copy))
        snapshot.restore_sql = "".join(load)
        return snapshot

    @staticmethod
    def _continue_sequences(table: Any) -> list[str]:
        """Sequences continue after the table's ids, as in the database of the snapshot."""
        return [
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}')"
            f'::regclass, (SELECT max("{column.name}") FROM "{table.name}"));'
            for column in table.primary_key.columns
            if isinstance(column.type, Integer) and column.autoincrement is not False
        ]

    def restore(self, snapshot: Snapshot) -> str:
        """Empty the database and load ``snapshot``; sequences continue after its ids, as they
        would in the database the snapshot was taken from. Returns the URL."""
        if getattr(snapshot, "restore_sql", ""):
            with self._engine.begin() as connection:
                connection.exec_driver_sql(snapshot.restore_sql)
            return self.url
        self.truncate()
        tables = Base.metadata.tables
        with self._engine.begin() as connection:
            for name, table_rows in snapshot.items():
                table = tables[name]
                connection.execute(table.insert(), list(table_rows))
                for statement in self._continue_sequences(table):
                    connection.exec_driver_sql(statement)
        return self.url

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
        self._admin.dispose()
        # DROP DATABASE waits for a server checkpoint (7-25 s on this shared server, at the end
        # of every run): a detached process drops it while pytest exits. Nothing else knows the
        # database's random name, so nothing can reach it meanwhile.
        admin = self._admin.url.set(drivername="postgresql").render_as_string(hide_password=False)
        drop = (
            "import sys, psycopg\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
            f"    c.execute('DROP DATABASE IF EXISTS \"{self.name}\"')\n"
        )
        # sh puts the dropper in the background and exits at once: nothing is left to reap.
        subprocess.run(
            ["sh", "-c", '"$0" -c "$1" "$2" >/dev/null 2>&1 &', sys.executable, drop, admin],
            check=True,
            start_new_session=True,
        )


def postgres_database() -> Iterator[PostgresDatabase]:
    with PostgresDatabase() as database:
        yield database
