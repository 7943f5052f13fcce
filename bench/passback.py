"""Progress passback (AGS 2.0): N unit completions delivered as scores to the LMS gradebook by
the real outbox, AGS client and huey consumer, beside a raw score POST loop.

    python -m bench.passback [--scores 200] [--threads 1,4] [--modes live,drain,worker]
                             [--json] [--only-sqlite | --skip-sqlite]

The sandbox LMS peer (``bench.sandbox_peer``, its own process, on localhost) holds the course,
its learners and the unit's grade column (announced in the launch, ``?type_id=`` and all). Our
tool runs in the benchmark process, on PostgreSQL with huey on Redis (production) and on the
embedded SQLite with huey on a SQLite file (``etwin-lti serve``'s default). Per worker-thread
level, a fresh batch of N learners who have each done the unit's first activity:

1. a real huey consumer (``HueyTaskQueue.consumer``, thread workers) is started;
2. the clock starts, and the benchmark's main thread finishes the unit for each learner in turn
   (``mark_activity_done``: the completion and its pending score commit in one transaction; the
   task is queued after commit);
3. the clock stops when the peer's gradebook has accepted all N scores.

Three modes: **live** (the consumer runs in the benchmark process while the completions are
committed), **drain** (N completions committed first, then the in-process consumer starts: delivery
alone), and **worker** (N completions committed first, then a real ``etwin-lti worker --threads
T`` process starts, from the same ``ETWIN_*`` configuration; the clock runs from the moment it
says it is consuming: delivery alone, by the queue worker as deployed).

Each server's own CPU per score (``bench/cpu.py``): the tool (the process that delivers: the
benchmark process in live/drain, the worker process in worker mode; plus the PostgreSQL
backends carrying its ``application_name`` and its private Redis) and the peer (the sandbox
LMS's process), read from ``/proc`` over the measured window; for the raw loop, the loop's own
process and the peer. The worker process's peak RSS is printed too.

Printed: scores/s end to end (first completion commit → N scores in the gradebook), the
completion commits/s of step 2, the peer's requests (score POSTs, access-token requests: the
cached token is dropped before each level, so ~1 is right), the tool's SQL statements per score
(completion + delivery), and the outbox's final states.

**Baseline, same run**: after each level, a raw loop POSTs the same N score payloads (same users
and line item, timestamp +1 s so the LMS accepts them again) with ``requests``, one session and
one bearer token, one after the other. Printed: end-to-end time / raw POST time.

Bounded: counts only, every wait has a deadline, loopback only, every process started is
stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

from bench import cpu
from bench.cpu import CpuAccount, RedisServer
from bench.sandbox_peer import PUPIL_ID, learner_id, stats_delta
from bench.services_world import World, tool_and_peer
from bench.support import (
    POSTGRES_ADMIN_URL,
    REPO,
    fmt,
    loopback_is_secure,
    machine,
    postgres_database,
    ratio,
    table,
)

MODES = ("live", "drain", "worker")
WAIT_SECONDS = 900  # a level that takes longer is stuck: report it and go on
WORKER_START_SECONDS = 60
RATE_TARGET = 0.8  # issue 11: passback >= 0.8x the raw POST rate with 4 workers


def seed_unit(hub: Any) -> tuple[int, int, tuple[int, ...]]:
    edition = hub.create_edition(
        "Distance course", date.today().year, date.today(), date.today() + timedelta(days=60)
    )
    unit = hub.add_unit(
        edition.id,
        "Unit 1: eTwinning",
        "What eTwinning is.",
        activities=[("Read", "Read the unit."), ("Post", "Post in the forum.")],
    )
    return unit.id, edition.id, tuple(a.id for a in unit.activities)


def prepare_learners(
    world: World, edition_id: int, first_activity: int, numbers: range, link: Any
) -> list[int]:
    """People the peer's learners ``p-<n>`` are in the tool (as after their first launch
    through ``link``, the unit's activity), trainees of the edition, with the first of the
    unit's two activities done."""
    from datetime import UTC, datetime

    from etwin_lti.domain.identities import LtiIdentity
    from etwin_lti.domain.launches import ServiceEndpoints
    from etwin_lti.domain.model import PersonKind

    container, info = world.container, world.info
    people = []
    for n in numbers:
        person = container.hub.create_person(f"Trainee {n}", PersonKind.TEACHER)
        container.identities.link(
            LtiIdentity(info.issuer, learner_id(n)),
            person.id,
            deployment_id=info.deployment_id,
            kind=person.kind,
        )
        container.resource_links.record(
            platform_id=link.platform_id,
            deployment_id=link.deployment_id,
            resource_link_id=link.resource_link_id,
            context_id=link.context_id,
            context_title=link.context_title,
            resource=link.resource,
            endpoints=ServiceEndpoints(),  # keeps the endpoints the launch recorded
            now=datetime.now(UTC),
            launched_by=person.id,  # scores go to the links a learner came through
        )
        container.hub.enrol_trainee(edition_id, person.id)
        container.hub.mark_activity_done(person.id, first_activity)
        people.append(person.id)
    return people


