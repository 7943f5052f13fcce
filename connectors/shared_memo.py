"""In-process memos of rarely changing rows, dropped on every instance when any of them writes.

The launch reads the same few rows for every learner of a morning: the platform and its
deployment, the role policy, the resource binding of the activity. Reading them from PostgreSQL
on every launch costs a round trip and the building of a statement each; keeping them in the
worker's memory costs nothing, provided a change made anywhere is seen everywhere (ADR 0033):

- every memo has a **version token** in the shared cache (Redis, or the database when there is
  none), ``memo:<name>``; a worker compares it with the token its entries were read under **at
  most every** ``check_seconds`` and drops everything when it changed;
- the writer replaces the token; it does not have to know about memos: ``watch_tables`` listens
  to the engine and replaces the token on the commit of any ``INSERT``/``UPDATE``/``DELETE``
  on the watched tables (the ORM, Core, the CLI, the admin pages alike), so that a reader that
  sees the new token reads the committed rows. With Redis the token is replaced when the
  connection goes back to the pool, i.e. after the commit. Without Redis the token is a row of
  the same database, written **inside the committing transaction, on its connection**: it
  commits with the rows it announces, and the writer never needs a second pooled connection
  while it holds one (from the check-in, that could wait for the pool's timeout whenever every
  connection was taken, each of their holders waiting the same way);
- entries also expire after ``max_age_seconds``, which bounds a change made behind the tool's
  back (``psql``) or a token that could not be replaced (the cache was down).

A memo never stores an exception or an absent row: what is missing or refused is read again
each time, so a fix (activating a deployment, registering a platform) is seen at once.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from connectors.kv_cache import SqlKeyValueCache
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.errors import DependencyUnavailableError

log = logging.getLogger(__name__)

V = TypeVar("V")
TOKEN_TTL_SECONDS = 7 * 24 * 3600  # an expired token only costs one reload
_NO_TOKEN = "none"


class SharedMemo(Generic[V]):
    """``get(key, load)``: the memoised value, or ``load()`` remembered when it is not None."""

    def __init__(
        self,
        shared: KeyValueCache,
        name: str,
        *,
        check_seconds: float = 1.0,
        max_age_seconds: float = 60.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shared = shared
        self._key = f"memo:{name}"
        self._check = check_seconds
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()  # gthread workers share the memo
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._token: str | None = None
        self._checked_at = float("-inf")

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        now = self._clock()
        self._revalidate(now)
        found = self._entries.get(key)
        if found is not None and now - found[0] < self._max_age:
            return found[1]
        token = self._token
        value = load()
        if value is not None and token is not None and token == self._token:
            with self._lock:
                if len(self._entries) >= self._max_entries:
                    self._entries.clear()  # rows of a few platforms: a flood of keys is odd
                self._entries[key] = (now, value)
        return value

    @property
    def shared(self) -> KeyValueCache:
        return self._shared

    def invalidate(self) -> None:
        """Forget here, and make every other instance forget within ``check_seconds``."""
        self.forget_here()
        try:
            self._shared.set(self._key, _new_token(), TOKEN_TTL_SECONDS)
        except DependencyUnavailableError:
            log.warning("shared cache unavailable: %s not replaced after a write", self._key)

    def renew_within(self, connection: Connection) -> None:
        """Replace the token inside ``connection``'s transaction (a database cache only)."""
        shared = self._shared
        assert isinstance(shared, SqlKeyValueCache)
        shared.set_within(connection, self._key, _new_token(), TOKEN_TTL_SECONDS)

    def forget_here(self) -> None:
        """Drop this instance's entries; the next ``get`` reads the shared token again."""
        with self._lock:
            self._entries.clear()
            self._token = None
            self._checked_at = float("-inf")

    def _revalidate(self, now: float) -> None:
        if now - self._checked_at < self._check:
            return
        try:
            token = self._read_token()
        except DependencyUnavailableError:
            token = None  # without the cache nothing is memoised: always read the rows
        with self._lock:
            if token != self._token or token is None:
                self._entries.clear()
            self._token, self._checked_at = token, now

    def _read_token(self) -> str:
        found = self._shared.get(self._key)
        if found is None:
            # Two readers may race here; ``add`` keeps the first token (or a writer's).
            self._shared.add(self._key, _new_token(), TOKEN_TTL_SECONDS)
            found = self._shared.get(self._key)
        return found.decode() if found is not None else _NO_TOKEN


def _new_token() -> bytes:
    return secrets.token_hex(8).encode()


_DML = re.compile(r"\s*(INSERT|UPDATE|DELETE)\s+(?:OR\s+\w+\s+)?(?:INTO\s+|FROM\s+)?\"?(\w+)", re.I)
_ALL_VERBS = frozenset({"INSERT", "UPDATE", "DELETE"})


def watch_tables(
    engine: Engine,
    memo: SharedMemo[Any],
    tables: Iterable[str],
    *,
    verbs: Iterable[str] = _ALL_VERBS,
) -> None:
    """Invalidate ``memo`` after every committed write to one of ``tables`` on ``engine``;
    ``verbs`` narrows which statements count (new rows cannot change a memoised one)."""
    watched, counted = frozenset(tables), frozenset(v.upper() for v in verbs)
    # Marks live on the pooled connection's record (``Connection.info`` is that dict), one
    # pair per memo, so that several memos can watch one engine.
    pending, committed = f"etwin_memo_pending:{id(memo)}", f"etwin_memo_committed:{id(memo)}"
    # The token a row of this very database (no Redis): written by the committing transaction.
    in_transaction = isinstance(memo.shared, SqlKeyValueCache) and memo.shared.stores_in(engine)

    @event.listens_for(engine, "after_cursor_execute")
    def _seen(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _DML.match(statement)
        if (
            match is not None
            and match.group(2).lower() in watched
            and match.group(1).upper() in counted
        ):
            conn.info[pending] = True

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        # Just before the database's COMMIT, inside the transaction that is committing.
        if conn.info.pop(pending, False):
            if in_transaction:
                memo.renew_within(conn)
            conn.info[committed] = True

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        conn.info.pop(pending, None)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        # After the commit: a reader that sees the new token reads the committed rows. Only
        # the local entries when the transaction wrote the token itself: no I/O here.
        if record is not None and record.info.pop(committed, False):
            if in_transaction:
                memo.forget_here()
            else:
                memo.invalidate()
