"""``etwin-lti bench``: run the benchmarks under ``bench/`` and print their tables.

Each benchmark is a module of the source checkout (``python -m bench.<name>``) run as a child
process, one after the other: they start their own gunicorn servers and must not share the two
cores with each other. No application is built here (the benchmarks build their own, on scratch
databases), so the command does not use ``with_app``.

``--out`` merges what was run into an existing RESULTS.json (a benchmark run alone replaces
its own entry and leaves the others), each entry with the command that produced it, and
writes RESULTS.md beside it from the merged figures, with the peak RSS summary (issue 11).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

BENCHMARKS = ("launch", "roster", "passback", "soak")
_MODULES = {
    "launch": "bench.launch",
    "roster": "bench.roster_sync",
    "passback": "bench.passback",
    "soak": "bench.soak",
}
RSS_TARGET_MIB = 150  # issue 11: web and queue worker RSS <= 150 MB each


def checkout() -> Path | None:
    """The source checkout holding ``bench/`` (an editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "bench" / "__init__.py").is_file() else None


def _bench_module(name: str) -> Any:
    """A benchmark's module, imported here to render its figures: the console script does not
    put the checkout on ``sys.path`` (the benchmarks themselves run as ``python -m`` in it)."""
    root = checkout()
    if root is not None and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(_MODULES[name])


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
        "--members",
        type=click.IntRange(0, 20_000),
        default=1000,
        show_default=True,
        help="Members of the launched TwinSpace (launch and soak).",
    )
    @click.option(
        "--roster-members",
        default="10000",
        show_default=True,
        help="Roster sizes of the roster benchmark, e.g. 1000,10000.",
    )
    @click.option(
        "--scores",
        type=click.IntRange(1, 100_000),
        default=10_000,
        show_default=True,
        help="Scores per passback level.",
    )
    @click.option("--workers", default="1,4", show_default=True, help="Passback worker threads.")
    @click.option(
        "--passback-modes",
        default="worker",
        show_default=True,
        help="Of live, drain, worker (worker: an `etwin-lti worker` process).",
    )
    @click.option(
        "--with-sqlite",
        is_flag=True,
        help="Roster and passback on the embedded SQLite too (the launch always measures both).",
    )
    @click.option(
        "--soak-duration",
        type=click.FloatRange(min=0.5, max=3600),
        default=120.0,
        show_default=True,
        help="Seconds of the hostile-mix soak.",
    )
    @click.option("--soak-clients", type=click.IntRange(1, 256), default=32, show_default=True)
    @click.option(
        "--timeout",
        type=click.IntRange(60, 7200),
        default=3600,
        show_default=True,
        help="Seconds after which a benchmark is stopped as stuck.",
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Merge the JSON into that file and write a RESULTS.md (figures, command, machine)"
        " beside it.",
    )
    def bench(as_json: bool, only: str | None, out: Path | None, **options: Any) -> None:
        """Measure launches/s (beside a plain pylti1p3 tool and a Flask hello), roster sync,
        score passback, each against a baseline measured in the same run, and the hostile-mix
        soak (counts, not speed)."""
        root = checkout()
        if root is None:
            raise click.ClickException(
                "the benchmarks live in bench/ of a source checkout: run this from an "
                "editable install (make bench)"
            )
        command_line = " ".join(["etwin-lti", *sys.argv[1:]])
        collected: dict[str, Any] = {}
        for name in [only] if only else BENCHMARKS:
            if not available(root, name):
                message = f"{name}: not available yet"
                collected[name] = {"available": False}
                if not as_json:
                    click.echo(message + "\n")
                continue
            command = [sys.executable, "-m", _MODULES[name], *arguments(name, options)]
            if as_json or out:
                command.append("--json")
            try:
                done = subprocess.run(
                    command,
                    cwd=root,
                    stdout=subprocess.PIPE,
                    text=True,
                    timeout=options["timeout"],
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise click.ClickException(f"{name}: stopped after {error.timeout} s") from error
            if done.returncode != 0:
                raise click.ClickException(f"{name}: failed (exit {done.returncode})")
            if as_json or out:
                collected[name] = {
                    **json.loads(done.stdout),
                    "command": command_line,
                    # Other work on the machine moves rates: each run says how busy it was.
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                }
            else:
                click.echo(done.stdout)
        if out:
            merged = _merge(out, collected)
            out.write_text(json.dumps(merged, indent=2) + "\n")
            out.with_name("RESULTS.md").write_text(results_markdown(merged, command_line))
        if as_json:
            click.echo(json.dumps(collected, indent=2))
        elif out:
            click.echo(out.with_name("RESULTS.md").read_text())


def arguments(name: str, options: dict[str, Any]) -> list[str]:
    """The command-line options of one benchmark module from the CLI's."""
    sqlite = [] if options.get("with_sqlite") else ["--skip-sqlite"]
    if name == "launch":
        return [
            "--duration",
            str(options["duration"]),
            "--clients",
            options["clients"],
            "--members",
            str(options["members"]),
        ]
    if name == "roster":  # roster and passback are bound by counts, not by time
        return ["--members", options["roster_members"], *sqlite]
    if name == "passback":
        return [
            "--scores",
            str(options["scores"]),
            "--threads",
            options["workers"],
            "--modes",
            options["passback_modes"],
            *sqlite,
        ]
    return [
        "--duration",
        str(options["soak_duration"]),
        "--clients",
        str(options["soak_clients"]),
        "--members",
        str(options["members"]),
    ]


def _merge(out: Path, collected: dict[str, Any]) -> dict[str, Any]:
    """The earlier RESULTS.json with this run's benchmarks replacing theirs."""
    try:
        earlier = json.loads(out.read_text()) if out.is_file() else {}
    except ValueError:
        earlier = {}
    merged = {k: v for k, v in earlier.items() if k in BENCHMARKS}
    merged.update(collected)
    merged["rss"] = peak_rss(merged)
    return merged


def peak_rss(results: dict[str, Any]) -> dict[str, Any]:
    """Issue 11's memory figure: the peak RSS of web workers (gunicorn workers of the launch
    benchmark) and of queue workers (the `etwin-lti worker` processes of the passback one)."""
    web: dict[str, float] = {}
    for key, result in results.get("launch", {}).get("results", {}).items():
        if key.startswith("tool_") and result.get("workers_peak_rss_mib"):
            web[result["label"]] = result["workers_peak_rss_mib"]
    queue: dict[str, float] = {}
    for target in results.get("passback", {}).get("results", []):
        for level in target["levels"]:
            if level.get("worker_peak_rss_mib"):
                label = f"{target['target']}, {level['threads']} thread(s)"
                queue[label] = level["worker_peak_rss_mib"]
    return {"web_workers_mib": web, "queue_workers_mib": queue, "target_mib": RSS_TARGET_MIB}


def _met(value: float | None, target: float, at_most: bool) -> str:
    if value is None:
        return "n/a"
    good = value <= target if at_most else value >= target
    bound = "<=" if at_most else ">="
    return f"{value:.2f}x ({'met' if good else 'missed'}; target {bound} {target:g}x)"


def targets_summary(results: dict[str, Any]) -> list[str]:
    """Issue 11's targets, one line each, from the figures (ratios within one run)."""
    lines: list[str] = []
    launch = results.get("launch", {})
    for tool, per_level in launch.get("ratios", {}).items():
        label = launch.get("results", {}).get(tool, {}).get("label")
        if not label:
            continue
        for clients, r in per_level.items():
            level = launch["results"][tool]["levels"][clients]
            line = (
                f"launch, {label}, {clients} client(s): rate / plain "
                + _met(r.get("tool_over_plain"), 2.0, at_most=False)
                + ", CPU / plain CPU "
                + _met(r.get("cpu_over_plain_cpu"), 0.5, at_most=True)
                + ", rate / (hello / 2) "
                + _met(r.get("tool_over_half_hello"), 0.5, at_most=False)
            )
            if clients == "8":
                p99 = level.get("p99_ms")
                line += f", p99 {p99:.0f} ms ({'met' if p99 <= 50 else 'missed'}; target <= 50 ms)"
            lines.append(line)
    for suffix in ("", "_new"):
        for clients, value in (
            launch.get("ratios", {}).get("sqlite_cpu_over_postgres_cpu" + suffix, {}).items()
        ):
            who = "new" if suffix else "returning"
            lines.append(
                f"launch, SQLite CPU / PostgreSQL CPU ({who} learners), {clients} client(s): "
                + _met(value, 1.5, at_most=True)
            )
    for r in results.get("roster", {}).get("results", []):
        where = f"roster, {r['database']}, {r['members']} members"
        lines.append(
            f"{where}: first sync / raw download "
            + _met(r["ratios"].get("first_sync_over_raw"), 1.5, at_most=True)
            + f" ({r['first_sync'].get('sql_statements')} SQL statements); no-change resync / raw "
            + _met(r["ratios"].get("second_sync_over_raw"), 1.2, at_most=True)
            + f" ({r['second_sync'].get('sql_statements')} SQL statements)"
        )
    for target in results.get("passback", {}).get("results", []):
        for level in target["levels"]:
            lines.append(
                f"passback, {target['target']}, {level['mode']}, {level['threads']} thread(s): "
                "rate / raw POST rate "
                + _met(level.get("rate_over_raw_rate"), 0.8, at_most=False)
                + (" (the target is for 4 workers)" if level["threads"] != 4 else "")
            )
    rss = results.get("rss", {})
    for key, kind in (("web_workers_mib", "web worker"), ("queue_workers_mib", "queue worker")):
        for label, mib in rss.get(key, {}).items():
            verdict = "met" if mib <= RSS_TARGET_MIB else "missed"
            lines.append(f"peak RSS, {kind}, {label}: {mib:.1f} MiB ({verdict}; target <= 150)")
    for verdict, passed in results.get("soak", {}).get("verdicts", {}).items():
        lines.append(f"soak: {verdict}: {'PASS' if passed else 'FAIL'}")
    return lines


def render_rss(rss: dict[str, Any]) -> str:
    lines = [f"Peak RSS (VmHWM) per process, MiB, target <= {rss['target_mib']}:"]
    for kind, key in (("web worker", "web_workers_mib"), ("queue worker", "queue_workers_mib")):
        for label, mib in rss[key].items():
            verdict = "ok" if mib <= rss["target_mib"] else "over"
            lines.append(f"  {kind:12}  {label}: {mib:.1f} ({verdict})")
        if not rss[key]:
            lines.append(f"  {kind:12}  not measured in these results")
    return "\n".join(lines)


def results_markdown(collected: dict[str, Any], command: str) -> str:
    """RESULTS.md from the JSON: the command, the machine, each benchmark's table."""
    import platform

    lines = [
        "# Benchmark results",
        "",
        "Produced by (one line, from the checkout; each section names the command of its own"
        " run when the results were merged from several):",
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
    summary = targets_summary(collected)
    if summary:
        lines += ["## Targets (issue 11), from the figures below", ""]
        lines += [f"- {line}" for line in summary] + [""]
    for name, data in collected.items():
        if name == "rss":
            lines += ["## peak RSS", "", "```", render_rss(data), "```", ""]
            continue
        if not isinstance(data, dict) or data.get("available") is False:
            lines += [f"## {name}", "", "not run", ""]
            continue
        render = _bench_module(name).render
        produced = data.get("command", command)
        lines += [f"## {name}", "", f"    {produced}", ""]
        if data.get("load_average_at_end"):
            load = ", ".join(f"{x:.1f}" for x in data["load_average_at_end"])
            lines += [f"Load average (1, 5, 15 min) at the end of this run: {load}.", ""]
        lines += ["```", render(data), "```", ""]
    return "\n".join(lines)
