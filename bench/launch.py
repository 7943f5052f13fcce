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
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bench import cpu
from bench.cpu import CpuAccount, RedisServer
from bench.support import (
    LOOPBACK,
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    SECRET,
    Gunicorn,
    JwksServer,
    LoadResult,
    check,
    fmt,
    free_port,
    loopback_is_secure,
    machine,
    placed_reference,
    postgres_database,
    ratio,
    run_load,
    table,
)
from etwin_lti.domain.registrations import PlatformRegistration

ISSUER = "https://lms.bench.test"
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
KID = "bench-platform-key"
USERS = 64  # distinct learners: after the warm-up every launch is a returning user's
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


# --- the platform, inside the load generator -------------------------------------------------
class Platform:
    """One RSA key; mints id_tokens for whatever state/nonce the tool's login redirect asks."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(65537, 2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
        self.jwks = {"keys": [jwk]}

    def id_token(
        self,
        auth: dict[str, str],
        *,
        resource: str,
        claims: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        """``claims`` replace the defaults (the soak's hostile launches: another audience, an
        expired token, an unknown deployment); ``key`` signs instead of the platform's own (a
        forged signature under the platform's ``kid``)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": auth["login_hint"],
            "exp": now + 300,
            "iat": now,
            "nonce": auth["nonce"],
            "jti": uuid.uuid4().hex,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "target_link_uri": auth["redirect_uri"],
            CLAIM + "roles": [ROLE_LEARNER],
            CLAIM + "context": {"id": "course-1", "title": "Class 4B"},
            CLAIM + "resource_link": {"id": "link-1", "title": "Our TwinSpace"},
            CLAIM + "custom": {
                "etwin_resource": resource,
                "etwin_ref": placed_reference(resource, ISSUER, DEPLOYMENT_ID, "course-1") or "",
            },
        }
        body.update(claims or {})
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": KID})

    def private_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


def login_params(tool_url: str, launch_path: str, user: str) -> dict[str, str]:
    return {
        "iss": ISSUER,
        "login_hint": user,
        "target_link_uri": tool_url + launch_path,
        "lti_message_hint": "resource-1",
        "lti_deployment_id": DEPLOYMENT_ID,
        "client_id": CLIENT_ID,
    }


@dataclass(frozen=True)
class Target:
    """A tool under test and how one launch through it goes."""

    name: str
    url: str
    login_path: str
    launch_path: str
    resource: str
    follows_redirect: bool  # our tool: 303 to the embedded page; the plain tool: 200 page
    fetch_page: bool = True  # False only while the embedded page does not exist yet
    new_learners: bool = False  # every launch a learner never seen (first launch: provisioning)

    def user(self, client: int, i: int) -> str:
        if self.new_learners:
            return f"new-{uuid.uuid4().hex}"
        return f"learner-{(client * 7 + i) % USERS}"

    def launch(self, platform: Platform, session: requests.Session, client: int, i: int) -> None:
        user = self.user(client, i)
        # Each launch is a fresh visit (the connection is kept): pylti1p3 leaves one state
        # cookie per login behind, and a few hundred of them overflow the header limit (431).
        session.cookies.clear()
        login = session.get(
            self.url + self.login_path,
            params=login_params(self.url, self.launch_path, user),
            allow_redirects=False,
            timeout=30,
        )
        check(login.status_code in (302, 303), f"login answered {login.status_code}")
        auth = {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}
        token = platform.id_token(auth, resource=self.resource)
        posted = session.post(
            auth["redirect_uri"],
            data={"id_token": token, "state": auth["state"]},
            allow_redirects=False,
            timeout=30,
        )
        if not self.follows_redirect:
            check(posted.status_code == 200, f"launch answered {posted.status_code}")
            return
        check(posted.status_code == 303, f"launch answered {posted.status_code}: {_gist(posted)}")
        if not self.fetch_page:
            return
        page = session.get(self.url + posted.headers["Location"], timeout=30)
        check(page.status_code == 200, f"page {posted.headers['Location']} {page.status_code}")


def _gist(response: requests.Response) -> str:
    return html.unescape(response.text[:200]).replace("\n", " ")


