"""The hostile-mix soak's table and verdicts as ``etwin-lti bench`` prints them, from the JSON
``bench.soak`` produces."""

from __future__ import annotations

from typing import Any

from bench.support import table

TAIL_FRACTION = 0.2  # the last fifth of the run: every launch must succeed (recovered)


def render(data: dict[str, Any]) -> str:
    s, setup = data["summary"], data["setup"]
    rows = []
    for kind, counts in s["by_kind"].items():
        statuses = ", ".join(
            f"{k.removeprefix('status_')}: {v}"
            for k, v in sorted(counts.items())
            if k.startswith("status_")
        )
        rows.append(
            [
                kind,
                str(counts.get("total", 0)),
                str(counts.get("ok", 0)),
                str(counts.get("failed", 0)),
                str(counts.get("during_outage", 0)),
                statuses,
            ]
        )
    restart = data["restart"]
    out = [
        f"Hostile-mix soak: {setup['clients']} clients for {setup['duration_seconds']:g} s, "
        f"{setup['hostile_fraction']:.0%} hostile launches, a TwinSpace of "
        f"{setup['twinspace_members']} members, gunicorn -w 2 on PostgreSQL + Redis",
        "PostgreSQL: "
        + (
            f"stopped {restart['outage_seconds']} s at {setup['restart_at']:.0%} of the run, "
            f"started again; valid launches succeeded again {s['recovered_after_seconds']} s later"
            if restart["postgres_restarted"]
            else "not restarted"
        ),
        "",
        table(
            [
                "launch",
                "total",
                "ok (valid: page; hostile: refused)",
                "failed",
                "in outage",
                "deciding status",
            ],
            rows,
        ),
        "",
        f"5xx outside the outage: {s['five_xx_outside_outage']}; during it: "
        f"{s['during_outage']['five_xx']} ({s['during_outage']['unclean']} not a clean 503 page)",
        f"Hostile launches refused with a 4xx: {s['hostile_refused']} of {s['hostile']} "
        f"(accepted: {s['hostile_accepted']}; the rest met the outage's 503 page)",
        f"Valid launches failed outside the outage: {s['valid_failed_outside_outage']}; in the "
        f"last {TAIL_FRACTION:.0%} of the run: {s['tail']['failed']} of {s['tail']['launches']}",
        f"Database after the run: {data['database']['learners_launched_successfully']} learners "
        f"launched, {data['database']['identities']} identities, "
        f"{data['database']['empty_claims_left']} empty claims left by launches cut by the outage",
        f"Gunicorn workers: {'the same processes' if restart['same_workers'] else 'RESTARTED'}",
        "",
        "Verdicts:",
    ]
    out += [f"  {'PASS' if v else 'FAIL'}  {k}" for k, v in data["verdicts"].items()]
    problems = (
        data["database"]["problems"]
        + s["five_xx_outside_outage_examples"]
        + s["valid_failed_outside_outage_examples"]
        + s["hostile_not_refused_examples"]
        + s["during_outage"]["unclean_examples"]
        + restart["restart_errors"]
        + [f"server traceback: {t}" for t in restart.get("server_tracebacks", [])]
    )
    if problems:
        out += ["", "Problems seen:"] + [f"  {p}" for p in problems]
    m = data["machine"]
    out += ["", f"Machine: {m['cpus']} CPUs, {m['processor']}, Python {m['python']}"]
    return "\n".join(out)
