"""``LocalProgressStore``: the ``ProgressStore`` of the local hub.

One database transaction holds the hub's write (the activity done, the participant complete)
and the pending scores the completion owes (``connectors.sql_score_outbox``): both are kept or
neither is. A concurrent request writing the same row (a double click; two tabs) makes this
transaction fail on a unique key; it rolls back and the step runs once more, now seeing the
other request's rows, as ``LocalHub`` does for its own calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from connectors.local_hub import LocalHub
from connectors.sql_score_outbox import PendingScoresWork, run_with_outbox
from etwin_lti.domain.model import Acknowledgement, UnitProgress
from etwin_lti.domain.ports.progress import ProgressUnitOfWork
from etwin_lti.persistence.db import Database

T = TypeVar("T")


class LocalProgressStore:
    def __init__(self, hub: LocalHub, database: Database) -> None:
        self._hub = hub
        self._db = database

    def run(self, step: Callable[[ProgressUnitOfWork], T]) -> T:
        return run_with_outbox(self._db, lambda s: _LocalWork(self._hub, s), step)


class _LocalWork(PendingScoresWork):
    def __init__(self, hub: LocalHub, session: Session) -> None:
        super().__init__(session)
        self._hub = hub

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        return self._hub.mark_activity_done_in(self._s, person_id, activity_id)

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        return self._hub.complete_event_in(self._s, actor_id, event_id, person_id)

    def event_completed_at(self, event_id: int, person_id: int) -> datetime | None:
        return self._hub.event_completed_at_in(self._s, event_id, person_id)
