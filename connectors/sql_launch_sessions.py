"""``LaunchSessionStore`` in the tool's database.

The random session id travels only in the HttpOnly cookie (or inside a signed, short-lived
header token); the table keys rows by its SHA-256, so a copy of the database cannot be turned
into live sessions.

The launch records its resource link and its launcher in the session's transaction; a worker
skips both when it recorded the very same link (same endpoints, context and resource) and
launcher less than ``LINK_REFRESH_SECONDS`` ago (issue 11, ADR 0033): a class entering one
activity at 8:00 writes the link once per worker and minute, not once per pupil.
``last_launch_at`` is then exact to that interval, which is all that ordering links by their
newest launch needs.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.sql_resource_links import launcher_insert, link_upsert
from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind, ServiceEndpoints
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import LaunchSessionRow

LINK_REFRESH_SECONDS = 60.0
_RECENT_LIMIT = 20_000  # launcher keys a worker remembers (then it forgets them all)
# Built once: building a statement costs more CPU than PostgreSQL spends running it.
_INSERT = insert(LaunchSessionRow)
_GET = select(LaunchSessionRow.data, LaunchSessionRow.expires_at).where(
    LaunchSessionRow.id_hash == bindparam("id_hash")
)


class RecentlyDone:
    """Keys done less than ``seconds`` ago in this process (thread-safe, bounded)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._done: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        at = self._done.get(key)
        return at is not None and self._clock() - at < self._seconds

    def add(self, key: Hashable) -> None:
        with self._lock:
            if len(self._done) >= _RECENT_LIMIT:
                self._done.clear()
            self._done[key] = self._clock()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


# The stored fields, in order: read once, since ``dataclasses.asdict`` deep-copies every value
# (its recursion was a third of the session insert's CPU); the JSON is the same.
_SESSION_FIELDS = tuple(f.name for f in fields(LaunchSession) if f.name != "id")
_ENDPOINT_FIELDS = tuple(f.name for f in fields(ServiceEndpoints))


def _encode(session: LaunchSession) -> str:
    data: dict[str, Any] = {name: getattr(session, name) for name in _SESSION_FIELDS}
    endpoints = session.endpoints
    data["endpoints"] = {name: getattr(endpoints, name) for name in _ENDPOINT_FIELDS}
    data["resource"] = str(session.resource) if session.resource else None
    data["created_at"] = session.created_at.isoformat()
    data["expires_at"] = session.expires_at.isoformat()
    return json.dumps(data, separators=(",", ":"))


def _decode(session_id: str, text: str) -> LaunchSession:
    data = json.loads(text)
    resource = data.pop("resource")
    if resource:
        kind, _, ident = resource.partition(":")
        data["resource"] = Resource(ResourceKind(kind), int(ident))
    else:
        data["resource"] = None
    endpoints = data.pop("endpoints") or {}
    endpoints["ags_scopes"] = tuple(endpoints.get("ags_scopes") or ())
    data["endpoints"] = ServiceEndpoints(**endpoints)
    data["lti_roles"] = tuple(data["lti_roles"])
    data["created_at"] = datetime.fromisoformat(data["created_at"])
    data["expires_at"] = datetime.fromisoformat(data["expires_at"])
    return LaunchSession(id=session_id, **data)


class SqlLaunchSessionStore:
    def __init__(self, database: Database, *, recorded: RecentlyDone | None = None) -> None:
        self._db = database
        self._insert = sqlite_insert if database.engine.dialect.name == "sqlite" else pg_insert
        self._recorded = recorded or RecentlyDone(LINK_REFRESH_SECONDS)

    def create(self, session: LaunchSession, *, record_link: bool = False) -> None:
        row = {
            "id_hash": _hash(session.id),
            "person_id": session.person_id,
            "platform_id": session.platform_id,
            "expires_at": session.expires_at,
            "data": _encode(session),
        }
        link = _link_key(session) if record_link else None
        launcher = (link, session.person_id) if link and session.person_id is not None else None
        with self._db.begin() as connection:
            connection.execute(_INSERT, row)
            if link is not None and link not in self._recorded:
                connection.execute(
                    link_upsert(
                        self._insert,
                        platform_id=session.platform_id,
                        deployment_id=session.deployment_id,
                        resource_link_id=link[2],
                        context_id=session.context_id,
                        context_title=session.context_title,
                        resource=session.resource,
                        endpoints=session.endpoints,
                        now=session.created_at,
                    )
                )
            if launcher is not None and launcher not in self._recorded:
                assert session.person_id is not None and session.resource_link_id is not None
                connection.execute(
                    launcher_insert(
                        self._insert,
                        person_id=session.person_id,
                        platform_id=session.platform_id,
                        deployment_id=session.deployment_id,
                        context_id=session.context_id,
                        resource_link_id=session.resource_link_id,
                        now=session.created_at,
                    )
                )
        # Remembered once committed: a rolled-back launch records them again next time.
        for done in (link, launcher):
            if done is not None:
                self._recorded.add(done)

    def get(self, session_id: str, *, now: datetime) -> LaunchSession | None:
        with self._db.connect() as connection:
            row = connection.execute(_GET, {"id_hash": _hash(session_id)}).first()
        if row is None:
            return None
        if row.expires_at <= now:
            return None
        return _decode(session_id, row.data)

    def delete(self, session_id: str) -> None:
        with self._db.begin() as connection:
            connection.execute(
                delete(LaunchSessionRow).where(LaunchSessionRow.id_hash == _hash(session_id))
            )

    def purge_expired(self, *, now: datetime) -> int:
        with self._db.begin() as connection:
            result = connection.execute(
                delete(LaunchSessionRow).where(LaunchSessionRow.expires_at <= now)
            )
        return int(result.rowcount)


def _link_key(session: LaunchSession) -> tuple[Any, ...] | None:
    """Everything ``link_upsert`` writes but the time: the same key, nothing new to record."""
    if session.resource_link_id is None:
        return None
    return (
        session.platform_id,
        session.deployment_id,
        session.resource_link_id,
        session.context_id,
        session.context_title,
        str(session.resource) if session.resource else None,
        session.endpoints,
    )
