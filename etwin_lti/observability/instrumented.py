"""The use cases that metrics time or count, as bootstrap wires them.

Measured around the use case rather than inside it, so the use cases stay free of metrics;
each wrapper adds a clock read and a counter update, nothing on the request's I/O path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etwin_lti.domain.passback import OutboxEntry, ScoreStatus
from etwin_lti.observability.metrics import Metrics
from etwin_lti.observability.request_ids import bound_request_id, current_request_id
from etwin_lti.services.roster_sync import RosterSyncService, SyncAllReport, SyncResult

Deliver = Callable[..., list[OutboxEntry]]  # PassbackService.deliver(entry_id, *, around=)
_RESULT = {
    ScoreStatus.SENT: "sent",
    ScoreStatus.PENDING: "retry",  # tried, failed, due again later
    ScoreStatus.DEAD: "dead",
    ScoreStatus.SKIPPED: "skipped",
}


def counted_passback(deliver: Deliver, metrics: Metrics) -> Callable[[int], list[OutboxEntry]]:
    """``PassbackService.deliver`` counting each attempt by its result, each run under the
    request id of the request that owed its score (a batch mixes requests; a score queued
    outside any request runs under the task's id). No attempt (another worker holds the
    score, it was sent, its retry time has not come) is not counted."""

    def attempt(entry: OutboxEntry, run: Callable[[], OutboxEntry]) -> OutboxEntry:
        with bound_request_id(entry.request_id or current_request_id()):
            finished = run()
        metrics.passback(_RESULT[finished.status])
        return finished

    def post_score(entry_id: int) -> list[OutboxEntry]:
        try:
            return deliver(entry_id, around=attempt)
        except Exception:
            metrics.passback("error")  # the tool's own database or the queue failed mid-way
            raise

    return post_score


class TimedRosterSyncService(RosterSyncService):
    """Roster sync with each run timed (``etwin_lti_roster_sync_duration_seconds``): the
    periodic sync of every course (``all``), one course (``course``: the CLI, ``--link``) and a
    teacher's "Sync roster now" (``twinspace``)."""

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    def sync_all(self, **kwargs: Any) -> SyncAllReport:
        with self._metrics.roster_sync("all"):
            return super().sync_all(**kwargs)

    def sync_context(self, *args: Any, **kwargs: Any) -> list[SyncResult]:
        with self._metrics.roster_sync("course"):
            return super().sync_context(*args, **kwargs)

    def sync_twinspace(self, *args: Any, **kwargs: Any) -> list[SyncResult]:
        with self._metrics.roster_sync("twinspace"):
            return super().sync_twinspace(*args, **kwargs)
