"""Real processes for the many-instances tests: gunicorn instances started with the shipped
configuration (``etwin_lti.gunicorn_conf``), ``etwin-lti worker`` processes, and a routing proxy
in front of them in a thread of the test.

    proxy = RoutingProxy(); proxy_server.start(proxy)      # the one public address
    with GunicornTool("a", env, workers=2) as a, GunicornTool("b", env) as b:
        proxy.backends = {"a": a.url, "b": b.url}
        proxy.route = lambda method, path: "a" if path == "/lti/login" else "b"
        proxy.hits   # [(backend, method, path, status), ...]

Every process is started in its own session and stopped by its own pid (its process group for
gunicorn: the master and its workers), never by name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from tests.conftest import TEST_ENCRYPTION_KEY, TEST_SECRET
from tests.support.private_services import free_port

REPO = Path(__file__).resolve().parents[2]
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
}


def tool_env(
    database_url: str, base_url: str, instance_path: Path, **settings: str
) -> dict[str, str]:
    """What every instance and worker of one deployment shares, plus its own instance folder.
    ``settings``: more ``ETWIN_*`` variables, without the prefix (``QUEUE="redis"``)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ETWIN_DATABASE_URL": database_url,
        "ETWIN_SECRET_KEY": TEST_SECRET,
        "ETWIN_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "ETWIN_BASE_URL": base_url,
        "ETWIN_INSTANCE_PATH": str(instance_path),
        "ETWIN_ALLOW_PRIVATE_URLS": "true",  # the platform peer is on loopback
        "ETWIN_RATE_LIMITS_ENABLED": "false",
    }
    env.update({f"ETWIN_{name}": value for name, value in settings.items()})
    return env


class _Process:
    """A child process with its output in a file (a pipe nobody reads would block it)."""

    name: str

    def __init__(self, command: list[str], env: Mapping[str, str]) -> None:
        self._command = command
        self._env = dict(env)
        self._log = tempfile.TemporaryFile()
        self._final_output = ""
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        self.process = subprocess.Popen(
            self._command,
            cwd=REPO,
            env=self._env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        """Everything it printed so far (all of it, once closed)."""
        if self._log.closed:
            return self._final_output
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the group this process leads
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        self._final_output = self.output()
        self._log.close()


class GunicornTool(_Process):
    """``gunicorn -c python:etwin_lti.gunicorn_conf`` on a free port of 127.0.0.1."""

    def __init__(
        self, name: str, env: Mapping[str, str], *, workers: int = 1, extra: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:etwin_lti.gunicorn_conf",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                *extra,
                "etwin_lti.wsgi:app",
            ],
            env,
        )

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"gunicorn {self.name} exited:\n{self.output()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn {self.name} never answered:\n{self.output()[-3000:]}")

    def worker_pids(self) -> set[int]:
        """The master's children (its web workers), from /proc."""
        children: set[int] = set()
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            text = (task / "children").read_text().split()
            children.update(int(pid) for pid in text)
        return children


class WorkerProcess(_Process):
    """``etwin-lti worker``: the task queue's consumer, a separate process."""

    def __init__(self, name: str, env: Mapping[str, str], threads: int = 2) -> None:
        self.name = name
        script = str(Path(sys.executable).with_name("etwin-lti"))
        super().__init__([script, "worker", "--threads", str(threads)], env)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while "Huey consumer started" not in self.output():
            if not self.alive():
                raise AssertionError(f"worker {self.name} exited:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {self.name} never started:\n{self.output()}")
            time.sleep(0.1)


def start_all(*processes: GunicornTool | WorkerProcess) -> None:
    """Spawn together (each imports the whole tool: seconds), then wait for each."""
    for process in processes:
        process.spawn()
    for process in processes:
        process.wait_ready()


class RoutingProxy:
    """The load balancer in front of the instances: forwards each request to the backend that
    ``route(method, path)`` names (round robin by default), as a proxy would: the client's Host
    kept, X-Forwarded-* added, every Set-Cookie passed back."""

    def __init__(self) -> None:
        self.backends: dict[str, str] = {}
        self.route: Callable[[str, str], str] | None = None
        self.hits: list[tuple[str, str, str, int]] = []
        self._turn = 0
        self._lock = threading.Lock()
        self._session = requests.Session()

    def _pick(self, method: str, path: str) -> str:
        if self.route is not None:
            return self.route(method, path)
        with self._lock:
            self._turn += 1
            names = sorted(self.backends)
            return names[self._turn % len(names)]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        name = self._pick(request.method, request.path)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = request.remote_addr or ""
        headers["X-Forwarded-Proto"] = "http"
        headers["Accept-Encoding"] = "identity"
        answer = self._session.request(
            request.method,
            self.backends[name] + request.full_path.rstrip("?"),
            headers=headers,
            data=request.get_data(),
            allow_redirects=False,
            timeout=30,
        )
        with self._lock:
            self.hits.append((name, request.method, request.path, answer.status_code))
        passed = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in HOP_BY_HOP]
        response = Response(answer.content, status=answer.status_code, headers=passed)
        return response(environ, start_response)

    def close(self) -> None:
        self._session.close()
