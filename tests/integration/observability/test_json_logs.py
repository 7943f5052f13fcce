"""Structured logs and request ids (issue 11 item 4): one JSON object per line through the
tool's own handler, the request line without query strings, tokens or cookies, hostile
``X-Request-ID`` values replaced, and the request's id carried into the queue worker's lines
for the task that request queued (real Redis queue, real worker thread)."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.errors import ConfigurationError
from etwin_lti.observability.logs import make_handler
from tests.conftest import TEST_SECRET, make_test_app, settle
from tests.integration.observability.conftest import unreachable_lms
from tests.integration.passback.conftest import Scene, build_scene
from tests.support.redis_dbs import REDIS_QUEUE_URL

NEW_ID = re.compile(r"[0-9a-f]{32}")
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_log() -> Iterator[Lines]:
    """The handler ``configure_logging("json")`` installs, on a buffer, for the test."""
    buffer = io.StringIO()
    handler = make_handler("json", buffer)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict[str, Any]]:
        text = buffer.getvalue()
        return [json.loads(line) for line in text.splitlines()]  # every line is one object

    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_sqlite_url, tmp_path)
    yield app
    settle(app)


def request_lines(lines: Lines) -> list[dict[str, Any]]:
    return [line for line in lines() if line["logger"] == "etwin_lti.requests"]


# --- request ids ----------------------------------------------------------------------------
@pytest.mark.parametrize("given", ["abc", "lms-req.42_A-b", "a" * 64, "0"])
def test_a_safe_request_id_is_kept_and_returned(tool: Flask, given: str) -> None:
    response = tool.test_client().get("/", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    [
        "",
        "a" * 65,  # too long
        "a" * 10_000,
        "line\nbreak",  # log line injection
        "a\r\nX-Injected: 1",  # header injection
        "trailing-newline\n",
        'say "hi"',
        "a b",
        "a,b",  # two headers folded into one
        "../../etc/passwd",
        "ïd-ünïcode",
        "ｆｕｌｌｗｉｄｔｈ",
        "\x00nul",
        "<script>",
    ],
)
def test_an_unsafe_request_id_is_replaced_by_a_new_one(
    tool: Flask, json_log: Lines, given: str
) -> None:
    # Through the WSGI environ: the test client itself refuses newlines in headers.
    response = tool.test_client().get("/", environ_base={"HTTP_X_REQUEST_ID": given})
    returned = response.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(returned) and returned != given
    assert "X-Injected" not in response.headers
    [line] = request_lines(json_log)
    assert line["request_id"] == returned


def test_without_a_header_each_request_gets_its_own_id(tool: Flask) -> None:
    client = tool.test_client()
    ids = {client.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3 and all(NEW_ID.fullmatch(i) for i in ids)


def test_error_answers_carry_the_request_id_too(tool: Flask) -> None:
    client = tool.test_client()
    for response in (
        client.get("/nowhere", headers={"X-Request-ID": "e1"}),
        client.post("/lti/launch", data={"junk": "x"}, headers={"X-Request-ID": "e2"}),
        client.get("/api/v1/twinspaces/1", headers={"X-Request-ID": "e3"}),
        client.delete("/healthz", headers={"X-Request-ID": "e4"}),
    ):
        assert response.status_code >= 400
        assert response.headers["X-Request-ID"].startswith("e")


# --- the request line -----------------------------------------------------------------------
def test_the_request_line_is_one_json_object_with_the_request_fields(
    tool: Flask, json_log: Lines
) -> None:
    response = tool.test_client().get("/", headers={"X-Request-ID": "req-1"})
    [line] = request_lines(json_log)
    assert line["request_id"] == "req-1" == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", response.status_code)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["message"].startswith("GET / ")
    stamp = datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


def test_no_query_string_token_or_cookie_reaches_the_log(tool: Flask, json_log: Lines) -> None:
    client = tool.test_client()
    client.set_cookie("etwin_launch", "COOKIE-SECRET-1")
    secret_headers = {
        "Authorization": "Bearer AUTH-SECRET-2",
        "X-Request-ID": "req-2",
    }
    client.get("/?registration_token=QUERY-SECRET-3&login_hint=x", headers=secret_headers)
    client.get("/lti/link/invitation/PATH-SECRET-4", headers=secret_headers)
    client.post("/lti/launch", data={"id_token": "eyJ.FORM-SECRET-5.x"}, headers=secret_headers)
    client.get("/no-such/PATH-SECRET-6/x?y=QUERY-SECRET-7", headers=secret_headers)
    text = json.dumps(json_log())
    for n in range(1, 8):
        assert f"SECRET-{n}" not in text
    paths = [line["path"] for line in request_lines(json_log)]
    assert paths == ["/", "/lti/link/invitation/<token>", "/lti/launch", "/no-such/…"]


def test_ids_in_the_path_are_kept_other_arguments_are_not(tool: Flask, json_log: Lines) -> None:
    client = tool.test_client()
    client.get("/embed/twinspace/12")
    client.post("/embed/connections/3/approve")
    client.post("/embed/twinspace/12/ACTION-SECRET")
    client.get("/%0Aforged%20line/../x")
    paths = [line["path"] for line in request_lines(json_log)]
    assert paths[:3] == [
        "/embed/twinspace/12",
        "/embed/connections/3/approve",
        "/embed/twinspace/12/<action>",
    ]
    assert "ACTION-SECRET" not in json.dumps(json_log())
    assert paths[-1] == "/?forged?line/…"  # no line break, no free text


def test_probes_are_logged_at_debug_only(tool: Flask, json_log: Lines) -> None:
    client = tool.test_client()
    client.get("/healthz")
    client.get("/metrics")
    assert request_lines(json_log) == []


def test_an_unknown_log_format_is_refused_at_start_up(app_sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_LOG_FORMAT"):
        make_test_app(app_sqlite_url, tmp_path, LOG_FORMAT="xml")


# --- into the tasks -------------------------------------------------------------------------
@pytest.fixture
def redis_scene(app_sqlite_url: str, tmp_path: Path) -> Iterator[Scene]:
    """The passback scene on the Redis queue (the production setup), its LMS not answering."""
    redis.Redis.from_url(REDIS_QUEUE_URL).flushdb()
    app = make_test_app(app_sqlite_url, tmp_path, QUEUE="redis", REDIS_URL=REDIS_QUEUE_URL)
    scene = build_scene(app)
    unreachable_lms(scene)
    yield scene
    settle(app)
    redis.Redis.from_url(REDIS_QUEUE_URL).flushdb()


def run_worker_until(scene: Scene, lines: Lines, done: Callable[[dict[str, Any]], bool]) -> Any:
    """A real queue worker (a consumer thread, as `etwin-lti serve` runs) until a line
    satisfies ``done``."""
    worker = scene.container.task_queue.start_worker(workers=1, periodic=False)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = [line for line in lines() if done(line)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no such log line; got {lines()}")
    finally:
        worker.stop()  # type: ignore[attr-defined]


def score_line(entry_id: int) -> Callable[[dict[str, Any]], bool]:
    def done(line: dict[str, Any]) -> bool:
        return line["logger"] == "etwin_lti.services.passback" and line["message"].startswith(
            f"score {entry_id} "
        )

    return done


def test_a_request_that_queues_passback_lends_its_id_to_the_task(
    redis_scene: Scene, json_log: Lines
) -> None:
    scene = redis_scene
    c = scene.container
    _, secret = c.api_tokens.create(ApiTokenRole.ADMIN, now=datetime.now(UTC))
    client = scene.app.test_client()
    for activity_id in scene.activity_ids:  # the last one completes the unit: a score
        response = client.put(
            f"/api/v1/activities/{activity_id}/done/{scene.person_id}",
            headers={"Authorization": f"Bearer {secret}", "X-Request-ID": f"lms-{activity_id}"},
        )
        assert response.status_code == 200, response.get_json()
    [entry] = c.passback.list()
    line = run_worker_until(scene, json_log, score_line(entry.id))
    assert line["request_id"] == f"lms-{scene.activity_ids[-1]}"
    assert line["level"] == "INFO" and "pending after 1 attempt" in line["message"]
    # huey's own line about the task carries it too (bound by the worker around the task).
    [executed] = [
        line
        for line in json_log()
        if line["logger"] == "huey"
        and "post_score" in line["message"]
        and "executed" in line["message"]
    ]
    assert executed["request_id"] == line["request_id"]
    # Its retry is scheduled with the same id, for the next attempt's lines.
    huey = c.task_queue.huey  # type: ignore[attr-defined]
    [retry] = [t for t in huey.pending() + huey.scheduled() if t.name == "post_score"]
    assert retry.args == (entry.id,) and retry.eta is not None
    assert retry.kwargs == {"request_id": f"lms-{scene.activity_ids[-1]}"}
    assert secret not in json.dumps(json_log())


def test_a_task_queued_outside_any_request_gets_its_own_id(
    redis_scene: Scene, json_log: Lines
) -> None:
    scene = redis_scene
    scene.finish_unit()  # the use case called directly (as the CLI or a task would)
    [entry] = scene.container.passback.list()
    line = run_worker_until(scene, json_log, score_line(entry.id))
    assert NEW_ID.fullmatch(line["request_id"])


def test_a_forged_id_in_a_queued_task_is_not_trusted(redis_scene: Scene, json_log: Lines) -> None:
    """The queue is ours, but a task's arguments are data: the id is checked again when the
    task runs."""
    scene = redis_scene
    scene.finish_unit()
    [entry] = scene.container.passback.list()
    redis.Redis.from_url(REDIS_QUEUE_URL).flushdb()  # drop the honest task
    post_score = scene.container.task_queue.task("post_score")  # type: ignore[attr-defined]
    post_score(entry.id, request_id="evil\nline")
    line = run_worker_until(scene, json_log, score_line(entry.id))
    assert NEW_ID.fullmatch(line["request_id"])
    assert all("evil" not in str(line.get("request_id")) for line in json_log())


# --- the real wiring: create_app with ETWIN_LOG_FORMAT, in a process of its own ---------------
SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from etwin_lti.app import create_app
    app = create_app({
        "TESTING": True, "DATABASE_URL": sys.argv[1], "INSTANCE_PATH": sys.argv[2],
        "SECRET_KEY": sys.argv[3], "BASE_URL": "http://tool.test",
    })
    client = app.test_client()
    client.get("/nowhere/deeper?token=QUERY-SECRET", headers={"X-Request-ID": "proc-1"})
    logging.getLogger("etwin_lti.check").warning("outside any request")
    """
)


