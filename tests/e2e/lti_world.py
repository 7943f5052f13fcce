"""A running tool (127.0.0.1) and the sandbox LMS peer (localhost) registered with each other,
for LTI Advantage service tests (access tokens, NRPS). The peer's requests are counted by path.

    with service_world(database_url, tmp_path) as world:
        world.peer.platform ...; world.container ...; world.requests["/token"]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import make_test_app
from tests.e2e.peer import RunningPeer, ThreadedServer, serve_peer


class CountingMiddleware:
    """Counts the peer's requests per path (a WSGI wrapper at the network edge)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.counts[environ.get("PATH_INFO", "")] += 1
        return self.app(environ, start_response)


@dataclass
class ServiceWorld:
    tool_url: str
    app: Any
    peer: RunningPeer
    platform_id: int
    counter: CountingMiddleware

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def requests(self) -> Counter[str]:
        return self.counter.counts


@contextmanager
def service_world(
    database_url: str, tmp_path: Path, *, peer: dict[str, Any] | None = None, **config: Any
) -> Iterator[ServiceWorld]:
    """``peer``: ``SandboxSettings`` fields (``users=...``); ``config``: the tool's settings."""
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(database_url, tmp_path, BASE_URL=tool.base_url, **config)
        tool.start(app)
        container = app.extensions["etwin"]
        try:
            with serve_peer(tool.base_url, **(peer or {})) as running:
                counter = CountingMiddleware(running.app.wsgi_app)
                running.app.wsgi_app = counter  # type: ignore[method-assign]
                platform = running.register_with(container.registrations)
                yield ServiceWorld(tool.base_url, app, running, platform.id, counter)
        finally:
            container.access_tokens._session.close()  # noqa: SLF001
            container.database.dispose()