def hello_iteration(url: str) -> Any:
    def iteration(session: requests.Session, client: int, i: int) -> None:
        response = session.get(url + "/hello", timeout=30)
        check(response.status_code == 200, f"hello answered {response.status_code}")

    return iteration


# --- our tool's database ---------------------------------------------------------------------
def tool_env(database_url: str, base_url: str, instance: Path, redis_url: str | None) -> dict:
    env = {
        "ETWIN_DATABASE_URL": database_url,
        "ETWIN_SECRET_KEY": SECRET,
        "ETWIN_BASE_URL": base_url,
        "ETWIN_INSTANCE_PATH": str(instance),
        # A lab on loopback (the outbound guard's setting), measuring the launch path itself
        # rather than the abuse limits that would throttle one address launching this often.
        "ETWIN_ALLOW_PRIVATE_URLS": "true",
        "ETWIN_RATE_LIMITS_ENABLED": "false",
    }
    if redis_url:
        env["ETWIN_REDIS_URL"] = redis_url
    return env


def prepare_tool(env: dict[str, str], jwks_url: str, members: int = 0) -> str:
    """Migrate, register the platform and its active deployment, create a TwinSpace of about
    ``members`` members (pupils added as a roster sync would; the launching learners make up
    the rest); return the ``etwin_resource`` the launches open. Done in this process before
    gunicorn starts."""
    from etwin_lti.app import create_app
    from etwin_lti.cli.db import upgrade_database
    from etwin_lti.domain.model import PersonKind

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    container = app.extensions["etwin"]
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        upgrade_database(app)
        registrations = container.registrations
        platform = registrations.add_platform(
            PlatformRegistration(
                issuer=ISSUER,
                client_id=CLIENT_ID,
                name="Bench LMS",
                auth_login_url=f"http://{LOOPBACK}:9/auth",  # never called: the bench mints
                auth_token_url=f"http://{LOOPBACK}:9/token",
                key_set_url=jwks_url,
            )
        )
        registrations.add_deployment(platform.id, DEPLOYMENT_ID, active=True)
        hub = container.hub
        anna = hub.create_person("Anna Founder", PersonKind.TEACHER, country_code="FR")
        bernd = hub.create_person("Bernd Founder", PersonKind.TEACHER, country_code="DE")
        project = hub.create_project(anna.id, bernd.id, "Water of Europe")
        hub.validate_project("FR", project.id)
        project = hub.validate_project("DE", project.id)
        seed_members(hub, int(project.twinspace_id), members - USERS - 2)  # 2 founders
        return f"twinspace:{project.twinspace_id}"
    finally:
        container.database.dispose()
        if hasattr(container.kv_cache, "close"):
            container.kv_cache.close()


def seed_members(hub: Any, twinspace_id: int, count: int) -> None:
    """``count`` pupils in the TwinSpace, through the hub as the roster sync adds them, so that
    the page the launch leads to is that of a big class (issue 11: 1,000 members)."""
    from etwin_lti.domain.model import PersonKind, TwinSpaceRole

    for n in range(max(0, count)):
        person = hub.create_person(f"Pupil {n:05d}", PersonKind.PUPIL)
        hub.sync_member(twinspace_id, person.id, TwinSpaceRole.PUPIL)


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
class Measured:
    name: str
    label: str
    unit: str
    levels: dict[int, LoadResult]
    jwks_fetches: int | None = None
    note: str = ""
    cpu: dict[int, dict[str, float]] = field(default_factory=dict)  # CPU seconds by part
    workers_peak_rss_kib: int | None = None


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


