"""Progress passback end to end: a unit finished in the tool becomes a score in the sandbox
LMS's gradebook, over real HTTP, through a real huey consumer on SQLite storage and on Redis.

Faults: the LMS answers 503 (and 429) for a while, the worker dies with a score in flight, the
token endpoint refuses, a teacher cannot be graded, the LMS already holds a newer grade.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from click.testing import CliRunner

from etwin_lti.cli import CliState, main
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.sandbox import SandboxUser
from etwin_lti.sandbox.model import LEARNER, SandboxContext
from tests.conftest import TEST_SECRET, make_test_app
from tests.e2e.passback_world import (
    PassbackWorld,
    seed_unit,
    wait_for,
)
from tests.e2e.peer import ThreadedServer, launch_through, serve_peer
from tests.support.redis_dbs import REDIS_QUEUE_URL

pytestmark = pytest.mark.e2e

FAST_RETRIES = {
    "PASSBACK_BACKOFF_SECONDS": 0.05,
    "PASSBACK_BACKOFF_CAP_SECONDS": 1.0,
    "PASSBACK_MAX_ATTEMPTS": 5,
    "PASSBACK_LEASE_SECONDS": 2,
}


def queue_config(backend: str, tmp_path: Path) -> dict[str, Any]:
    if backend == "redis":
        redis.Redis.from_url(REDIS_QUEUE_URL).flushdb()
        return {"QUEUE": "redis", "REDIS_URL": REDIS_QUEUE_URL}
    return {"QUEUE": "embedded", "QUEUE_PATH": str(tmp_path / "queue.sqlite")}


@pytest.fixture(params=["sqlite", "redis"])
def queue_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(app_sqlite_url: str, tmp_path: Path, queue_backend: str) -> Iterator[PassbackWorld]:
    config = {**FAST_RETRIES, **queue_config(queue_backend, tmp_path)}
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(app_sqlite_url, tmp_path, BASE_URL=tool.base_url, **config)
        tool.start(app)
        container = app.extensions["etwin"]
        with serve_peer(tool.base_url) as peer:
            platform = peer.register_with(container.registrations)
            # The distance course runs in a teacher-training LMS: its learners are teachers.
            container.role_policies.set_audience(platform.id, Audience.TRAINING)
            unit_id, edition_id, activities = seed_unit(container.hub)
            running = PassbackWorld(app, peer, unit_id, edition_id, activities)
            try:
                yield running
            finally:
                peer.platform.gradebook.faults.reset()
                running.stop_workers()
                container.access_tokens._session.close()  # noqa: SLF001
                container.database.dispose()


def test_unit_completion_shows_once_in_the_lms_gradebook(world: PassbackWorld) -> None:
    world.start_worker()
    pupil = world.learner("31")
    world.finish_unit(pupil)

    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.SENT and entry.attempts == 1
    [score] = world.scores_of("31")
    assert (score.score_given, score.score_maximum) == (1.0, 1.0)
    assert (score.activity_progress, score.grading_progress) == ("Completed", "FullyGraded")
    assert score.timestamp == entry.timestamp
    # The activity's own column (the one Moodle's "receive a grade" completion listens to),
    # ?type_id= and all; the tool created no column of its own.
    column = world.gradebook.column_for(world.unit_resource)
    assert entry.lineitem_url == world.gradebook.lineitem_url(column)
    assert "?type_id=18" in entry.lineitem_url
    assert [item.coupled for item, _ in world.gradebook.columns()] == [True]
    # Finishing again (an activity done twice) sends nothing more.
    world.finish_unit(pupil)
    assert len(world.outbox()) == 1 and len(world.scores_of("31")) == 1

    page = world.peer.app.test_client().get("/gradebook")
    assert page.status_code == 200
    assert 'data-user="31"' in page.text and 'data-score="1.0"' in page.text


def test_a_score_goes_only_to_the_course_the_learner_came_through(world: PassbackWorld) -> None:
    """Issue 9 item 6: the unit is embedded in two courses of the same LMS; the pupil launched
    it from one. The other course's column gets nothing (it once got a manual grade item)."""
    platform = world.peer.platform
    other_course = platform.add_context(SandboxContext("course-8c", "Class 8C", "8C"))
    other = platform.resource_for(f"unit:{world.unit_id}", other_course.id)
    platform.add_user(SandboxUser("32", "Pupil 32", (LEARNER,)))
    with requests.Session() as browser:
        answer = launch_through(browser, world.peer.launch_url(user="32", resource=other.id))
    assert answer.status_code == 200, answer.text[:300]  # course 8C's link is known and used
    world.start_worker()
    pupil = world.learner("31")  # through course 7B's activity only
    world.finish_unit(pupil)

    [entry] = world.wait_final(1)
    assert entry.resource_link_id == world.unit_resource.id and entry.status is ScoreStatus.SENT
    assert len(world.scores_of("31")) == 1
    other_column = world.gradebook.lineitem_url(world.gradebook.column_for(other))
    assert world.gradebook.accepted_scores(other_column) == []


