"""``ResourceLinkStore`` in the tool's database (``lti_resource_links``).

``record`` is one upsert statement (``INSERT ... ON CONFLICT DO UPDATE``, on SQLite and
PostgreSQL alike): the launch pays one round trip for it. Endpoint columns use
``COALESCE(new, old)`` so that a launch without a service claim keeps what an earlier launch
announced, while a launch with one replaces it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.resource_links import ResourceLink, RosterContext
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.resource_links import ResourceLinkRow

_ENDPOINT_COLUMNS = ("lineitems_url", "lineitem_url", "ags_scopes", "nrps_url")


class SqlResourceLinkStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._insert = sqlite_insert if database.engine.dialect.name == "sqlite" else pg_insert

    def record(
        self,
        *,
        platform_id: int,
        deployment_id: str,
        resource_link_id: str,
        context_id: str | None,
        context_title: str | None,
        resource: Resource | None,
        endpoints: ServiceEndpoints,
        now: datetime,
    ) -> ResourceLink:
        statement = link_upsert(
            self._insert,
            platform_id=platform_id,
            deployment_id=deployment_id,
            resource_link_id=resource_link_id,
            context_id=context_id,
            context_title=context_title,
            resource=resource,
            endpoints=endpoints,
            now=now,
        ).returning(ResourceLinkRow)
        with self._db.session() as session:
            row = session.scalars(statement).one()
            return _link(row)

    def get(self, link_id: int) -> ResourceLink:
        with self._db.session() as session:
            row = session.get(ResourceLinkRow, link_id)
            if row is None:
                raise NotFoundError(f"Resource link {link_id} is not known to the tool.")
            return _link(row)

    def find(self, platform_id: int, resource_link_id: str) -> ResourceLink | None:
        query = (
            select(ResourceLinkRow)
            .where(
                ResourceLinkRow.platform_id == platform_id,
                ResourceLinkRow.resource_link_id == resource_link_id,
            )
            .order_by(ResourceLinkRow.last_launch_at.desc(), ResourceLinkRow.id.desc())
            .limit(1)
        )
        with self._db.session() as session:
            row = session.scalars(query).first()
            return _link(row) if row else None

    def list_for_resource(self, resource: Resource) -> list[ResourceLink]:
        query = (
            select(ResourceLinkRow)
            .where(ResourceLinkRow.resource == str(resource))
            .order_by(ResourceLinkRow.id)
        )
        with self._db.session() as session:
            return [_link(row) for row in session.scalars(query)]

    def list_contexts(self) -> list[RosterContext]:
        query = (
            select(ResourceLinkRow)
            .where(ResourceLinkRow.context_id.is_not(None))
            .order_by(
                ResourceLinkRow.platform_id,
                ResourceLinkRow.deployment_id,
                ResourceLinkRow.context_id,
                ResourceLinkRow.id,
            )
        )
        with self._db.session() as session:
            rows = list(session.scalars(query))
        grouped: dict[tuple[int, str, str], list[ResourceLinkRow]] = {}
        for row in rows:
            assert row.context_id is not None
            grouped.setdefault((row.platform_id, row.deployment_id, row.context_id), []).append(row)
        contexts = []
        for (platform_id, deployment_id, context_id), links in grouped.items():
            newest = sorted(links, key=lambda r: (r.last_launch_at, r.id), reverse=True)
            resources: list[Resource] = []
            for row in links:
                parsed = _resource(row.resource)
                if parsed is not None and parsed not in resources:
                    resources.append(parsed)
            contexts.append(
                RosterContext(
                    platform_id=platform_id,
                    deployment_id=deployment_id,
                    context_id=context_id,
                    context_title=next((r.context_title for r in newest if r.context_title), None),
                    nrps_url=next((r.nrps_url for r in newest if r.nrps_url), None),
                    resources=tuple(resources),
                    link_ids=tuple(r.id for r in links),
                )
            )
        return contexts


def link_upsert(
    insert: Any,
    *,
    platform_id: int,
    deployment_id: str,
    resource_link_id: str,
    context_id: str | None,
    context_title: str | None,
    resource: Resource | None,
    endpoints: ServiceEndpoints,
    now: datetime,
) -> Any:
    """The one upsert statement of ``record``; the launch runs it in the launch session's own
    transaction (``SqlLaunchSessionStore.create``), so a launch commits once."""
    values = {
        "platform_id": platform_id,
        "deployment_id": deployment_id,
        "resource_link_id": resource_link_id,
        "context_id": context_id,
        "context_title": context_title,
        "resource": str(resource) if resource else None,
        "lineitems_url": endpoints.lineitems_url,
        "lineitem_url": endpoints.lineitem_url,
        "ags_scopes": " ".join(endpoints.ags_scopes) or None,
        "nrps_url": endpoints.nrps_url,
        "created_at": now,
        "last_launch_at": now,
    }
    statement = insert(ResourceLinkRow).values(**values)
    excluded = statement.excluded
    updates = {
        name: func.coalesce(getattr(excluded, name), getattr(ResourceLinkRow, name))
        for name in (*_ENDPOINT_COLUMNS, "context_id", "context_title", "resource")
    }
    updates["last_launch_at"] = excluded.last_launch_at
    return statement.on_conflict_do_update(
        index_elements=["platform_id", "deployment_id", "resource_link_id"], set_=updates
    )


def _resource(value: str | None) -> Resource | None:
    if not value:
        return None
    kind, _, number = value.partition(":")
    return Resource(ResourceKind(kind), int(number))


def _link(row: ResourceLinkRow) -> ResourceLink:
    return ResourceLink(
        id=row.id,
        platform_id=row.platform_id,
        deployment_id=row.deployment_id,
        context_id=row.context_id,
        context_title=row.context_title,
        resource_link_id=row.resource_link_id,
        resource=_resource(row.resource),
        endpoints=ServiceEndpoints(
            lineitems_url=row.lineitems_url,
            lineitem_url=row.lineitem_url,
            ags_scopes=tuple((row.ags_scopes or "").split()),
            nrps_url=row.nrps_url,
        ),
        last_launch_at=row.last_launch_at,
    )
