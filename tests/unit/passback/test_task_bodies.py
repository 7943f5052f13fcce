"""The queue's task bodies, run by huey in immediate mode (no consumer, no storage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from huey import MemoryHuey

from connectors.task_queue import HueyTaskQueue, QueueHandlers, QueueIntervals, every


class Calls:
    def __init__(self) -> None:
        self.log: list[tuple[str, object]] = []

    def handlers(self, *, rosters: bool = True) -> QueueHandlers:
        return QueueHandlers(
            post_score=lambda entry_id: self.log.append(("post", entry_id)),
            sweep_outbox=lambda: self.log.append(("sweep", None)) or 0,
            poll_moodle=lambda: self.log.append(("moodle", None)),
            sync_all_rosters=(lambda: self.log.append(("rosters", None))) if rosters else None,
        )


def immediate_queue(calls: Calls, *, rosters: bool = True) -> HueyTaskQueue:
    queue = HueyTaskQueue(
        lambda: MemoryHuey("test", immediate=True, results=False), QueueIntervals()
    )
    queue.attach(calls.handlers(rosters=rosters))
    return queue


def test_post_score_and_sweep_call_their_handlers() -> None:
    calls = Calls()
    queue = immediate_queue(calls)
    assert queue.enqueue_post_score(7) is True
    assert queue.enqueue_sweep() is True
    assert calls.log == [("post", 7), ("sweep", None)]


def test_periodic_tasks_call_roster_sync_only_when_it_exists() -> None:
    calls = Calls()
    queue = immediate_queue(calls)
    queue.task("sync_all_rosters")()
    queue.task("poll_moodle")()
    assert calls.log == [("rosters", None), ("moodle", None)]
    quiet = Calls()
    immediate_queue(quiet, rosters=False).task("sync_all_rosters")()
    assert quiet.log == []


def test_every_n_minutes() -> None:
    start = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    minutes = [start + timedelta(minutes=m) for m in range(60)]
    assert sum(every(15)(m) for m in minutes) == 4
    assert all(every(1)(m) for m in minutes)
    assert [m.minute for m in minutes if every(20)(m)] == [0, 20, 40]
