"""The hostile-mix soak (issue 11, "Bad input and faults"): many clients launching for a while,
a share of the launches hostile, PostgreSQL restarted in the middle.

    python -m bench.soak [--duration 120] [--clients 32] [--hostile 0.05] [--members 1000]
                         [--outage 5] [--no-restart] [--json]

Our tool (``etwin_lti.wsgi:app`` under ``gunicorn -w 2``, the production setup: PostgreSQL +
Redis) serves a TwinSpace of ``--members`` members. ``--clients`` threads launch into it until
``--duration`` seconds have passed, each launch drawn at random:

- a valid launch (login, id_token POST, the page): half by a learner never seen before (a
  first launch: provisioning), half by one of 64 returning learners (their first launches race
  each other: several clients may bring the same new learner at once);
- with probability ``--hostile``, a hostile launch, the five kinds in turn: a **forged
  signature** (another key under the platform's ``kid``), a **replayed state** (the id_token
  POST of a launch that just succeeded, sent again), a **wrong audience**, an **expired
  token**, an **unknown deployment**.

Half-way through, the PostgreSQL server is stopped for ``--outage`` seconds and started again.
It is a server of the soak's own (``bench.private_postgres``: ``initdb`` in a temporary
directory, another port): the shared server of 127.0.0.1:5432 is never touched. The tool is
not restarted, and its gunicorn workers must be the same processes at the end.

What is checked, and printed (counts, never times):

- **zero 5xx** outside the outage; during it, every failure a clean 503 (the tool's error page,
  "try again in a minute"), never a 500 or a cut connection;
- **every hostile launch refused** (a 4xx at the login or at the id_token POST, never the page);
- **every valid launch provisioned exactly once**, read from the database at the end: one LTI
  identity per learner who launched, linked to one person who is one member of the TwinSpace,
  no person left without an identity, no learner of a hostile launch known;
- **recovery** without a restart: valid launches succeed again after the outage, and the
  launches of the last part of the run all succeed.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from bench import private_postgres
from bench.cpu import RedisServer, children
from bench.launch_platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    USERS,
    Platform,
    login_params,
)
from bench.launch_tool import prepare_tool, tool_env
from bench.soak_report import TAIL_FRACTION, render
from bench.support import (
    LOOPBACK,
    Gunicorn,
    JwksServer,
    free_port,
    loopback_is_secure,
    machine,
)

HOSTILE_KINDS = (
    "forged_signature",
    "replayed_state",
    "wrong_audience",
    "expired_token",
    "unknown_deployment",
)
MAX_LAUNCHES_PER_CLIENT = 100_000  # the second bound of the load loop, after the deadline
TRACEBACKS_KEPT = 3  # of the server's log, when a 5xx was not the clean 503 page
LOG_READ_LIMIT = 64 * 1024 * 1024  # the whole log of a soak: its tracebacks come early


@dataclass
class Outcome:
    """One launch: what was tried, when, and how it ended."""

    kind: str  # "new" | "returning" | a hostile kind
    user: str
    started: float
    ended: float
    ok: bool  # valid: the page was served; hostile: refused with a 4xx
    status: int | None  # the status that decided it (None: no answer at all)
    step: str  # login | launch | page | replay
    five_xx: list[int] = field(default_factory=list)  # every 5xx seen on the way
    clean: bool = True  # a 5xx, if any, was the tool's 503 page
    detail: str = ""


class Soaker:
    """Draws and runs the launches; one instance shared by every client thread."""

    def __init__(self, platform: Platform, url: str, resource: str, hostile: float) -> None:
        self.platform, self.url, self.resource, self.hostile = platform, url, resource, hostile
        self.forger = rsa.generate_private_key(65537, 2048)
        self._turn = 0
        self._lock = threading.Lock()

    def next_hostile_kind(self) -> str:
        with self._lock:  # the five kinds in turn, whatever thread draws
            kind = HOSTILE_KINDS[self._turn % len(HOSTILE_KINDS)]
            self._turn += 1
            return kind

    def one(self, session: requests.Session, rng: random.Random) -> Outcome:
        session.cookies.clear()  # a new browser visit (see bench.launch)
        if rng.random() < self.hostile:
            kind = self.next_hostile_kind()
            return self._hostile(session, kind, rng)
        if rng.random() < 0.5:
            return self._valid(session, "new", f"new-{uuid.uuid4().hex}")
        return self._valid(session, "returning", f"learner-{rng.randrange(USERS)}")

    # --- the steps -------------------------------------------------------------------------
    def _login(
        self, session: requests.Session, user: str, deployment: str = DEPLOYMENT_ID
    ) -> requests.Response:
        params = login_params(self.url, "/lti/launch", user)
        params["lti_deployment_id"] = deployment
        return session.get(
            self.url + "/lti/login", params=params, allow_redirects=False, timeout=30
        )

    def _post(
        self, session: requests.Session, auth: dict[str, str], token: str
    ) -> requests.Response:
        return session.post(
            auth["redirect_uri"],
            data={"id_token": token, "state": auth["state"]},
            allow_redirects=False,
            timeout=30,
        )

    def _valid(self, session: requests.Session, kind: str, user: str) -> Outcome:
        outcome = Outcome(kind, user, time.monotonic(), 0.0, False, None, "login")
        try:
            login = self._login(session, user)
            if not _expect(outcome, login, (302, 303)):
                return outcome
            auth = _auth(login)
            outcome.step = "launch"
            posted = self._post(session, auth, self.platform.id_token(auth, resource=self.resource))
            # The answer is the page itself (ADR 0036), named by its own address.
            outcome.ok = _expect(outcome, posted, (200,)) and _is_the_page(outcome, posted)
        except requests.RequestException as error:
            outcome.detail, outcome.clean = f"{type(error).__name__}: {error}"[:200], False
        finally:
            outcome.ended = time.monotonic()
        return outcome

    def _hostile(self, session: requests.Session, kind: str, rng: random.Random) -> Outcome:
        user = f"hostile-{uuid.uuid4().hex}"
        outcome = Outcome(kind, user, time.monotonic(), 0.0, False, None, "login")
        try:
            if kind == "replayed_state":  # a returning learner's launch, then its POST again
                user = outcome.user = f"learner-{rng.randrange(USERS)}"
                login = self._login(session, user)
                if not _expect(outcome, login, (302, 303)):
                    return _refused_early(outcome)
                auth = _auth(login)
                token = self.platform.id_token(auth, resource=self.resource)
                first = self._post(session, auth, token)
                if not (_expect(outcome, first, (200,)) and _is_the_page(outcome, first)):
                    return _refused_early(outcome)
                outcome.step = "replay"
                _settle(outcome, self._post(session, auth, token))
                return outcome
            deployment = "unknown-deployment" if kind == "unknown_deployment" else DEPLOYMENT_ID
            login = self._login(session, user, deployment)
            if login.status_code not in (302, 303):  # refused at the login: fine, if a 4xx
                _settle(outcome, login)
                return outcome
            auth = _auth(login)
            now = int(time.time())
            claims: dict[str, Any] = {
                "wrong_audience": {"aud": "another-" + CLIENT_ID},
                "expired_token": {"exp": now - 600, "iat": now - 900},
                "unknown_deployment": {
                    "https://purl.imsglobal.org/spec/lti/claim/deployment_id": deployment
                },
            }.get(kind, {})
            key = self.forger if kind == "forged_signature" else None
            token = self.platform.id_token(auth, resource=self.resource, claims=claims, key=key)
            outcome.step = "launch"
            _settle(outcome, self._post(session, auth, token))
        except requests.RequestException as error:
            outcome.detail, outcome.clean = f"{type(error).__name__}: {error}"[:200], False
        finally:
            outcome.ended = time.monotonic()
        return outcome


def _auth(login: requests.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}


def _clean_503(response: requests.Response) -> bool:
    """The tool's own answer to a missing database: a 503 page saying to try again."""
    return response.status_code == 503 and "try again" in response.text.lower()