def wait_accepted(world: World, before: dict[str, Any], count: int) -> float | None:
    """perf_counter() when the gradebook holds ``count`` more accepted scores; None on timeout."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if world.peer.stats()["scores_accepted"] - before["scores_accepted"] >= count:
            return time.perf_counter()
        # Not faster: each poll costs the peer CPU, counted in its CPU per score.
        time.sleep(0.05)
    return None


@dataclass
class Accounts:
    """Where each server's CPU is read: the tool's delivering process and the peer's."""

    tool: CpuAccount
    peer: CpuAccount
    application_name: str | None  # the in-process tool's, on PostgreSQL


def accounts_for(world: World, redis_pid: int | None, application_name: str | None) -> Accounts:
    return Accounts(
        tool=_account(os.getpid(), redis_pid, application_name),
        peer=CpuAccount(world.peer.pid, include_children=False),
        application_name=application_name,
    )


def _account(pid: int, redis_pid: int | None, application_name: str | None) -> CpuAccount:
    return CpuAccount(
        pid,
        application_name=application_name,
        postgres_admin_url=POSTGRES_ADMIN_URL if application_name else None,
        extra_pids=[redis_pid] if redis_pid else [],
        include_children=False,
    )


@contextmanager
def worker_process(world: World, threads: int, application_name: str | None) -> Iterator[Any]:
    """``etwin-lti worker --threads T`` from the tool's own configuration, in its own process
    group; yields it once it says it is consuming. Stopped by SIGTERM to that group."""
    env = {**os.environ, **world.env}
    if application_name:  # its own name, so that its PostgreSQL backends are found
        env["ETWIN_DATABASE_URL"] = _with_application_name(
            env["ETWIN_DATABASE_URL"], application_name
        )
    command = [sys.executable, "-c", "import sys; from etwin_lti.cli import main; sys.exit(main())"]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [*command, "worker", "--threads", str(threads)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], WORKER_START_SECONDS)
        line = process.stdout.readline() if ready else b""
        if not line.startswith(b"etwin-lti worker"):
            log.seek(0)
            raise RuntimeError(
                f"the worker did not start: {log.read().decode(errors='replace')[-1500:]}"
            )
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


def _with_application_name(url: str, name: str) -> str:
    base = url.split("?", 1)[0]
    return f"{base}?application_name={name}"


