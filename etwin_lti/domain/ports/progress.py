"""The progress port: one step of a learner's progress and the scores it owes, as one unit of work.

``etwin_lti.services.progress`` decides what a completion owes (DESIGN.md flow 5); a
``ProgressStore`` runs that decision atomically with the hub's write. Both implementations pass
``tests/contract/test_progress.py``:

- ``connectors.local_hub.progress.LocalProgressStore``: the hub's write and the pending scores
  share one database transaction;
- ``connectors.http_hub.progress.RemoteProgressStore``: the hub's write is a call to the remote
  hub (committed there at once, and safe to repeat), the pending scores are written in the tool's
  own database right after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from etwin_lti.domain.model import Acknowledgement, UnitProgress
from etwin_lti.domain.passback import Completion

T = TypeVar("T")


class ProgressUnitOfWork(Protocol):
    """What a step of progress may do while its unit of work is open."""

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        """The hub's ``CourseHub.mark_activity_done`` (idempotent)."""
        ...

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        """The hub's ``EventsHub.complete_event``: the certificate, or
        ``DuplicateAcknowledgementError`` when the participant was completed before."""
        ...

    def event_completed_at(self, event_id: int, person_id: int) -> datetime | None:
        """When the participant was marked complete (None: not enrolled or not complete)."""
        ...

    def add_pending_scores(self, completion: Completion) -> list[int]:
        """One pending score per resource link the completion is owed on, none twice: a link
        that already holds this person's score for this resource is skipped. The new ids, to
        be queued once the unit of work has committed."""
        ...


class ProgressStore(Protocol):
    def run(self, step: Callable[[ProgressUnitOfWork], T]) -> T:
        """Run ``step`` in one unit of work: it commits when ``step`` returns and rolls back
        (what the implementation holds open) when it raises. ``step`` may run a second time
        after a conflict with a concurrent request (the first attempt rolled back), so it must
        only act through the unit of work it is given."""
        ...
