"""``RolePolicyStore``: a platform's edits of DESIGN.md's role table, one row per LTI role."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from connectors import sql_audit as audit
from etwin_lti.domain.audit import AuditAction
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import RoleMappingRow


class SqlRolePolicyStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def overrides(self, platform_id: int) -> dict[str, str]:
        query = select(RoleMappingRow.lti_role, RoleMappingRow.twinspace_role).where(
            RoleMappingRow.platform_id == platform_id
        )
        with self._db.engine.connect() as connection:
            return {row.lti_role: row.twinspace_role for row in connection.execute(query)}

    def set_override(self, platform_id: int, lti_role: str, twinspace_role: str) -> None:
        with self._db.session() as session:
            row = session.scalars(
                select(RoleMappingRow).where(
                    RoleMappingRow.platform_id == platform_id, RoleMappingRow.lti_role == lti_role
                )
            ).first()
            if row is None:
                session.add(
                    RoleMappingRow(
                        platform_id=platform_id, lti_role=lti_role, twinspace_role=twinspace_role
                    )
                )
            else:
                row.twinspace_role = twinspace_role
            audit.record(
                session,
                AuditAction.ROLE_POLICY_SET,
                "platform",
                platform_id,
                {"lti_role": lti_role, "twinspace_role": twinspace_role},
                at=datetime.now(UTC),
            )

    def clear_override(self, platform_id: int, lti_role: str) -> None:
        with self._db.session() as session:
            session.execute(
                delete(RoleMappingRow).where(
                    RoleMappingRow.platform_id == platform_id, RoleMappingRow.lti_role == lti_role
                )
            )
            audit.record(
                session,
                AuditAction.ROLE_POLICY_CLEARED,
                "platform",
                platform_id,
                {"lti_role": lti_role},
                at=datetime.now(UTC),
            )
