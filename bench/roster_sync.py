"""Roster sync (NRPS 2.0) of a course of N members into a TwinSpace, beside a raw page fetch.

    python -m bench.roster_sync [--members 1000] [--page-size 100] [--raw-rounds 3] [--json]
                                [--only-sqlite | --skip-sqlite]
    python -m bench.roster_sync --members 100,1000,5000

The sandbox LMS peer (``bench.sandbox_peer``, its own process, on localhost) serves a roster of
N members (the course's teacher and N-1 learners) in pages of ``--page-size`` with
``Link: rel="next"``. Our tool's real ``RosterSyncService`` (HTTP NRPS client, shared access
tokens, role policy, hub) syncs it into a TwinSpace the teacher launched once, on PostgreSQL with
Redis (production) and on the embedded SQLite:

- the **first sync**: every learner is new (a pupil person, an LTI identity, a membership);
- the **second sync**: nothing changed.

Each prints members/s, the HTTP requests the peer saw (roster pages, token requests) and the SQL
statements the tool's engine sent (a SQLAlchemy ``before_cursor_execute`` listener).

**Baseline, same run**: a raw loop fetching the same pages with ``requests`` (one session, the
same bearer token, following ``Link: rel="next"``, parsing each page's JSON), run
``--raw-rounds`` times after each sync; the median is the baseline. The ratio printed is
sync time / raw fetch time: what reading the roster costs once the tool also checks, maps and
writes it (1.0x would be "as fast as downloading it").

Bounded: counts only (no load loop), loopback only, every process started is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import cpu
from bench.cpu import CpuAccount, RedisServer
from bench.sandbox_peer import COURSE, TEACHER_ID, stats_delta
from bench.services_world import World, tool_and_peer
from bench.support import (
    POSTGRES_ADMIN_URL,
    fmt,
    loopback_is_secure,
    machine,
    postgres_database,
    ratio,
    seed_twinspace,
    table,
)
from etwin_lti.start_up_heap import freeze_start_up_heap

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 10_000  # the raw loop's second bound


def raw_fetch(session: requests.Session, url: str, token: str) -> dict[str, Any]:
    """The baseline: every page of the roster, JSON parsed, nothing else."""
    headers = {"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA_TYPE}
    started = time.perf_counter()
    members = pages = 0
    next_url: str | None = url
    while next_url and pages < MAX_PAGES:
        response = session.get(next_url, headers=headers, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"raw fetch: page {pages + 1} answered {response.status_code}")
        members += len(json.loads(response.content)["members"])
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    return {"seconds": time.perf_counter() - started, "members": members, "pages": pages}


@dataclass
class Accounts:
    """The tool (this process, its PostgreSQL backends, its Redis) and the peer's process."""

    tool: CpuAccount
    peer: CpuAccount

    def sample(self) -> tuple[dict[str, float], dict[str, float]]:
        return self.tool.sample(), self.peer.sample()

    def spent(self, before: tuple[dict[str, float], dict[str, float]], members: int) -> dict:
        return {
            "tool": cpu.per_operation_ms(cpu.difference(self.tool.sample(), before[0]), members),
            "peer": cpu.per_operation_ms(cpu.difference(self.peer.sample(), before[1]), members),
        }


def one_sync(world: World, expect: dict[str, int], accounts: Accounts) -> dict[str, Any]:
    container = world.container
    before, statements = world.peer.stats(), world.statements()
    cpu_before = accounts.sample()
    started = time.perf_counter()
    errors: list[str] = []
    try:
        [result] = container.roster_sync.sync_context(
            world.platform_id, world.info.deployment_id, COURSE
        )
    except Exception as error:  # noqa: BLE001 (reported in the table; the run goes on)
        return {"errors": [f"{type(error).__name__}: {error}"[:300]]}
    seconds = time.perf_counter() - started
    cpu_spent = accounts.spent(cpu_before, result.members)
    sql = world.statements() - statements
    http = stats_delta(before, world.peer.stats())
    outcome = {
        "added": result.added,
        "unchanged": result.unchanged,
        "reactivated": result.reactivated,
        "updated": result.updated,
        "suspended": result.suspended,
        "protected": result.protected,
        "skipped": len(result.skipped),
    }
    for key, wanted in expect.items():
        if outcome[key] != wanted:
            errors.append(f"{key} = {outcome[key]}, expected {wanted}")
    return {
        "seconds": round(seconds, 4),
        "members": result.members,
        "pages": result.pages,
        "members_per_second": round(result.members / seconds, 1) if seconds else None,
        "http_requests": {
            "nrps_pages": http.get("nrps_page", 0),
            "token": http.get("token", 0),
            "other": sum(
                v for k, v in http.items() if k not in ("nrps_page", "token", "scores_accepted")
            ),
        },
        "sql_statements": sql,
        "sql_per_member": round(sql / result.members, 2) if result.members else None,
        "cpu_ms_per_member": cpu_spent,
        "outcome": outcome,
        "errors": errors,
    }


