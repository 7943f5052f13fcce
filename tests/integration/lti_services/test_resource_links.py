"""``SqlResourceLinkStore`` on SQLite and PostgreSQL: upsert, newest endpoints, contexts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.sql_resource_links import SqlResourceLinkStore
from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.db import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TS = Resource(ResourceKind.TWINSPACE, 7)
EVENT = Resource(ResourceKind.EVENT, 3)
MOODLE_LINEITEM = "https://moodle.example/mod/lti/services.php/2/lineitems/9/lineitem?type_id=18"


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    yield SqlResourceLinkStore(database)
    database.dispose()


def record(store: SqlResourceLinkStore, link: str = "rl-1", **change):  # type: ignore[no-untyped-def]
    values = {
        "platform_id": 1,
        "deployment_id": "1",
        "resource_link_id": link,
        "context_id": "course-7b",
        "context_title": "Class 7B",
        "resource": TS,
        "endpoints": ServiceEndpoints(nrps_url="https://lms.example/nrps?type_id=2"),
        "now": T0,
    }
    values.update(change)
    return store.record(**values)


def test_record_is_an_upsert_keeping_the_newest_endpoints(store: SqlResourceLinkStore) -> None:
    first = record(
        store,
        endpoints=ServiceEndpoints(
            lineitems_url="https://moodle.example/lineitems?type_id=18",
            lineitem_url=MOODLE_LINEITEM,
            ags_scopes=("s1", "s2"),
            nrps_url="https://moodle.example/nrps?type_id=18",
        ),
    )
    assert first.endpoints.lineitem_url == MOODLE_LINEITEM  # ?type_id= kept exactly
    later = T0 + timedelta(hours=1)
    # A launch without service claims keeps them; a new NRPS URL replaces the old one.
    second = record(
        store,
        endpoints=ServiceEndpoints(nrps_url="https://moodle.example/NRPS2?type_id=18"),
        now=later,
    )
    assert second.id == first.id
    assert second.last_launch_at == later
    assert second.endpoints == ServiceEndpoints(
        lineitems_url="https://moodle.example/lineitems?type_id=18",
        lineitem_url=MOODLE_LINEITEM,
        ags_scopes=("s1", "s2"),
        nrps_url="https://moodle.example/NRPS2?type_id=18",
    )
    assert store.get(first.id) == second
    assert store.list_for_resource(TS) == [second]  # one row, not two


def test_find_get_and_list_for_resource(store: SqlResourceLinkStore) -> None:
    a = record(store, "rl-a")
    b = record(store, "rl-b", deployment_id="2", resource=EVENT)
    assert store.find(1, "rl-a") == a
    assert store.find(1, "rl-b") == b
    assert store.find(2, "rl-a") is None
    assert store.list_for_resource(TS) == [a]
    assert store.list_for_resource(EVENT) == [b]
    with pytest.raises(NotFoundError):
        store.get(9999)


def test_list_contexts_groups_links_of_one_course(store: SqlResourceLinkStore) -> None:
    one = record(store, "rl-1", endpoints=ServiceEndpoints(nrps_url="https://lms/old"))
    two = record(
        store,
        "rl-2",
        resource=EVENT,
        endpoints=ServiceEndpoints(nrps_url="https://lms/new"),
        now=T0 + timedelta(minutes=5),
    )
    record(store, "rl-3", context_id=None, context_title=None)  # no course: no roster
    other = record(store, "rl-4", context_id="course-8a", context_title="8A", resource=None)
    contexts = store.list_contexts()
    assert [(c.context_id, c.link_ids) for c in contexts] == [
        ("course-7b", (one.id, two.id)),
        ("course-8a", (other.id,)),
    ]
    assert contexts[0].nrps_url == "https://lms/new"  # the newest launch's URL
    assert contexts[0].resources == (TS, EVENT)
    assert contexts[1].resources == ()
