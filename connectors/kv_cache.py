"""Adapters of ``etwin_lti.domain.cache.KeyValueCache``: the tool's database or Redis.

Both give the same guarantees, checked by one contract suite: ``add`` stores only when the key is
absent or expired, and ``consume`` hands a value to at most one caller (SQL ``DELETE ...
RETURNING``, Redis ``GETDEL``). Each call is one round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.expression import Executable

from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import KvCacheRow

Clock = Callable[[], float]
# Told of every ``get``: the key and whether it was a hit (the tool's cache metrics).
LookupObserver = Callable[[str, bool], None]
PURGE_EVERY = 500  # writes between two sweeps of expired rows


class SqlKeyValueCache:
    """The embedded default: one table, shared by every worker that shares the database."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock = time.time,
        on_lookup: LookupObserver | None = None,
    ) -> None:
        self._engine = database.engine
        self._on_lookup = on_lookup
        self._clock = clock
        self._insert = sqlite_insert if database.engine.dialect.name == "sqlite" else pg_insert
        self._writes = 0

    def get(self, key: str) -> bytes | None:
        query = select(KvCacheRow.value).where(
            KvCacheRow.key == key, KvCacheRow.expires_at > self._clock()
        )
        try:
            with self._engine.connect() as connection:
                value: bytes | None = connection.execute(query).scalar_one_or_none()
        except SQLAlchemyError as error:
            raise DependencyUnavailableError(
                "The tool's database did not answer; try again in a minute."
            ) from error
        if self._on_lookup is not None:
            self._on_lookup(key, value is not None)
        return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._write(self._set_statement(key, value, ttl_seconds))

    def set_within(self, connection: Connection, key: str, value: bytes, ttl_seconds: int) -> None:
        """``set`` inside the caller's transaction, on its connection: the row commits (or
        not) with the caller's writes, and no second pooled connection is needed. Errors are
        the caller's: its transaction fails whole."""
        connection.execute(self._set_statement(key, value, ttl_seconds))

    def stores_in(self, engine: Engine) -> bool:
        """Whether this cache's rows live in the database ``engine`` writes to."""
        return bool(self._engine.url == engine.url)

    def _set_statement(self, key: str, value: bytes, ttl_seconds: int) -> Executable:
        expires = self._clock() + ttl_seconds
        statement = self._insert(KvCacheRow).values(key=key, value=value, expires_at=expires)
        return statement.on_conflict_do_update(
            index_elements=[KvCacheRow.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        )

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        now = self._clock()
        statement = self._insert(KvCacheRow).values(
            key=key, value=value, expires_at=now + ttl_seconds
        )
        # Replace only an expired row: the WHERE makes the upsert a no-op (rowcount 0) otherwise.
        upsert = statement.on_conflict_do_update(
            index_elements=[KvCacheRow.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
            where=KvCacheRow.expires_at <= now,
        ).returning(KvCacheRow.key)
        try:
            with self._engine.begin() as connection:
                stored = connection.execute(upsert).first() is not None
        except SQLAlchemyError as error:
            raise DependencyUnavailableError(
                "The tool's database did not answer; try again in a minute."
            ) from error
        return stored

    def consume(self, key: str) -> bytes | None:
        statement = (
            delete(KvCacheRow)
            .where(KvCacheRow.key == key)
            .returning(KvCacheRow.value, KvCacheRow.expires_at)
        )
        try:
            with self._engine.begin() as connection:
                row = connection.execute(statement).first()
        except SQLAlchemyError as error:
            raise DependencyUnavailableError(
                "The tool's database did not answer; try again in a minute."
            ) from error
        if row is None or row.expires_at <= self._clock():
            return None
        return bytes(row.value)

    def delete(self, key: str) -> None:
        self._write(delete(KvCacheRow).where(KvCacheRow.key == key))

    def purge_expired(self) -> int:
        return self._write(delete(KvCacheRow).where(KvCacheRow.expires_at <= self._clock()))

    def _write(self, statement: Executable) -> int:
        try:
            with self._engine.begin() as connection:
                count = connection.execute(statement).rowcount
        except SQLAlchemyError as error:
            raise DependencyUnavailableError(
                "The tool's database did not answer; try again in a minute."
            ) from error
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            self.purge_expired()
        return int(count)


class RedisKeyValueCache:
    """Shared by many instances on many machines; Redis expires keys itself."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "etwin:kv:",
        on_lookup: LookupObserver | None = None,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._on_lookup = on_lookup

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout_seconds: float = 5.0,
        on_lookup: LookupObserver | None = None,
    ) -> RedisKeyValueCache:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        return cls(client, on_lookup=on_lookup)

    def close(self) -> None:
        self._redis.close()

    def ping(self) -> bool:
        """True when Redis answers (``/healthz``)."""
        try:
            return bool(self._redis.ping())
        except redis.RedisError:
            return False

    def get(self, key: str) -> bytes | None:
        value: bytes | None = self._call(self._redis.get, self._prefix + key)
        if self._on_lookup is not None:
            self._on_lookup(key, value is not None)
        return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._call(self._redis.set, self._prefix + key, value, ex=max(1, ttl_seconds))

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        return bool(
            self._call(self._redis.set, self._prefix + key, value, ex=max(1, ttl_seconds), nx=True)
        )

    def consume(self, key: str) -> bytes | None:
        return self._call(self._redis.getdel, self._prefix + key)

    def delete(self, key: str) -> None:
        self._call(self._redis.delete, self._prefix + key)

    @staticmethod
    def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except redis.RedisError as error:
            raise DependencyUnavailableError(
                "The shared cache (Redis) did not answer; try again in a minute."
            ) from error
