"""Faults of the tool's own dependencies and of a platform (issue 10 item 10).

Each test owns what it breaks: a private PostgreSQL cluster, a private redis-server, a socket
that never answers. The web tier must answer a clear 503/504 (never a 500, never a traceback),
``/healthz`` must name the dependency that is down, and the work queued before or during the
outage must all be done once it is over: nothing lost, nothing done twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.persistence.migrate import upgrade
from etwin_lti.persistence.models.lti import ToolKeyRow
from tests.conftest import make_test_app, settle
from tests.e2e.conftest import build_world
from tests.e2e.harness import LateApp, ServerThread
from tests.e2e.passback_world import PassbackWorld, seed_unit, wait_for
from tests.e2e.peer import ThreadedServer, serve_peer
from tests.support.private_services import HangingServer, PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.e2e
JSON = {"Accept": "application/json"}


def _no_trace(caplog: pytest.LogCaptureFixture, *bodies: str) -> None:
    # The web tier's log (huey's own worker logs its failed reads with a trace: not ours).
    ours = [r for r in caplog.records if not r.name.startswith("huey")]
    assert not [r for r in ours if r.exc_info], [r.getMessage() for r in ours if r.exc_info]
    assert not [r for r in ours if "unexpected error" in r.getMessage()]  # the 500 handler
    for body in bodies:
        assert "Traceback" not in body and "sqlalchemy" not in body.lower()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def _tool_key_count(app: Any) -> int:
    with app.extensions["etwin"].database.session() as session:
        return int(session.scalar(select(func.count()).select_from(ToolKeyRow)) or 0)


def test_postgresql_restart_answers_503_then_recovers_without_a_ping_per_checkout(
    private_postgres: PrivatePostgres, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(private_postgres.url)
    app = make_test_app(private_postgres.url, tmp_path)
    services = app.extensions["etwin"]
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "queue": "ok"}
    assert client.get("/.well-known/jwks.json").status_code == 200  # a pooled connection
    services.tool_keys.rotate()  # written before the outage

    private_postgres.stop()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "unreachable", "queue": "ok"}
    api = client.get("/.well-known/jwks.json", headers=JSON)
    assert api.status_code == 503 and api.get_json()["code"] == "dependency_unavailable"
    page = client.get("/.well-known/jwks.json", headers={"Accept": "text/html"})
    assert page.status_code == 503 and "try again" in page.get_data(as_text=True)
    with pytest.raises(DependencyUnavailableError):
        services.tool_keys.rotate()  # a write during the outage: refused whole
    _no_trace(caplog, api.get_data(as_text=True), page.get_data(as_text=True))

    private_postgres.start()
    # No pool_pre_ping: the first statement on the dead pooled connection may fail (503, and
    # SQLAlchemy invalidates the pool on that disconnect); every later request reconnects.
    statuses = [client.get("/.well-known/jwks.json").status_code for _ in range(4)]
    assert statuses[0] in (200, 503) and statuses[1:] == [200, 200, 200], statuses
    assert client.get("/healthz").status_code == 200
    assert _tool_key_count(app) == 2  # the first key and the rotation before the outage
    _no_trace(caplog)
    settle(app)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


FAST_RETRIES = {
    "PASSBACK_BACKOFF_SECONDS": 0.05,
    "PASSBACK_BACKOFF_CAP_SECONDS": 1.0,
    "PASSBACK_MAX_ATTEMPTS": 5,
    "PASSBACK_LEASE_SECONDS": 2,
}


def test_redis_down_answers_503_and_the_queue_resumes_with_nothing_lost_or_doubled(
    app_sqlite_url: str,
    tmp_path: Path,
    private_redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = {**FAST_RETRIES, "QUEUE": "redis", "REDIS_URL": private_redis.url}
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(
            app_sqlite_url, tmp_path, BASE_URL=tool.base_url, HTTP_TIMEOUT_SECONDS=2, **config
        )
        tool.start(app)
        container = app.extensions["etwin"]
        with serve_peer(tool.base_url) as peer:
            platform = peer.register_with(container.registrations)
            # The distance course runs in a teacher-training LMS (its learners are teachers).
            container.role_policies.set_audience(platform.id, Audience.TRAINING)
            world = PassbackWorld(app, peer, *seed_unit(container.hub))
            try:
                _redis_outage(world, tool.base_url, private_redis, caplog)
            finally:
                world.stop_workers()
                container.kv_cache.close()
        settle(app)


def _redis_outage(
    world: PassbackWorld, base_url: str, redis_server: PrivateRedis, caplog: Any
) -> None:
    before, during = world.learner("81"), world.learner("82")  # launches need the cache
    world.start_worker()
    world.finish_unit(before)
    assert [e.status for e in world.wait_final(1)] == [ScoreStatus.SENT]

    redis_server.kill()
    health = requests.get(base_url + "/healthz", timeout=10)
    assert health.status_code == 503
    assert health.json() == {
        "status": "error",
        "database": "ok",
        "cache": "unreachable",
        "queue": "unreachable",
    }
    login = requests.get(
        base_url + "/lti/login",
        params={
            "iss": world.peer.issuer,
            "client_id": world.peer.client_id,
            "login_hint": "82",
            "target_link_uri": base_url + "/lti/launch",
        },
        timeout=10,
        allow_redirects=False,
    )
    # Login initiation stores nothing (the state travels sealed in its cookie,
    # etwin_lti/lti/login_state.py): it goes on answering while Redis is down.
    assert login.status_code == 302, login.text[:300]
    with caplog.at_level(logging.WARNING, logger="connectors.task_queue"):
        world.finish_unit(during)  # the outbox row is written; the queue is not reachable
    assert "not queued" in caplog.text
    assert [e.status for e in world.outbox()] == [ScoreStatus.SENT, ScoreStatus.PENDING]
    _no_trace(caplog, login.text)

    redis_server.start()  # empty: whatever it held is gone, the outbox is the truth
    queue = world.container.task_queue

    def settled() -> bool:
        queue.enqueue_sweep()
        return all(e.status is ScoreStatus.SENT for e in world.outbox())

    wait_for(settled, "the score recorded during the outage to be sent")
    assert requests.get(base_url + "/healthz", timeout=10).status_code == 200
    for learner in (before, during):
        assert len(world.scores_of(learner.lms_id)) == 1
    log = world.gradebook.log
    assert (log.accepted, log.conflicts) == (2, 0)


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def test_a_hanging_platform_key_set_is_a_clear_502_within_the_timeout(
    app_sqlite_url: str,
    tmp_path: Path,
    platform_server: tuple[ServerThread, LateApp],
    hanging: HangingServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    worlds = build_world(app_sqlite_url, tmp_path, platform_server, HTTP_TIMEOUT_SECONDS=1)
    world = next(worlds)
    try:
        with world.container.database.engine.begin() as connection:
            connection.execute(
                text("UPDATE lti_platforms SET key_set_url = :url"), {"url": hanging.url + "/k"}
            )
        before = world.counts()
        started = time.monotonic()
        answer = world.browser().launch()
        elapsed = time.monotonic() - started
        # PlatformKeysUnavailableError: the page names the LMS's key set and who can fix it.
        assert answer.status_code == 502, answer.text[:300]
        assert "key set could not be fetched" in answer.text
        assert elapsed < 8, elapsed
        assert hanging.accepted  # the tool did connect, and gave up
        assert world.counts() == before
        _no_trace(caplog, answer.text)
    finally:
        for _ in worlds:
            pass
