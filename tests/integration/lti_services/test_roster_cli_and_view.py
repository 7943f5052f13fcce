"""``etwin-lti roster sync`` and ``POST /lti/roster/sync`` against a running sandbox peer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from etwin_lti.cli import CliState, main
from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.sandbox.model import INSTRUCTOR, LEARNER
from tests.e2e.harness import seed_resources
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.e2e.peer import launch_through

COURSE = "course-7b"


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(sqlite_url, tmp_path) as running:
        yield running


def launch(world: ServiceWorld, user: str, resource: str) -> requests.Session:
    browser = requests.Session()
    response = launch_through(browser, world.peer.launch_url(user=user, etwin_resource=resource))
    assert response.status_code == 200, response.text[:500]
    return browser


def roster(world: ServiceWorld, learners: int) -> None:
    world.peer.platform.nrps.set_roster(
        COURSE,
        [{"user_id": "2", "roles": [INSTRUCTOR]}]
        + [{"user_id": f"p-{n}", "roles": [LEARNER]} for n in range(learners)],
    )


def test_cli_syncs_one_link_or_all(world: ServiceWorld) -> None:
    ts = seed_resources(world.container.hub).twinspace_id
    launch(world, "teacher", f"twinspace:{ts}").close()
    roster(world, 3)
    runner = CliRunner()
    state = CliState(world.app)
    [link] = world.container.resource_links.list_for_resource(
        world.container.resource_links.list_contexts()[0].resources[0]
    )
    result = runner.invoke(main, ["roster", "sync", "--link", str(link.id), "--quiet"], obj=state)
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output and "1 synced, 0 failed" in result.output
    roster(world, 2)
    result = runner.invoke(main, ["roster", "sync", "--all"], obj=state)
    assert result.exit_code == 0, result.output
    assert "suspended 1" in result.output
    bad = runner.invoke(main, ["roster", "sync"], obj=state)
    assert bad.exit_code == 2 and "--link ID or --all" in bad.output
    world.peer.platform.nrps.faults.fail_page = 1
    failed = runner.invoke(main, ["roster", "sync", "--all"], obj=state)
    assert failed.exit_code == 1 and "nothing changed" in failed.output


def _csrf(page: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_sync_now_needs_a_teacher_administrator(world: ServiceWorld) -> None:
    hub = world.container.hub
    ts = seed_resources(hub).twinspace_id
    teacher = launch(world, "teacher", f"twinspace:{ts}")
    roster(world, 2)
    page = teacher.get(f"{world.tool_url}/embed/twinspace/{ts}", timeout=10)
    assert page.status_code == 200
    form = {"twinspace_id": str(ts), "csrf_token": _csrf(page.text)}
    url = world.tool_url + "/lti/roster/sync"
    refused = teacher.post(url, data=form, allow_redirects=False, timeout=10)
    assert refused.status_code == 403  # a plain teacher
    assert len(hub.list_members(ts)) == 3  # two founders and the teacher: nothing synced
    # A founder makes the LMS teacher a teacher administrator; now it works.
    founder = next(m for m in hub.list_members(ts) if m.is_founder)
    session_person = next(m for m in hub.list_members(ts) if not m.is_founder).person_id
    hub.change_role(founder.person_id, ts, session_person, TwinSpaceRole.TEACHER_ADMINISTRATOR)
    roster(world, 3)  # a third pupil joined the LMS course
    done = teacher.post(url, data=form, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    location = done.headers["Location"]
    assert location.startswith(f"/embed/twinspace/{ts}?msg=roster_synced&about=")
    # The page says what happened (issue 13 item 3), from the signed counts only.
    page = teacher.get(world.tool_url + location, timeout=10).text
    assert (
        '<p class="flash" role="status">The roster was synced: 3 added, 0 updated, 0 suspended'
        " (1 unchanged, 0 skipped" in page
    )
    forged = location.rsplit("&about=", 1)[0] + "&about=" + location.rsplit("=", 1)[1][:-2] + "xx"
    page = teacher.get(world.tool_url + forged, timeout=10).text
    assert '<p class="flash" role="status">The roster was synced.</p>' in page
    as_json = teacher.post(
        url, data=form, headers={"Accept": "application/json"}, allow_redirects=False, timeout=10
    )
    assert as_json.status_code == 200
    [result] = as_json.json()["results"]
    assert result["unchanged"] == 3 and result["protected"] == 1
    no_csrf = teacher.post(url, data={"twinspace_id": str(ts)}, allow_redirects=False, timeout=10)
    assert no_csrf.status_code == 403
    teacher.close()
