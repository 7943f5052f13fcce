"""``etwin-lti passback list|retry`` and the ``/admin/passback`` page (tool administrators)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from etwin_lti.cli import CliState, main
from etwin_lti.domain.launches import LaunchSession
from tests.integration.passback.conftest import Scene


def dead_letter(scene: Scene) -> int:
    return scene.dead_letter("gave up after 8 attempts: School Moodle refused an access token")


def cli(scene: Scene, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["passback", *args], obj=CliState(scene.app))


def statuses(scene: Scene) -> list[str]:
    return [e.status.value for e in scene.container.passback.list()]


def test_list_and_retry_from_the_cli(scene: Scene) -> None:
    assert cli(scene, "list", "--dead").output.strip() == "no dead letters"
    entry_id = dead_letter(scene)
    listed = cli(scene, "list", "--dead")
    assert listed.exit_code == 0
    assert listed.output.startswith(f"{entry_id}\tdead\tunit:{scene.unit_id}\tplatform ")
    assert "refused an access token" in listed.output
    retried = cli(scene, "retry", str(entry_id))
    assert retried.exit_code == 0 and f"1 score(s) queued again: [{entry_id}]" in retried.output
    assert statuses(scene) == ["pending"]


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (("retry",), 2, "Give one score id, or --all-dead."),
        (("retry", "1", "--all-dead"), 2, "Give one score id, or --all-dead."),
        (("retry", "999"), 1, "No score with id 999"),
        (("retry", "abc"), 2, "is not a valid integer"),
    ],
)
def test_bad_retry_commands_change_nothing(
    scene: Scene, args: tuple[str, ...], exit_code: int, message: str
) -> None:
    dead_letter(scene)
    result = cli(scene, *args)
    assert result.exit_code == exit_code and message in result.output
    assert statuses(scene) == ["dead"]


def open_session(scene: Scene, client: FlaskClient, *, admin: bool) -> None:
    now = datetime.now(UTC)
    session = LaunchSession(
        id=f"session-{admin}",
        person_id=None if admin else scene.person_id,
        platform_id=scene.platform_id,
        deployment_id="1",
        context_id="course-1",
        context_title="Course 1",
        resource_link_id="rl-1",
        resource=None,
        role="tool-admin" if admin else "trainee",
        lti_roles=(),
        is_tool_admin=admin,
        message_type="LtiResourceLinkRequest",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    scene.container.launch_sessions.create(session)
    client.set_cookie("etwin_launch", session.id)


def test_admin_page_lists_dead_letters_and_retries_one(scene: Scene) -> None:
    entry_id = dead_letter(scene)
    client = scene.app.test_client()
    open_session(scene, client, admin=True)
    page = client.get("/admin/passback")
    assert page.status_code == 200
    assert f'data-entry="{entry_id}"' in page.text and "refused an access token" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/admin/passback/retry", data={"csrf_token": csrf, "entry": entry_id})
    assert answer.status_code == 303
    assert statuses(scene) == ["pending"]
    assert "1 score(s) queued again" in client.get(answer.headers["Location"]).text


@pytest.mark.parametrize(
    ("admin", "method", "form", "status"),
    [
        (False, "get", None, 403),  # a trainee
        (False, "post", {"all": "1"}, 403),
        (None, "get", None, 401),  # no launch at all
        (True, "post", {"all": "1", "csrf_token": "forged"}, 403),
        (True, "post", {"all": "1"}, 403),  # no CSRF token
    ],
)
def test_admin_page_refusals_write_nothing(
    scene: Scene, admin: bool | None, method: str, form: dict[str, str] | None, status: int
) -> None:
    dead_letter(scene)
    client = scene.app.test_client()
    if admin is not None:
        open_session(scene, client, admin=admin)
    if method == "get":
        answer = client.get("/admin/passback")
    else:
        answer = client.post("/admin/passback/retry", data=form)
    assert answer.status_code == status
    assert statuses(scene) == ["dead"]


def test_admin_retry_of_a_malformed_entry_is_422(scene: Scene) -> None:
    dead_letter(scene)
    client = scene.app.test_client()
    open_session(scene, client, admin=True)
    page = client.get("/admin/passback")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/admin/passback/retry", data={"csrf_token": csrf, "entry": "x"})
    assert answer.status_code == 422
    assert statuses(scene) == ["dead"]