def _title(response: requests.Response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return html.unescape(match.group(1)).strip() if match else response.text[:160]


def _note_5xx(outcome: Outcome, response: requests.Response) -> None:
    if response.status_code >= 500:
        outcome.five_xx.append(response.status_code)
        outcome.clean = outcome.clean and _clean_503(response)
        where = urlsplit(response.url).path
        outcome.detail = outcome.detail or f"{response.status_code} {where}: {_title(response)}"


def _expect(outcome: Outcome, response: requests.Response, wanted: tuple[int, ...]) -> bool:
    outcome.status = response.status_code
    _note_5xx(outcome, response)
    if response.status_code in wanted:
        return True
    if not outcome.detail:
        outcome.detail = f"{outcome.step} answered {response.status_code}"
    return False


def _is_the_page(outcome: Outcome, response: requests.Response) -> bool:
    if response.headers.get("Content-Location", "").startswith("/embed/"):
        return True
    outcome.detail = outcome.detail or f"{outcome.step} answered a 200 that is not the page"
    return False


def _settle(outcome: Outcome, response: requests.Response) -> None:
    """A hostile launch's deciding answer: refused means a 4xx (not a 5xx, not a success)."""
    outcome.status = response.status_code
    _note_5xx(outcome, response)
    outcome.ok = 400 <= response.status_code < 500
    if not outcome.ok and not outcome.detail:
        outcome.detail = f"{outcome.step} answered {response.status_code}"


def _refused_early(outcome: Outcome) -> Outcome:
    """The legitimate half of a replay failed (the outage): nothing was replayed."""
    outcome.kind, outcome.ok = "replayed_state_not_tried", False
    return outcome


# --- the run ---------------------------------------------------------------------------------
def run_clients(soaker: Soaker, clients: int, duration: float, seed: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    began = [0.0]

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        mine: list[Outcome] = []
        with requests.Session() as session:
            barrier.wait()
            deadline = began[0] + duration
            for _ in range(MAX_LAUNCHES_PER_CLIENT):
                if time.monotonic() >= deadline:
                    break
                mine.append(soaker.one(session, rng))
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began[0] = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=duration + 120)
    return outcomes


def database_check(url: str, twinspace_id: int, outcomes: list[Outcome], seeded: int) -> dict:
    """Provisioned exactly once, read from the tool's database after the run."""
    from sqlalchemy import create_engine, text

    succeeded = {o.user for o in outcomes if o.kind in ("new", "returning") and o.ok}
    tried = {o.user for o in outcomes if o.kind in ("new", "returning")}
    hostile = {o.user for o in outcomes if o.kind in HOSTILE_KINDS and o.kind != "replayed_state"}
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            rows = db.execute(
                text("SELECT sub, person_id FROM lti_identities WHERE issuer = :iss"),
                {"iss": ISSUER},
            ).all()
            members = Counter(
                row[0]
                for row in db.execute(
                    text("SELECT person_id FROM twinspace_members WHERE twinspace_id = :t"),
                    {"t": twinspace_id},
                )
            )
            people = int(db.execute(text("SELECT count(*) FROM people")).scalar_one())
    finally:
        engine.dispose()
    identities = Counter(sub for sub, _ in rows)
    person_of = {sub: person for sub, person in rows}
    persons = Counter(person for _, person in rows if person is not None)
    problems: list[str] = []

    def problem(what: str, subjects: list[str]) -> None:
        if subjects:
            problems.append(f"{len(subjects)} {what}, e.g. {sorted(subjects)[:3]}")

    problem(
        "learners with a successful launch and no identity",
        [s for s in succeeded if s not in identities],
    )
    problem("learners with more than one identity", [s for s, n in identities.items() if n > 1])
    problem(
        "learners with a successful launch and no person",
        [s for s in succeeded if identities.get(s) and person_of.get(s) is None],
    )
    problem(
        "learners with a successful launch who are not one member of the TwinSpace",
        [s for s in succeeded if person_of.get(s) is not None and members[person_of[s]] != 1],
    )
    problem("persons shared by several identities", [str(p) for p, n in persons.items() if n > 1])
    problem(
        "learners of hostile launches known to the tool", [s for s in hostile if s in identities]
    )
    # Every person is a founder (2), a seeded member, or a launched learner's: one left over
    # would be a provisioning that wrote a person and lost its identity (a partial write).
    unlinked = people - 2 - seeded - len(persons)
    if unlinked:
        problems.append(f"{unlinked} person(s) linked to no identity (partial provisioning)")
    failed_first = [s for s in tried - succeeded if s.startswith("new-")]
    return {
        "learners_launched_successfully": len(succeeded),
        "identities": len(rows),
        "empty_claims_left": sum(1 for _, person in rows if person is None),
        "failed_first_launches": len(failed_first),
        "failed_first_launches_known": sum(1 for s in failed_first if s in identities),
        "problems": problems,
    }


def summarise(
    outcomes: list[Outcome],
    outage: tuple[float, float] | None,
    began: float,
    duration: float,
    grace: float,
) -> dict[str, Any]:
    """Counts by kind and by phase. A launch is "in the outage" when it overlaps the time the
    server was down or the ``grace`` seconds after (the pool finds out its connections are
    gone); the "tail" is every launch started after that, or the run's last fifth."""

    def in_outage(o: Outcome) -> bool:
        if outage is None:
            return False
        stopped, started = outage
        return o.ended >= stopped and o.started <= started + grace

    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        counts = by_kind.setdefault(o.kind, Counter())
        counts["total"] += 1
        counts["ok" if o.ok else "failed"] += 1
        counts["during_outage"] += in_outage(o)
        if o.status is not None:
            counts[f"status_{o.status}"] += 1
    outside = [o for o in outcomes if not in_outage(o)]
    during = [o for o in outcomes if in_outage(o)]
    valid = ("new", "returning")
    tail_from = began + duration * (1 - TAIL_FRACTION)
    if outage is not None:
        tail_from = max(tail_from, outage[1] + grace)
    tail = [o for o in outcomes if o.kind in valid and o.started >= tail_from]
    recovered_after = None
    if outage is not None:
        after = sorted(
            o.ended for o in outcomes if o.kind in valid and o.ok and o.started > outage[1]
        )
        recovered_after = round(after[0] - outage[1], 2) if after else None

    def examples(chosen: list[Outcome]) -> list[str]:
        return [f"{o.kind} at {o.step}: {o.detail or o.status}" for o in chosen[:5]]

    hostile = [o for o in outcomes if o.kind in HOSTILE_KINDS]
    accepted = [o for o in hostile if o.status is not None and 200 <= o.status < 400]
    return {
        "launches": len(outcomes),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "five_xx_outside_outage": sum(len(o.five_xx) for o in outside),
        "five_xx_outside_outage_examples": examples([o for o in outside if o.five_xx]),
        "valid_failed_outside_outage": sum(1 for o in outside if o.kind in valid and not o.ok),
        "valid_failed_outside_outage_examples": examples(
            [o for o in outside if o.kind in valid and not o.ok]
        ),
        "hostile": len(hostile),
        "hostile_refused": sum(1 for o in hostile if o.ok),
        "hostile_accepted": len(accepted),
        # During the outage a hostile launch may get the 503 page instead (not accepted either).
        "hostile_not_refused_outside_outage": sum(
            1 for o in hostile if not o.ok and not in_outage(o)
        ),
        "hostile_not_refused_examples": examples(
            [o for o in hostile if not o.ok and not in_outage(o)]
        ),
        "during_outage": {
            "launches": len(during),
            "failed": sum(1 for o in during if not o.ok),
            "five_xx": sum(len(o.five_xx) for o in during),
            "unclean": sum(1 for o in during if not o.clean),
            "unclean_examples": examples([o for o in during if not o.clean]),
        },
        "unclean_outside_outage": sum(1 for o in outside if not o.clean),
        "recovered_after_seconds": recovered_after,
        "tail": {"launches": len(tail), "failed": sum(1 for o in tail if not o.ok)},
    }


def _tracebacks(log: str) -> list[str]:
    """Of the server's last few tracebacks, the tool's own frames and the exceptions raised:
    where a 500 came from."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:][-TRACEBACKS_KEPT:]:
        lines = block.splitlines()
        frames = [
            ln.strip() for ln in lines if ln.strip().startswith('File "') and "etwin_lti" in ln
        ]
        raised = [
            ln.strip() for ln in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", ln)
        ]
        found.append(" | ".join(frames[-2:] + raised[-2:])[:700])
    return found


def verdicts(summary: dict[str, Any], db: dict[str, Any], restarted: dict[str, Any]) -> dict:
    """Each requirement of the issue, true or false, from the counts."""
    out = {
        "zero_5xx_outside_outage": summary["five_xx_outside_outage"] == 0
        and summary["unclean_outside_outage"] == 0,
        "every_hostile_launch_refused": summary["hostile_accepted"] == 0
        and summary["hostile_not_refused_outside_outage"] == 0,
        "every_valid_launch_provisioned_exactly_once": not db["problems"],
        "valid_launches_succeed_outside_outage": summary["valid_failed_outside_outage"] == 0,
        "same_workers_no_restart": restarted["same_workers"],
    }
    if restarted["postgres_restarted"]:
        out["clean_errors_during_outage"] = summary["during_outage"]["unclean"] == 0
        out["recovered_without_restart"] = (
            summary["recovered_after_seconds"] is not None
            and summary["tail"]["launches"] > 0
            and summary["tail"]["failed"] == 0
        )
    return out


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    if not private_postgres.available():
        raise SystemExit("the soak needs initdb and pg_ctl (a PostgreSQL server of its own)")
    platform = Platform()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-soak-")))
        pg = stack.enter_context(private_postgres.PrivatePostgres())
        url = pg.create_database("etwin_soak")
        redis = stack.enter_context(RedisServer())
        jwks = stack.enter_context(JwksServer(platform.jwks))
        port = free_port()
        instance = workdir / "instance"
        instance.mkdir()
        env = tool_env(url, f"http://{LOOPBACK}:{port}", instance, redis.url)
        log(f"  soak: PostgreSQL of its own on port {pg.port}; a TwinSpace of {args.members}...")
        resource = prepare_tool(env, jwks.url, args.members)
        twinspace_id = int(resource.split(":")[1])
        seeded = max(0, args.members - USERS - 2)
        server = stack.enter_context(
            Gunicorn("etwin_lti.wsgi:app", port=port, env=env, health_path="/healthz")
        )
        workers = sorted(children(server.pid))
        soaker = Soaker(platform, server.url, resource, args.hostile)
        outage: list[float] = []
        restart_error: list[str] = []

        def restart() -> None:
            time.sleep(args.duration * args.restart_at)
            try:
                outage.append(time.monotonic())
                pg.stop()
                log(f"  soak: PostgreSQL stopped for {args.outage:g} s")
                time.sleep(args.outage)
                pg.start()
                outage.append(time.monotonic())
                log("  soak: PostgreSQL started again")
            except Exception as error:  # noqa: BLE001 (reported; the tool must cope anyway)
                restart_error.append(f"{type(error).__name__}: {error}"[:300])
                if not pg.running:
                    pg.start()
                    outage.append(time.monotonic())

        restarter = None
        if not args.no_restart:
            restarter = threading.Thread(target=restart, daemon=True)
            restarter.start()
        log(f"  soak: {args.clients} clients for {args.duration:g} s, {args.hostile:.0%} hostile")
        began = time.monotonic()
        outcomes = run_clients(soaker, args.clients, args.duration, args.seed)
        if restarter is not None:
            restarter.join(timeout=args.duration + args.outage + 60)
        same_workers = sorted(children(server.pid)) == workers
        window = (outage[0], outage[1]) if len(outage) == 2 else None
        summary = summarise(outcomes, window, began, args.duration, args.grace)
        db = database_check(url, twinspace_id, outcomes, seeded)
        unclean = summary["during_outage"]["unclean"] + summary["unclean_outside_outage"]
        tracebacks = _tracebacks(server.log_tail(LOG_READ_LIMIT)) if unclean else []
    restarted = {
        "postgres_restarted": window is not None,
        "outage_seconds": round(window[1] - window[0], 2) if window else None,
        "restart_errors": restart_error,
        "server_tracebacks": tracebacks,
        "same_workers": same_workers,
        "workers": len(workers),
    }
    return {
        "benchmark": "soak",
        "machine": machine(),
        "setup": {
            "server": "gunicorn --workers 2 (sync), PostgreSQL of the soak's own + private Redis",
            "clients": args.clients,
            "duration_seconds": args.duration,
            "hostile_fraction": args.hostile,
            "hostile_kinds": list(HOSTILE_KINDS),
            "twinspace_members": max(args.members, USERS + 2),
            "restart_at": None if args.no_restart else args.restart_at,
            "outage_seconds": None if args.no_restart else args.outage,
            "outage_grace_seconds": args.grace,
            "seed": args.seed,
        },
        "summary": summary,
        "database": db,
        "restart": restarted,
        "verdicts": verdicts(summary, db, restarted),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--hostile", type=float, default=0.05, help="share of hostile launches")
    parser.add_argument("--members", type=int, default=1000, help="members of the TwinSpace")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL is down")
    parser.add_argument("--restart-at", type=float, default=0.5, help="when, as a share of the run")
    parser.add_argument(
        "--grace",
        type=float,
        default=5.0,
        help="seconds after the restart still counted as the outage",
    )
    parser.add_argument("--no-restart", action="store_true", help="leave PostgreSQL running")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not 0.5 <= args.duration <= 3600:
        parser.error("--duration must be in [0.5, 3600] seconds")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be between 1 and 256")
    if not 0 <= args.hostile <= 1:
        parser.error("--hostile is a share, between 0 and 1")
    if not 0 < args.restart_at < 1 or not 0 < args.outage <= 300:
        parser.error("--restart-at in (0, 1) and --outage in (0, 300]")
    if not 0 <= args.members <= 20_000:
        parser.error("--members must be between 0 and 20000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data = run(args, log)
    print(json.dumps(data, indent=2) if args.json else render(data))
    return 0  # the verdicts are in the table and the JSON, as in the other benchmarks


if __name__ == "__main__":
    with loopback_is_secure():  # its clients play browsers (the tool is on loopback http)
        sys.exit(main(sys.argv[1:]))
