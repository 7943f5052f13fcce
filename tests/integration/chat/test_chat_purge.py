"""Chat history is kept three months, then the daily periodic task purges it: on SQLite and
PostgreSQL, with an injected clock (the hub's clock stamps messages, the purge gets ``now``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from connectors.local_hub import LocalHub
from etwin_lti.domain.chat import RETENTION
from etwin_lti.persistence.db import Database
from etwin_lti.services.chat import purge_chat_history
from tests.contract.hub_contract.builders import R, space

START = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_messages_older_than_three_months_are_purged(database: Database) -> None:
    clock = Clock(START)
    hub = LocalHub(database, clock=clock)
    hub.seed_countries()
    s, other = space(hub), space(hub)
    pupil = s.members[R.PUPIL]
    old = hub.post_chat_message(pupil, s.id, "Old news")
    deleted = hub.post_chat_message(pupil, s.id, "Deleted long ago")
    hub.delete_chat_message(pupil, s.id, deleted.id)
    elsewhere = hub.post_chat_message(other.admin, other.id, "Old too, elsewhere")
    clock.now = START + timedelta(days=40)
    recent = hub.post_chat_message(s.admin, s.id, "Still fresh")

    # One second before retention ends nothing goes; the retention is three months (92 days).
    assert RETENTION == timedelta(days=92)
    assert purge_chat_history(hub, now=START + RETENTION) == 0
    assert [m.id for m in hub.recent_chat(s.admin, s.id).messages] == [old.id, recent.id]

    assert purge_chat_history(hub, now=START + RETENTION + timedelta(seconds=1)) == 3
    assert [m.id for m in hub.recent_chat(s.admin, s.id).messages] == [recent.id]
    assert hub.recent_chat(other.admin, other.id).messages == ()
    assert elsewhere.id not in {m.id for m in hub.chat_changes(other.admin, other.id).messages}
    # The rooms go on: revisions keep growing, so open pages miss nothing after a purge.
    later = hub.post_chat_message(s.admin, s.id, "After the purge")
    assert later.revision > recent.revision
    assert purge_chat_history(hub, now=START + RETENTION + timedelta(days=1)) == 0


def test_the_chat_purge_is_a_daily_periodic_task(app: Flask) -> None:
    container = app.extensions["etwin"]
    queue = container.task_queue
    task = queue.task("purge_chat_history")

    def due(moment: datetime) -> bool:
        return "purge_chat_history" in {t.name for t in queue.huey.read_periodic(moment)}

    assert due(datetime(2030, 1, 1, 3, 47)) and due(datetime(2030, 1, 2, 3, 47))
    assert not due(datetime(2030, 1, 1, 4, 47)) and not due(datetime(2030, 1, 1, 3, 48))
    hub = container.hub
    hub.seed_countries()
    s = space(hub)
    kept = hub.post_chat_message(s.admin, s.id, "Today's message")
    task.call_local()  # the real clock: today's message is not past retention
    assert [m.id for m in hub.recent_chat(s.admin, s.id).messages] == [kept.id]
