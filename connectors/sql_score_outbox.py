"""The score outbox in the tool's database (``score_outbox``, ``ags_line_items``).

``add_pending_scores`` writes, inside the caller's transaction, one pending score per resource
link the completion is owed on (``score_targets``: links of ``lti_resource_links`` whose resource
matches and that ``lti_link_launchers`` records the person launching), never two for the same
(link, person, resource). The progress stores call it (``connectors.local_hub.progress``: in the
completion's own transaction; ``connectors.http_hub.progress``: right after the remote hub's
answer); ``etwin_lti.services.progress`` hands the ids to the task queue after the commit, so a
queue that is down loses nothing: the sweep finds the rows later.

``SqlScoreOutbox`` gives workers atomic claims: ``claim`` is one conditional ``UPDATE`` (pending,
due, not leased), so of two workers holding the same task at most one posts; a worker that dies
holding a lease only delays the score until the lease ends. ``claim_due`` takes a batch the same
way in ONE statement (``UPDATE … RETURNING``; on PostgreSQL the other rows are picked with
``FOR UPDATE SKIP LOCKED``, so concurrent workers take different rows instead of queueing on
each other's locks), and ``finish`` is one ``UPDATE … RETURNING`` per score (docs/decisions/0038:
statements per score, not per request, are what the worker's rate is made of).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from etwin_lti.domain.passback import (
    Completion,
    Decision,
    OutboxEntry,
    ScoreStatus,
    ScoreTarget,
    clip,
)
from etwin_lti.errors import DependencyUnavailableError, NotFoundError
from etwin_lti.lti.ags import COMPLETION_SCORE_GIVEN, COMPLETION_SCORE_MAXIMUM, next_timestamp
from etwin_lti.observability.request_ids import current_request_id
from etwin_lti.persistence.db import DATABASE_DOWN, Database, lost_database
from etwin_lti.persistence.models.bindings import LinkLauncherRow
from etwin_lti.persistence.models.lti import LtiIdentityRow
from etwin_lti.persistence.models.passback import AgsLineItemRow, ScoreOutboxRow
from etwin_lti.persistence.models.registrations import PlatformRow
from etwin_lti.persistence.models.resource_links import ResourceLinkRow

log = logging.getLogger(__name__)
T = TypeVar("T")
W = TypeVar("W")
OUTBOX: Table = ScoreOutboxRow.__table__  # type: ignore[assignment]
COLUMNS = tuple(OUTBOX.c)  # what claims and finishes return (RETURNING: no second read)


def _kept_unless(name: str, column: Any) -> Any:
    """``column`` set to the parameter ``name`` when it is not NULL, else left as it is."""
    return func.coalesce(bindparam(name, type_=column.type), column)


# A score's outcome, one statement for every decision (built once: see ``finish``).
FINISH = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        last_error=bindparam("b_error"),
        last_status=bindparam("b_last_status"),
        leased_until=None,
        updated_at=bindparam("b_now", type_=OUTBOX.c.updated_at.type),
        lineitem_url=_kept_unless("b_lineitem_url", OUTBOX.c.lineitem_url),
        next_attempt_at=_kept_unless("b_next_attempt_at", OUTBOX.c.next_attempt_at),
        sent_at=_kept_unless("b_sent_at", OUTBOX.c.sent_at),
    )
    .returning(*COLUMNS)
)


def outbox_entry(row: ScoreOutboxRow | Row[Any]) -> OutboxEntry:
    """An ORM row or a ``RETURNING`` row of every column (the attribute names are the same)."""
    return OutboxEntry(
        id=row.id,
        platform_id=row.platform_id,
        deployment_id=row.deployment_id,
        resource_link_id=row.resource_link_id,
        person_id=row.person_id,
        user_id=row.user_id,
        resource=row.resource,
        score_given=row.score_given,
        score_maximum=row.score_maximum,
        timestamp=row.timestamp,
        status=ScoreStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        last_status=row.last_status,
        lineitem_url=row.lineitem_url,
        sent_at=row.sent_at,
        request_id=row.request_id,
    )


def score_targets(session: Session, completion: Completion) -> list[ScoreTarget]:
    """Where a completion's score goes: the resource links opening the completed resource
    through which this person launched it (``lti_link_launchers``, recorded at launch), each
    with the person's LMS user id on that platform. A course that embeds the same resource but
    that the learner never launched it from gets nothing (issue 9 item 6)."""
    rows = session.execute(
        select(
            ResourceLinkRow.platform_id,
            ResourceLinkRow.deployment_id,
            ResourceLinkRow.resource_link_id,
            LtiIdentityRow.sub,
        )
        .join(
            LinkLauncherRow,
            (LinkLauncherRow.platform_id == ResourceLinkRow.platform_id)
            & (LinkLauncherRow.deployment_id == ResourceLinkRow.deployment_id)
            & (LinkLauncherRow.resource_link_id == ResourceLinkRow.resource_link_id),
        )
        .join(PlatformRow, PlatformRow.id == ResourceLinkRow.platform_id)
        .join(
            LtiIdentityRow,
            (LtiIdentityRow.issuer == PlatformRow.issuer)
            & (LtiIdentityRow.deployment_id == ResourceLinkRow.deployment_id)
            & (LtiIdentityRow.person_id == LinkLauncherRow.person_id),
        )
        .where(
            ResourceLinkRow.resource == str(completion.resource),
            LinkLauncherRow.person_id == completion.person_id,
        )
        .order_by(ResourceLinkRow.id, LtiIdentityRow.id)
    )
    seen: set[tuple[int, str]] = set()
    targets = []
    for platform_id, deployment_id, link_id, sub in rows:
        if (platform_id, link_id) not in seen:  # one score per line item
            seen.add((platform_id, link_id))
            targets.append(ScoreTarget(platform_id, deployment_id, link_id, sub))
    return targets


def add_pending_scores(session: Session, completion: Completion) -> list[int]:
    """One pending score per target the completion has none on yet; the new rows' ids."""
    now = completion.completed_at
    created = []
    for target in score_targets(session, completion):
        exists = session.scalar(
            select(ScoreOutboxRow.id).where(
                ScoreOutboxRow.platform_id == target.platform_id,
                ScoreOutboxRow.resource_link_id == target.resource_link_id,
                ScoreOutboxRow.person_id == completion.person_id,
                ScoreOutboxRow.resource == str(completion.resource),
            )
        )
        if exists is not None:
            continue
        last = session.scalar(
            select(func.max(ScoreOutboxRow.timestamp)).where(
                ScoreOutboxRow.platform_id == target.platform_id,
                ScoreOutboxRow.resource_link_id == target.resource_link_id,
                ScoreOutboxRow.user_id == target.user_id,
            )
        )
        row = ScoreOutboxRow(
            platform_id=target.platform_id,
            deployment_id=target.deployment_id,
            resource_link_id=target.resource_link_id,
            person_id=completion.person_id,
            user_id=target.user_id,
            resource=str(completion.resource),
            score_given=COMPLETION_SCORE_GIVEN,
            score_maximum=COMPLETION_SCORE_MAXIMUM,
            timestamp=next_timestamp(now, last),
            status=ScoreStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
            request_id=current_request_id(),
        )
        session.add(row)
        # A concurrent request adding the same score fails here on the unique key; the
        # progress store runs the whole step once more and then finds this row (``exists``).
        session.flush()
        created.append(row.id)
    return created


