"""Posting outbox scores to their platforms, and the administrator's view of the outbox.

The worker's task delivers a batch: its own score and other due ones, claimed in one statement,
each finished before the next is posted (docs/decisions/0038).

Over ports only: the outbox, the resource links (where the launch said the line item is), the
AGS client, the line items the tool created itself, and the task queue for the next attempt.
The rules of what an answer means live in ``etwin_lti.domain.passback``.

Which column: the resource link's OWN line item, the one its launch announced (Moodle's
activity grade item, the one "Receive a grade" completion listens to; domain-facts.md 3.7).
Only when a launch carried no ``lineitem`` but lets the tool manage columns does the tool find
one by ``resource_link_id``/``tag`` (server-side filters) or create one, and remember it.
"""

from __future__ import annotations

import builtins
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from etwin_lti.domain.passback import (
    AgsPort,
    Decision,
    LineItemMemory,
    LineItemUnavailableError,
    OutboxEntry,
    RetryPolicy,
    ScoreOutbox,
    ScoreStatus,
    TaskQueue,
    decide_answer,
    decide_retry,
)
from etwin_lti.domain.resource_links import ResourceLinkStore
from etwin_lti.errors import RemoteServiceError
from etwin_lti.lti import ags

log = logging.getLogger(__name__)
SWEEP_BATCH = 500
BATCH_SIZE = 20  # scores claimed per task: a few statements per batch instead of per score
SETTLED = frozenset({ScoreStatus.SENT, ScoreStatus.SKIPPED})  # never pending again
SETTLED_MEMORY = 100_000  # ids remembered per process (a few MB at most)
# How the worker runs one attempt: ``around(entry, attempt)`` calls ``attempt()`` and returns it.
Around = Callable[[OutboxEntry, Callable[[], OutboxEntry]], OutboxEntry]


class SettledIds:
    """Ids of scores this process saw sent or skipped: final states, which no retry, sweep or
    administrator makes pending again, so the task of one that a batch already delivered is
    dropped without asking the database. Bounded: the oldest are forgotten first (and their
    tasks then just find nothing to claim, as before)."""

    def __init__(self, limit: int = SETTLED_MEMORY) -> None:
        self._ids: dict[int, None] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._ids

    def add(self, entry_id: int) -> None:
        with self._lock:
            self._ids[entry_id] = None
            while len(self._ids) > self._limit:
                del self._ids[next(iter(self._ids))]


@dataclass(frozen=True)
class PassbackConfig:
    policy: RetryPolicy
    lease_seconds: int
    batch_size: int = BATCH_SIZE


