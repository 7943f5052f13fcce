"""``/healthz`` per dependency (issue 11 item 4): database, cache and queue each named with its
state; 503 while one is down, 200 again once it is back, without restarting the tool. Redis
here is a server of the test's own, killed in the middle."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_test_app, settle
from tests.support.private_services import PrivateRedis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture
def own_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


def test_each_dependency_is_named_and_a_dead_redis_gives_503(
    app_database_url: str, tmp_path: Path, own_redis: PrivateRedis
) -> None:
    app = make_test_app(
        app_database_url,
        tmp_path,
        REDIS_URL=own_redis.url,
        QUEUE="redis",
        HTTP_TIMEOUT_SECONDS=2,
    )
    client = app.test_client()
    healthy = client.get("/healthz")
    assert healthy.status_code == 200
    assert healthy.get_json() == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}

    own_redis.kill()
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.get_json() == {
        "status": "error",
        "database": "ok",
        "cache": "unreachable",
        "queue": "unreachable",
    }
    assert str(own_redis.port) not in down.get_data(as_text=True)  # up/down, no detail
    # /metrics still answers, and says which source did not.
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'etwin_lti_scrape_source_up{source="queue"} 0.0' in metrics

    own_redis.start()  # back, same address: the tool reconnects by itself
    assert client.get("/healthz").status_code == 200
    settle(app)


def test_without_redis_the_cache_is_the_database_and_not_listed_twice(
    app_database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(app_database_url, tmp_path)
    body = app.test_client().get("/healthz").get_json()
    assert body == {"status": "ok", "database": "ok", "queue": "ok"}
    settle(app)
