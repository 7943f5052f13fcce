"""Fixtures of the end-to-end tier: tool on 127.0.0.1, platform peer on localhost, a browser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.persistence.models.lti import LaunchSessionRow, LtiIdentityRow
from tests.conftest import make_test_app
from tests.e2e.harness import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    Browser,
    LateApp,
    MiniPlatform,
    Resources,
    ServerThread,
    seed_resources,
)

pytestmark = pytest.mark.e2e


@dataclass
class World:
    tool: ServerThread
    app: Flask
    platform: MiniPlatform
    platform_id: int
    resources: Resources

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def browser(self) -> Browser:
        return Browser(self.tool.url, self.platform.url)

    def counts(self) -> dict[str, int]:
        """Everything a refused launch must not create."""
        engine = self.container.database.engine
        hub = self.container.hub
        with engine.connect() as connection:
            people = connection.execute(text("SELECT count(*) FROM people")).scalar_one()
            sessions = connection.execute(select(func.count()).select_from(LaunchSessionRow))
            identities = connection.execute(select(func.count()).select_from(LtiIdentityRow))
            counts = {
                "people": int(people),
                "sessions": int(sessions.scalar_one()),
                "identities": int(identities.scalar_one()),
            }
        counts["members"] = len(hub.list_members(self.resources.twinspace_id))
        counts["enrolments"] = len(hub.list_enrolments(self.resources.event_id))
        return counts


@pytest.fixture(scope="session")
def platform_server() -> Iterator[tuple[ServerThread, LateApp]]:
    late = LateApp()
    server = ServerThread(late, "localhost")
    yield server, late
    server.stop()


def build_world(
    app_database_url: str,
    tmp_path: Path,
    platform_server: tuple[ServerThread, LateApp],
    **config: Any,
) -> Iterator[World]:
    server, late = platform_server
    platform = MiniPlatform(url=server.url)
    late.app = platform
    tool_app = LateApp()
    tool = ServerThread(tool_app, "127.0.0.1")
    app = make_test_app(app_database_url, tmp_path, BASE_URL=tool.url, **config)
    tool_app.app = app
    container = app.extensions["etwin"]
    registered = container.registrations.add_platform(
        PlatformRegistration(
            issuer=platform.url,
            client_id=CLIENT_ID,
            name="Mini LMS",
            auth_login_url=platform.url + "/auth",
            auth_token_url=platform.url + "/token",
            key_set_url=platform.url + "/jwks",
        )
    )
    container.registrations.add_deployment(registered.id, DEPLOYMENT_ID, active=True)
    world = World(tool, app, platform, registered.id, seed_resources(container.hub))
    yield world
    tool.stop()
    container.database.dispose()
    if hasattr(container.kv_cache, "close"):
        container.kv_cache.close()


@pytest.fixture
def world(
    app_sqlite_url: str, tmp_path: Path, platform_server: tuple[ServerThread, LateApp]
) -> Iterator[World]:
    yield from build_world(app_sqlite_url, tmp_path, platform_server)


@pytest.fixture
def any_db_world(
    app_database_url: str, tmp_path: Path, platform_server: tuple[ServerThread, LateApp]
) -> Iterator[World]:
    """The same world on SQLite and on PostgreSQL."""
    yield from build_world(app_database_url, tmp_path, platform_server)