def _page_problem(target: Target, platform: Platform, session: Any = None) -> str:
    """The embedded pages come with issue 3's page work; while one does not answer 200, the
    launch is measured up to its 303 and the note says why ("" when the page works)."""
    try:
        target.launch(platform, session or requests.Session(), 0, 0)
    except RuntimeError as error:
        if str(error).startswith("page "):
            return f"{error} (embedded page not ready): launches measured up to the 303"
        raise
    return ""


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
            note = _page_problem(target, platform)
            if note:
                log(f"  {label}: {note}")
                target = replace(target, fetch_page=False)
            fetches[name] = jwks.fetches - before
            for kind in args.learners:
                new = kind == "new"
                launches(
                    name + ("_new" if new else ""),
                    label + (", new learners" if new else ""),
                    replace(target, new_learners=new),
                    account,
                    note,
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


# --- the profile (outside the figures) -------------------------------------------------------
def profile(
    launches: int,
    database: str,
    members: int = 0,
    dump: str | None = None,
    cpu_only: bool = False,
) -> str:
    """cProfile over ``launches`` launches through the Flask test client (no gunicorn, no
    sockets to the tool), SQLite or PostgreSQL + Redis; prints the top costs. ``cpu_only``:
    no profiler, this process's CPU per launch (client and tool together) in three runs."""
    import cProfile
    import io
    import pstats

    platform = Platform()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-prof-")))
        jwks = stack.enter_context(JwksServer(platform.jwks))
        if database == "postgres":
            url = stack.enter_context(postgres_database())
            if url is None:
                raise SystemExit("PostgreSQL is not reachable")
            redis_url: str | None = REDIS_URL
        else:
            url, redis_url = "sqlite:///" + str(workdir / "etwin.sqlite"), None
        base_url = "http://tool.bench.test"
        env = tool_env(url, base_url, workdir, redis_url)
        resource = prepare_tool(env, jwks.url, members)
        os.environ.update(env)
        from etwin_lti.app import create_app

        app = create_app()
        session = _TestClientSession(app, base_url)
        target = Target("profile", base_url, "/lti/login", "/lti/launch", resource, True)
        if _page_problem(target, platform, session):
            target = replace(target, fetch_page=False)
        for i in range(USERS):  # every user exists and the keys are cached
            target.launch(platform, session, 0, i)  # type: ignore[arg-type]
        sql = _one_launch_sql(app, target, platform, session)
        if cpu_only:
            runs = []
            for _ in range(3):
                started = time.process_time()
                for i in range(launches):
                    target.launch(platform, session, 0, i)  # type: ignore[arg-type]
                runs.append(1000 * (time.process_time() - started) / launches)
            app.extensions["etwin"].database.dispose()
            figures = ", ".join(f"{ms:.2f}" for ms in runs)
            return f"{sql}\n\nCPU per launch in process (ms, client + tool, 3 runs): {figures}"
        # CPU time, not wall time: waiting on PostgreSQL is the database's cost (counted by the
        # benchmark separately); what is left is the worker's own CPU, the figure to cut.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for i in range(launches):
            target.launch(platform, session, 0, i)  # type: ignore[arg-type]
        profiler.disable()
        if dump:  # for pstats / snakeviz: callers and callees of any function
            profiler.dump_stats(dump)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        app.extensions["etwin"].database.dispose()
        return sql + "\n\n" + out.getvalue()


def _one_launch_sql(app: Any, target: Target, platform: Platform, session: Any) -> str:
    """The SQL statements of one returning user's launch (login, POST, page), in order."""
    from sqlalchemy import event

    engine = app.extensions["etwin"].database.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split())[:110])

    def commit(conn: Any) -> None:
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        target.launch(platform, session, 0, 1)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    lines = [f"SQL of one returning user's launch ({engine.dialect.name}):"]
    lines += [f"  {n:2d}. {s}" for n, s in enumerate(statements, 1)]
    return "\n".join(lines)


class _TestClientSession:
    """Just enough of ``requests.Session`` over a Flask test client for ``Target.launch``."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app, self.base = app, base_url
        self.client = app.test_client()
        self.cookies = self

    def clear(self) -> None:  # session.cookies.clear(): a new browser
        self.client = self.app.test_client()

    def _path(self, url: str) -> str:
        return url[len(self.base) :] if url.startswith(self.base) else url

    def get(self, url: str, params: Any = None, allow_redirects: bool = True, **_: Any) -> Any:
        return _Response(self.client.get(self._path(url), query_string=params))

    def post(self, url: str, data: Any = None, allow_redirects: bool = True, **_: Any) -> Any:
        return _Response(self.client.post(self._path(url), data=data))


class _Response:
    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.get_data(as_text=True)


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
