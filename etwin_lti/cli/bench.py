"""``etwin-lti bench``: run the benchmarks under ``bench/`` and print their tables.

Each benchmark is a module of the source checkout (``python -m bench.<name>``) run as a child
process, one after the other: they start their own gunicorn servers and must not share the two
cores with each other. No application is built here (the benchmarks build their own, on scratch
databases), so the command does not use ``with_app``.
"""

from __future__ import annotations

import json
import os
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
    @click.option("--clients", default="1,8,32", show_default=True, help="Launch levels.")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the JSON there and a RESULTS.md (figures, command, machine) beside it.",
    )
    def bench(
        as_json: bool, only: str | None, duration: float, clients: str, out: Path | None
    ) -> None:
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
                command += ["--duration", str(duration), "--clients", clients]
            if as_json or out:
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
            if as_json or out:
                collected[name] = json.loads(done.stdout)
            else:
                click.echo(done.stdout)
        if out:
            out.write_text(json.dumps(collected, indent=2) + "\n")
            markdown = results_markdown(collected, " ".join(["etwin-lti", *sys.argv[1:]]))
            out.with_name("RESULTS.md").write_text(markdown)
        if as_json:
            click.echo(json.dumps(collected, indent=2))
        elif out:
            click.echo(out.with_name("RESULTS.md").read_text())


def results_markdown(collected: dict[str, object], command: str) -> str:
    """RESULTS.md from the JSON: the command, the machine, each benchmark's table."""
    import importlib
    import platform

    lines = [
        "# Benchmark results",
        "",
        "Produced by (one line, from the checkout):",
        "",
        f"    {command}",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + " at the end. The machine is SHARED with other engineers' work: rates and latencies"
        " move with their load; each server's own CPU per operation (read from /proc) is the"
        " figure that stays meaningful.",
        "",
    ]
    for name, data in collected.items():
        if not isinstance(data, dict) or data.get("available") is False:
            lines += [f"## {name}", "", "not run", ""]
            continue
        render = importlib.import_module(_MODULES[name]).render
        lines += [f"## {name}", "", "```", render(data), "```", ""]
    return "\n".join(lines)
