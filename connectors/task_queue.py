"""The durable task queue: huey (DESIGN.md "Real parts").

- ``ETWIN_QUEUE=embedded`` (default): ``SqliteHuey`` in a file of the instance folder
  (``queue.sqlite``, or ``ETWIN_QUEUE_PATH``); ``etwin-lti serve`` runs a worker in-process,
  and under gunicorn with ``etwin_lti.gunicorn_conf`` one web worker at a time does.
- ``ETWIN_QUEUE=redis``: ``RedisHuey`` on ``ETWIN_REDIS_URL``; run ``etwin-lti worker`` on as
  many machines as needed.

Tasks (names are stable: they are stored in the queue):

    post_score(outbox_id, request_id=None)
                            post that outbox score and a batch of other due ones
                            (``PassbackService.deliver``, docs/decisions/0038); ``request_id``
                            is the id of the request that queued it, for its log lines (each
                            score of the batch runs under its own row's request id)
    sweep_outbox()          periodic, every ETWIN_PASSBACK_SWEEP_MINUTES: re-enqueue pending
                            scores that are due and unclaimed
    sync_all_rosters()      periodic, every ETWIN_ROSTER_SYNC_MINUTES (when roster sync exists)
    poll_moodle()           periodic, every ETWIN_MOODLE_POLL_MINUTES
    purge_personal_data()   periodic, daily at 03:17 UTC: erase members suspended for longer
                            than ETWIN_SUSPENDED_RETENTION_DAYS (``PrivacyService.purge``)
    purge_chat_history()    periodic, daily at 03:47 UTC: delete TwinSpace chat messages older
                            than three months (``etwin_lti.services.chat``)

Huey removes a task from storage when a worker takes it, so a worker killed mid-task loses that
task. Nothing depends on the queue for durability: the outbox row is the truth, a task is only
a wake-up call, and ``sweep_outbox`` (also run once whenever a worker starts) re-enqueues what was
lost. Duplicate tasks are harmless: ``post_score`` first claims its row atomically.

Every task runs under a request id (``etwin_lti.observability.request_ids``): the one of the
request that queued it, carried in the task's arguments, or a new one (periodic tasks, and
messages queued before the argument existed).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer

from etwin_lti.domain.translatable import N_
from etwin_lti.observability.request_ids import (
    begin_request,
    bound_request_id,
    current_request_id,
    end_request,
)
from etwin_lti.private_files import create_private_file

log = logging.getLogger(__name__)
QUEUE_NAME = "etwin-lti"
_QUEUE_ERRORS = (redis.RedisError, sqlite3.Error, OSError)


@dataclass(frozen=True)
class QueueHandlers:
    """What the tasks do; built by bootstrap over the container's services."""

    post_score: Callable[[int], object]
    sweep_outbox: Callable[[], int]
    poll_moodle: Callable[[], object]
    sync_all_rosters: Callable[[], object] | None = None
    purge_personal_data: Callable[[], object] | None = None
    purge_chat_history: Callable[[], object] | None = None


@dataclass(frozen=True)
class QueueIntervals:
    sweep_minutes: int = 1
    roster_sync_minutes: int = 60
    moodle_poll_minutes: int = 15


