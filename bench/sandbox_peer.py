"""The sandbox LMS (``etwin_lti.sandbox``, on lti1p3platform) as the platform peer of the
roster and passback benchmarks, in a process of its own.

    python -m bench.sandbox_peer --port P --tool-url http://127.0.0.1:T \
        [--roster N --page-size 100] [--learners N] [--max-seconds 1800]

Its own process so that serving NRPS pages and accepting scores does not take the GIL from the
tool's sync or its workers (the machine has two cores; the tool and the raw baseline pay the same
peer). It listens on ``localhost`` (the tool on ``127.0.0.1``: two cookie jars, as in the e2e
tests), serves the sandbox's NRPS, AGS and token endpoints unchanged, and adds one read-only
route, ``GET /_bench/stats``: requests per kind (token, NRPS page, score POST, other) and the
gradebook's accepted scores. It exits on SIGTERM, when its parent is gone, or after
``--max-seconds``.

``PeerProcess`` (used by the benchmarks) starts it in its own process group and stops that
group only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests

from bench.support import REPO, free_port, placed_reference

PEER_HOST = "localhost"
COURSE = "course-7b"  # the sandbox's default course
TEACHER_ID = "2"  # the sandbox's default Instructor ("Ada Teacher")
PUPIL_ID = "3"  # the sandbox's default Learner ("Piet Pupil")


def learner_id(n: int) -> str:
    return f"p-{n}"


def request_kind(path: str, method: str) -> str:
    if path == "/token":
        return "token"
    if path.startswith("/nrps/"):
        return "nrps_page"
    if path.startswith("/ags/") and path.endswith("/scores") and method == "POST":
        return "score_post"
    if path.startswith("/ags/"):
        return "ags_other"
    if path.startswith("/_bench/"):
        return "bench"
    return "other"


# --- the peer process ------------------------------------------------------------------------
def build_app(args: argparse.Namespace) -> Any:
    from flask import jsonify

    from etwin_lti.sandbox import SandboxSettings, create_platform_app
    from etwin_lti.sandbox.model import DEFAULT_USERS, INSTRUCTOR, LEARNER, SandboxUser

    base_url = f"http://{PEER_HOST}:{args.port}"
    learners = [SandboxUser(learner_id(n), f"Pupil {n}", (LEARNER,)) for n in range(args.learners)]
    app = create_platform_app(
        SandboxSettings(
            base_url=base_url,
            tool_base_url=args.tool_url,
            users=[*DEFAULT_USERS, *learners],
            reference_for=placed_reference,
        )
    )
    platform = app.extensions["sandbox"]
    if args.roster:
        nrps = platform.nrps
        nrps.page_size = args.page_size
        teacher = {"user_id": TEACHER_ID, "roles": [INSTRUCTOR], "name": "Ada Teacher"}
        members = [teacher] + [
            {"user_id": learner_id(n), "roles": [LEARNER]} for n in range(args.roster - 1)
        ]
        nrps.set_roster(COURSE, members)
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    @app.get("/_bench/info")
    def info() -> Any:
        client = platform.get_client(None)
        return jsonify(
            issuer=platform.issuer,
            urls=platform.urls,
            client_id=client.client_id,
            deployment_id=client.deployment_id,
            course=COURSE,
        )

    @app.get("/_bench/stats")
    def stats() -> Any:
        with lock:
            requests_by_kind = dict(counts)
        log = platform.gradebook.log
        return jsonify(
            requests=requests_by_kind,
            scores_accepted=log.accepted,
            scores_conflicts=log.conflicts,
            scores_not_gradable=log.not_gradable,
        )

    wsgi = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        kind = request_kind(environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", ""))
        with lock:
            counts[kind] += 1
        return wsgi(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]
    return app


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tool-url", required=True)
    parser.add_argument("--roster", type=int, default=0, help="members in course-7b's roster")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--learners", type=int, default=0, help="extra Learner users p-0...")
    parser.add_argument("--max-seconds", type=float, default=1800)
    args = parser.parse_args(argv)
    app = build_app(args)
    server = make_server(PEER_HOST, args.port, app, threaded=True)
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds

    def watchdog() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.5)
        server.shutdown()

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=watchdog, daemon=True).start()
    server.serve_forever(poll_interval=0.1)
    server.server_close()


# --- the benchmark's handle on it ------------------------------------------------------------
@dataclass
class PeerInfo:
    base_url: str
    issuer: str
    urls: dict[str, str]
    client_id: str
    deployment_id: str
    course: str

    def launch_url(self, **params: str) -> str:
        from urllib.parse import urlencode

        return self.urls["launch"] + "?" + urlencode(params)

    def memberships_url(self) -> str:
        return f"{self.issuer}/nrps/{self.course}/memberships"


class PeerProcess:
    def __init__(self, tool_url: str, *, roster: int = 0, page_size: int = 100, learners: int = 0):
        self.port = free_port()
        self.base_url = f"http://{PEER_HOST}:{self.port}"
        self._args = [
            "--port",
            str(self.port),
            "--tool-url",
            tool_url,
            "--roster",
            str(roster),
            "--page-size",
            str(page_size),
            "--learners",
            str(learners),
        ]
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()
        self._http = requests.Session()
        self.info: PeerInfo | None = None

    def start(self, timeout: float = 30.0) -> PeerInfo:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.sandbox_peer", *self._args],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the sandbox peer exited: {self._stderr()}")
            try:
                answer = self._http.get(self.base_url + "/_bench/info", timeout=1)
            except requests.RequestException:
                time.sleep(0.1)
                continue
            self.info = PeerInfo(base_url=self.base_url, **answer.json())
            return self.info
        self.stop()
        raise RuntimeError(f"the sandbox peer did not answer within {timeout} s")

    @property
    def pid(self) -> int:
        """The peer's process (its CPU per score: bench/cpu.py)."""
        if self._process is None:
            raise RuntimeError("the sandbox peer is not running")
        return self._process.pid

    def stats(self) -> dict[str, Any]:
        answer = self._http.get(self.base_url + "/_bench/stats", timeout=10)
        answer.raise_for_status()
        return dict(answer.json())

    def _stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        self._http.close()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # the group we started, nothing else
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def __enter__(self) -> PeerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stats_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Requests per kind (and accepted scores) between two ``stats()`` snapshots."""
    kinds = set(before["requests"]) | set(after["requests"])
    delta = {k: after["requests"].get(k, 0) - before["requests"].get(k, 0) for k in kinds}
    delta.pop("bench", None)
    delta["scores_accepted"] = after["scores_accepted"] - before["scores_accepted"]
    return delta


if __name__ == "__main__":
    main(sys.argv[1:])
