"""``RemoteProgressStore``: the ``ProgressStore`` when the hub is another instance (ETWIN_HUB_URL).

The hub's write and the tool's pending scores live in two databases, so they cannot share a
transaction. The order makes that safe:

1. the remote call first. ``PUT /activities/<id>/done/<person>`` is idempotent; a repeated
   ``POST /events/<id>/completions`` answers 409 (``DuplicateAcknowledgementError``) and changes
   nothing. Either way a retry cannot record a completion twice;
2. then the pending scores, in one local transaction, committed before anything is queued
   (``etwin_lti.services.progress``): a queue that is down loses nothing, the sweep finds them.

If step 2 fails (the local database is unreachable) after step 1 succeeded, the request fails and
nothing is queued; the completion is recorded remotely but owes its scores. The next attempt
repairs it without duplicating anything: the learner marking any activity of a completed unit
again (or the same one: idempotent) re-derives the completion from the remote progress, and an
expert completing the participant again gets the 409, on which the service still writes the
owed scores (``event_completed_at``). ``add_pending_scores`` skips a link that already holds the
score, and a unique key on (link, person, resource) settles two writers racing: the loser rolls
back and runs the step once more, now skipping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from connectors.http_hub import HttpHubConnector
from connectors.sql_score_outbox import PendingScoresWork, run_with_outbox
from etwin_lti.domain.model import Acknowledgement, UnitProgress
from etwin_lti.domain.ports.progress import ProgressUnitOfWork
from etwin_lti.persistence.db import Database

T = TypeVar("T")


class RemoteProgressStore:
    def __init__(self, hub: HttpHubConnector, database: Database) -> None:
        self._hub = hub
        self._db = database

    def run(self, step: Callable[[ProgressUnitOfWork], T]) -> T:
        return run_with_outbox(self._db, lambda s: _RemoteWork(self._hub, s), step)


class _RemoteWork(PendingScoresWork):
    def __init__(self, hub: HttpHubConnector, session: Session) -> None:
        super().__init__(session)  # the tool's own database: the outbox only
        self._hub = hub

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        return self._hub.mark_activity_done(person_id, activity_id)

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        return self._hub.complete_event(actor_id, event_id, person_id)

    def event_completed_at(self, event_id: int, person_id: int) -> datetime | None:
        for enrolment in self._hub.list_enrolments(event_id):
            if enrolment.person_id == person_id:
                return enrolment.completed_at
        return None