def run_size(
    label: str, database_url: str, redis: RedisServer | None, members: int, args: Any, log: Any
) -> dict[str, Any]:
    redis_url = redis.url if redis else None
    application_name = None
    if database_url.startswith("postgresql"):  # its backends are found by this name
        application_name = f"etwin_bench_roster_{uuid.uuid4().hex[:8]}"
        database_url += f"?application_name={application_name}"
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-bench-")))
        world = stack.enter_context(
            tool_and_peer(
                database_url,
                workdir,
                redis_url=redis_url,
                roster=members,
                page_size=args.page_size,
            )
        )
        accounts = Accounts(
            tool=CpuAccount(
                os.getpid(),
                application_name=application_name,
                postgres_admin_url=POSTGRES_ADMIN_URL if application_name else None,
                extra_pids=[redis.pid] if redis else [],
                include_children=False,  # the peer is this process's child
            ),
            peer=CpuAccount(world.peer.pid, include_children=False),
        )
        twinspace = seed_twinspace(world.container)
        world.launch(TEACHER_ID, etwin_resource=f"twinspace:{twinspace}")
        # As in the processes that sync in production (`etwin-lti worker`, a gunicorn worker):
        # their start-up heap is frozen once the app is built (etwin_lti/start_up_heap.py).
        freeze_start_up_heap()
        log(f"  {label}, {members} members: set up; first sync...")
        first = one_sync(world, {"added": members - 1, "unchanged": 1, "skipped": 0}, accounts)
        token = world.container.access_tokens.token(world.platform_id, [NRPS_SCOPE])
        url = world.info.memberships_url()
        raws: list[dict[str, Any]] = []
        raw_cpu = []
        with requests.Session() as session:
            for _ in range(args.raw_rounds):
                raws.append(raw_fetch(session, url, token))
            log(f"  {label}, {members} members: second sync...")
            second = one_sync(world, {"added": 0, "unchanged": members, "suspended": 0}, accounts)
            for _ in range(args.raw_rounds):
                before = accounts.sample()
                raws.append(raw_fetch(session, url, token))
                raw_cpu.append(accounts.spent(before, members))
        raw_seconds = statistics.median(r["seconds"] for r in raws)
        raw_errors = [
            f"raw fetch read {r['members']} members" for r in raws if r["members"] != members
        ]
    return {
        "database": label,
        "members": members,
        "first_sync": first,
        "second_sync": second,
        "raw_fetch": {
            "seconds": round(raw_seconds, 4),
            "rounds": len(raws),
            "pages": raws[0]["pages"],
            "members_per_second": round(members / raw_seconds, 1),
            # The raw loop runs in this process: "tool" is the downloading client here.
            "cpu_ms_per_member": raw_cpu[len(raw_cpu) // 2] if raw_cpu else None,
            "errors": raw_errors,
        },
        "ratios": {
            "first_sync_over_raw": ratio(first.get("seconds"), raw_seconds),
            "second_sync_over_raw": ratio(second.get("seconds"), raw_seconds),
        },
        "targets": {"first_sync_over_raw": 1.5, "second_sync_over_raw": 1.2},
    }


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    sizes = [int(n) for n in str(args.members).split(",")]
    results: list[dict[str, Any]] = []
    notes: list[str] = []
    targets: list[tuple[str, str]] = []
    if not args.only_sqlite:
        targets.append(("PostgreSQL + Redis", "postgres"))
    if not args.skip_sqlite:
        targets.append(("embedded SQLite", "sqlite"))
    for members in sizes:
        for label, kind in targets:
            if kind == "postgres":
                with (
                    postgres_database("etwin_bench_roster") as url,
                    RedisServer() as redis,  # its own: its CPU is this tool's alone
                ):
                    if url is None:
                        notes.append("PostgreSQL is not reachable: measured on SQLite only")
                        continue
                    results.append(run_size(label, url, redis, members, args, log))
            else:
                with tempfile.TemporaryDirectory(prefix="etwin-bench-db-") as folder:
                    url = f"sqlite:///{folder}/etwin.sqlite"
                    results.append(run_size(label, url, None, members, args, log))
    return {
        "benchmark": "roster",
        "machine": machine(),
        "setup": {
            "peer": "sandbox LMS (lti1p3platform) in its own process, werkzeug threaded, localhost",
            "page_size": args.page_size,
            "members": sizes,
            "raw_rounds_per_sync": args.raw_rounds,
            "roster": "1 Instructor + N-1 Learners; the TwinSpace's teacher launched once",
        },
        "results": results,
        "notes": sorted(set(notes)),
    }


def errors_of(data: dict[str, Any]) -> list[str]:
    found = []
    for r in data["results"]:
        for phase in ("first_sync", "second_sync", "raw_fetch"):
            for error in r[phase].get("errors", []):
                found.append(f"{r['database']}, {r['members']} members, {phase}: {error}")
    return found


def _cpu_cell(spent: dict[str, Any] | None) -> str:
    if not spent:
        return "n/a"
    tool, peer = spent["tool"], spent["peer"]
    return f"{fmt(tool['total'], 2)} ({fmt(tool.get('postgres'), 2)}) / {fmt(peer['total'], 2)}"


def render(data: dict[str, Any]) -> str:
    headers = [
        "database",
        "members",
        "sync",
        "seconds",
        "members/s",
        "NRPS pages",
        "token req.",
        "SQL statements",
        "SQL/member",
        "CPU ms/member tool (db) / peer",
        "sync / raw fetch",
    ]
    rows = []
    for r in data["results"]:
        for phase, name in (
            ("first_sync", "first (all new)"),
            ("second_sync", "second (no change)"),
        ):
            s = r[phase]
            if "seconds" not in s:
                rows.append([r["database"], str(r["members"]), name] + ["failed"] * 7)
                continue
            rows.append(
                [
                    r["database"],
                    str(r["members"]),
                    name,
                    f"{s['seconds']:.2f}",
                    f"{s['members_per_second']:.0f}",
                    str(s["http_requests"]["nrps_pages"]),
                    str(s["http_requests"]["token"]),
                    str(s["sql_statements"]),
                    fmt(s["sql_per_member"], 1),
                    _cpu_cell(s.get("cpu_ms_per_member")),
                    fmt(r["ratios"][f"{phase.split('_')[0]}_sync_over_raw"], 1, "x")
                    + f" (target <= {r.get('targets', {}).get(phase + '_over_raw', 0):.1f}x)",
                ]
            )
        raw = r["raw_fetch"]
        rows.append(
            [
                r["database"],
                str(r["members"]),
                f"baseline: raw fetch (median of {raw['rounds']})",
                f"{raw['seconds']:.3f}",
                f"{raw['members_per_second']:.0f}",
                str(raw["pages"]),
                "0",
                "-",
                "-",
                _cpu_cell(raw.get("cpu_ms_per_member")),
                "1.0x",
            ]
        )
    out = [
        "Roster sync benchmark (NRPS, sandbox peer over loopback HTTP, "
        f"{data['setup']['page_size']} members per page)",
        table(headers, rows),
        "",
        "sync / raw fetch: the sync's time over a raw requests loop reading the same pages "
        "(lower is better; 1.0x = as fast as the download)",
        "CPU ms/member: the tool's own (this process + its PostgreSQL backends, in brackets,"
        " + its Redis) / the peer's; for the raw fetch, the downloading loop's / the peer's",
    ]
    errors = errors_of(data)
    out += ["", "Errors:"] + [f"  {e}" for e in errors] if errors else ["", "Errors: none"]
    if data["notes"]:
        out += ["", "Notes:"] + [f"  {n}" for n in data["notes"]]
    m = data["machine"]
    out += ["", f"Machine: {m['cpus']} CPUs, {m['processor']}, Python {m['python']}"]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", default="1000", help="roster sizes, e.g. 100,1000,5000")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--raw-rounds", type=int, default=3, help="raw fetches after each sync")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only-sqlite", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data = run(args, log)
    print(json.dumps(data, indent=2) if args.json else render(data))
    return 0  # errors are in the table and the JSON, as in bench.launch


if __name__ == "__main__":
    with loopback_is_secure():  # its clients play browsers (the tool is on loopback http)
        sys.exit(main(sys.argv[1:]))
