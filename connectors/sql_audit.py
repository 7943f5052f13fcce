"""The audit log in the tool's database (``etwin_lti.domain.audit``).

``record`` takes the session of the change it records, so both commit or roll back together:
the adapters call it where they store an accepted change, after every check passed. What is
recorded (action, subject, details) is named by the caller from the domain's ``AuditAction``;
this module only stores it, with the actor the entry point set (``services.audit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etwin_lti.domain.audit import AuditAction, AuditEntry, AuditPage, clean_details
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.audit import AuditRow
from etwin_lti.services.audit import current_actor

MAX_PAGE = 200


def record(
    session: Session,
    action: AuditAction,
    subject_kind: str,
    subject_id: object,
    details: Mapping[str, Any] | None = None,
    *,
    at: datetime,
    person_id: int | None = None,
) -> None:
    """``person_id``: the acting person the port call names, used when no entry point set one."""
    session.add(
        AuditRow(
            at=at,
            actor=str(current_actor(person_id)),
            action=action.value,
            subject_kind=subject_kind,
            subject_id=str(subject_id),
            details=clean_details(details),
        )
    )


class SqlAuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    def list_entries(self, *, offset: int = 0, limit: int = 50) -> AuditPage:
        offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE)
        with self._db.session() as s:
            total = s.scalar(select(func.count()).select_from(AuditRow)) or 0
            rows = s.scalars(
                select(AuditRow).order_by(AuditRow.id.desc()).offset(offset).limit(limit)
            )
            return AuditPage(tuple(_entry(row) for row in rows), total)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,  # a UtcDateTime column: aware UTC on both backends
        actor=row.actor,
        action=row.action,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        details=dict(row.details or {}),
    )
