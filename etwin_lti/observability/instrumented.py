"""The use cases that metrics time or count, as bootstrap wires them.

Measured around the use case rather than inside it, so the use cases stay free of metrics;
each wrapper adds a clock read and a counter update, nothing on the request's I/O path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etwin_lti.domain.passback import OutboxEntry, ScoreStatus
from etwin_lti.observability.metrics import Metrics
from etwin_lti.services.roster_sync import RosterSyncService, SyncAllReport, SyncResult

_RESULT = {
    ScoreStatus.SENT: "sent",
    ScoreStatus.PENDING: "retry",  # tried, failed, due again later
    ScoreStatus.DEAD: "dead",
    ScoreStatus.SKIPPED: "skipped",
}


def counted_passback(
    post: Callable[[int], OutboxEntry | None], metrics: Metrics
) -> Callable[[int], OutboxEntry | None]:
    """``PassbackService.post`` counting each attempt by its result. No attempt (another worker
    holds the score, it was sent, its retry time has not come) is not counted."""

    def post_score(entry_id: int) -> OutboxEntry | None:
        try:
            finished = post(entry_id)
        except Exception:
            metrics.passback("error")  # the tool's own database or the queue failed mid-way
            raise
        if finished is not None:
            metrics.passback(_RESULT[finished.status])
        return finished

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
