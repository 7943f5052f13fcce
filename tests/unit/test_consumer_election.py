"""One consumer of the embedded queue among several processes (etwin_lti.consumer_election).

flock locks belong to an open file description, so two elections in one process contend exactly
as two gunicorn workers do."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from etwin_lti.consumer_election import ElectedConsumer, lock_path_for


class RecordingConsumer:
    def __init__(self) -> None:
        self.stopped_gracefully: bool | None = None

    def stop(self, *, graceful: bool = True) -> None:
        self.stopped_gracefully = graceful


class Starts:
    """The ``start`` callable: counts calls, optionally fails the first ones."""

    def __init__(self, failures: list[BaseException] | None = None) -> None:
        self.failures = list(failures or [])
        self.consumers: list[RecordingConsumer] = []
        self.called = threading.Event()

    def __call__(self) -> RecordingConsumer:
        self.called.set()
        if self.failures:
            raise self.failures.pop(0)
        consumer = RecordingConsumer()
        self.consumers.append(consumer)
        return consumer


def until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


@pytest.fixture
def lock(tmp_path: Path) -> str:
    return lock_path_for(str(tmp_path / "queue.sqlite"))


def test_only_one_of_two_elections_starts_a_consumer_and_names_its_pid(lock: str) -> None:
    first_starts, second_starts = Starts(), Starts()
    first = ElectedConsumer(lock, first_starts, retry_seconds=0.05)
    second = ElectedConsumer(lock, second_starts, retry_seconds=0.05)
    first.begin()
    until(lambda: first.holding)
    second.begin()
    time.sleep(0.3)  # several rounds of the second election
    try:
        assert (len(first_starts.consumers), len(second_starts.consumers)) == (1, 0)
        assert not second.holding
        assert Path(lock).read_text() == f"{os.getpid()}\n"
        assert oct(os.stat(lock).st_mode & 0o777) == "0o600"
    finally:
        second.stop()
        first.stop()


def test_when_the_holder_stops_another_takes_over_after_a_graceful_stop(lock: str) -> None:
    first_starts, second_starts = Starts(), Starts()
    first = ElectedConsumer(lock, first_starts, retry_seconds=0.05)
    second = ElectedConsumer(lock, second_starts, retry_seconds=0.05)
    first.begin()
    until(lambda: first.holding)
    second.begin()
    first.stop()
    assert first_starts.consumers[0].stopped_gracefully is True
    until(lambda: second.holding)
    second.stop()
    assert second_starts.consumers[0].stopped_gracefully is True
    assert not second.holding


def test_a_queue_error_at_start_frees_the_lock_and_is_tried_again(lock: str) -> None:
    starts = Starts([sqlite3.OperationalError("unable to open database file")])
    election = ElectedConsumer(lock, starts, retry_seconds=0.05)
    election.begin()
    until(lambda: election.holding)
    election.stop()
    assert len(starts.consumers) == 1


def test_a_bug_at_start_frees_the_lock_for_the_other_processes(lock: str) -> None:
    broken = ElectedConsumer(lock, Starts([KeyError("bug")]), retry_seconds=0.05)
    with pytest.raises(KeyError):
        broken._try_to_lead()  # noqa: SLF001
    healthy_starts = Starts()
    healthy = ElectedConsumer(lock, healthy_starts, retry_seconds=0.05)
    healthy.begin()
    until(lambda: healthy.holding)
    healthy.stop()


def test_stopped_before_winning_never_starts(lock: str) -> None:
    holder = ElectedConsumer(lock, Starts(), retry_seconds=0.05)
    holder.begin()
    until(lambda: holder.holding)
    waiting_starts = Starts()
    waiting = ElectedConsumer(lock, waiting_starts, retry_seconds=0.05)
    waiting.begin()
    waiting.stop()
    holder.stop()
    time.sleep(0.2)
    assert waiting_starts.consumers == [] and not waiting.holding