def one_level(
    world: World,
    people: list[int],
    last_activity: int,
    threads: int,
    mode: str,
    accounts: Accounts,
) -> dict[str, Any]:
    from etwin_lti.domain.passback import ScoreStatus
    from etwin_lti.lti import ags

    container = world.container
    queue = container.task_queue
    # Every level starts without a token, as a worker after a restart would.
    container.access_tokens.invalidate(world.platform_id, [ags.SCOPE_SCORE])
    errors: list[str] = []
    tool_account = accounts.tool
    worker_rss_kib = None
    with ExitStack() as stack:
        before, statements = world.peer.stats(), world.statements()
        begun = started = time.perf_counter()
        if mode == "live":  # the worker is running while the completions come in
            consumer = queue.consumer(workers=threads, periodic=False)
            stack.callback(consumer.stop, graceful=True)
            consumer.start()
            started = time.perf_counter()
        cpu_before = tool_account.sample(), accounts.peer.sample()
        for person in people:
            container.progress.mark_activity_done(person, last_activity)
        committed = time.perf_counter()
        if mode == "drain":  # a backlog of N queued scores, then the worker starts
            consumer = queue.consumer(workers=threads, periodic=False)
            stack.callback(consumer.stop, graceful=True)
            started = committed
            cpu_before = tool_account.sample(), accounts.peer.sample()
            consumer.start()
        elif mode == "worker":  # the same backlog, delivered by a worker process
            name = f"{accounts.application_name}_w" if accounts.application_name else None
            process = stack.enter_context(worker_process(world, threads, name))
            tool_account = _account(process.pid, _redis_pid(accounts), name)
            started = time.perf_counter()
            cpu_before = tool_account.sample(), accounts.peer.sample()
        done = wait_accepted(world, before, len(people))
        cpu_spent = (
            cpu.difference(tool_account.sample(), cpu_before[0]),
            cpu.difference(accounts.peer.sample(), cpu_before[1]),
        )
        if mode == "worker":
            worker_rss_kib = cpu.peak_rss_kib(tool_account.root_pid)
        # The in-process engine's statements (a worker process's are not counted).
        sql = world.statements() - statements
        http = stats_delta(before, world.peer.stats())
    if done is None:
        errors.append(f"not every score arrived within {WAIT_SECONDS} s")
    ids = set(people)
    entries = [e for e in container.passback.list(limit=1_000_000) if e.person_id in ids]
    states: dict[str, int] = {}
    for entry in entries:
        states[entry.status.value] = states.get(entry.status.value, 0) + 1
    if len(entries) != len(people) or states.get(ScoreStatus.SENT.value) != len(people):
        errors.append(f"outbox: {len(entries)} entries for {len(people)} completions, {states}")
    if http.get("scores_accepted") != len(people):
        errors.append(f"gradebook accepted {http.get('scores_accepted')} of {len(people)}")
    seconds = (done or time.perf_counter()) - started
    return {
        "mode": mode,
        "threads": threads,
        "scores": len(people),
        "seconds": round(seconds, 4),
        "scores_per_second": round(len(people) / seconds, 1) if done else None,
        "commits_per_second": round(len(people) / (committed - begun), 1),
        "http_requests": {
            "score_posts": http.get("score_post", 0),
            "token": http.get("token", 0),
            "other": sum(
                v for k, v in http.items() if k not in ("score_post", "token", "scores_accepted")
            ),
        },
        "sql_statements": sql if mode != "worker" else None,
        "sql_per_score": round(sql / len(people), 1) if people and mode != "worker" else None,
        "cpu_ms_per_score": {
            "tool": cpu.per_operation_ms(cpu_spent[0], len(people)),
            "peer": cpu.per_operation_ms(cpu_spent[1], len(people)),
        },
        "worker_peak_rss_mib": round(worker_rss_kib / 1024, 1) if worker_rss_kib else None,
        "outbox": states,
        "attempts": sum(e.attempts for e in entries),
        "errors": errors,
        "_entries": entries,
    }


def _redis_pid(accounts: Accounts) -> int | None:
    return accounts.tool.extra_pids[0] if accounts.tool.extra_pids else None


def raw_posts(world: World, entries: list[Any], accounts: Accounts) -> dict[str, Any]:
    """The baseline: the same score payloads POSTed one after the other with one token."""
    from etwin_lti.lti import ags

    token = world.container.access_tokens.token(world.platform_id, [ags.SCOPE_SCORE])
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": ags.SCORE_MEDIA_TYPE,
        "Accept": "application/json",
    }
    errors: list[str] = []
    client = CpuAccount(os.getpid(), include_children=False)
    with requests.Session() as session:
        cpu_before = client.sample(), accounts.peer.sample()
        started = time.perf_counter()
        for entry in entries:
            payload = ags.score_payload(
                entry.user_id,
                entry.timestamp + timedelta(seconds=1),
                score_given=entry.score_given,
                score_maximum=entry.score_maximum,
            )
            answer = session.post(
                ags.scores_url(entry.lineitem_url),
                headers=headers,
                data=json.dumps(payload),
                timeout=30,
            )
            if answer.status_code not in (200, 201, 204) and not errors:
                errors.append(f"raw POST answered {answer.status_code}: {answer.text[:200]}")
        seconds = time.perf_counter() - started
        client_spent = cpu.difference(client.sample(), cpu_before[0])
        peer_spent = cpu.difference(accounts.peer.sample(), cpu_before[1])
    return {
        "scores": len(entries),
        "seconds": round(seconds, 4),
        "scores_per_second": round(len(entries) / seconds, 1) if seconds else None,
        "cpu_ms_per_score": {
            "client": cpu.per_operation_ms(client_spent, len(entries)),
            "peer": cpu.per_operation_ms(peer_spent, len(entries)),
        },
        "errors": errors,
    }


