"""The database handle: one engine and session factory per application.

SQLite is the embedded default (a file in the instance folder); PostgreSQL is used in production
and by the test suite. Enums are stored as strings (``native_enum=False``) so that the same
migration runs on both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
    SQLAlchemyError,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.private_files import create_private_file, sqlite_file

log = logging.getLogger(__name__)

# Stable constraint names, so that migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


POOL_RECYCLE_SECONDS = 1800


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path:
            create_private_file(path)  # minors' work and identities: owner-only (0600)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No ping per checkout (issue 11): after a server restart the first statement on a dead
    # pooled connection fails, SQLAlchemy sees a disconnect and invalidates the whole pool, so
    # that one unit of work answers 503 (``session`` below) and the next ones reconnect.
    # Measured in tests/e2e/test_faults.py. Connections are also replaced after half an hour,
    # before a proxy or firewall in between drops them silently.
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the in-process worker and the web threads read while one writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: still never corrupt, a power
    # cut may only lose the last commits. Without Redis every launch commits to this file (login
    # state, replay mark), and FULL made each commit wait for the disk.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


DATABASE_DOWN = "The tool's database did not answer; try again in a minute."


def lost_database(error: BaseException) -> bool:
    """An error that says the database is out of reach (down, restarting, the connection cut),
    not that a statement was wrong: the caller answers 503 "try again", never 500."""
    if isinstance(error, OperationalError):
        return True
    if isinstance(error, PendingRollbackError):  # a connection the server cut, used again
        return "reconnect" in str(error)
    if isinstance(error, InterfaceError):  # psycopg: "the connection is closed"
        return "closed" in str(error.orig)
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class Database:
    """Engine plus session factory. ``session()`` is a unit of work: commit or roll back whole."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """For listeners that must see every unit of work (the page cache, ADR 0016)."""
        return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as error:
            _roll_back(session)
            if lost_database(error):
                raise DependencyUnavailableError(DATABASE_DOWN) from error
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reads outside a unit of work (the launch's lean path, ADR
        0033): a lost database is the same ``DependencyUnavailableError`` (503 "try again")
        as in ``session()``, not an error the web layer has to recognise."""
        with _database_errors(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A Core transaction: committed when the block ends, rolled back on any error; a lost
        database maps as in ``connect()``."""
        with _database_errors(), self.engine.begin() as connection:
            yield connection

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _database_errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        if lost_database(error):
            raise DependencyUnavailableError(DATABASE_DOWN) from error
        raise


def _roll_back(session: Session) -> None:
    """A rollback on a connection the server cut fails too: the first error is the one to
    report."""
    try:
        session.rollback()
    except SQLAlchemyError:
        log.debug("rollback after a lost connection failed", exc_info=True)
