"""``make run`` is ``etwin-lti serve --demo``: on a first run (a fresh instance folder, a new
SQLite database), the last lines it prints before it waits are the tool's address and the
sandbox's, not the migrations applied nor the task queue's routine lines (issue 13 item 7).
A real process on a free port, its output read as a person at the terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.private_services import _wait_port, free_port

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
# The output a person would read during the first seconds: the embedded worker's start-up
# sweep runs then, and the routine lines it used to print came right after the address.
WATCH_SECONDS = 6


def serve(instance: Path, output: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        # A fresh instance folder: its own SQLite database, queue file and secret key.
        "ETWIN_INSTANCE_PATH": str(instance),
    }
    command = "from etwin_lti.cli import main; main(prog_name='etwin-lti')"
    with output.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", command, "serve", "--demo", "--port", str(port)],
            cwd=instance,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    instance = tmp_path / "instance"
    instance.mkdir()
    port = free_port()
    output = tmp_path / "output.txt"
    process = serve(instance, output, port)
    try:
        _wait_port(port, seconds=60)
        yield port, output
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_first_demo_run_ends_with_the_address_and_the_sandbox(
    served: tuple[int, Path],
) -> None:
    port, output = served
    time.sleep(WATCH_SECONDS)
    lines = output.read_text(encoding="utf-8").splitlines()
    address = f"http://127.0.0.1:{port}"
    assert lines[-2:] == [
        f"etwin-lti serving on {address}/",
        f"sandbox LMS: {address}/sandbox/",
    ], lines
    assert not [line for line in lines if "Running upgrade" in line], lines
    assert not [line for line in lines if "executing" in line.lower()], lines
    # And it does answer: the start page and the sandbox the lines point to.
    assert requests.get(f"{address}/", timeout=30).status_code == 200
    assert requests.get(f"{address}/sandbox/", timeout=30).status_code == 200
