"""``GET /metrics`` (issue 11 item 4): what it counts, read back through Prometheus's own
parser, and who may read it (loopback only without ``ETWIN_METRICS_TOKEN``, the bearer token
with it, never a forwarded claim of being local)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from etwin_lti.errors import ConfigurationError, PermissionDeniedError
from etwin_lti.services.demo import load_demo
from tests.conftest import make_test_app, settle
from tests.integration.observability.conftest import unreachable_lms
from tests.integration.passback.conftest import Scene
from tests.support.launching import Launcher
from tests.support.lti_tokens import ROLE_INSTRUCTOR

TOKEN = "metrics-token-0123456789abcdef"
WORLD = {"REMOTE_ADDR": "203.0.113.7"}


def samples(
    client: FlaskClient, **kwargs: object
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.content_type.startswith("text/plain; version=")
    assert "no-store" in response.headers["Cache-Control"]
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return float(found.get((name, tuple(sorted(labels.items()))), 0.0))


@pytest.fixture
def tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_sqlite_url, tmp_path)
    yield app
    settle(app)


# --- access ---------------------------------------------------------------------------------
def test_loopback_reads_metrics_without_a_token(tool: Flask) -> None:
    found = samples(tool.test_client())
    assert value(found, "etwin_lti_scrape_source_up", source="outbox") == 1
    assert value(found, "etwin_lti_outbox_pending_scores") == 0


@pytest.mark.parametrize(
    "environ",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        {"REMOTE_ADDR": "10.0.0.8"},  # private is not local
        {"REMOTE_ADDR": "::ffff:192.0.2.1"},
        {"REMOTE_ADDR": "not-an-address"},
        {"REMOTE_ADDR": ""},
        # No proxy is trusted on an http base URL: the header is the client's own claim.
        {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "127.0.0.1"},
    ],
)
def test_other_addresses_are_refused_without_a_token(tool: Flask, environ: dict) -> None:  # type: ignore[type-arg]
    client = tool.test_client()
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):  # no token is configured
        response = client.get("/metrics", environ_base=environ, headers=headers)
        assert response.status_code == 403
        assert b"etwin_lti_" not in response.data
        assert b"ETWIN_METRICS_TOKEN" in response.data  # says how to allow it


def test_ipv6_and_mapped_loopback_are_local(tool: Flask) -> None:
    for address in ("::1", "::ffff:127.0.0.1", "127.0.0.2"):
        assert samples(tool.test_client(), environ_base={"REMOTE_ADDR": address})


def test_behind_the_proxy_both_the_peer_and_the_forwarded_client_must_be_local(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    # An https base URL trusts one proxy's X-Forwarded-For (ProxyFix).
    app = make_test_app(app_sqlite_url, tmp_path, BASE_URL="https://tool.example")
    client = app.test_client()
    spoofed = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    through_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for environ in (spoofed, through_proxy):
        assert client.get("/metrics", environ_base=environ).status_code == 403
    local = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert samples(client, environ_base=local)
    settle(app)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN.upper()}",
        "Bearer tökén-with-ünïcode-0123456789",
        "Bearer " + "x" * 5000,
    ],
)
def test_with_a_token_a_missing_or_wrong_one_is_refused(
    app_sqlite_url: str, tmp_path: Path, authorization: str | None
) -> None:
    app = make_test_app(app_sqlite_url, tmp_path, METRICS_TOKEN=TOKEN)
    headers = {} if authorization is None else {"Authorization": authorization}
    for environ in ({}, WORLD):  # loopback needs the token too once one is set
        response = app.test_client().get("/metrics", headers=headers, environ_base=environ)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert b"etwin_lti_" not in response.data
        assert TOKEN.encode() not in response.data
    settle(app)


def test_the_right_token_is_let_in_from_anywhere(app_sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(app_sqlite_url, tmp_path, METRICS_TOKEN=TOKEN)
    for scheme in ("Bearer", "bearer"):
        headers = {"Authorization": f"{scheme} {TOKEN}"}
        assert samples(app.test_client(), headers=headers, environ_base=WORLD)
    settle(app)


def test_a_token_of_digits_from_the_environment_works(app_sqlite_url: str, tmp_path: Path) -> None:
    # ETWIN_* values are parsed as JSON: 12345678901234567890 arrives as an int.
    app = make_test_app(app_sqlite_url, tmp_path, METRICS_TOKEN=12345678901234567890)
    headers = {"Authorization": "Bearer 12345678901234567890"}
    assert samples(app.test_client(), headers=headers, environ_base=WORLD)
    settle(app)


def test_a_short_token_is_refused_at_start_up(app_sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_METRICS_TOKEN"):
        make_test_app(app_sqlite_url, tmp_path, METRICS_TOKEN="short")


def test_a_missing_multiprocess_directory_is_refused_at_start_up(
    app_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="PROMETHEUS_MULTIPROC_DIR"):
        make_test_app(app_sqlite_url, tmp_path)


# --- what is counted ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def launcher() -> Iterator[Launcher]:
    running = Launcher.start()
    yield running
    running.stop()


def test_launches_by_outcome_and_refusals_by_code(tool: Flask, launcher: Launcher) -> None:
    launcher.register(tool)
    demo = load_demo(tool.extensions["etwin"].hub)
    launcher.link(tool, "founder-fr", demo.people["founder_fr"])
    client = tool.test_client()
    ok = launcher.launch(
        client,
        sub="founder-fr",
        roles=[ROLE_INSTRUCTOR],
        resource=f"twinspace:{demo.twinspace_id}",
    )
    assert ok.status_code == 200
    # Out of order (no login before, so no state cookie) with a forged token; a junk form.
    other = tool.test_client()
    assert other.post("/lti/launch", data={"id_token": "x.y.z", "state": "s"}).status_code == 401
    assert client.post("/lti/launch", data={"junk\n": "\x00" * 10}).status_code == 422
    assert client.get("/api/v1/twinspaces/1").status_code == 401  # no API token
    found = samples(client)
    assert value(found, "etwin_lti_launches_total", outcome="ok") == 1
    assert value(found, "etwin_lti_launches_total", outcome="refused") == 2
    # (a plain-http tool on a non-loopback host: its missing cookie means "needs https")
    assert value(found, "etwin_lti_refusals_total", reason="tool_needs_https") == 1
    assert value(found, "etwin_lti_refusals_total", reason="invalid_input") == 1
    assert value(found, "etwin_lti_refusals_total", reason="unauthenticated") == 1
    reasons = {dict(labels).get("reason") for name, labels in found if "refusals" in name}
    assert all(r is None or r.replace("_", "").isalnum() for r in reasons)


def test_refusal_codes_from_outside_cannot_grow_the_labels(tool: Flask) -> None:
    client = tool.test_client()
    for n in range(100):  # 100 different unknown paths, each a 404 "not_found"
        assert client.get(f"/nowhere-{n}/{'é' * n}").status_code == 404
    found = samples(client)
    labels = [dict(labels) for name, labels in found if name == "etwin_lti_refusals_total"]
    assert labels == [{"reason": "not_found"}]
    assert value(found, "etwin_lti_refusals_total", reason="not_found") == 100


def test_outbox_gauges_and_passback_attempts(scene: Scene) -> None:
    client = scene.app.test_client()
    found = samples(client)
    assert value(found, "etwin_lti_outbox_pending_scores") == 0
    assert value(found, "etwin_lti_outbox_oldest_pending_age_seconds") == 0
    unreachable_lms(scene)
    scene.finish_unit()
    [entry] = scene.container.passback.list()
    found = samples(client)
    assert value(found, "etwin_lti_outbox_pending_scores") == 1
    assert value(found, "etwin_lti_outbox_oldest_pending_age_seconds") >= 0
    assert value(found, "etwin_lti_queue_depth") >= 1  # the score's task is waiting
    # A worker's attempt: the LMS does not answer, so the score will be retried.
    scene.container.task_queue.handlers().post_score(entry.id)
    # Nothing to do (its retry time has not come): no attempt, not counted.
    scene.container.task_queue.handlers().post_score(entry.id)
    found = samples(client)
    assert value(found, "etwin_lti_passback_attempts_total", result="retry") == 1
    assert value(found, "etwin_lti_passback_dead_letters_total") == 0


def test_dead_letters_are_counted_and_reported(scene: Scene) -> None:
    scene.dead_letter("the LMS refused the score")
    found = samples(scene.app.test_client())
    assert value(found, "etwin_lti_outbox_dead_letters") == 1
    assert value(found, "etwin_lti_outbox_pending_scores") == 0


def test_an_attempt_ending_dead_counts_a_dead_letter(scene: Scene) -> None:
    c = scene.container
    scene.finish_unit()
    [entry] = c.passback.list()
    # The scene's link grants no score scope: the score can never be posted (dead at once).
    c.task_queue.handlers().post_score(entry.id)
    found = samples(scene.app.test_client())
    assert value(found, "etwin_lti_passback_attempts_total", result="dead") == 1
    assert value(found, "etwin_lti_passback_dead_letters_total") == 1
    assert value(found, "etwin_lti_outbox_dead_letters") == 1


def test_an_unreachable_queue_is_reported_not_fatal(app_sqlite_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "queue.sqlite"
    app = make_test_app(app_sqlite_url, tmp_path, QUEUE_PATH=str(missing))
    found = samples(app.test_client())
    assert value(found, "etwin_lti_scrape_source_up", source="queue") == 0
    assert ("etwin_lti_queue_depth", ()) not in found
    assert value(found, "etwin_lti_scrape_source_up", source="outbox") == 1
    settle(app)


def test_an_unreachable_database_is_reported_not_fatal(tmp_path: Path) -> None:
    from etwin_lti.app import create_app
    from tests.conftest import TEST_SECRET

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SECRET_KEY": TEST_SECRET,
            "BASE_URL": "http://tool.test",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    found = samples(app.test_client())
    assert value(found, "etwin_lti_scrape_source_up", source="outbox") == 0
    assert ("etwin_lti_outbox_pending_scores", ()) not in found


def test_roster_sync_runs_are_timed_by_scope_and_outcome(scene: Scene) -> None:
    c = scene.container
    c.roster_sync.sync_all()  # no course offered NRPS: a quick, successful run
    with pytest.raises(PermissionDeniedError):  # not a teacher administrator there
        c.roster_sync.sync_twinspace(999, actor_id=scene.person_id)
    found = samples(scene.app.test_client())
    histogram = "etwin_lti_roster_sync_duration_seconds_count"
    assert value(found, histogram, scope="all", outcome="ok") == 1
    assert value(found, histogram, scope="twinspace", outcome="failed") == 1


def test_cache_reads_are_counted_by_key_kind_never_by_key(tool: Flask) -> None:
    cache = tool.extensions["etwin"].kv_cache
    assert cache.get("jwks:https://lms.example/person/42") is None
    cache.set("jwks:https://lms.example/person/42", b"{}", 60)
    assert cache.get("jwks:https://lms.example/person/42") == b"{}"
    assert cache.get("no prefix at all, user 42") is None
    found = samples(tool.test_client())
    assert value(found, "etwin_lti_cache_lookups_total", kind="jwks", result="miss") == 1
    assert value(found, "etwin_lti_cache_lookups_total", kind="jwks", result="hit") == 1
    assert value(found, "etwin_lti_cache_lookups_total", kind="other", result="miss") == 1
    text = tool.test_client().get("/metrics").get_data(as_text=True)
    # Label values only: a sample's value (a timestamp, say) may hold any digits.
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    assert "lms.example" not in labels and "42" not in labels


# --- several processes ----------------------------------------------------------------------
PROCESS = textwrap.dedent(
    """
    import sys
    from etwin_lti.observability.metrics import Metrics, QueueSnapshot
    metrics = Metrics.from_environment()
    for _ in range(int(sys.argv[1])):
        metrics.launch(303)
    metrics.passback("sent")
    if sys.argv[2] == "render":
        body, _ = metrics.render(lambda: QueueSnapshot(3, 2, 1.5, 0))
        sys.stdout.write(body.decode())
    """
)


def test_multiprocess_mode_adds_up_every_process(tmp_path: Path) -> None:
    """Each gunicorn worker (and queue worker) is its own process: with
    PROMETHEUS_MULTIPROC_DIR, a scrape of any one of them reports the sum."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(Path.cwd())}
    run = [sys.executable, "-c", PROCESS]
    subprocess.run([*run, "2", "-"], env=env, check=True, timeout=60)
    subprocess.run([*run, "3", "-"], env=env, check=True, timeout=60)
    out = subprocess.run(
        [*run, "1", "render"], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    assert found[("etwin_lti_launches_total", (("outcome", "ok"),))] == 6
    assert found[("etwin_lti_passback_attempts_total", (("result", "sent"),))] == 3
    assert found[("etwin_lti_queue_depth", ())] == 3
    assert found[("etwin_lti_outbox_oldest_pending_age_seconds", ())] == 1.5
    assert len(list(directory.iterdir())) == 3  # one file per process


def test_dates_in_the_outbox_age_are_timezone_safe(scene: Scene) -> None:
    from connectors.sql_score_outbox import outbox_backlog

    scene.finish_unit()
    later = datetime.now(UTC) + timedelta(minutes=5)
    backlog = outbox_backlog(scene.container.database, now=later)
    assert backlog is not None and backlog.pending == 1
    assert 299 <= backlog.oldest_pending_age_seconds <= 330
