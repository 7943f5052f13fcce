"""Many instances (issue 11 item 3), with real processes: gunicorn started with the shipped
configuration, ``etwin-lti worker`` processes, one PostgreSQL database and one Redis, behind a
proxy; the sandbox LMS (lti1p3platform) as the platform.

- two instances and two workers: a login started on one instance completes on the other, the
  launch session opened by one serves pages on the other, and each score reaches the LMS
  exactly once although both workers race for every task;
- the embedded queue under gunicorn: scores are posted with no worker process at all, and again
  after the web worker that consumed the queue was killed.

PostgreSQL restarted under running instances (clean 503s, then recovery without a restart) is
``test_postgresql_restart_under_gunicorn_answers_503_then_recovers`` below; the same outage at
the application level, without a ping per checkout, is in ``test_faults.py``.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import redis
import requests

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.persistence.migrate import upgrade
from etwin_lti.sandbox import SandboxUser
from etwin_lti.sandbox.model import LEARNER
from tests.conftest import make_test_app, settle
from tests.e2e.lti_world import CountingMiddleware
from tests.e2e.passback_world import seed_unit, wait_for
from tests.e2e.peer import RunningPeer, ThreadedServer, launch_through, serve_peer
from tests.e2e.scale_world import (
    GunicornTool,
    RoutingProxy,
    WorkerProcess,
    start_all,
    tool_env,
)
from tests.support.private_services import PrivatePostgres
from tests.support.redis_dbs import REDIS_QUEUE_URL

pytestmark = pytest.mark.e2e

FAST_RETRIES = {
    "PASSBACK_BACKOFF_SECONDS": "0.05",
    "PASSBACK_BACKOFF_CAP_SECONDS": "1.0",
    "PASSBACK_LEASE_SECONDS": "5",
}


@dataclass
class Deployment:
    """What the test sees of one deployment: an admin's view of the shared database (an app in
    this process that serves nothing and consumes nothing), the LMS, the public address."""

    admin: Any  # the Flask app
    peer: RunningPeer
    peer_requests: CountingMiddleware
    proxy: RoutingProxy
    public_url: str
    unit_id: int
    activity_ids: tuple[int, ...]

    @property
    def container(self) -> Any:
        return self.admin.extensions["etwin"]

    def api_token(self) -> str:
        _, secret = self.container.api_tokens.create(ApiTokenRole.ADMIN, now=datetime.now(UTC))
        return str(secret)

    def unit_link(self) -> Any:
        return self.peer.platform.resource_for(f"unit:{self.unit_id}")

    def launch(self, lms_id: str) -> tuple[requests.Session, requests.Response]:
        self.peer.platform.add_user(SandboxUser(lms_id, f"Pupil {lms_id}", (LEARNER,)))
        browser = requests.Session()
        answer = launch_through(
            browser, self.peer.launch_url(user=lms_id, resource=self.unit_link().id)
        )
        return browser, answer

    def person_of(self, lms_id: str) -> int:
        known = self.container.identities.find(LtiIdentity(self.peer.issuer, lms_id))
        assert known is not None, lms_id
        return int(known.person_id)

    def finish_unit(self, person_id: int, token: str) -> None:
        """Through the public address, as the hub's REST clients do: whichever instance
        records the completion also writes the pending score and queues it."""
        for activity_id in self.activity_ids:
            done = requests.put(
                f"{self.public_url}/api/v1/activities/{activity_id}/done/{person_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert done.status_code == 200, done.text[:300]

    def outbox(self) -> list[Any]:
        return sorted(self.container.passback.list(), key=lambda e: e.id)

    def wait_sent(self, count: int) -> list[Any]:
        def settled() -> bool:
            entries = self.outbox()
            return len(entries) == count and all(e.status is ScoreStatus.SENT for e in entries)

        wait_for(settled, f"{count} score(s) to be sent")
        return self.outbox()

    def scores_of(self, lms_id: str) -> list[Any]:
        gradebook = self.peer.platform.gradebook
        column = gradebook.lineitem_url(gradebook.column_for(self.unit_link()))
        return [s for _, s in gradebook.accepted_scores(column) if s.user_id == lms_id]

    def score_posts(self) -> int:
        """Score POSTs the LMS received, counted at its door."""
        return sum(n for path, n in self.peer_requests.counts.items() if path.endswith("/scores"))


@contextmanager
def deployment(database_url: str, tmp_path: Path, **admin_config: Any) -> Iterator[Deployment]:
    """The proxy (the public address), the LMS registered with the tool, a unit to finish.
    ``admin_config``: the queue settings the admin app shares with the processes."""
    proxy = RoutingProxy()
    with ThreadedServer("127.0.0.1") as front:
        front.start(proxy)
        admin = make_test_app(
            database_url, tmp_path / "admin", BASE_URL=front.base_url, **admin_config
        )
        container = admin.extensions["etwin"]
        try:
            with serve_peer(front.base_url) as peer:
                counter = CountingMiddleware(peer.app.wsgi_app)
                peer.app.wsgi_app = counter  # type: ignore[method-assign]
                platform = peer.register_with(container.registrations)
                # The distance course runs in a teacher-training LMS (its learners are teachers).
                container.role_policies.set_audience(platform.id, Audience.TRAINING)
                unit_id, _, activity_ids = seed_unit(container.hub)
                yield Deployment(admin, peer, counter, proxy, front.base_url, unit_id, activity_ids)
        finally:
            proxy.close()
            container.access_tokens._session.close()  # noqa: SLF001
            if hasattr(container.kv_cache, "close"):
                container.kv_cache.close()
            settle(admin)


@contextmanager
def running(*processes: GunicornTool | WorkerProcess) -> Iterator[None]:
    try:
        start_all(*processes)
        yield
    finally:
        for process in processes:
            process.close()


# --- two instances, two workers, PostgreSQL + Redis -------------------------------------------
@pytest.mark.postgres
def test_login_on_one_instance_launch_on_the_other_and_each_score_posted_once(
    app_postgres_url: str, tmp_path: Path
) -> None:
    redis.Redis.from_url(REDIS_QUEUE_URL).flushdb()
    queue = {"QUEUE": "redis", "REDIS_URL": REDIS_QUEUE_URL}
    with deployment(app_postgres_url, tmp_path, **queue) as world:

        def env(name: str) -> dict[str, str]:
            return tool_env(
                app_postgres_url, world.public_url, tmp_path / name, **queue, **FAST_RETRIES
            )

        # B is preloaded (``--preload``): its workers drop the master's pooled connections.
        a = GunicornTool("a", env("a"), workers=2)
        b = GunicornTool("b", env("b"), workers=1, extra=("--preload",))
        workers = [WorkerProcess("w1", env("w1")), WorkerProcess("w2", env("w2"))]
        with running(a, b, *workers):
            world.proxy.backends = {"a": a.url, "b": b.url}
            pupils = ["11", "12", "13", "14"]
            for n, lms_id in enumerate(pupils):
                # Half the class logs in on A and lands on B, the other half the other way.
                login_on, launch_on = ("a", "b") if n % 2 == 0 else ("b", "a")
                world.proxy.route = _login_then_launch(login_on, launch_on)
                browser, answer = world.launch(lms_id)
                assert answer.status_code == 200, answer.text[:300]
                hits = [(name, path) for name, method, path, _ in world.proxy.hits[-2:]]
                assert hits == [(login_on, "/lti/login"), (launch_on, "/lti/launch")]
                # The launch session B opened serves the page on A (and the other way).
                world.proxy.route = lambda method, path, on=login_on: on
                page = browser.get(urljoin(world.public_url, answer.headers["Content-Location"]))
                assert page.status_code == 200 and 'data-etwin-role="trainee"' in page.text
                browser.close()
            world.proxy.route = None  # round robin from here on
            persons = {lms_id: world.person_of(lms_id) for lms_id in pupils}

            token = world.api_token()
            for person_id in persons.values():
                world.finish_unit(person_id, token)
            # Every score queued three times more: both workers race for the same rows.
            queue_of = world.container.task_queue
            for entry in world.outbox():
                for _ in range(3):
                    assert queue_of.enqueue_post_score(entry.id)
            assert queue_of.enqueue_sweep()

            entries = world.wait_sent(len(pupils))
            assert [e.attempts for e in entries] == [1] * len(pupils)
            for lms_id in pupils:
                assert len(world.scores_of(lms_id)) == 1, lms_id
            log = world.peer.platform.gradebook.log
            assert (log.received, log.accepted, log.conflicts) == (4, 4, 0)
            assert world.score_posts() == len(pupils)
            assert all(worker.alive() for worker in workers)  # two consumers ran throughout
            served = Counter(name for name, _, _, _ in world.proxy.hits)
            assert served["a"] > 0 and served["b"] > 0
            assert not [hit for hit in world.proxy.hits if hit[3] >= 500], world.proxy.hits
        for process in (a, b, *workers):
            assert "Traceback" not in process.output(), process.output()[-3000:]


def _login_then_launch(login_on: str, launch_on: str) -> Any:
    def route(method: str, path: str) -> str:
        return launch_on if path == "/lti/launch" else login_on

    return route


# --- the embedded queue under gunicorn: no worker process -----------------------------------
def test_embedded_queue_under_gunicorn_posts_scores_with_no_worker_process(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    """The README's production command on the embedded default (SQLite database and queue):
    one web worker consumes the queue; killed, another takes over."""
    instance = tmp_path / "web"
    queue_file = instance / "queue.sqlite"
    with deployment(
        app_sqlite_url, tmp_path, QUEUE="embedded", QUEUE_PATH=str(queue_file)
    ) as world:
        web = GunicornTool("web", tool_env(app_sqlite_url, world.public_url, instance), workers=2)
        with running(web):
            world.proxy.backends = {"web": web.url}
            token = world.api_token()
            _, answer = world.launch("21")
            assert answer.status_code == 200, answer.text[:300]
            world.finish_unit(world.person_of("21"), token)
            world.wait_sent(1)
            assert len(world.scores_of("21")) == 1

            lock = Path(str(queue_file) + ".consumer.lock")
            holder = int(lock.read_text())
            assert holder in web.worker_pids()  # a web worker, not a process of its own
            os.kill(holder, signal.SIGKILL)  # the worker that consumed: gunicorn replaces it

            def taken_over() -> bool:
                text = lock.read_text().strip()
                return bool(text) and int(text) != holder and int(text) in web.worker_pids()

            wait_for(taken_over, "another web worker to consume the queue")
            _, answer = world.launch("22")
            assert answer.status_code == 200, answer.text[:300]
            world.finish_unit(world.person_of("22"), token)
            world.wait_sent(2)
            assert len(world.scores_of("22")) == 1 and len(world.scores_of("21")) == 1
            assert world.score_posts() == 2
            output = web.output()  # before the shutdown, when the last holder lets go
            assert output.count("this process (pid") == 2, output[-3000:]  # one at a time


# --- PostgreSQL restarted under running instances -------------------------------------------
@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def test_postgresql_restart_under_gunicorn_answers_503_then_recovers(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    upgrade(private_postgres.url)
    settle(make_test_app(private_postgres.url, tmp_path / "admin"))  # the tool key, countries
    env = tool_env(private_postgres.url, "http://127.0.0.1", tmp_path / "web")
    web = GunicornTool("web", env, workers=2)
    with running(web):
        keys = web.url + "/.well-known/jwks.json"
        assert requests.get(keys, timeout=10).status_code == 200

        private_postgres.stop()
        health = requests.get(web.url + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["database"] == "unreachable"
        during = [requests.get(keys, timeout=10) for _ in range(6)]
        assert {r.status_code for r in during} == {503}, [r.status_code for r in during]
        assert all("Traceback" not in r.text for r in during)

        private_postgres.start()  # the tool is not restarted

        def healthy() -> bool:
            return requests.get(web.url + "/healthz", timeout=10).status_code == 200

        wait_for(healthy, "the tool to reach PostgreSQL again")
        # Each worker's pool may spend one request on its dead connection (503), no more.
        after = [requests.get(keys, timeout=10).status_code for _ in range(12)]
        assert set(after) <= {200, 503} and after.count(503) <= 2, after
        assert after[-4:] == [200] * 4, after
    assert "unexpected error" not in web.output()  # the 500 handler's log line
