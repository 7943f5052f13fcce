"""What every benchmark here shares: servers under gunicorn, a bounded load generator, a JWKS
server for the platform key, PostgreSQL scratch databases, and the printed table.

All traffic goes to 127.0.0.1. Every loop is bounded by a deadline AND a count, and every process
started here is stopped here (by its own pid) when the benchmark ends or fails.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from etwin_lti.lti.secure_context import is_loopback

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
GUNICORN_WORKERS = 2
POSTGRES_ADMIN_URL = os.environ.get(
    "ETWIN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ETWIN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
MAX_ITERATIONS_PER_CLIENT = 200_000  # the second bound of every load loop, after the deadline
# Importing the tool in two workers takes long on a loaded two-core machine (30 s was too short).
START_TIMEOUT_SECONDS = 120.0


@contextmanager
def loopback_is_secure() -> Iterator[None]:
    """Every cookie jar of this process follows the browsers' rule for Secure cookies: sent
    over https, and over plain http to loopback (127.0.0.1, localhost, ::1: a secure context).
    The tool sets ``Secure; SameSite=None`` cookies there (``etwin_lti.lti.secure_context``);
    the standard library's jar sends them over https only. A policy on one session is not
    enough: ``requests`` copies the cookies into a fresh jar of the default policy for each
    request, so the default policy's rule itself is changed while this lasts."""
    policy = http.cookiejar.DefaultCookiePolicy
    original = policy.return_ok_secure

    def return_ok_secure(self: Any, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        url = request.get_full_url()
        if cookie.secure and is_loopback(url) and urlsplit(url).scheme == "http":
            return True
        return bool(original(self, cookie, request))

    policy.return_ok_secure = return_ok_secure  # type: ignore[method-assign]
    try:
        yield
    finally:
        policy.return_ok_secure = original  # type: ignore[method-assign]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --- servers ---------------------------------------------------------------------------------
class Gunicorn:
    """``gunicorn -w 2`` serving ``app_spec`` on 127.0.0.1, sync workers, no access log.

    Started in its own process group; ``stop()`` signals only that group."""

    def __init__(
        self,
        app_spec: str,
        *,
        port: int,
        env: Mapping[str, str] | None = None,
        health_path: str = "/",
        workers: int = GUNICORN_WORKERS,
    ) -> None:
        self.app_spec = app_spec
        self.port = port
        self.url = f"http://{LOOPBACK}:{port}"
        self.health_path = health_path
        self._env = {**os.environ, **(env or {})}
        self._workers = workers
        self._process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: a pipe nobody reads would block gunicorn once full.
        self._log = tempfile.TemporaryFile()

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self._workers),
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--chdir",
            str(REPO),
            "--log-level",
            "warning",
            "--backlog",
            "256",
            self.app_spec,
        ]
        self._process = subprocess.Popen(
            command,
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app_spec} exited: {self._stderr()}")
            try:
                requests.get(self.url + self.health_path, timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {self.app_spec} did not answer within {timeout} s")

    @property
    def pid(self) -> int:
        """The master's pid (its workers are its children: bench/cpu.py)."""
        if self._process is None:
            raise RuntimeError(f"gunicorn {self.app_spec} is not running")
        return self._process.pid

    def _stderr(self) -> str:
        return self.log_tail(2000)

    def log_tail(self, characters: int) -> str:
        """The end of the server's log (its errors and tracebacks), while it runs."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-characters:]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            self._log.close()
            return
        os.killpg(process.pid, signal.SIGTERM)  # the group we started: master and its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        self._log.close()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class JwksServer:
    """The platform's key set on a tiny local HTTP server; counts fetches (each tool should
    fetch it once per run, then work from its cache)."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        body = json.dumps(jwks).encode()
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                counter.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=3600")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.fetches = 0
        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self._server.server_port}/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def postgres_database(prefix: str = "etwin_bench") -> Iterator[str | None]:
    """A scratch PostgreSQL database, dropped afterwards; ``None`` when no server answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# --- load ------------------------------------------------------------------------------------
@dataclass
class LoadResult:
    clients: int
    completed: int
    seconds: float
    errors: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)
    first_error: str | None = None

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "completed": self.completed,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.rate, 1),
            "errors": self.errors,
            "p50_ms": round(self.percentile_ms(0.50), 2),
            "p95_ms": round(self.percentile_ms(0.95), 2),
            "p99_ms": round(self.percentile_ms(0.99), 2),
            "first_error": self.first_error,
        }


Iteration = Callable[[requests.Session, int, int], None]
"""One unit of work of one client: ``(session, client_index, iteration_index)``; raises on
failure."""


def run_load(
    clients: int,
    duration: float,
    iteration: Iteration,
    *,
    max_iterations: int = MAX_ITERATIONS_PER_CLIENT,
    offset: int = 0,
) -> LoadResult:
    """``clients`` threads, each with its own ``requests.Session`` (its own cookie jar),
    repeat ``iteration`` until ``duration`` seconds have passed or ``max_iterations`` each."""
    lock = threading.Lock()
    result = LoadResult(clients=clients, completed=0, seconds=0.0)
    start = threading.Barrier(clients + 1)
    began = 0.0

    def client(index: int) -> None:
        session = requests.Session()
        done, errors, latencies = 0, 0, []
        first_error: str | None = None
        start.wait()
        deadline = began + duration
        for i in range(max_iterations):
            t0 = time.perf_counter()
            if t0 >= deadline:
                break
            try:
                iteration(session, index, offset + i)
            except Exception as error:  # noqa: BLE001 (counted and reported, the run goes on)
                errors += 1
                first_error = first_error or f"{type(error).__name__}: {error}"[:300]
                continue
            latencies.append(time.perf_counter() - t0)
            done += 1
        session.close()
        with lock:
            result.completed += done
            result.errors += errors
            result.latencies.extend(latencies)
            result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=duration + 60)
    result.seconds = time.perf_counter() - began
    return result


# The benchmark tools' secret key: the activities the benchmarks place carry the reference it
# signs, as the picker would have made them (bound resources, docs/decisions/0012).
SECRET = "bench-secret-key-long-enough-for-etwin"


def placed_reference(
    etwin_resource: str, issuer: str, deployment_id: str, context_id: str | None
) -> str | None:
    from etwin_lti.errors import EtwinLtiError
    from etwin_lti.lti.resource_reference import ResourceReference, sign_reference
    from etwin_lti.lti.resources import parse_resource

    try:
        resource = parse_resource(etwin_resource)
    except EtwinLtiError:
        return None
    reference = ResourceReference(resource, issuer, deployment_id, context_id, chosen_by=None)
    return sign_reference(reference, SECRET)


def check(condition: bool, message: str) -> None:
    """An expectation of the protocol inside a load loop (``assert`` vanishes under -O)."""
    if not condition:
        raise RuntimeError(message)


# --- output ----------------------------------------------------------------------------------
def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def seed_twinspace(container: Any) -> int:
    """An approved project of two founders (FR, DE) and its TwinSpace's id: what the launch
    and roster benches launch into."""
    from etwin_lti.domain.model import PersonKind

    hub = container.hub
    anna = hub.create_person("Anna Founder", PersonKind.TEACHER, country_code="FR")
    bernd = hub.create_person("Bernd Founder", PersonKind.TEACHER, country_code="DE")
    project = hub.create_project(anna.id, bernd.id, "Water of Europe")
    hub.validate_project("FR", project.id)
    project = hub.validate_project("DE", project.id)
    return int(project.twinspace_id)
