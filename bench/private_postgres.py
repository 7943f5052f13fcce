"""A PostgreSQL server of the benchmark's own (``initdb`` + ``pg_ctl`` in a temporary directory,
on a free port of 127.0.0.1), so that the soak can stop and start it under load without touching
the shared server every engineer's tests use.

    with PrivatePostgres() as pg:
        url = pg.create_database("etwin_soak")
        pg.stop(); ...; pg.start()

PostgreSQL refuses to run as root: when the benchmark is root, the cluster belongs to the
``postgres`` system user and its commands run through ``runuser``. ``fsync=off``: the soak
measures what the tool does while the server goes away and comes back, not the disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.support import LOOPBACK, free_port

START_TIMEOUT_SECONDS = 30


def available() -> bool:
    return shutil.which("initdb") is not None and shutil.which("pg_ctl") is not None


class PrivatePostgres:
    def __init__(self) -> None:
        self.port = free_port()
        self._folder: Path | None = None
        self.running = False

    @property
    def data(self) -> Path:
        assert self._folder is not None
        return self._folder / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/postgres"

    def _as_owner(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            self._as_owner(*command),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS + 10,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {(done.stderr or done.stdout)[-1500:]}")

    def __enter__(self) -> PrivatePostgres:
        self._folder = Path(tempfile.mkdtemp(prefix="etwin-soak-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self._folder, user="postgres")
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self._folder} -c listen_addresses={LOOPBACK} -c fsync=off"
            " -c max_connections=200"
        )
        log = str(self._folder / "postgres.log") if self._folder else "/dev/null"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        self.running = True

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when the server restarts for real."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while True:
                try:
                    with admin.connect() as connection:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
                    break
                except Exception:  # noqa: BLE001 (the server may still be starting)
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            admin.dispose()
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{name}"

    def __exit__(self, *exc: object) -> None:
        try:
            if self.running:
                self.stop()
        finally:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