def every(minutes: int) -> Callable[[datetime], bool]:
    """A huey periodic-task validator: true on every ``minutes``-th minute since the epoch
    (huey checks periodic tasks once a minute)."""

    def due(moment: datetime) -> bool:
        return int(moment.timestamp() // 60) % minutes == 0

    return due


def make_huey(
    *, backend: str, sqlite_path: str | None = None, redis_url: str | None = None
) -> Huey:
    if backend == "redis":
        return RedisHuey(QUEUE_NAME, url=redis_url, results=False, utc=True)
    if sqlite_path:
        create_private_file(sqlite_path)  # the queue holds score ids and task arguments: 0600
    return SqliteHuey(QUEUE_NAME, filename=sqlite_path, results=False, utc=True)


class HueyTaskQueue:
    """``etwin_lti.domain.passback.TaskQueue`` over huey, plus the workers that consume it."""

    def __init__(self, huey_factory: Callable[[], Huey], intervals: QueueIntervals) -> None:
        self._factory = huey_factory
        self._handlers: QueueHandlers | None = None
        self._intervals = intervals
        self._huey: Huey | None = None
        self._lock = threading.Lock()
        self._tasks: dict[str, Any] = {}

    def attach(self, handlers: QueueHandlers) -> None:
        """Give the tasks their use cases. Those use cases enqueue onto this queue, so they are
        built after it, and bootstrap attaches them once they exist (before any task can run:
        the huey instance, and so every worker, is created on first use)."""
        self._handlers = handlers

    def handlers(self) -> QueueHandlers:
        if self._handlers is None:
            raise RuntimeError(N_("the task queue has no handlers yet (bootstrap attaches them)"))
        return self._handlers

    @property
    def huey(self) -> Huey:
        """Created on first use, so that an app that never queues anything opens no queue."""
        with self._lock:
            if self._huey is None:
                self._huey = self._factory()
                self._register(self._huey)
            return self._huey

    def _register(self, huey: Huey) -> None:
        handlers, intervals = self.handlers, self._intervals

        # A worker binds the task's request id before running it and unbinds it after huey's
        # own lines about it ("executed in", "Unhandled exception in task"), so those carry it
        # too. Inside each task, the id bound by the worker, else (a task run in place) its own.
        @huey.pre_execute(name="bind_request_id")
        def bind_request_id(task: Any) -> None:
            task.etwin_request_token = begin_request((task.kwargs or {}).get("request_id"))[1]

        @huey.post_execute(name="unbind_request_id")
        def unbind_request_id(task: Any, _value: object, _error: object) -> None:
            token = getattr(task, "etwin_request_token", None)
            if token is not None:
                end_request(token)

        @huey.task(name="post_score")
        def post_score(outbox_id: int, request_id: str | None = None) -> None:
            with bound_request_id(current_request_id() or request_id):
                handlers().post_score(outbox_id)

        @huey.periodic_task(every(intervals.sweep_minutes), name="sweep_outbox")
        def sweep_outbox() -> None:
            with bound_request_id(current_request_id()):
                count = handlers().sweep_outbox()
                if count:
                    log.info("sweep: %s pending score(s) enqueued again", count)

        @huey.periodic_task(every(intervals.roster_sync_minutes), name="sync_all_rosters")
        def sync_all_rosters() -> None:
            sync = handlers().sync_all_rosters
            if sync is not None:
                with bound_request_id(current_request_id()):
                    sync()

        @huey.periodic_task(every(intervals.moodle_poll_minutes), name="poll_moodle")
        def poll_moodle() -> None:
            with bound_request_id(current_request_id()):
                handlers().poll_moodle()

        # Daily, off the hour: the retention purge (etwin_lti.services.privacy).
        @huey.periodic_task(crontab(minute="17", hour="3"), name="purge_personal_data")
        def purge_personal_data() -> None:
            purge = handlers().purge_personal_data
            if purge is not None:
                with bound_request_id(current_request_id()):
                    purge()

        # Daily, half an hour after the personal-data purge: the chat's three months.
        @huey.periodic_task(crontab(minute="47", hour="3"), name="purge_chat_history")
        def purge_chat_history() -> None:
            purge = handlers().purge_chat_history
            if purge is not None:
                purge()

        self._tasks = {
            "post_score": post_score,
            "purge_chat_history": purge_chat_history,
            "purge_personal_data": purge_personal_data,
            "sweep_outbox": sweep_outbox,
            "sync_all_rosters": sync_all_rosters,
            "poll_moodle": poll_moodle,
        }

    def task(self, name: str) -> Any:
        """A registered task (``post_score``, ``sweep_outbox``, ...), e.g. to call it."""
        _ = self.huey
        return self._tasks[name]

    # --- TaskQueue ----------------------------------------------------------------------------
    def enqueue_post_score(self, entry_id: int, *, eta: datetime | None = None) -> bool:
        """False (and a warning) when the queue is unreachable: the sweep will catch up."""
        # The request (or task) queuing the score: its id goes along, for the task's log lines.
        request_id = current_request_id()
        try:
            task = self.task("post_score")
            if eta is None:
                task(entry_id, request_id=request_id)
            else:
                task.schedule(args=(entry_id,), kwargs={"request_id": request_id}, eta=eta)
        except _QUEUE_ERRORS as error:
            log.warning("score %s not queued (%s); the sweep will queue it", entry_id, error)
            return False
        return True

    def enqueue_sweep(self) -> bool:
        try:
            self.task("sweep_outbox")()
        except _QUEUE_ERRORS as error:
            log.warning("outbox sweep not queued (%s)", error)
            return False
        return True

    def pending_count(self) -> int:
        return int(self.huey.pending_count())

    def depth(self) -> int | None:
        """Tasks waiting (``/metrics``); None when the queue's storage does not answer."""
        try:
            return self.pending_count()
        except _QUEUE_ERRORS:
            return None

    def ping(self) -> bool:
        """True when the queue's storage answers (``/healthz``)."""
        try:
            self.pending_count()
        except _QUEUE_ERRORS:
            return False
        return True

    # --- workers ------------------------------------------------------------------------------
    def consumer(self, *, workers: int, periodic: bool = True) -> Consumer:
        return _QuietConsumer(
            self.huey,
            workers=workers,
            periodic=periodic,
            worker_type="thread",
            initial_delay=0.05,
            max_delay=1.0,
            check_worker_health=True,
        )

    def run_worker(self, *, workers: int) -> None:
        """``etwin-lti worker``: consume until SIGINT/SIGTERM (huey's signal handling)."""
        consumer = Consumer(self.huey, workers=workers, worker_type="thread", max_delay=1.0)
        self.enqueue_sweep()  # whatever a killed worker left behind
        consumer.run()

    def start_worker(self, *, workers: int, periodic: bool = True) -> BackgroundWorker:
        """A consumer in daemon threads of this process (``serve`` on the embedded default,
        and the e2e tests). It installs no signal handlers: the web server keeps Ctrl+C."""
        consumer = self.consumer(workers=workers, periodic=periodic)
        self.enqueue_sweep()
        consumer.start()
        return BackgroundWorker(consumer)


class _QuietConsumer(Consumer):
    """Signal handlers can only be set from the main thread, and the host process (the web
    server) owns them anyway."""

    def _set_signal_handlers(self) -> None:
        return None


class BackgroundWorker:
    def __init__(self, consumer: Consumer) -> None:
        self._consumer = consumer

    def stop(self, *, graceful: bool = True) -> None:
        """Graceful: let running tasks finish (they are short: one HTTP call each)."""
        self._consumer.stop(graceful=graceful)
