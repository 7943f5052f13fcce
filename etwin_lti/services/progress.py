"""Progress as a use case: an activity done or a participant completed, the completion it makes,
and the pending scores that completion owes (DESIGN.md flow 5).

The decision lives here, the same for the local and the remote hub: a unit whose every activity
is done, or a Learning Event participant marked complete, is a ``Completion``; it owes one score
per resource link that shows that resource to that person. A ``ProgressStore`` runs the hub's
write and the pending scores as one unit of work (``etwin_lti.domain.ports.progress``: one
transaction with the local hub; remote call first, then the local outbox, with the remote hub).
Only after it committed are the scores handed to the task queue, so a queue that is down loses
nothing (the sweep queues them later) and a rolled-back step queues nothing.

A completion seen again (an activity of a finished unit done once more, a participant completed
twice) asks for its scores again: a link that already has one is skipped, so nothing is sent
twice, and a completion whose scores were lost between a remote hub and the local outbox is
repaired by the next attempt (see ``connectors.http_hub.progress``).
"""

from __future__ import annotations

from collections.abc import Sequence

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import Acknowledgement, UnitProgress
from etwin_lti.domain.passback import Completion, TaskQueue
from etwin_lti.domain.ports.progress import ProgressStore, ProgressUnitOfWork
from etwin_lti.errors import DuplicateAcknowledgementError


def unit_completion(progress: UnitProgress) -> Completion | None:
    if progress.completed_at is None:
        return None
    return Completion(
        progress.person_id, Resource(ResourceKind.UNIT, progress.unit_id), progress.completed_at
    )


class ProgressService:
    def __init__(self, store: ProgressStore, *, queue: TaskQueue) -> None:
        self._store = store
        self._queue = queue

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        """Idempotent; the unit's completion owes its scores once every activity is done."""

        def step(work: ProgressUnitOfWork) -> tuple[UnitProgress, list[int]]:
            progress = work.mark_activity_done(person_id, activity_id)
            completion = unit_completion(progress)
            return progress, work.add_pending_scores(completion) if completion else []

        progress, created = self._store.run(step)
        self._enqueue(created)
        return progress

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        """The expert completes a participant: the certificate once, and the event's scores."""

        def step(work: ProgressUnitOfWork) -> tuple[Acknowledgement, list[int]]:
            certificate = work.complete_event(actor_id, event_id, person_id)
            completion = Completion(
                person_id, Resource(ResourceKind.EVENT, event_id), certificate.issued_at
            )
            return certificate, work.add_pending_scores(completion)

        try:
            certificate, created = self._store.run(step)
        except DuplicateAcknowledgementError:
            # Completed before: the refusal stands, but the scores are owed all the same.
            self._enqueue(self._store.run(lambda work: self._owed_event(work, event_id, person_id)))
            raise
        self._enqueue(created)
        return certificate

    @staticmethod
    def _owed_event(work: ProgressUnitOfWork, event_id: int, person_id: int) -> list[int]:
        completed_at = work.event_completed_at(event_id, person_id)
        if completed_at is None:
            return []
        resource = Resource(ResourceKind.EVENT, event_id)
        return work.add_pending_scores(Completion(person_id, resource, completed_at))

    def _enqueue(self, entry_ids: Sequence[int]) -> None:
        if not entry_ids:
            return
        queue = self._queue
        for entry_id in entry_ids:
            queue.enqueue_post_score(entry_id)  # False when the queue is down: the sweep catches up
