"""The launch benchmark's figures: ``report`` turns the measurements into the JSON the
benchmark prints (ratios to the plain tool and to the hello rate, CPU per launch, peak RSS),
``render`` that JSON into the tables ``etwin-lti bench`` shows."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from bench import cpu
from bench.launch_platform import USERS
from bench.support import LoadResult, fmt, machine, ratio, table


@dataclass
class Measured:
    name: str
    label: str
    unit: str
    levels: dict[int, LoadResult]
    jwks_fetches: int | None = None
    note: str = ""
    cpu: dict[int, dict[str, float]] = field(default_factory=dict)  # CPU seconds by part
    workers_peak_rss_kib: int | None = None


def report(measured: list[Measured], levels: list[int], args: argparse.Namespace) -> dict:
    by_name = {m.name: m for m in measured}

    def rate(name: str, clients: int) -> float | None:
        m = by_name.get(name)
        return m.levels[clients].rate if m and clients in m.levels else None

    def cpu_ms(name: str, clients: int) -> float | None:
        m = by_name.get(name)
        if not m or clients not in m.cpu:
            return None
        return cpu.per_operation_ms(m.cpu[clients], m.levels[clients].completed)["total"]

    def level(m: Measured, clients: int) -> dict[str, Any]:
        out = m.levels[clients].as_dict()
        if clients in m.cpu:
            out["cpu_ms_per_op"] = cpu.per_operation_ms(m.cpu[clients], out["completed"])
        return out

    ratios: dict[str, dict[str, Any]] = {}
    for tool in (name for name in by_name if name.startswith("tool_")):
        for clients in levels:
            hello = rate("hello", clients)
            ratios.setdefault(tool, {})[str(clients)] = {
                "tool_over_plain": ratio(rate(tool, clients), rate("plain_pylti1p3", clients)),
                "tool_over_half_hello": ratio(rate(tool, clients), hello / 2 if hello else None),
                "cpu_over_plain_cpu": ratio(
                    cpu_ms(tool, clients), cpu_ms("plain_pylti1p3", clients)
                ),
            }
    for suffix in ("", "_new"):  # returning learners, new learners
        if "tool_sqlite" + suffix in by_name and "tool_postgres" + suffix in by_name:
            ratios["sqlite_cpu_over_postgres_cpu" + suffix] = {
                str(c): ratio(
                    cpu_ms("tool_sqlite" + suffix, c), cpu_ms("tool_postgres" + suffix, c)
                )
                for c in levels
            }
    return {
        "benchmark": "launch",
        "machine": machine(),
        "setup": {
            "server": "gunicorn --workers 2 (sync), one target at a time, 127.0.0.1",
            "load_generator": "one Python process, one thread and requests.Session per client",
            "duration_seconds": args.duration,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "clients": levels,
            "distinct_users": USERS,
            "twinspace_members": max(args.members, USERS + 2),
            "learners": args.learners,
        },
        "results": {
            m.name: {
                "label": m.label,
                "unit": m.unit + "/s",
                "jwks_fetches": m.jwks_fetches,
                "note": m.note,
                "workers_peak_rss_mib": (
                    round(m.workers_peak_rss_kib / 1024, 1) if m.workers_peak_rss_kib else None
                ),
                "levels": {str(c): level(m, c) for c in m.levels},
            }
            for m in measured
        },
        "ratios": ratios,
        "targets": {
            "tool_over_plain": 2.0,
            "tool_over_half_hello": 0.5,
            "sentence": "at least 2x the plain tool and half of the hello rate divided by two",
        },
    }


def render(data: dict[str, Any]) -> str:
    levels = data["setup"]["clients"]
    headers = ["target"] + [f"{c} client{'s' if c > 1 else ''}" for c in levels]
    headers += ["errors", "JWKS fetches"]
    rows = []
    for result in data["results"].values():
        row = [result["label"] + f" ({result['unit']})"]
        row += [
            f"{result['levels'][str(c)]['per_second']:.1f}"
            f" (p95 {result['levels'][str(c)]['p95_ms']:.0f} ms)"
            for c in levels
        ]
        row.append(str(sum(result["levels"][str(c)]["errors"] for c in levels)))
        row.append("-" if result["jwks_fetches"] is None else str(result["jwks_fetches"]))
        rows.append(row)
    out = [
        "Launch benchmark: complete launches/s (login + id_token POST + page), "
        f"gunicorn -w 2, {data['setup']['duration_seconds']:g} s per level "
        f"in {data['setup']['rounds']} interleaved round(s), a TwinSpace of "
        f"{data['setup'].get('twinspace_members', USERS)} members; returning learners launched"
        " before (one of the members), new learners launch for the first time (provisioning)",
        table(headers, rows),
        "",
        "Each server's own CPU per operation (user+sys from /proc: gunicorn master and workers"
        " + its PostgreSQL backends + its private Redis), ms; p50/p95/p99 latency, ms:",
        table(
            ["target", "clients", "CPU ms/op", "server", "postgres", "redis", "p50/p95/p99"],
            [
                [
                    result["label"],
                    str(c),
                    fmt(lv.get("cpu_ms_per_op", {}).get("total"), 2),
                    fmt(lv.get("cpu_ms_per_op", {}).get("server"), 2),
                    fmt(lv.get("cpu_ms_per_op", {}).get("postgres"), 2),
                    fmt(lv.get("cpu_ms_per_op", {}).get("redis"), 2),
                    f"{lv['p50_ms']:.0f}/{lv['p95_ms']:.0f}/{lv['p99_ms']:.0f}",
                ]
                for result in data["results"].values()
                for c in levels
                for lv in [result["levels"][str(c)]]
            ],
        ),
        "Workers' peak RSS, MiB: "
        + ", ".join(
            f"{r['label']} {fmt(r.get('workers_peak_rss_mib'), 1)}"
            for r in data["results"].values()
        ),
        "",
        "Ratios (issue 3: launch >= 2x plain tool, and >= half of (hello rate / 2)):",
    ]
    ratio_rows = []
    for tool, per_level in data["ratios"].items():
        if tool not in data["results"]:
            continue
        label = data["results"][tool]["label"]
        for c in levels:
            r = per_level[str(c)]
            ratio_rows.append(
                [
                    label,
                    str(c),
                    fmt(r["tool_over_plain"], 2, "x") + "  (target >= 2.00x)",
                    fmt(r["tool_over_half_hello"], 2, "x") + "  (target >= 0.50x)",
                    fmt(r.get("cpu_over_plain_cpu"), 2, "x"),
                ]
            )
    if ratio_rows:
        out.append(
            table(
                ["tool", "clients", "tool / plain tool", "tool / (hello / 2)", "CPU / plain CPU"],
                ratio_rows,
            )
        )
    for suffix, who in (("", "returning"), ("_new", "new")):
        sqlite_pg = data["ratios"].get("sqlite_cpu_over_postgres_cpu" + suffix)
        if sqlite_pg:
            out.append(
                f"SQLite CPU / PostgreSQL CPU per launch ({who} learners): "
                + ", ".join(f"{c} clients {fmt(sqlite_pg[str(c)], 2, 'x')}" for c in levels)
            )
    errors = [
        f"  {r['label']}, {c} client(s): {r['levels'][str(c)]['first_error']}"
        for r in data["results"].values()
        for c in levels
        if r["levels"][str(c)]["first_error"]
    ]
    if errors:
        out += ["", "First error seen:"] + errors
    notes = [f"  {r['label']}: {r['note']}" for r in data["results"].values() if r["note"]]
    if notes:
        out += ["", "Notes:"] + notes
    out += [
        "",
        "Platform key set fetches while measuring: "
        f"{data['setup'].get('jwks_fetches_during_measurement', 'n/a')} "
        "(each tool fetched it once, before, then used its cache)",
    ]
    m = data["machine"]
    out += ["", f"Machine: {m['cpus']} CPUs, {m['processor']}, Python {m['python']}"]
    return "\n".join(out)
