"""What every area of ``LocalHub`` shares: the database, the clock, and the acknowledgement
writes several areas make (a project's label, an event's or course's certificate)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.local_hub.page_cache import PageCache
from connectors.shared_memo import SharedMemo
from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.files import DEFAULT_QUOTA_MB, MB
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
)
from etwin_lti.domain.ports.file_store import FileStore
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
)
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
)

COUNTRY_LIST = ("etwin_lti.data", "countries.json")
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _enum(enum_type: Any, value: Any, field: str) -> Any:
    """Coerce a string to the enum (API and CLI callers pass values); unknown values are 422."""
    try:
        return enum_type(value)
    except ValueError:
        raise InvalidInputError(errors={field: [f"Unknown value '{value}'."]}) from None


def _once_more_on_conflict(call: Callable[[], T]) -> T:
    """Two requests making the same row at once (two launches of one pupil, a double click):
    the loser's transaction hits the unique key and rolls back, and the call runs once more,
    now seeing the winner's row (so it answers as if the requests had been one after the other).
    """
    try:
        return call()
    except IntegrityError:
        return call()


class LocalHubBase:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = _utc_now,
        country_list: Mapping[str, Any] | None = None,
        page_cache: KeyValueCache | None = None,
        file_store: FileStore | None = None,
        twinspace_quota_bytes: int = DEFAULT_QUOTA_MB * MB,
        memberships: SharedMemo[Any] | None = None,
    ) -> None:
        self._db = database
        # The launch's membership reads, memoised per worker (connectors.memoized_stores).
        self._memberships = memberships
        self._clock = clock
        self._country_list = country_list
        # The TwinSpace page's snapshot (ADR 0016); every write through this database
        # invalidates it, whichever adapter makes it.
        self._pages = PageCache(page_cache) if page_cache is not None else None
        if self._pages is not None:
            self._pages.watch(database)
        self._files = file_store  # uploaded materials' bytes (connectors.file_stores)
        self._quota_bytes = twinspace_quota_bytes

    def _now(self) -> datetime:
        return self._clock()

    def _today(self) -> date:
        return self._now().date()

    def _issue(
        self,
        s: Session,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        evidence: Mapping[str, str],
    ) -> Acknowledgement:
        """Insert one acknowledgement; the unique constraint decides about duplicates."""
        s.flush()  # anything pending first, so the only possible IntegrityError below is ours
        existing = s.scalar(
            select(AcknowledgementRow.id).where(
                AcknowledgementRow.kind == kind.value,
                AcknowledgementRow.person_id == person_id,
                AcknowledgementRow.subject == subject,
            )
        )
        if existing is not None:
            raise DuplicateAcknowledgementError()
        row = AcknowledgementRow(
            kind=kind.value,
            person_id=person_id,
            subject=subject,
            title=title,
            issued_at=self._now(),
            evidence=dict(evidence),
        )
        s.add(row)
        try:
            s.flush()
        except IntegrityError as error:  # a concurrent request issued it first
            raise DuplicateAcknowledgementError() from error
        return rec.acknowledgement(row)

    def _holders(self, s: Session, kind: AcknowledgementKind, subject: str) -> list[int]:
        return list(
            s.scalars(
                select(AcknowledgementRow.person_id)
                .where(
                    AcknowledgementRow.kind == kind.value,
                    AcknowledgementRow.subject == subject,
                    AcknowledgementRow.revoked_at.is_(None),
                )
                .order_by(AcknowledgementRow.person_id)
            )
        )

    def _holds(
        self, s: Session, kind: AcknowledgementKind, person_id: int, project_id: int
    ) -> bool:
        return person_id in self._holders(s, kind, acks.project_subject(project_id))
