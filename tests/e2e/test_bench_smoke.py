"""The benchmarks run end to end in a tiny configuration and print their tables.

A smoke test, not a measurement: it checks that every server starts under gunicorn, that a
whole launch succeeds through our tool and through the plain pylti1p3 tool (no errors), that
each tool fetched the platform key set once, that a roster of 20 syncs against the sandbox peer
and 5 scores reach its gradebook (SQLite only, the last level by an `etwin-lti worker` process),
that a short hostile-mix soak refuses every hostile launch and provisions every valid one once
across a restart of its own PostgreSQL, that the CLI merges results and sums up the targets,
and that it refuses an unknown benchmark.
No figure is asserted (speed is measured by ``etwin-lti bench``, never in tests).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from etwin_lti.cli import main
from etwin_lti.cli.bench import checkout

pytestmark = pytest.mark.e2e

TINY = [
    "--duration",
    "0.5",
    "--warmup",
    "0.3",
    "--rounds",
    "1",
    "--clients",
    "1",
    "--members",
    "10",
]


def test_the_launch_benchmark_runs_end_to_end_and_prints_its_table() -> None:
    root = checkout()
    assert root is not None
    done = subprocess.run(
        [sys.executable, "-m", "bench.launch", *TINY, "--only-sqlite", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    results = data["results"]
    assert set(results) == {"tool_sqlite", "tool_sqlite_new", "plain_pylti1p3", "hello"}
    for name, result in results.items():
        level = result["levels"]["1"]
        assert level["completed"] > 0, (name, level)
        assert level["errors"] == 0, (name, level)
    assert results["tool_sqlite"]["jwks_fetches"] == 1
    assert results["plain_pylti1p3"]["jwks_fetches"] == 1
    assert data["setup"]["jwks_fetches_during_measurement"] == 0
    ratios = data["ratios"]["tool_sqlite"]["1"]
    assert ratios["tool_over_plain"] > 0 and ratios["tool_over_half_hello"] > 0

    table = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json,sys; from bench.launch import render; print(render(json.load(sys.stdin)))",
        ],
        cwd=root,
        input=done.stdout,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "(b) plain pylti1p3 tool" in table and "tool / (hello / 2)" in table


def _run_json(module: str, *args: str) -> dict:
    root = checkout()
    assert root is not None
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--only-sqlite", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


def _render(module: str, data: dict) -> str:
    root = checkout()
    assert root is not None
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json,sys; from {module} import render; print(render(json.load(sys.stdin)))",
        ],
        cwd=root,
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout


def test_the_roster_benchmark_syncs_a_small_roster_and_prints_its_table() -> None:
    data = _run_json("bench.roster_sync", "--members", "20", "--raw-rounds", "1")
    [result] = data["results"]
    first, second, raw = result["first_sync"], result["second_sync"], result["raw_fetch"]
    assert first["errors"] == [] and second["errors"] == [] and raw["errors"] == []
    assert first["outcome"]["added"] == 19 and second["outcome"]["unchanged"] == 20
    assert first["http_requests"] == {"nrps_pages": 1, "token": 1, "other": 0}
    assert second["http_requests"]["token"] == 0  # the cached token is reused
    assert first["sql_statements"] > second["sql_statements"] > 0
    assert result["ratios"]["first_sync_over_raw"] > 0
    table = _render("bench.roster_sync", data)
    assert "baseline: raw fetch" in table and "Errors: none" in table


def test_the_passback_benchmark_delivers_a_few_scores_and_prints_its_table() -> None:
    data = _run_json("bench.passback", "--scores", "5", "--threads", "1")
    [result] = data["results"]
    assert [(level["mode"], level["threads"]) for level in result["levels"]] == [
        ("live", 1),
        ("drain", 1),
        ("worker", 1),  # an `etwin-lti worker` process
    ]
    for level in result["levels"]:
        assert level["errors"] == [] and level["raw_posts"]["errors"] == []
        assert level["outbox"] == {"sent": 5} and level["attempts"] == 5
        assert level["http_requests"]["score_posts"] == 5
        assert level["http_requests"]["token"] == 1
        assert level["ratio_end_to_end_over_raw"] > 0 and level["rate_over_raw_rate"] > 0
        assert set(level["cpu_ms_per_score"]) == {"tool", "peer"}
    assert result["levels"][-1]["worker_peak_rss_mib"] > 0
    table = _render("bench.passback", data)
    assert "end to end / raw" in table and "Errors: none" in table


def test_bench_rejects_an_unknown_benchmark() -> None:
    result = CliRunner().invoke(main, ["bench", "--only", "nothing"])
    assert result.exit_code == 2
    assert "nothing" in result.output


def test_the_cpu_account_reads_a_servers_own_cpu_from_the_os() -> None:
    import requests

    from bench import cpu
    from bench.support import Gunicorn, free_port

    if not cpu.available():
        pytest.skip("no /proc: the CPU accounting is Linux only")
    with (
        cpu.RedisServer() as redis_server,
        Gunicorn("bench.hello:app", port=free_port(), health_path="/hello", workers=1) as server,
    ):
        account = cpu.CpuAccount(server.pid, extra_pids=[redis_server.pid])
        before = account.sample()
        with requests.Session() as session:
            for _ in range(200):
                assert session.get(server.url + "/hello", timeout=10).status_code == 200
        spent = cpu.difference(account.sample(), before)
        assert len(account.pids()["server"]) == 2  # the master and its worker
        assert spent["server"] > 0
        assert account.workers_peak_rss_kib() > 0


def test_the_soak_refuses_every_hostile_launch_and_survives_a_postgres_restart() -> None:
    from bench import private_postgres

    if not private_postgres.available():
        pytest.skip("the soak needs initdb and pg_ctl (a PostgreSQL server of its own)")
    root = checkout()
    assert root is not None
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--duration", "8", "--clients", "4"]
        + ["--members", "10", "--hostile", "0.3", "--outage", "1", "--restart-at", "0.5"]
        + ["--grace", "1", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    summary, verdicts = data["summary"], data["verdicts"]
    assert data["restart"]["postgres_restarted"] and data["restart"]["same_workers"]
    assert summary["hostile"] > 0 and summary["hostile_accepted"] == 0
    assert summary["five_xx_outside_outage"] == 0
    assert data["database"]["problems"] == []
    assert data["database"]["learners_launched_successfully"] > 0
    for verdict in (
        "zero_5xx_outside_outage",
        "every_hostile_launch_refused",
        "every_valid_launch_provisioned_exactly_once",
        "same_workers_no_restart",
        # The soak found session reads that let the database error through as a 500; every
        # path now answers the 503 page (tests/integration/pages/test_database_outage_pages.py).
        "clean_errors_during_outage",
    ):
        assert verdicts[verdict], (verdict, _render("bench.soak", data))
    # Reported, not asserted here: the recovery, which needs the run to go on long enough
    # after the restart on a loaded machine.
    assert "recovered_without_restart" in verdicts
    assert "Verdicts:" in _render("bench.soak", data)


def test_bench_merges_its_results_and_sums_up_the_targets(tmp_path) -> None:
    from etwin_lti.cli.bench import _merge, arguments, targets_summary

    out = tmp_path / "RESULTS.json"
    earlier_roster = {
        "results": [
            {
                "database": "PostgreSQL + Redis",
                "members": 10,
                "ratios": {"first_sync_over_raw": 3.0, "second_sync_over_raw": 1.1},
                "first_sync": {"sql_statements": 50},
                "second_sync": {"sql_statements": 8},
            }
        ]
    }
    out.write_text(json.dumps({"roster": earlier_roster, "not-a-benchmark": 1}))
    soak = {"verdicts": {"zero_5xx_outside_outage": True, "clean_errors_during_outage": False}}
    passback = {
        "results": [
            {
                "target": "PostgreSQL, huey on Redis",
                "levels": [
                    {"mode": "worker", "threads": 4, "rate_over_raw_rate": 0.9},
                    {"mode": "worker", "threads": 1, "worker_peak_rss_mib": 151.0},
                ],
            }
        ]
    }
    merged = _merge(out, {"soak": soak, "passback": passback})
    assert set(merged) == {"roster", "soak", "passback", "rss"}  # the earlier roster is kept
    assert merged["rss"]["queue_workers_mib"] == {"PostgreSQL, huey on Redis, 1 thread(s)": 151.0}
    lines = targets_summary(merged)
    assert any("first sync / raw download 3.00x (missed" in line for line in lines)
    assert any("no-change resync / raw 1.10x (met" in line for line in lines)
    assert any("4 thread(s): rate / raw POST rate 0.90x (met" in line for line in lines)
    assert any("queue worker" in line and "missed" in line for line in lines)
    assert "soak: clean_errors_during_outage: FAIL" in lines
    options = {"soak_duration": 6.0, "soak_clients": 4, "members": 10}
    assert arguments("soak", options) == ["--duration", "6.0", "--clients", "4", "--members", "10"]