def run_target(
    label: str,
    database_url: str,
    config: dict[str, Any],
    args: Any,
    log: Any,
    redis_pid: int | None = None,
) -> dict[str, Any]:
    levels = [int(n) for n in str(args.threads).split(",")]
    modes = [m for m in MODES if m in args.modes]
    application_name = None
    if database_url.startswith("postgresql"):
        application_name = f"etwin_bench_passback_{uuid.uuid4().hex[:8]}"
        database_url = _with_application_name(database_url, application_name)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-bench-")))
        if config.get("QUEUE") != "redis":
            config = {**config, "QUEUE_PATH": str(workdir / "queue.sqlite")}
        world = stack.enter_context(
            tool_and_peer(
                database_url,
                workdir,
                redis_url=config.get("REDIS_URL"),
                queue=config,
                learners=args.scores * len(levels) * len(modes),
            )
        )
        queue = world.container.task_queue
        queue.huey.flush()  # this benchmark's queue only: nothing left from an earlier run
        unit_id, edition_id, activities = seed_unit(world.container.hub)
        # The distance course runs in a teacher-training LMS (its learners are teachers).
        from etwin_lti.domain.audiences import Audience

        world.container.role_policies.set_audience(world.platform_id, Audience.TRAINING)
        # A learner's launch records the unit's resource link and its grade column.
        world.launch(PUPIL_ID, etwin_resource=f"unit:{unit_id}")
        from etwin_lti.domain.launches import Resource, ResourceKind

        [link] = world.container.resource_links.list_for_resource(
            Resource(ResourceKind.UNIT, unit_id)
        )
        accounts = accounts_for(world, redis_pid, application_name)
        measured = []
        plan = [(mode, threads) for mode in modes for threads in levels]
        for index, (mode, threads) in enumerate(plan):
            numbers = range(index * args.scores, (index + 1) * args.scores)
            log(f"  {label}: {mode}, {threads} worker thread(s)...")
            people = prepare_learners(world, edition_id, activities[0], numbers, link)
            level = one_level(world, people, activities[-1], threads, mode, accounts)
            entries = level.pop("_entries")
            level["raw_posts"] = raw_posts(world, entries, accounts)
            level["ratio_end_to_end_over_raw"] = ratio(
                level["seconds"] if level["scores_per_second"] else None,
                level["raw_posts"]["seconds"],
            )
            # The figure: the rate against the raw POST rate (target >= 0.8x).
            level["rate_over_raw_rate"] = ratio(
                level["raw_posts"]["seconds"],
                level["seconds"] if level["scores_per_second"] else None,
            )
            level["tool_cpu_over_raw_client_cpu"] = ratio(
                level["cpu_ms_per_score"]["tool"]["total"],
                level["raw_posts"]["cpu_ms_per_score"]["client"]["total"],
            )
            measured.append(level)
        queue.huey.flush()
    return {"target": label, "levels": measured}


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    notes: list[str] = []
    if not args.only_sqlite:
        with postgres_database("etwin_bench_passback") as url:
            if url is None:
                notes.append("PostgreSQL is not reachable: measured on SQLite only")
            else:
                # A Redis of its own (queue and shared cache): its CPU is this tool's alone.
                with RedisServer() as redis_server:
                    config = {"QUEUE": "redis", "REDIS_URL": redis_server.url}
                    results.append(
                        run_target(
                            "PostgreSQL, huey on Redis", url, config, args, log, redis_server.pid
                        )
                    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="etwin-bench-db-") as folder:
            url = f"sqlite:///{folder}/etwin.sqlite"
            results.append(
                run_target("SQLite, huey on SQLite", url, {"QUEUE": "embedded"}, args, log)
            )
    return {
        "benchmark": "passback",
        "machine": machine(),
        "setup": {
            "peer": "sandbox LMS (lti1p3platform) in its own process, werkzeug threaded, localhost",
            "scores_per_level": args.scores,
            "worker_threads": [int(n) for n in str(args.threads).split(",")],
            "modes": [m for m in MODES if m in args.modes],
            "worker": "live/drain: huey Consumer, thread workers, in the benchmark process (no"
            " periodic); worker: an `etwin-lti worker --threads T` process",
            "producer": "the benchmark's main thread commits the completions one by one",
            "redis_for_kv_cache_and_queue": "a private redis-server (PostgreSQL target)",
            "rate_target": RATE_TARGET,
        },
        "results": results,
        "notes": notes,
    }


