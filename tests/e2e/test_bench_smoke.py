"""The benchmarks run end to end in a tiny configuration and print their tables.

A smoke test, not a measurement: it checks that every server starts under gunicorn, that a
whole launch succeeds through our tool and through the plain pylti1p3 tool (no errors), that
each tool fetched the platform key set once, and that the CLI wires ``--only``. No figure is
asserted (speed is measured by ``etwin-lti bench``, never in tests).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from etwin_lti.cli import main
from etwin_lti.cli.bench import available, checkout

pytestmark = pytest.mark.e2e

TINY = ["--duration", "0.5", "--warmup", "0.3", "--rounds", "1", "--clients", "1"]


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
    assert set(results) == {"tool_sqlite", "plain_pylti1p3", "hello"}
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


@pytest.mark.parametrize("name", ["roster", "passback"])
def test_bench_only_names_a_benchmark_that_is_not_there_yet(name: str) -> None:
    root = checkout()
    assert root is not None
    if available(root, name):
        pytest.skip(f"bench for {name} exists; its own smoke test covers it")
    result = CliRunner().invoke(main, ["bench", "--only", name])
    assert result.exit_code == 0, result.output
    assert f"{name}: not available yet" in result.output


def test_bench_rejects_an_unknown_benchmark() -> None:
    result = CliRunner().invoke(main, ["bench", "--only", "nothing"])
    assert result.exit_code == 2
    assert "nothing" in result.output
