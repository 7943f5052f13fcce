"""The sandbox LMS inside the tool (``serve --demo``), over real HTTP: every button works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from etwin_lti.services.demo import DemoResources, load_demo
from etwin_lti.web.sandbox_mount import register_sandbox
from tests.conftest import make_test_app
from tests.e2e.peer import ThreadedServer, launch_through

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


class DemoTool:
    def __init__(self, app: Any, base_url: str, resources: DemoResources) -> None:
        self.app = app
        self.base_url = base_url
        self.resources = resources
        self.container = app.extensions["etwin"]
        self.sandbox = app.extensions["sandbox"]


@pytest.fixture
def demo_tool(postgres_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with ThreadedServer("127.0.0.1") as server:
        app = make_test_app(postgres_url, tmp_path, DEMO=True, BASE_URL=server.base_url)
        container = app.extensions["etwin"]
        register_sandbox(container.registrations, app.extensions["sandbox"])
        resources = load_demo(container.hub)  # what `serve --demo` loads
        server.start(app)
        yield DemoTool(app, server.base_url, resources)
        container.database.dispose()


def session_role(tool: DemoTool, response: requests.Response) -> str:
    cookie = response.cookies.get("etwin_launch")
    assert cookie, response.text[:500]
    role: str = tool.container.launches.load_session(cookie).role
    return role


@pytest.mark.parametrize(
    ("user", "role"),
    [("teacher", "teacher"), ("pupil", "pupil"), ("admin", "admin"), ("mentor", None)],
)
def test_sandbox_page_launches_the_demo_twinspace(
    demo_tool: DemoTool, user: str, role: str | None
) -> None:
    ts = demo_tool.resources.twinspace_id
    with requests.Session() as browser:
        page = browser.get(demo_tool.base_url + "/sandbox/", timeout=10)
        assert page.status_code == 200
        assert f'data-launch="twinspace:{user}"' in page.text
        response = launch_through(
            browser, f"{demo_tool.base_url}/sandbox/launch?user={user}&resource=demo-twinspace-{ts}"
        )
    if role is None:
        # Mentors map to guests, who never enter a TwinSpace with pupils (DESIGN.md).
        assert response.status_code == 403 and 'data-error="forbidden"' in response.text
        return
    assert response.status_code == 303, response.text[:800]
    assert session_role(demo_tool, response) == role


@pytest.mark.parametrize("kind", ["event", "unit"])
def test_sandbox_launches_the_demo_event_and_unit(demo_tool: DemoTool, kind: str) -> None:
    ident = demo_tool.resources.event_id if kind == "event" else demo_tool.resources.unit_id
    with requests.Session() as browser:
        response = launch_through(
            browser,
            f"{demo_tool.base_url}/sandbox/launch?user=teacher&resource=demo-{kind}-{ident}",
        )
    assert response.status_code == 303, response.text[:800]
    assert response.headers["Location"].endswith(f"/{kind}/{ident}")


def test_sandbox_starts_a_deep_linking_request(demo_tool: DemoTool) -> None:
    with requests.Session() as browser:
        response = launch_through(
            browser,
            f"{demo_tool.base_url}/sandbox/launch?user=teacher&message=deeplink&method=post",
        )
    assert response.status_code in (200, 303), response.text[:800]
    assert session_role(demo_tool, response) == "teacher"