def errors_of(data: dict[str, Any]) -> list[str]:
    return [
        f"{r['target']}, {level['mode']}, {level['threads']} thread(s): {error}"
        for r in data["results"]
        for level in r["levels"]
        for error in level["errors"] + level["raw_posts"]["errors"]
    ]


def render(data: dict[str, Any]) -> str:
    headers = [
        "target",
        "mode",
        "threads",
        "scores",
        "end to end s",
        "scores/s",
        "commits/s",
        "score POSTs",
        "token req.",
        "SQL/score",
        "raw POST scores/s",
        "end to end / raw",
        "rate / raw rate",
    ]
    rows = []
    for r in data["results"]:
        for level in r["levels"]:
            raw = level["raw_posts"]
            rows.append(
                [
                    r["target"],
                    level["mode"],
                    str(level["threads"]),
                    str(level["scores"]),
                    f"{level['seconds']:.2f}",
                    fmt(level["scores_per_second"], 1),
                    fmt(level["commits_per_second"], 1),
                    str(level["http_requests"]["score_posts"]),
                    str(level["http_requests"]["token"]),
                    fmt(level["sql_per_score"], 1),
                    fmt(raw["scores_per_second"], 1),
                    fmt(level["ratio_end_to_end_over_raw"], 1, "x"),
                    fmt(level.get("rate_over_raw_rate"), 2, "x")
                    + f" (target >= {RATE_TARGET:.1f}x)",
                ]
            )
    cpu_rows = []
    for r in data["results"]:
        for level in r["levels"]:
            spent, raw = level.get("cpu_ms_per_score"), level["raw_posts"].get("cpu_ms_per_score")
            if not spent or not raw:
                continue
            tool = spent["tool"]
            cpu_rows.append(
                [
                    r["target"],
                    level["mode"],
                    str(level["threads"]),
                    fmt(tool["total"], 2),
                    fmt(tool.get("server"), 2),
                    fmt(tool.get("postgres"), 2),
                    fmt(tool.get("redis"), 2),
                    fmt(spent["peer"]["total"], 2),
                    fmt(raw["client"]["total"], 2),
                    fmt(raw["peer"]["total"], 2),
                    fmt(level.get("tool_cpu_over_raw_client_cpu"), 1, "x"),
                    fmt(level.get("worker_peak_rss_mib"), 1),
                ]
            )
    out = [
        "Passback benchmark (completion commit -> score in the sandbox LMS gradebook, real "
        "outbox + AGS client + huey consumer)",
        table(headers, rows) if rows else "(no target measured)",
        "",
        "Each server's own CPU per score, ms (user+sys from /proc over the measured window): "
        "the tool's delivering process (benchmark process in live/drain, the worker process in "
        "worker mode) + its PostgreSQL backends + its private Redis; the peer (sandbox LMS); "
        "the raw loop's own process and the peer during the raw POSTs:",
        table(
            [
                "target",
                "mode",
                "threads",
                "tool CPU/score",
                "process",
                "postgres",
                "redis",
                "peer",
                "raw client",
                "raw peer",
                "tool / raw client",
                "worker RSS MiB",
            ],
            cpu_rows,
        )
        if cpu_rows
        else "(no CPU figures)",
        "",
        "live: the worker runs while the main thread commits the completions; the clock runs "
        "from the first commit to the last score in the gradebook (commits/s caps it).",
        "drain: the N completions are committed (and queued) first; the clock runs from the "
        "worker's start to the last score in the gradebook (delivery alone).",
        "worker: like drain, by an `etwin-lti worker` process; the clock runs from the moment it"
        " says it is consuming (its SQL is not counted: it is another engine).",
        "end to end / raw: that time over a raw requests loop POSTing the same payloads with "
        "one token, one after the other (lower is better); rate / raw rate: its inverse, the "
        "issue's figure (higher is better).",
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
    parser.add_argument("--scores", type=int, default=200, help="completions per level")
    parser.add_argument("--threads", default="1,4", help="huey worker threads per level")
    parser.add_argument("--modes", default="live,drain,worker", help="of live, drain, worker")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only-sqlite", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not args.modes or set(args.modes) - set(MODES):
        parser.error("--modes takes live, drain and/or worker")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data = run(args, log)
    print(json.dumps(data, indent=2, default=str) if args.json else render(data))
    return 0  # errors are in the table and the JSON, as in bench.launch


if __name__ == "__main__":
    with loopback_is_secure():  # its clients play browsers (the tool is on loopback http)
        sys.exit(main(sys.argv[1:]))