class PassbackService:
    def __init__(
        self,
        config: PassbackConfig,
        *,
        outbox: ScoreOutbox,
        resource_links: ResourceLinkStore,
        ags_client: AgsPort,
        line_items: LineItemMemory,
        queue: TaskQueue,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self._outbox = outbox
        self._links = resource_links
        self._ags = ags_client
        self._line_items = line_items
        self._queue = queue
        self._clock = clock
        self._rand = rand
        self._settled = SettledIds()

    # --- the worker's task --------------------------------------------------------------------
    def deliver(self, entry_id: int, *, around: Around | None = None) -> builtins.list[OutboxEntry]:
        """The worker's task: post this score and up to ``batch_size - 1`` other due ones,
        claimed in one statement, one after the other (docs/decisions/0038). Each attempt is
        finished before the next POST, so a worker that dies mid-batch leaves at most one
        score in doubt, as one task per score did. Scores whose turn would come after half the
        lease are given back, so no lease runs out mid-POST. ``around(entry, attempt)`` runs
        each attempt (the worker's wiring binds the score's request id and counts the result:
        ``etwin_lti.observability.instrumented``)."""
        if entry_id in self._settled:  # this process sent it: its claim would find nothing
            return []
        started = self._clock()
        claimed = self._outbox.claim_due(
            entry_id,
            now=started,
            lease_seconds=self.config.lease_seconds,
            limit=self.config.batch_size,
        )
        finished: builtins.list[OutboxEntry] = []
        lineitems: dict[tuple[int, str], str] = {}
        deadline = started + timedelta(seconds=self.config.lease_seconds / 2)
        for index, entry in enumerate(claimed):
            if index and self._clock() >= deadline:
                self._give_back(claimed[index:])
                break
            attempt = partial(self._attempt, entry, lineitems)
            try:
                finished.append(around(entry, attempt) if around else attempt())
            except BaseException:
                self._give_back(claimed[index + 1 :])
                raise
        return finished

    def _attempt(self, entry: OutboxEntry, lineitems: dict[tuple[int, str], str]) -> OutboxEntry:
        """One POST of a claimed score and its outcome written; ``lineitems`` memoises, for a
        batch, where each resource link's scores go."""
        lineitem_url: str | None = None
        last_status: int | None = None
        try:
            link_key = (entry.platform_id, entry.resource_link_id)
            lineitem_url = lineitems.get(link_key) or self._lineitem_for(entry)
            lineitems[link_key] = lineitem_url
            payload = ags.score_payload(
                entry.user_id,
                entry.timestamp,
                score_given=entry.score_given,
                score_maximum=entry.score_maximum,
            )
            answer = self._ags.post_score(entry.platform_id, lineitem_url, payload)
            last_status = answer.status
            decision = decide_answer(
                answer, entry.attempts, self.config.policy, now=self._clock(), rand=self._rand
            )
        except LineItemUnavailableError as error:
            decision = Decision(ScoreStatus.DEAD, error.description)
        except RemoteServiceError as error:  # token endpoint, network, 429/5xx on line items
            decision = decide_retry(
                error.description,
                entry.attempts,
                self.config.policy,
                now=self._clock(),
                rand=self._rand,
            )
        finished = self._outbox.finish(
            entry.id,
            decision,
            now=self._clock(),
            last_status=last_status,
            lineitem_url=lineitem_url,
        )
        self._log(finished)
        if finished.status is ScoreStatus.PENDING:
            self._queue.enqueue_post_score(finished.id, eta=finished.next_attempt_at)
        elif finished.status in SETTLED:
            self._settled.add(finished.id)
        return finished

    def _give_back(self, entries: Sequence[OutboxEntry]) -> None:
        """Claimed but not attempted: free them now rather than when the lease ends, and queue
        them again (their own tasks may have run already and found them taken). Best effort:
        if the database is gone, the lease ends and the sweep takes them."""
        if not entries:
            return
        try:
            self._outbox.release([e.id for e in entries], now=self._clock())
        except Exception:  # the database failed: what the caller raises says why
            log.warning("%s claimed score(s) not given back; their lease will end", len(entries))
            return
        for entry in entries:
            self._queue.enqueue_post_score(entry.id)

    def _lineitem_for(self, entry: OutboxEntry) -> str:
        link = self._links.find(entry.platform_id, entry.resource_link_id)
        if link is None:
            raise LineItemUnavailableError(
                f"The tool no longer knows resource link {entry.resource_link_id!r}."
            )
        endpoints = link.endpoints
        scopes = set(endpoints.ags_scopes)
        if scopes and ags.SCOPE_SCORE not in scopes:
            raise LineItemUnavailableError(
                "The LMS does not let the tool send grades for this activity (no score scope "
                "in its launch). Switch on the tool's grade service (Moodle: 'IMS LTI "
                "Assignment and Grade Services'), open the activity once, then retry."
            )
        if endpoints.lineitem_url:
            return endpoints.lineitem_url
        remembered = self._line_items.get(entry.platform_id, entry.resource_link_id)
        if remembered:
            return remembered
        if not endpoints.lineitems_url or ags.SCOPE_LINEITEM not in scopes:
            raise LineItemUnavailableError(
                "The LMS announced no grade column for this activity and does not let the tool "
                "create one. Switch on the tool's grade service with column management "
                "(Moodle: 'Use this service for grade sync and column management'), open the "
                "activity once, then retry."
            )
        tag = entry.resource
        found = self._ags.find_lineitem(
            entry.platform_id,
            endpoints.lineitems_url,
            resource_link_id=entry.resource_link_id,
            tag=tag,
        )
        if found is None:
            found = self._ags.create_lineitem(
                entry.platform_id,
                endpoints.lineitems_url,
                ags.lineitem_payload(
                    f"eTwinning {entry.resource.replace(':', ' ')} completed",
                    entry.score_maximum,
                    resource_link_id=entry.resource_link_id,
                    tag=tag,
                    resource_id=entry.resource,
                ),
            )
        self._line_items.remember(entry.platform_id, entry.resource_link_id, found)
        return found

    def _log(self, entry: OutboxEntry) -> None:
        # Ids and outcomes only: no user ids, tokens or platform bodies in the log.
        log.info(
            "score %s (platform %s): %s after %s attempt(s)",
            entry.id,
            entry.platform_id,
            entry.status.value,
            entry.attempts,
        )

    # --- the periodic sweep -------------------------------------------------------------------
    def sweep(self) -> int:
        """Enqueue every pending score that is due and unclaimed: its task was lost (worker
        killed, queue down at commit time) or its retry time has come."""
        ids = self._outbox.due(now=self._clock(), limit=SWEEP_BATCH)
        queue = self._queue
        return sum(1 for entry_id in ids if queue.enqueue_post_score(entry_id))

    # --- administrators -----------------------------------------------------------------------
    def list(self, *, dead_only: bool = False, limit: int = 200) -> list[OutboxEntry]:
        return self._outbox.entries(status=ScoreStatus.DEAD if dead_only else None, limit=limit)

    # builtins.list: inside this class ``list`` names the method above.
    def retry(self, entry_ids: Sequence[int] | None) -> builtins.list[int]:
        """Dead letters (these, or all) back to pending, and onto the queue at once."""
        ids = self._outbox.retry(entry_ids, now=self._clock())
        queue = self._queue
        for entry_id in ids:
            queue.enqueue_post_score(entry_id)
        return ids
