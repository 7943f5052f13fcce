"""Our tool and the sandbox LMS peer registered with each other, for the LTI Advantage service
benchmarks (roster sync, passback).

The tool is built in the benchmark process (its services are called directly: the roster sync
and the huey consumer are what is measured) and also serves HTTP on 127.0.0.1 from a thread, for
what the peer and the set-up need of it: its key set (the peer checks the tool's client
assertion at the token endpoint) and the few launches that record a course's NRPS and AGS
endpoints. The peer runs in its own process (``bench.sandbox_peer``).

    with tool_and_peer(database_url, workdir, roster=1000) as world:
        world.container.roster_sync ..., world.peer.stats(), world.statements() ...
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.sandbox_peer import PeerInfo, PeerProcess
from bench.support import LOOPBACK, SECRET
from etwin_lti.domain.registrations import PlatformRegistration


@dataclass
class World:
    app: Any
    peer: PeerProcess
    info: PeerInfo
    platform_id: int
    tool_url: str
    database: str  # "postgresql" | "sqlite"
    env: dict[str, str] = field(default_factory=dict)  # ETWIN_* of this tool (a worker process)
    _statements: list[int] = field(default_factory=lambda: [0])

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def statements(self) -> int:
        """SQL statements sent by the tool's engine so far (all threads)."""
        return self._statements[0]

    def launch(self, user: str, **params: str) -> None:
        """A whole launch through the peer, as a browser does it; checks that the tool
        answered with its page (ADR 0036: 200, the page's own address in Content-Location)."""
        with requests.Session() as browser:
            answer = launch_through(browser, self.info.launch_url(user=user, **params))
        page = answer.headers.get("Content-Location", "")
        if answer.status_code != 200 or not page.startswith("/embed/"):
            raise RuntimeError(f"launch answered {answer.status_code}: {answer.text[:300]}")


def _count_statements(engine: Any, counter: list[int]) -> None:
    from sqlalchemy import event

    lock = threading.Lock()

    def count(*_args: Any) -> None:
        with lock:
            counter[0] += 1

    event.listen(engine, "before_cursor_execute", count)


@contextmanager
def tool_and_peer(
    database_url: str,
    workdir: Path,
    *,
    redis_url: str | None = None,
    queue: dict[str, Any] | None = None,
    roster: int = 0,
    page_size: int = 100,
    learners: int = 0,
) -> Iterator[World]:
    from werkzeug.serving import make_server

    from etwin_lti.app import create_app
    from etwin_lti.cli.db import upgrade_database

    instance = workdir / f"instance-{os.urandom(4).hex()}"
    instance.mkdir()
    # A lab on loopback (outbound guard off); the abuse limits would throttle the benchmark.
    config: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ALLOW_PRIVATE_URLS": True,
        "RATE_LIMITS_ENABLED": False,
    }
    if redis_url:
        config["REDIS_URL"] = redis_url
    config.update(queue or {"QUEUE": "embedded", "QUEUE_PATH": str(instance / "queue.sqlite")})
    server = make_server(LOOPBACK, 0, lambda e, s: [], threaded=True)
    tool_url = f"http://{LOOPBACK}:{server.server_port}"
    config["BASE_URL"] = tool_url
    saved = os.environ.get("ETWIN_INSTANCE_PATH")
    os.environ["ETWIN_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(config)
    finally:
        if saved is None:
            os.environ.pop("ETWIN_INSTANCE_PATH", None)
        else:
            os.environ["ETWIN_INSTANCE_PATH"] = saved
    # create_app logs at INFO (a line per score sent): keep the benchmark's output to its table.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    container = app.extensions["etwin"]
    thread: threading.Thread | None = None
    try:
        upgrade_database(app)
        if redis_url:
            _forget_cached_tokens(redis_url)
        server.app = app
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        with PeerProcess(tool_url, roster=roster, page_size=page_size, learners=learners) as peer:
            info = peer.info
            assert info is not None
            registrations = container.registrations
            platform = registrations.add_platform(
                PlatformRegistration(
                    issuer=info.issuer,
                    client_id=info.client_id,
                    name="Sandbox LMS (benchmark peer)",
                    auth_login_url=info.urls["authorization_endpoint"],
                    auth_token_url=info.urls["token_endpoint"],
                    key_set_url=info.urls["jwks_uri"],
                )
            )
            registrations.add_deployment(platform.id, info.deployment_id, active=True)
            world = World(
                app,
                peer,
                info,
                platform.id,
                tool_url,
                container.database.engine.dialect.name,
                env=_as_environment(config, instance),
            )
            _count_statements(container.database.engine, world._statements)  # noqa: SLF001
            yield world
    finally:
        if thread is not None:
            server.shutdown()
            thread.join(timeout=5)
        server.server_close()
        container.access_tokens._session.close()  # noqa: SLF001
        container.database.dispose()
        if hasattr(container.kv_cache, "close"):
            container.kv_cache.close()


def _as_environment(config: dict[str, Any], instance: Path) -> dict[str, str]:
    """The tool's configuration as the ``ETWIN_*`` environment another process of the same
    tool (an ``etwin-lti worker``) starts from: same database, queue, secret and instance."""
    env = {
        f"ETWIN_{key}": str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in config.items()
    }
    env["ETWIN_INSTANCE_PATH"] = str(instance)
    return env


def _forget_cached_tokens(redis_url: str) -> None:
    """Access tokens an earlier run cached for "platform 1" (a peer with another key) would be
    refused with a 401 and refreshed: a request the run did not cause. Only those keys go."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match="etwin:kv:lti-access-token:*", count=1000):
            client.delete(key)
    finally:
        client.close()


# --- a browser's launch through the peer (as tests/e2e/peer.py does it) ----------------------
def _submit_autopost(browser: requests.Session, page: requests.Response) -> requests.Response:
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    if not match:
        raise RuntimeError(f"no auto-post form in: {page.text[:300]}")
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    return browser.post(
        html.unescape(match.group(1)), data=fields, allow_redirects=False, timeout=30
    )


def launch_through(browser: requests.Session, launch_url: str) -> requests.Response:
    """The LMS button, the tool's login initiation, the LMS's auto-posted id_token, and the
    tool's answer to it (not followed)."""
    response = browser.get(launch_url, allow_redirects=False, timeout=30)
    for _ in range(6):
        if response.status_code in (301, 302, 303, 307):
            response = browser.get(response.headers["Location"], allow_redirects=False, timeout=30)
        elif response.status_code == 200 and 'id="autopost"' in response.text:
            posts_id_token = 'name="id_token"' in response.text
            response = _submit_autopost(browser, response)
            if posts_id_token:
                return response
        else:
            break
    return response
