"""``IdentityStore`` in the tool's database: (issuer, deployment, sub) → hub person id.

Only those three LTI values are kept (DESIGN.md "Privacy"): no e-mail, no
``lis_person_sourcedid``, no name — names live on the hub person, pseudonymised for pupils.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from etwin_lti.errors import RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import LtiIdentityRow


class SqlIdentityStore:
    def __init__(
        self, database: Database, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._db = database
        self._clock = clock

    def find_person(self, issuer: str, sub: str, deployment_id: str | None = None) -> int | None:
        query = select(LtiIdentityRow.person_id).where(
            LtiIdentityRow.issuer == issuer, LtiIdentityRow.sub == sub
        )
        if deployment_id is not None:
            query = query.where(LtiIdentityRow.deployment_id == deployment_id)
        with self._db.engine.connect() as connection:
            return connection.execute(query.order_by(LtiIdentityRow.id).limit(1)).scalar()

    def link(self, issuer: str, deployment_id: str, sub: str, person_id: int) -> None:
        try:
            with self._db.session() as session:
                session.add(
                    LtiIdentityRow(
                        issuer=issuer,
                        deployment_id=deployment_id,
                        sub=sub,
                        person_id=person_id,
                        created_at=self._clock(),
                    )
                )
        except IntegrityError as error:
            raise RuleViolationError(
                "This LMS user is already linked to an eTwinning person."
            ) from error

    def people_by_sub(self, issuer: str, deployment_id: str) -> dict[str, int]:
        """``RosterIdentities``: every link of one deployment in one query (roster sync)."""
        query = select(LtiIdentityRow.sub, LtiIdentityRow.person_id).where(
            LtiIdentityRow.issuer == issuer, LtiIdentityRow.deployment_id == deployment_id
        )
        with self._db.engine.connect() as connection:
            return {sub: person_id for sub, person_id in connection.execute(query)}

    def unlink_person(self, person_id: int) -> int:
        with self._db.session() as session:
            result = session.execute(
                delete(LtiIdentityRow).where(LtiIdentityRow.person_id == person_id)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def count(self) -> int:
        from sqlalchemy import func

        with self._db.engine.connect() as connection:
            return int(connection.execute(select(func.count(LtiIdentityRow.id))).scalar_one())