def test_lms_down_for_a_while_every_score_arrives_exactly_once(world: PassbackWorld) -> None:
    pupils = [world.learner(str(n)) for n in (41, 42, 43)]
    # 4 failures in all: even if one score met them all, its 5th attempt would succeed.
    world.gradebook.faults.fail_next = 3  # 503s
    world.gradebook.faults.throttle_next = 1  # then a 429 with Retry-After: 1
    world.start_worker()
    for pupil in pupils:
        world.finish_unit(pupil)

    entries = world.wait_final(3)
    assert [e.status for e in entries] == [ScoreStatus.SENT] * 3
    assert sum(e.attempts for e in entries) == 3 + 4  # every failure was retried, no more
    for pupil in pupils:
        assert len(world.scores_of(pupil.lms_id)) == 1
    log = world.gradebook.log
    assert (log.faults, log.accepted, log.conflicts) == (4, 3, 0)


def test_worker_killed_with_a_score_in_flight_loses_and_doubles_nothing(
    world: PassbackWorld, tmp_path: Path, app_sqlite_url: str
) -> None:
    pupils = [world.learner(str(n)) for n in (51, 52, 53, 54)]
    gate = threading.Event()
    world.gradebook.faults.gate = gate  # score POSTs wait here: the first one stays in flight
    for pupil in pupils:
        world.finish_unit(pupil)  # 4 pending scores, 4 tasks in the queue
    settings = world.container.settings
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("etwin-lti")), "worker", "--threads", "1"],
        env={**os.environ, **_worker_env(settings, app_sqlite_url, tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: world.gradebook.log.in_flight == 1, "a score POST in flight")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    gate.set()  # the LMS finishes the request of the dead worker: that score IS applied
    wait_for(lambda: world.gradebook.log.accepted == 1, "the in-flight score to land")
    assert [e.status for e in world.outbox()] == [ScoreStatus.PENDING] * 4

    world.start_worker()  # a new worker: it sweeps at start; the dead one's lease runs out
    queue = world.container.task_queue

    def all_settled() -> bool:
        queue.enqueue_sweep()
        return all(e.status is not ScoreStatus.PENDING for e in world.outbox())

    wait_for(all_settled, "the outbox to drain")
    entries = world.outbox()
    assert [e.status for e in entries] == [ScoreStatus.SENT] * 4
    for pupil in pupils:
        assert len(world.scores_of(pupil.lms_id)) == 1
    # The score the dead worker had sent came back as a 409 (same timestamp): applied, once.
    assert world.gradebook.log.conflicts == 1
    assert sum("409" in (e.last_error or "") for e in entries) == 1


def _worker_env(settings: Any, app_database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        "ETWIN_DATABASE_URL": app_database_url,
        "ETWIN_SECRET_KEY": TEST_SECRET,
        "ETWIN_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "ETWIN_BASE_URL": settings.base_url,
        "ETWIN_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "ETWIN_TESTING": "true",
        "ETWIN_ALLOW_PRIVATE_URLS": "true",  # the platform peer is on loopback
        "ETWIN_QUEUE": settings.queue,
        "ETWIN_PASSBACK_LEASE_SECONDS": str(settings.passback_lease_seconds),
        "ETWIN_PASSBACK_BACKOFF_SECONDS": str(settings.passback_backoff_seconds),
    }
    if settings.queue == "redis":
        env["ETWIN_REDIS_URL"] = settings.redis_url
    else:
        env["ETWIN_QUEUE_PATH"] = settings.queue_path
    return env


def test_token_endpoint_refusing_gives_a_clear_dead_letter_then_cli_retry_works(
    world: PassbackWorld,
) -> None:
    pupil = world.learner("61")
    world.gradebook.faults.refuse_tokens = True
    world.start_worker()
    world.finish_unit(pupil)

    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.DEAD
    assert entry.attempts == world.container.settings.passback_max_attempts
    assert "refused an access token (invalid_client)" in (entry.last_error or "")
    assert world.scores_of("61") == []
    runner = CliRunner()
    state = CliState(world.app)
    listed = runner.invoke(main, ["passback", "list", "--dead"], obj=state)
    assert listed.exit_code == 0 and f"{entry.id}\tdead\tunit:" in listed.output
    assert "invalid_client" in listed.output

    world.gradebook.faults.refuse_tokens = False  # the LMS administrator fixed it
    retried = runner.invoke(main, ["passback", "retry", "--all-dead"], obj=state)
    assert retried.exit_code == 0 and "1 score(s) queued again" in retried.output
    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.SENT
    assert len(world.scores_of("61")) == 1


def test_a_teacher_the_lms_cannot_grade_is_skipped_and_recorded(world: PassbackWorld) -> None:
    teacher = world.teacher("71")
    world.start_worker()
    world.finish_unit(teacher)

    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.SKIPPED and entry.last_status == 400
    assert "cannot grade this user" in (entry.last_error or "")
    assert world.scores_of("71") == [] and world.gradebook.log.not_gradable == 1


def test_an_older_timestamp_refused_with_409_counts_as_applied(world: PassbackWorld) -> None:
    pupil = world.learner("81")
    later = datetime.now(UTC) + timedelta(hours=1)
    world.gradebook.grade_by_hand(world.unit_resource, "81", 0.5, later)  # the teacher graded
    world.start_worker()
    world.finish_unit(pupil)

    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.SENT and entry.last_status == 409
    assert entry.attempts == 1  # not retried
    [kept] = world.scores_of("81")
    assert kept.score_given == 0.5  # the LMS kept the teacher's newer grade
