"""``SqlResourceBindingStore`` on SQLite and PostgreSQL: first binding wins, pending requests
are decided once, the administrator's rebind, and keys that differ only by course."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from connectors.sql_resource_bindings import SqlResourceBindingStore
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.resource_bindings import BindingStatus, LinkKey
from etwin_lti.errors import NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TS = Resource(ResourceKind.TWINSPACE, 7)
OTHER = Resource(ResourceKind.TWINSPACE, 8)
KEY = LinkKey(1, "1", "course-7b", "rl-1")


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    yield SqlResourceBindingStore(database)
    database.dispose()


def test_the_first_binding_of_a_link_wins(store: SqlResourceBindingStore) -> None:
    assert store.find(KEY) is None
    first = store.add(KEY, TS, status=BindingStatus.BOUND, chosen_by=4, now=T0)
    assert (first.resource, first.status, first.chosen_by, first.created_at) == (
        TS,
        BindingStatus.BOUND,
        4,
        T0,
    )
    later = store.add(KEY, OTHER, status=BindingStatus.BOUND, chosen_by=5, now=T0)
    assert later == first  # a second first launch (a race) reads the stored one
    assert store.find(KEY) == first
    assert store.get(first.id) == first
    # The same resource link id in another course is another activity.
    copy = LinkKey(1, "1", "course-copy", "rl-1")
    assert store.find(copy) is None
    assert store.add(copy, OTHER, status=BindingStatus.BOUND, chosen_by=None, now=T0).id != first.id
    with pytest.raises(NotFoundError):
        store.get(999)


def test_concurrent_first_launches_end_with_one_binding(store: SqlResourceBindingStore) -> None:
    results = []

    def bind(resource: Resource) -> None:
        results.append(store.add(KEY, resource, status=BindingStatus.BOUND, chosen_by=1, now=T0))

    threads = [threading.Thread(target=bind, args=(r,)) for r in (TS, OTHER, TS, OTHER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({b.id for b in results}) == 1
    assert len({b.resource for b in results}) == 1


def test_a_pending_request_is_decided_once(store: SqlResourceBindingStore) -> None:
    pending = store.add(
        KEY,
        TS,
        status=BindingStatus.PENDING,
        chosen_by=4,
        now=T0,
        origin_context_id="course-7a",
        context_title="7B copy",
        requested_by="Carl Copier",
    )
    declined_key = LinkKey(1, "1", "course-copy-2", "rl-2")
    other = store.add(declined_key, TS, status=BindingStatus.PENDING, chosen_by=4, now=T0)
    assert [b.id for b in store.list_pending()] == [pending.id, other.id]
    assert (pending.origin_context_id, pending.context_title, pending.requested_by) == (
        "course-7a",
        "7B copy",
        "Carl Copier",
    )
    later = T0 + timedelta(hours=1)
    approved = store.decide(pending.id, approve=True, decided_by=4, now=later)
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        BindingStatus.BOUND,
        4,
        later,
    )
    declined = store.decide(other.id, approve=False, decided_by=4, now=later)
    assert declined.status is BindingStatus.DECLINED
    assert store.list_pending() == []
    with pytest.raises(RuleViolationError):
        store.decide(pending.id, approve=False, decided_by=9, now=later)
    assert store.get(pending.id).status is BindingStatus.BOUND  # the first decision stands
    with pytest.raises(NotFoundError):
        store.decide(999, approve=True, decided_by=4, now=later)
    # Each decision leaves one audit entry in its own transaction; the refused one leaves none.
    with store._db.engine.connect() as connection:
        entries = connection.execute(
            text("SELECT action, subject_id, actor FROM audit_log ORDER BY id")
        ).all()
    assert [tuple(e) for e in entries] == [
        ("binding.approved", str(pending.id), "person:4"),
        ("binding.declined", str(other.id), "person:4"),
    ]


def test_the_administrator_rebinds_whatever_the_link_had(store: SqlResourceBindingStore) -> None:
    store.add(KEY, TS, status=BindingStatus.DECLINED, chosen_by=4, now=T0)
    rebound = store.rebind(KEY, OTHER, now=T0)
    assert (rebound.resource, rebound.status, rebound.chosen_by) == (
        OTHER,
        BindingStatus.BOUND,
        None,
    )
    fresh = LinkKey(1, "1", "course-9", "rl-9")
    assert store.rebind(fresh, TS, now=T0).status is BindingStatus.BOUND