def run_app_process(sqlite_url: str, tmp_path: Path, log_format: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, sqlite_url, str(tmp_path), TEST_SECRET],
        env={"ETWIN_LOG_FORMAT": log_format, "PYTHONPATH": str(Path.cwd()), "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stderr


def test_create_app_writes_json_lines_with_etwin_log_format_json(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    stderr = run_app_process(app_sqlite_url, tmp_path, "json")
    lines = [json.loads(line) for line in stderr.splitlines()]  # nothing but JSON objects
    [request_line] = [line for line in lines if line["logger"] == "etwin_lti.requests"]
    assert request_line["request_id"] == "proc-1"
    assert (request_line["path"], request_line["status"]) == ("/nowhere/…", 404)
    [outside] = [line for line in lines if line["logger"] == "etwin_lti.check"]
    assert outside["request_id"] is None and outside["level"] == "WARNING"
    assert "QUERY-SECRET" not in stderr


def test_create_app_writes_text_lines_by_default(app_sqlite_url: str, tmp_path: Path) -> None:
    stderr = run_app_process(app_sqlite_url, tmp_path, "text")
    assert re.search(r"INFO etwin_lti\.requests \[proc-1\] GET /nowhere/… 404 ", stderr)
    assert re.search(r"WARNING etwin_lti\.check \[-\] outside any request", stderr)
    assert "QUERY-SECRET" not in stderr
