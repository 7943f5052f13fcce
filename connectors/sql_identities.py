"""``IdentityStore`` in the tool's database: (issuer, sub) → hub person id and kind.

Only those LTI values are kept (DESIGN.md "Privacy"): no e-mail, no ``lis_person_sourcedid``,
no name — names live on the hub person, pseudonymised for pupils. The unique (issuer, sub)
constraint is what makes a first link single: a concurrent claim loses on it and waits.
"""

from __future__ import annotations

import time
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from connectors.bulk_rows import insert_rows, unnest
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
_TABLE = typing.cast(Table, LtiIdentityRow.__table__)  # the Core table, for executemany
# A roster's first links settled in one executemany (Core: the ORM would want primary keys).
_SETTLE = (
    update(_TABLE)
    .where(
        _TABLE.c.issuer == bindparam("b_issuer"),
        _TABLE.c.sub == bindparam("b_sub"),
        _TABLE.c.person_id.is_(None),
    )
    .values(person_id=bindparam("b_person_id"))
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

    def claim_many(
        self, claims: Sequence[tuple[LtiIdentity, PersonKind]], *, deployment_id: str
    ) -> set[LtiIdentity]:
        """One ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for a whole batch (a roster's
        page, or a launch's one person): the identities returned are this caller's; a row
        already there (settled, claimed by a live request or by a dead one) is not."""
        if not claims:
            return set()
        now = self._clock()
        rows = [
            {
                "issuer": identity.issuer,
                "sub": identity.subject,
                "person_id": None,
                "deployment_id": deployment_id,
                "kind": kind.value,
                "created_at": now,
            }
            for identity, kind in claims
        ]
        with self._db.session() as session:
            found = insert_rows(
                session.connection(),
                _TABLE,
                rows,
                returning=[_TABLE.c.issuer, _TABLE.c.sub],
                conflict_keys=["issuer", "sub"],
            )
            return {LtiIdentity(row.issuer, row.sub) for row in found}

    def settle_many(self, links: Mapping[LtiIdentity, int]) -> None:
        """Settle a batch of claims in one transaction: on PostgreSQL one ``UPDATE ... FROM
        unnest(...)`` per issuer (an executemany of a thousand UPDATEs waited ~0.3 s on the
        server), elsewhere an executemany (SQLite runs it in-process)."""
        if not links:
            return
        with self._db.session() as session:
            connection = session.connection()
            if connection.dialect.name != "postgresql":
                params: list[dict[str, Any]] = [
                    {"b_issuer": i.issuer, "b_sub": i.subject, "b_person_id": person_id}
                    for i, person_id in links.items()
                ]
                connection.execute(_SETTLE, params)
                return
            by_issuer: dict[str, dict[str, int]] = {}
            for identity, person_id in links.items():
                by_issuer.setdefault(identity.issuer, {})[identity.subject] = person_id
            for issuer, settled in by_issuer.items():
                v = unnest(_TABLE, {"sub": list(settled), "person_id": list(settled.values())})
                connection.execute(
                    update(_TABLE)
                    .where(
                        _TABLE.c.issuer == issuer,
                        _TABLE.c.sub == v.c.sub,
                        _TABLE.c.person_id.is_(None),
                    )
                    .values(person_id=v.c.person_id)
                )

    def release_many(self, identities: Iterable[LtiIdentity]) -> None:
        """Give up a batch of unsettled claims (their people could not be created)."""
        for issuer, subs in _by_issuer(identities).items():
            with self._db.session() as session:
                session.execute(
                    delete(LtiIdentityRow).where(
                        LtiIdentityRow.issuer == issuer,
                        LtiIdentityRow.sub.in_(subs),
                        LtiIdentityRow.person_id.is_(None),
                    )
                )

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


def _by_issuer(identities: Iterable[LtiIdentity]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for identity in identities:
        found.setdefault(identity.issuer, []).append(identity.subject)
    return found


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
