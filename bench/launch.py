"""Complete LTI 1.3 launches per second: our tool beside a plain pylti1p3 tool and a "hello".

    python -m bench.launch [--duration S] [--clients 1,8] [--json] [--only-sqlite|--skip-sqlite]
    python -m bench.launch --profile 300    # cProfile of the launch, in process; no figures

One launch = the login initiation (GET /lti/login → 302 to the platform), the platform's answer
(minted HERE, in the load generator: read state and nonce from the redirect, sign an id_token
with the platform key), the id_token POST, and the page the launch leads to (our tool redirects
to its embedded page; the plain tool renders its page in the POST's answer, as its example does).

Every server runs under ``gunicorn -w 2`` (sync workers), one target at a time:
  (a) our tool, ``etwin_lti.wsgi:app``, on PostgreSQL + Redis (production) and on the embedded
      SQLite default (no Redis), migrated, with the platform, an active deployment and a
      TwinSpace registered, and the platform key set cached after the warm-up;
  (b) ``bench.plain_pylti1p3_tool`` (pylti1p3's Flask example style, public-key caching ON);
  (c) ``bench.hello`` (one Flask endpoint).
The platform key set is served once per tool from a tiny local server; fetches are counted.

Issue 3 ("Speed"): a later issue holds the launch to at least 2x the plain tool, and to half of
the hello rate divided by two, i.e. launches/s >= 0.5 x (hello/2). Both ratios are printed.

Here: the servers and the interleaved measurement. The LMS side and one launch are in
``bench.launch_platform``, our tool's preparation in ``bench.launch_tool``, the JSON and the
tables in ``bench.launch_report``, ``--profile`` in ``bench.launch_profile``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bench import cpu
from bench.cpu import CpuAccount, RedisServer
from bench.launch_platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    Platform,
    Target,
    hello_iteration,
)
from bench.launch_profile import profile
from bench.launch_report import Measured, render, report
from bench.launch_tool import prepare_tool, tool_env
from bench.support import (
    LOOPBACK,
    POSTGRES_ADMIN_URL,
    Gunicorn,
    JwksServer,
    LoadResult,
    free_port,
    loopback_is_secure,
    postgres_database,
    run_load,
)


def plain_tool_config(path: Path, platform: Platform, jwks_url: str) -> None:
    settings = {
        "registrations": {
            ISSUER: [
                {
                    "default": True,
                    "client_id": CLIENT_ID,
                    "auth_login_url": f"http://{LOOPBACK}:9/auth",
                    "auth_token_url": f"http://{LOOPBACK}:9/token",
                    "key_set_url": jwks_url,
                    "key_set": None,
                    "deployment_ids": [DEPLOYMENT_ID],
                }
            ]
        },
        # The plain tool needs a key pair of its own; the platform's is as good as any here.
        "private_key": platform.private_pem(),
        "public_key": platform.public_pem(),
    }
    path.write_text(json.dumps(settings))


# --- the run ---------------------------------------------------------------------------------
@dataclass
class Contender:
    """A server under load: its label, the unit of its rate, one unit of work."""

    name: str
    label: str
    unit: str
    iteration: Any
    jwks_before: int | None = None
    note: str = ""
    account: CpuAccount | None = None  # where its own CPU is read (bench/cpu.py)


def measure_all(
    contenders: list[Contender], levels: list[int], args: argparse.Namespace, log: Any
) -> list[Measured]:
    """Warm every server up, then measure in ``args.rounds`` interleaved rounds (each target
    and level for duration/rounds seconds per round), so that a change in the machine's
    background load falls on every target alike instead of on whichever ran then."""
    for c in contenders:
        warm = run_load(max(levels), args.warmup, c.iteration, offset=10_000_000)
        log(f"  {c.label}: warm-up {warm.completed} in {warm.seconds:.1f} s")
        if warm.completed == 0:
            raise RuntimeError(f"{c.label}: nothing succeeded in the warm-up: {warm.first_error}")
    totals = {
        (c.name, n): LoadResult(clients=n, completed=0, seconds=0.0)
        for c in contenders
        for n in levels
    }
    cpu_totals: dict[tuple[str, int], dict[str, float]] = {k: {} for k in totals}
    slice_seconds = args.duration / args.rounds
    for round_number in range(args.rounds):
        for c in contenders:
            for clients in levels:
                before = c.account.sample() if c.account else {}
                r = run_load(clients, slice_seconds, c.iteration, offset=round_number * 1_000_000)
                if c.account:
                    spent = cpu.difference(c.account.sample(), before)
                    cpu.add(cpu_totals[(c.name, clients)], spent.items())
                total = totals[(c.name, clients)]
                total.completed += r.completed
                total.seconds += r.seconds
                total.errors += r.errors
                total.latencies.extend(r.latencies)
                total.first_error = total.first_error or r.first_error
        log(f"  round {round_number + 1}/{args.rounds} done")
    return [
        Measured(
            c.name,
            c.label,
            c.unit,
            {n: totals[(c.name, n)] for n in levels},
            note=c.note,
            cpu={n: cpu_totals[(c.name, n)] for n in levels} if c.account else {},
            workers_peak_rss_kib=c.account.workers_peak_rss_kib() if c.account else None,
        )
        for c in contenders
    ]


def _application_name(database_url: str) -> str:
    return parse_qs(urlsplit(database_url).query)["application_name"][0]


@contextmanager
def _tool_server(
    database_url: str, redis_url: str | None, jwks: JwksServer, workdir: Path, members: int = 0
) -> Iterator[tuple[Gunicorn, str]]:
    port = free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    instance = workdir / f"instance-{port}"
    instance.mkdir()
    env = tool_env(database_url, base_url, instance, redis_url)
    resource = prepare_tool(env, jwks.url, members)
    with Gunicorn("etwin_lti.wsgi:app", port=port, env=env, health_path="/healthz") as server:
        yield server, resource


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    levels = [int(n) for n in args.clients.split(",")]
    platform = Platform()
    contenders: list[Contender] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-bench-")))
        jwks = stack.enter_context(JwksServer(platform.jwks))
        fetches: dict[str, int] = {}

        def launches(
            name: str, label: str, target: Target, account: CpuAccount, note: str = ""
        ) -> None:
            contenders.append(
                Contender(
                    name,
                    label,
                    "launches",
                    lambda s, c, i: target.launch(platform, s, c, i),
                    note=note,
                    account=account,
                )
            )

        def ours(name: str, label: str, database_url: str, redis: RedisServer | None) -> None:
            """One server of our tool; a contender per kind of learner (``--learners``), all
            launching into the same TwinSpace of ``--members`` members."""
            before = jwks.fetches
            redis_url = redis.url if redis else None
            server, resource = stack.enter_context(
                _tool_server(database_url, redis_url, jwks, workdir, args.members)
            )
            account = CpuAccount(server.pid, extra_pids=[redis.pid] if redis else [])
            if database_url.startswith("postgresql"):
                account.application_name = _application_name(database_url)
                account.postgres_admin_url = POSTGRES_ADMIN_URL
            target = Target(name, server.url, "/lti/login", "/lti/launch", resource, True)
            # One launch before the clock: the tool fetches the platform's key set once (as
            # the plain tool does before its rounds); a broken page fails the run here.
            target.launch(platform, requests.Session(), 0, 0)
            fetches[name] = jwks.fetches - before
            for kind in args.learners:
                new = kind == "new"
                launches(
                    name + ("_new" if new else ""),
                    label + (", new learners" if new else ""),
                    replace(target, new_learners=new),
                    account,
                )
                fetches[name + ("_new" if new else "")] = fetches[name]

        if not args.only_sqlite:
            pg_url = stack.enter_context(postgres_database())
            if pg_url is None:
                log("  PostgreSQL is not reachable: our tool is measured on SQLite only")
            else:
                # Its own application_name: its backends are found in pg_stat_activity.
                pg_url += f"?application_name=etwin_bench_{uuid.uuid4().hex[:8]}"
                redis = stack.enter_context(RedisServer())
                ours("tool_postgres", "(a) etwin-lti, PostgreSQL + Redis", pg_url, redis)
        if not args.skip_sqlite:
            sqlite_url = "sqlite:///" + str(workdir / "etwin.sqlite")
            ours("tool_sqlite", "(a) etwin-lti, embedded SQLite", sqlite_url, None)

        config = workdir / "plain-tool.json"
        plain_tool_config(config, platform, jwks.url)
        plain_redis = stack.enter_context(RedisServer())  # its own, as our tool has
        env = {
            "BENCH_PLAIN_TOOL_CONFIG": str(config),
            "BENCH_PLAIN_TOOL_REDIS_URL": plain_redis.url,
        }
        before = jwks.fetches
        server = stack.enter_context(
            Gunicorn(
                "bench.plain_pylti1p3_tool:app", port=free_port(), env=env, health_path="/jwks/"
            )
        )
        plain = Target("plain", server.url, "/login/", "/launch/", "twinspace:1", False)
        plain.launch(platform, requests.Session(), 0, 0)  # fetches and caches the key set
        fetches["plain_pylti1p3"] = jwks.fetches - before
        plain_account = CpuAccount(server.pid, extra_pids=[plain_redis.pid])
        launches("plain_pylti1p3", "(b) plain pylti1p3 tool", plain, plain_account)

        server = stack.enter_context(
            Gunicorn("bench.hello:app", port=free_port(), health_path="/hello")
        )
        contenders.append(
            Contender(
                "hello",
                "(c) Flask hello",
                "requests",
                hello_iteration(server.url),
                account=CpuAccount(server.pid),
            )
        )
        at_start = jwks.fetches
        measured = measure_all(contenders, levels, args, log)
        refetched = jwks.fetches - at_start
        for m in measured:
            m.jwks_fetches = fetches.get(m.name)
    data = report(measured, levels, args)
    data["setup"]["jwks_fetches_during_measurement"] = refetched
    return data


# --- entry -----------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--warmup", type=float, default=None, help="seconds (default: D/3, 1-3)")
    parser.add_argument("--clients", default="1,8", help="concurrency levels, e.g. 1,8")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (>= 1)")
    parser.add_argument(
        "--members", type=int, default=1000, help="members of the launched TwinSpace"
    )
    parser.add_argument(
        "--learners",
        default="returning,new",
        help="who launches our tool: returning (launched before), new (first launch), or both",
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--only-sqlite", action="store_true", help="skip PostgreSQL")
    group.add_argument("--skip-sqlite", action="store_true", help="our tool on PostgreSQL only")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N launches instead")
    parser.add_argument("--profile-db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--profile-out", metavar="FILE", help="also write the pstats file there")
    parser.add_argument(
        "--profile-cpu", action="store_true", help="with --profile: CPU per launch, no profiler"
    )
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = min(3.0, max(1.0, args.duration / 3))
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration must be in (0, 600] seconds")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    args.learners = [kind.strip() for kind in args.learners.split(",") if kind.strip()]
    if not args.learners or set(args.learners) - {"returning", "new"}:
        parser.error("--learners takes returning, new or returning,new")
    if not 0 <= args.members <= 20_000:
        parser.error("--members must be between 0 and 20000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile:
        print(
            profile(args.profile, args.profile_db, args.members, args.profile_out, args.profile_cpu)
        )
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data = run(args, log)
    print(json.dumps(data, indent=2) if args.json else render(data))
    return 0


if __name__ == "__main__":
    with loopback_is_secure():  # its clients play browsers (the tool is on loopback http)
        sys.exit(main())
