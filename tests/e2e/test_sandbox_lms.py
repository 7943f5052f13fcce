"""The sandbox LMS inside the tool (``serve --demo``), over real HTTP: every button works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.peer import launch_through
from tests.support.demo_tool import DemoTool, serving_demo_tool

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def demo_tool(app_postgres_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with serving_demo_tool(app_postgres_url, tmp_path) as tool:
        yield tool


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
    ts = demo_tool.demo.twinspace_id
    with requests.Session() as browser:
        page = browser.get(demo_tool.base_url + "/sandbox/", timeout=10)
        assert page.status_code == 200
        assert f'data-launch="twinspace:{user}"' in page.text
        # The page says whom each person plays before anyone picks one.
        assert f'data-role-note="{user}"' in page.text
        response = launch_through(
            browser, f"{demo_tool.base_url}/sandbox/launch?user={user}&resource=demo-twinspace-{ts}"
        )
    if role is None:
        # Mentors map to guests, who never enter a TwinSpace with pupils (DESIGN.md).
        assert response.status_code == 403 and 'data-error="forbidden"' in response.text
        return
    assert response.status_code == 200, response.text[:800]
    assert session_role(demo_tool, response) == role


@pytest.mark.parametrize("kind", ["event", "unit"])
def test_sandbox_launches_the_demo_event_and_unit(demo_tool: DemoTool, kind: str) -> None:
    ident = demo_tool.demo.event_id if kind == "event" else demo_tool.demo.unit_id
    with requests.Session() as browser:
        response = launch_through(
            browser,
            f"{demo_tool.base_url}/sandbox/launch?user=teacher&resource=demo-{kind}-{ident}",
        )
    assert response.status_code == 200, response.text[:800]
    assert response.headers["Content-Location"].endswith(f"/{kind}/{ident}")


def test_sandbox_starts_a_deep_linking_request(demo_tool: DemoTool) -> None:
    with requests.Session() as browser:
        response = launch_through(
            browser,
            f"{demo_tool.base_url}/sandbox/launch?user=teacher&message=deeplink&method=post",
        )
    assert response.status_code in (200, 303), response.text[:800]
    assert session_role(demo_tool, response) == "teacher"
