"""``etwin-lti bench``: run the benchmarks under ``bench/`` and print their tables.

Each benchmark is a module of the source checkout (``python -m bench.<name>``) run as a child
process, one after the other: they start their own gunicorn servers and must not share the two
cores with each other. No application is built here (the benchmarks build their own, on scratch
databases), so the command does not use ``with_app``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

BENCHMARKS = ("launch", "roster", "passback")
_MODULES = {"launch": "bench.launch", "roster": "bench.roster_sync", "passback": "bench.passback"}
_HARD_LIMIT_SECONDS = 1800  # a run that exceeds this is stuck: stop it


def checkout() -> Path | None:
    """The source checkout holding ``bench/`` (an editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "bench" / "__init__.py").is_file() else None


def available(root: Path, name: str) -> bool:
    return (root / (_MODULES[name].replace(".", "/") + ".py")).is_file()


def register(main: click.Group) -> None:
    @main.command("bench")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @click.option("--only", type=click.Choice(BENCHMARKS), default=None, help="Run one benchmark.")
    @click.option(
        "--duration",
        type=click.FloatRange(min=0.5, max=600),
        default=10.0,
        show_default=True,
        help="Seconds per measured level (launch; roster and passback run fixed counts).",
    )
    def bench(as_json: bool, only: str | None, duration: float) -> None:
        """Measure launches/s (beside a plain pylti1p3 tool and a Flask hello), roster sync and
        score passback, each against a baseline measured in the same run."""
        root = checkout()
        if root is None:
            raise click.ClickException(
                "the benchmarks live in bench/ of a source checkout: run this from an "
                "editable install (make bench)"
            )
        collected: dict[str, object] = {}
        for name in [only] if only else BENCHMARKS:
            if not available(root, name):
                message = f"{name}: not available yet"
                collected[name] = {"available": False}
                if not as_json:
                    click.echo(message + "\n")
                continue
            command = [sys.executable, "-m", _MODULES[name]]
            if name == "launch":  # roster and passback are bound by counts, not by time
                command += ["--duration", str(duration)]
            if as_json:
                command.append("--json")
            try:
                done = subprocess.run(
                    command,
                    cwd=root,
                    stdout=subprocess.PIPE,
                    text=True,
                    timeout=_HARD_LIMIT_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise click.ClickException(f"{name}: stopped after {error.timeout} s") from error
            if done.returncode != 0:
                raise click.ClickException(f"{name}: failed (exit {done.returncode})")
            if as_json:
                collected[name] = json.loads(done.stdout)
            else:
                click.echo(done.stdout)
        if as_json:
            click.echo(json.dumps(collected, indent=2))
