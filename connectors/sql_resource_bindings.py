"""``ResourceBindingStore`` in the tool's database (``lti_resource_bindings``).

``find`` is the launch's one read (by the unique key); ``add`` is one ``INSERT ... ON CONFLICT
DO NOTHING`` (SQLite and PostgreSQL), so two first launches of the same activity racing end
with one binding, the first one, which both then read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors import sql_audit as audit
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.resource_bindings import Binding, BindingStatus, LinkKey
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.bindings import ResourceBindingRow

_T = ResourceBindingRow


class SqlResourceBindingStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._insert = sqlite_insert if database.engine.dialect.name == "sqlite" else pg_insert

    def find(self, key: LinkKey) -> Binding | None:
        with self._db.connect() as connection:
            row = connection.execute(select(_T).where(_key_clause(key))).first()
        return _binding(row) if row is not None else None

    def get(self, binding_id: int) -> Binding:
        with self._db.connect() as connection:
            row = connection.execute(select(_T).where(_T.id == binding_id)).first()
        if row is None:
            raise NotFoundError(f"No course connection request {binding_id}.")
        return _binding(row)

    def add(
        self,
        key: LinkKey,
        resource: Resource,
        *,
        status: BindingStatus,
        chosen_by: int | None,
        now: datetime,
        origin_context_id: str | None = None,
        context_title: str | None = None,
        requested_by: str | None = None,
    ) -> Binding:
        statement = (
            self._insert(_T)
            .values(
                platform_id=key.platform_id,
                deployment_id=key.deployment_id,
                context_id=key.context_id,
                resource_link_id=key.resource_link_id,
                resource=str(resource),
                status=status.value,
                chosen_by=chosen_by,
                origin_context_id=origin_context_id,
                context_title=(context_title or "")[:255] or None,
                requested_by=(requested_by or "")[:200] or None,
                created_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["platform_id", "deployment_id", "context_id", "resource_link_id"]
            )
        )
        with self._db.begin() as connection:
            connection.execute(statement)
            row = connection.execute(select(_T).where(_key_clause(key))).one()
        return _binding(row)

    def list_pending(self) -> list[Binding]:
        query = select(_T).where(_T.status == BindingStatus.PENDING.value).order_by(_T.id)
        with self._db.connect() as connection:
            return [_binding(row) for row in connection.execute(query)]

    def decide(
        self, binding_id: int, *, approve: bool, decided_by: int | None, now: datetime
    ) -> Binding:
        status = BindingStatus.BOUND if approve else BindingStatus.DECLINED
        with self._db.session() as session:
            # Conditional: of two people deciding at once, the first one decides.
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(_T)
                    .where(_T.id == binding_id, _T.status == BindingStatus.PENDING.value)
                    .values(status=status.value, decided_by=decided_by, decided_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            decided = result.rowcount == 1
            row = session.execute(select(*_T.__table__.columns).where(_T.id == binding_id)).first()
            if row is not None and decided:
                # In the decision's transaction: a refused decision leaves no entry.
                audit.record(
                    session,
                    AuditAction.BINDING_APPROVED if approve else AuditAction.BINDING_DECLINED,
                    "binding",
                    binding_id,
                    {"resource": row.resource, "context_id": row.context_id},
                    at=now,
                    person_id=decided_by,
                )
        if row is None:
            raise NotFoundError(f"No course connection request {binding_id}.")
        if not decided:
            raise RuleViolationError(N_("This request was already decided."))
        return _binding(row)

    def rebind(self, key: LinkKey, resource: Resource, *, now: datetime) -> Binding:
        values = {
            "resource": str(resource),
            "status": BindingStatus.BOUND.value,
            "chosen_by": None,
            "decided_by": None,
            "decided_at": now,
        }
        statement = self._insert(_T).values(
            platform_id=key.platform_id,
            deployment_id=key.deployment_id,
            context_id=key.context_id,
            resource_link_id=key.resource_link_id,
            created_at=now,
            **values,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform_id", "deployment_id", "context_id", "resource_link_id"],
            set_=values,
        )
        with self._db.begin() as connection:
            connection.execute(statement)
            row = connection.execute(select(_T).where(_key_clause(key))).one()
        return _binding(row)


def _key_clause(key: LinkKey) -> ColumnElement[bool]:
    return and_(
        _T.platform_id == key.platform_id,
        _T.deployment_id == key.deployment_id,
        _T.context_id == key.context_id,
        _T.resource_link_id == key.resource_link_id,
    )


def _binding(row: Any) -> Binding:
    kind, _, number = row.resource.partition(":")
    return Binding(
        id=row.id,
        key=LinkKey(
            row.platform_id,
            row.deployment_id,
            row.context_id,
            row.resource_link_id,
        ),
        resource=Resource(ResourceKind(kind), int(number)),
        status=BindingStatus(row.status),
        chosen_by=row.chosen_by,
        origin_context_id=row.origin_context_id,
        context_title=row.context_title,
        requested_by=row.requested_by,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )
