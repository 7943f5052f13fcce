"""Each server's own CPU, read from the OS (``/proc``), so that other load on a shared machine
does not blur the comparison: user + system time of a gunicorn master and its workers, of the
PostgreSQL backends that carry the server's ``application_name``, and of a Redis server started
for that server alone. Sampled before and after each measured window; the difference divided by
the operations done is the CPU per operation.

Linux only (``/proc/<pid>/stat``); elsewhere every figure is ``None``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.support import LOOPBACK, free_port

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def available() -> bool:
    return (PROC / "self" / "stat").is_file()


def cpu_seconds(pid: int) -> float:
    """user + system CPU of one process (its threads included); 0 once it has gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15)


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM), KiB; 0 once it has gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers), from every thread's children list."""
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def postgres_backends(admin_url: str, application_name: str) -> list[int]:
    """The pids of the PostgreSQL backends a server opened (its connections carry its name)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": application_name},
            )
            return [int(row[0]) for row in rows]
    finally:
        engine.dispose()


@dataclass
class CpuAccount:
    """Where one server's CPU is read: its process (and children), its PostgreSQL backends by
    ``application_name``, and any extra process (its private Redis)."""

    root_pid: int
    application_name: str | None = None
    postgres_admin_url: str | None = None
    extra_pids: list[int] = field(default_factory=list)
    include_children: bool = True  # False for the benchmark's own process (its child: the peer)

    def pids(self) -> dict[str, list[int]]:
        backends: list[int] = []
        if self.application_name and self.postgres_admin_url:
            backends = postgres_backends(self.postgres_admin_url, self.application_name)
        return {
            "server": [self.root_pid, *(children(self.root_pid) if self.include_children else [])],
            "postgres": backends,
            "redis": list(self.extra_pids),
        }

    def sample(self) -> dict[str, float]:
        """CPU seconds so far, by part. PostgreSQL backends live in the server's pool; one that
        is opened or closed inside a window is counted from its own start, or lost with it."""
        return {part: sum(cpu_seconds(p) for p in pids) for part, pids in self.pids().items()}

    def workers_peak_rss_kib(self) -> int:
        if not self.include_children:
            return peak_rss_kib(self.root_pid)
        return max((peak_rss_kib(p) for p in children(self.root_pid)), default=0)


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {part: max(0.0, after[part] - before.get(part, 0.0)) for part in after}


def total(parts: dict[str, float]) -> float:
    return sum(parts.values())


def per_operation_ms(parts: dict[str, float], operations: int) -> dict[str, Any]:
    if operations <= 0:
        return {"total": None, **{part: None for part in parts}}
    out = {part: round(1000 * seconds / operations, 3) for part, seconds in parts.items()}
    out["total"] = round(1000 * total(parts) / operations, 3)
    return out


def add(into: dict[str, float], parts: Iterable[tuple[str, float]]) -> None:
    for part, seconds in parts:
        into[part] = into.get(part, 0.0) + seconds


class RedisServer:
    """A private ``redis-server`` on its own port for one target, so that its CPU is that
    target's alone. No persistence; stopped by its own pid."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://{LOOPBACK}:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> RedisServer:
        command = ["redis-server", "--port", str(self.port), "--bind", LOOPBACK]
        command += ["--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        import redis

        client = redis.Redis(host=LOOPBACK, port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError as error:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError(f"redis-server on port {self.port} did not start") from error
                time.sleep(0.05)
        client.close()
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
