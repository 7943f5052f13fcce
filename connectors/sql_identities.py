"""``IdentityStore`` in the tool's database: (issuer, sub) → hub person id and kind.

Only those LTI values are kept (DESIGN.md "Privacy"): no e-mail, no ``lis_person_sourcedid``,
no name — names live on the hub person, pseudonymised for pupils. The unique (issuer, sub)
constraint is what makes a first link single: a concurrent claim loses on it and waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.errors import RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import LtiIdentityRow

# A claim unsettled for this long belongs to a request that died between claiming and
# creating the person: the next first launch takes it over.
STALE_CLAIM_SECONDS = 60
_POLL_SECONDS = 0.05
# Every launch reads this: built once (building a statement costs more than running it).
_FIND = select(LtiIdentityRow.person_id, LtiIdentityRow.kind).where(
    LtiIdentityRow.issuer == bindparam("issuer"),
    LtiIdentityRow.sub == bindparam("sub"),
    LtiIdentityRow.person_id.is_not(None),
)


class SqlIdentityStore:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = database
        self._clock = clock
        self._sleep = sleep

    def find(self, identity: LtiIdentity) -> KnownPerson | None:
        values = {"issuer": identity.issuer, "sub": identity.subject}
        with self._db.connect() as connection:
            row = connection.execute(_FIND, values).first()
        return None if row is None else KnownPerson(row.person_id, PersonKind(row.kind))

    def known(self, issuer: str, subjects: Iterable[str] | None = None) -> dict[str, KnownPerson]:
        query = select(LtiIdentityRow.sub, LtiIdentityRow.person_id, LtiIdentityRow.kind).where(
            LtiIdentityRow.issuer == issuer, LtiIdentityRow.person_id.is_not(None)
        )
        if subjects is not None:
            wanted = sorted(set(subjects))
            if not wanted:
                return {}
            query = query.where(LtiIdentityRow.sub.in_(wanted))
        with self._db.connect() as connection:
            return {
                row.sub: KnownPerson(row.person_id, PersonKind(row.kind))
                for row in connection.execute(query)
            }

    def claim(self, identity: LtiIdentity, *, deployment_id: str, kind: PersonKind) -> bool:
        now = self._clock()
        try:
            with self._db.session() as session:
                session.add(_row(identity, None, deployment_id, kind, now))
            return True
        except IntegrityError:
            pass
        # Taken: by a live request (wait for it), or by one that died before settling.
        with self._db.session() as session:
            result = session.execute(
                update(LtiIdentityRow)
                .where(
                    *_is(identity),
                    LtiIdentityRow.person_id.is_(None),
                    LtiIdentityRow.created_at < now - timedelta(seconds=STALE_CLAIM_SECONDS),
                )
                .values(created_at=now, kind=kind.value, deployment_id=deployment_id)
            )
            return int(result.rowcount) == 1  # type: ignore[attr-defined]

    def settle(self, identity: LtiIdentity, person_id: int) -> None:
        with self._db.session() as session:
            session.execute(
                update(LtiIdentityRow)
                .where(*_is(identity), LtiIdentityRow.person_id.is_(None))
                .values(person_id=person_id)
            )

    def release(self, identity: LtiIdentity) -> None:
        with self._db.session() as session:
            session.execute(
                delete(LtiIdentityRow).where(*_is(identity), LtiIdentityRow.person_id.is_(None))
            )

    def wait(self, identity: LtiIdentity, *, timeout_seconds: float) -> KnownPerson | None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            found = self.find(identity)
            if found is not None or time.monotonic() >= deadline:
                return found
            self._sleep(_POLL_SECONDS)

    def link(
        self, identity: LtiIdentity, person_id: int, *, deployment_id: str, kind: PersonKind
    ) -> None:
        try:
            with self._db.session() as session:
                session.add(_row(identity, person_id, deployment_id, kind, self._clock()))
        except IntegrityError as error:
            raise RuleViolationError(
                "This LMS user is already linked to an eTwinning person."
            ) from error

    def unlink_person(self, person_id: int) -> int:
        with self._db.session() as session:
            result = session.execute(
                delete(LtiIdentityRow).where(LtiIdentityRow.person_id == person_id)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def count(self) -> int:
        with self._db.connect() as connection:
            return int(connection.execute(select(func.count(LtiIdentityRow.id))).scalar_one())


def _is(identity: LtiIdentity) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (LtiIdentityRow.issuer == identity.issuer, LtiIdentityRow.sub == identity.subject)


def _row(
    identity: LtiIdentity,
    person_id: int | None,
    deployment_id: str,
    kind: PersonKind,
    now: datetime,
) -> LtiIdentityRow:
    return LtiIdentityRow(
        issuer=identity.issuer,
        sub=identity.subject,
        person_id=person_id,
        deployment_id=deployment_id,
        kind=kind.value,
        created_at=now,
    )