class PendingScoresWork:
    """The outbox half of a progress unit of work; each hub's store adds the hub's half."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add_pending_scores(self, completion: Completion) -> list[int]:
        return add_pending_scores(self._s, completion)


def run_with_outbox(
    database: Database, make_work: Callable[[Session], W], step: Callable[[W], T]
) -> T:
    """``step`` in one transaction of this database; once more after a unique-key conflict
    (two requests writing the same row: the loser rolls back and now sees the winner's)."""

    def once() -> T:
        with database.session() as s:
            return step(make_work(s))

    try:
        return once()
    except IntegrityError:
        return once()


class SqlScoreOutbox:
    def __init__(self, database: Database) -> None:
        self._db = database

    def claim(self, entry_id: int, *, now: datetime, lease_seconds: int) -> OutboxEntry | None:
        claimed = self._claim(OUTBOX.c.id == entry_id, now=now, lease_seconds=lease_seconds)
        return claimed[0] if claimed else None

    def claim_due(
        self, entry_id: int, *, now: datetime, lease_seconds: int, limit: int
    ) -> list[OutboxEntry]:
        due = OUTBOX.alias("due")  # its own FROM: not correlated with the UPDATE's table
        others = (
            select(due.c.id)
            .where(*self._due_clauses(now, due))
            .order_by(due.c.next_attempt_at, due.c.id)
            .limit(max(0, limit - 1))
            .with_for_update(skip_locked=True)  # nothing on SQLite: one writer at a time there
        )
        # The task's own row is not skipped when locked: the UPDATE waits for the other claim
        # and then re-checks the due clauses, so it is claimed once or not at all.
        which = or_(OUTBOX.c.id == entry_id, OUTBOX.c.id.in_(others.scalar_subquery()))
        claimed = self._claim(which, now=now, lease_seconds=lease_seconds)
        claimed.sort(key=lambda e: (e.id != entry_id, e.next_attempt_at, e.id))
        return claimed

    def _claim(self, which: Any, *, now: datetime, lease_seconds: int) -> list[OutboxEntry]:
        statement = (
            update(OUTBOX)
            .where(which, *self._due_clauses(now))
            .values(
                leased_until=now + timedelta(seconds=lease_seconds),
                attempts=OUTBOX.c.attempts + 1,
                updated_at=now,
            )
            .returning(*COLUMNS)
        )
        return [outbox_entry(row) for row in self._one_statement(statement)]

    def release(self, entry_ids: Sequence[int], *, now: datetime) -> None:
        if not entry_ids:
            return
        with self._db.session() as s:
            s.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(list(entry_ids)),
                    OUTBOX.c.status == ScoreStatus.PENDING.value,
                    OUTBOX.c.leased_until.is_not(None),
                )
                .values(leased_until=None, attempts=OUTBOX.c.attempts - 1, updated_at=now)
            )

    def finish(
        self,
        entry_id: int,
        decision: Decision,
        *,
        now: datetime,
        last_status: int | None,
        lineitem_url: str | None,
    ) -> OutboxEntry:
        sent = decision.status is ScoreStatus.SENT
        parameters = {
            "b_id": entry_id,
            "b_status": decision.status.value,
            "b_error": clip(decision.reason) if decision.reason else None,
            "b_last_status": last_status,
            "b_now": now,
            "b_lineitem_url": lineitem_url or None,
            "b_next_attempt_at": decision.next_attempt_at,
            "b_sent_at": now if sent else None,
        }
        rows = self._one_statement(FINISH, parameters)
        if not rows:
            raise NotFoundError(f"No score with id {entry_id} in the outbox.")
        return outbox_entry(rows[0])

    def _one_statement(self, statement: Any, parameters: Any = None) -> list[Row[Any]]:
        """A single statement is atomic on its own: run it in autocommit, one round trip
        instead of BEGIN, the statement and COMMIT (a worker's score is made of these round
        trips). Core, not the ORM: built once, nothing to track. A lost database is the same
        ``DependencyUnavailableError`` as from ``Database.session``."""
        try:
            with self._db.engine.connect() as connection:
                autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
                return list(autocommit.execute(statement, parameters))
        except DBAPIError as error:
            if lost_database(error):
                raise DependencyUnavailableError(DATABASE_DOWN) from error
            raise

    def due(self, *, now: datetime, limit: int) -> list[int]:
        with self._db.session() as s:
            return list(
                s.scalars(
                    select(ScoreOutboxRow.id)
                    .where(*self._due_clauses(now))
                    .order_by(ScoreOutboxRow.next_attempt_at, ScoreOutboxRow.id)
                    .limit(limit)
                )
            )

    def get(self, entry_id: int) -> OutboxEntry:
        with self._db.session() as s:
            return outbox_entry(self._load(s, entry_id))

    def entries(self, *, status: ScoreStatus | None = None, limit: int = 200) -> list[OutboxEntry]:
        query = select(ScoreOutboxRow).order_by(ScoreOutboxRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(ScoreOutboxRow.status == status.value)
        with self._db.session() as s:
            return [outbox_entry(row) for row in s.scalars(query)]

    def retry(self, entry_ids: Sequence[int] | None, *, now: datetime) -> list[int]:
        with self._db.session() as s:
            query = select(ScoreOutboxRow.id).where(ScoreOutboxRow.status == ScoreStatus.DEAD.value)
            if entry_ids is not None:
                wanted = set(entry_ids)
                unknown = wanted - set(
                    s.scalars(select(ScoreOutboxRow.id).where(ScoreOutboxRow.id.in_(wanted)))
                )
                if unknown:
                    raise NotFoundError(f"No score with id {min(unknown)} in the outbox.")
                query = query.where(ScoreOutboxRow.id.in_(wanted))
            ids = list(s.scalars(query.order_by(ScoreOutboxRow.id)))
            if ids:
                s.execute(
                    update(ScoreOutboxRow)
                    .where(ScoreOutboxRow.id.in_(ids))
                    .values(
                        status=ScoreStatus.PENDING.value,
                        attempts=0,
                        next_attempt_at=now,
                        leased_until=None,
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
            return ids

    @staticmethod
    def _due_clauses(now: datetime, table: Any = OUTBOX) -> tuple[Any, ...]:
        return (
            table.c.status == ScoreStatus.PENDING.value,
            table.c.next_attempt_at <= now,
            or_(table.c.leased_until.is_(None), table.c.leased_until <= now),
        )

    @staticmethod
    def _load(s: Session, entry_id: int) -> ScoreOutboxRow:
        row = s.get(ScoreOutboxRow, entry_id)
        if row is None:
            raise NotFoundError(f"No score with id {entry_id} in the outbox.")
        return row


@dataclass(frozen=True)
class OutboxBacklog:
    """What ``/metrics`` reports of the outbox: scores waiting and scores given up."""

    pending: int
    oldest_pending_age_seconds: float  # 0 when nothing is pending
    dead: int


def outbox_backlog(database: Database, *, now: datetime) -> OutboxBacklog | None:
    """One grouped read (the status column is indexed with the due-time); None when the
    database does not answer, so a scrape during an outage still gets the other figures."""
    query = (
        select(ScoreOutboxRow.status, func.count(), func.min(ScoreOutboxRow.created_at))
        .where(ScoreOutboxRow.status.in_([ScoreStatus.PENDING.value, ScoreStatus.DEAD.value]))
        .group_by(ScoreOutboxRow.status)
    )
    try:
        with database.session() as s:
            rows = {status: (count, oldest) for status, count, oldest in s.execute(query)}
    except (SQLAlchemyError, DependencyUnavailableError):
        log.warning("outbox figures not read: the database did not answer")
        return None
    pending, oldest = rows.get(ScoreStatus.PENDING.value, (0, None))
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxBacklog(
        pending=int(pending),
        oldest_pending_age_seconds=age,
        dead=int(rows.get(ScoreStatus.DEAD.value, (0, None))[0]),
    )


class SqlLineItemMemory:
    def __init__(self, database: Database, *, clock: Callable[[], datetime]) -> None:
        self._db = database
        self._clock = clock
        self._insert = sqlite_insert if database.engine.dialect.name == "sqlite" else pg_insert

    def get(self, platform_id: int, resource_link_id: str) -> str | None:
        with self._db.session() as s:
            return s.scalar(
                select(AgsLineItemRow.lineitem_url).where(
                    AgsLineItemRow.platform_id == platform_id,
                    AgsLineItemRow.resource_link_id == resource_link_id,
                )
            )

    def remember(self, platform_id: int, resource_link_id: str, lineitem_url: str) -> None:
        statement = self._insert(AgsLineItemRow).values(
            platform_id=platform_id,
            resource_link_id=resource_link_id,
            lineitem_url=lineitem_url,
            created_at=self._clock(),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[AgsLineItemRow.platform_id, AgsLineItemRow.resource_link_id],
            set_={"lineitem_url": statement.excluded.lineitem_url},
        )
        with self._db.session() as s:
            s.execute(statement)
