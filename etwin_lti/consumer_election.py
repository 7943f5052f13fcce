"""One consumer of the embedded task queue among the processes of a web server (ADR 0023).

The embedded queue is a SQLite file of the instance folder. Under gunicorn every web worker
enqueues into it, and something must consume it, or scores wait for ever. ``ElectedConsumer``
runs in every web worker; only the one holding an exclusive ``flock`` on a file next to the
queue starts the consumer, the others try again every few seconds. The kernel drops the lock when
its holder exits for any reason (recycled, killed after a timeout, crashed), so another worker
takes over within ``retry_seconds``, and gunicorn's own supervision of its workers is what keeps
a consumer running. Two consumers at once would be harmless anyway (a score is claimed atomically
before it is posted); the lock keeps it to one so that periodic tasks are scheduled once.

The holder writes its pid into the file, so ``cat <queue>.consumer.lock`` tells an administrator
which process consumes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".consumer.lock"


class Stoppable(Protocol):
    def stop(self, *, graceful: bool = True) -> None: ...


def lock_path_for(queue_path: str) -> str:
    return queue_path + LOCK_SUFFIX


class ElectedConsumer:
    """``begin()`` in each process; the one that gets the lock calls ``start()`` once."""

    def __init__(
        self,
        lock_path: str,
        start: Callable[[], Stoppable],
        *,
        retry_seconds: float = 5.0,
    ) -> None:
        self._lock_path = lock_path
        self._start = start
        self._retry_seconds = retry_seconds
        self._stopped = threading.Event()
        self._guard = threading.Lock()  # begin's thread against stop() from the main thread
        self._descriptor: int | None = None
        self._running: Stoppable | None = None
        self._thread: threading.Thread | None = None

    @property
    def holding(self) -> bool:
        """True while this process runs the consumer."""
        return self._running is not None

    def begin(self) -> None:
        self._thread = threading.Thread(
            target=self._campaign, name="etwin-consumer-election", daemon=True
        )
        self._thread.start()

    def _campaign(self) -> None:
        while not self._stopped.is_set():
            if self._try_to_lead():
                return
            self._stopped.wait(self._retry_seconds)

    def _try_to_lead(self) -> bool:
        with self._guard:
            if self._stopped.is_set():
                return True
            descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return False
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
            self._descriptor = descriptor
            try:
                self._running = self._start()
            except (OSError, sqlite3.Error) as error:
                # A consumer that cannot start (its queue file unreadable, say) must not keep
                # the lock from a process that might manage; the next round tries again.
                log.error("the embedded task queue's consumer did not start: %s", error)
                self._release()
                return False
            except BaseException:
                self._release()
                raise
            log.info("embedded task queue: this process (pid %s) consumes it", os.getpid())
            return True

    def stop(self) -> None:
        """Stop campaigning; the holder stops its consumer (letting running tasks finish) and
        frees the lock for another process."""
        self._stopped.set()
        with self._guard:
            running, self._running = self._running, None
            if running is not None:
                running.stop(graceful=True)
            self._release()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self._retry_seconds + 1)

    def _release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is not None:
            os.close(descriptor)  # closing the only descriptor drops the flock
