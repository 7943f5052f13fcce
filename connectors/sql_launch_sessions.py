"""``LaunchSessionStore`` in the tool's database.

The random session id travels only in the HttpOnly cookie (or inside a signed, short-lived
header token); the table keys rows by its SHA-256, so a copy of the database cannot be turned
into live sessions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.sql_resource_links import link_upsert
from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind, ServiceEndpoints
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import LaunchSessionRow


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _encode(session: LaunchSession) -> str:
    data: dict[str, Any] = asdict(session)
    data.pop("id")
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
    def __init__(self, database: Database) -> None:
        self._engine = database.engine
        self._insert = sqlite_insert if self._engine.dialect.name == "sqlite" else pg_insert

    def create(self, session: LaunchSession, *, record_link: bool = False) -> None:
        row = {
            "id_hash": _hash(session.id),
            "person_id": session.person_id,
            "platform_id": session.platform_id,
            "expires_at": session.expires_at,
            "data": _encode(session),
        }
        with self._engine.begin() as connection:
            connection.execute(insert(LaunchSessionRow).values(**row))
            if record_link and session.resource_link_id is not None:
                connection.execute(
                    link_upsert(
                        self._insert,
                        platform_id=session.platform_id,
                        deployment_id=session.deployment_id,
                        resource_link_id=session.resource_link_id,
                        context_id=session.context_id,
                        context_title=session.context_title,
                        resource=session.resource,
                        endpoints=session.endpoints,
                        now=session.created_at,
                    )
                )

    def get(self, session_id: str, *, now: datetime) -> LaunchSession | None:
        query = select(LaunchSessionRow.data, LaunchSessionRow.expires_at).where(
            LaunchSessionRow.id_hash == _hash(session_id)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        if row.expires_at <= now:
            return None
        return _decode(session_id, row.data)

    def delete(self, session_id: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(LaunchSessionRow).where(LaunchSessionRow.id_hash == _hash(session_id))
            )

    def purge_expired(self, *, now: datetime) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(LaunchSessionRow).where(LaunchSessionRow.expires_at <= now)
            )
        return int(result.rowcount)
