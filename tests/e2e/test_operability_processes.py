"""Operability across real processes (issue 11 item 4): gunicorn with two workers sharing
PROMETHEUS_MULTIPROC_DIR reports the sum of both on any worker's ``/metrics``; a separate
``etwin-lti worker`` process writes JSON lines whose task line carries the id of the web
request that queued the task. Real Redis queue, real processes, output parsed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from etwin_lti.domain.api_tokens import ApiTokenRole
from tests.conftest import TEST_ENCRYPTION_KEY, TEST_SECRET, make_test_app, settle
from tests.integration.observability.conftest import unreachable_lms
from tests.integration.passback.conftest import build_scene
from tests.support.private_services import _wait_port, free_port
from tests.support.redis_dbs import REDIS_QUEUE_URL

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def tool_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "ETWIN_DATABASE_URL": database_url,
        "ETWIN_INSTANCE_PATH": str(instance),
        "ETWIN_SECRET_KEY": TEST_SECRET,
        "ETWIN_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "ETWIN_BASE_URL": "http://127.0.0.1",
        "ETWIN_RATE_LIMITS_ENABLED": "false",
        "ETWIN_ALLOW_PRIVATE_URLS": "true",
        **extra,
    }


@pytest.fixture
def gunicorn(app_sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    port = free_port()
    env = tool_env(app_sqlite_url, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    process = subprocess.Popen(
        # -c /dev/null: no configuration file from the working directory, only these flags.
        [sys.executable, "-m", "gunicorn", "-c", "/dev/null", "-w", "2"]
        + ["-b", f"127.0.0.1:{port}", "etwin_lti.wsgi:app"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, seconds=60)
        yield f"http://127.0.0.1:{port}", multiproc
    finally:
        process.terminate()
        process.wait(timeout=30)


def not_found_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "etwin_lti_refusals_total" and sample.labels == {
                "reason": "not_found"
            }:
                return float(sample.value)
    return 0.0


def test_gunicorn_workers_add_up_on_any_workers_metrics(gunicorn: tuple[str, Path]) -> None:
    base, multiproc = gunicorn
    total = 60

    def miss(n: int) -> int:
        return requests.get(f"{base}/nowhere-{n}", timeout=30).status_code

    sent = 0
    per_process: list[float] = []
    # Busy workers: both take connections, though the kernel may hand one a whole batch.
    for _ in range(10):
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(miss, range(sent, sent + total))) == {404}
        sent += total
        files = sorted(multiproc.glob("counter_*.db"))
        per_process = [not_found_count_in(path) for path in files]
        if sum(1 for count in per_process if count) == 2:
            break
    assert sum(per_process) == sent
    assert sum(1 for count in per_process if count) == 2  # both workers answered some
    total = sent
    for _ in range(4):  # whichever worker answers the scrape reports the sum
        scrape = requests.get(f"{base}/metrics", timeout=30)
        assert scrape.status_code == 200
        assert not_found_count(scrape.text) == total


def not_found_count_in(path: Path) -> float:
    """One process's own file, read with prometheus_client's merge."""
    for metric in MultiProcessCollector.merge([str(path)]):
        for sample in metric.samples:
            if sample.name == "etwin_lti_refusals_total" and sample.labels == {
                "reason": "not_found"
            }:
                return float(sample.value)
    return 0.0


def test_a_worker_process_logs_the_task_under_the_requests_id(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    queue = redis.Redis.from_url(REDIS_QUEUE_URL)
    queue.flushdb()
    app = make_test_app(app_sqlite_url, tmp_path, QUEUE="redis", REDIS_URL=REDIS_QUEUE_URL)
    scene = build_scene(app)
    unreachable_lms(scene)
    _, secret = scene.container.api_tokens.create(ApiTokenRole.ADMIN, now=datetime.now(UTC))
    client = app.test_client()
    for activity_id in scene.activity_ids:
        response = client.put(
            f"/api/v1/activities/{activity_id}/done/{scene.person_id}",
            headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "web-req-7"},
        )
        assert response.status_code == 200
    [entry] = scene.container.passback.list()
    settle(app)

    env = tool_env(
        app_sqlite_url,
        tmp_path,
        ETWIN_QUEUE="redis",
        ETWIN_REDIS_URL=REDIS_QUEUE_URL,
        ETWIN_LOG_FORMAT="json",
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", "from etwin_lti.cli import main; main()", "worker"]
        + ["--threads", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[dict[str, Any]] = []
    raw: list[str] = []

    def read() -> None:
        assert worker.stderr is not None
        for line in worker.stderr:
            raw.append(line)
            lines.append(json.loads(line))  # every line the worker writes is one object

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        found: list[dict[str, Any]] = []
        while not found and time.monotonic() < deadline:
            found = [
                line
                for line in list(lines)
                if line["logger"] == "etwin_lti.services.passback"
                and line["message"].startswith(f"score {entry.id} ")
            ]
            time.sleep(0.1)
        assert found, "".join(raw)[-3000:]
        assert found[0]["request_id"] == "web-req-7"
        assert secret not in "".join(raw)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        reader.join(timeout=10)
        if worker.stderr is not None:
            worker.stderr.close()
        queue.flushdb()
