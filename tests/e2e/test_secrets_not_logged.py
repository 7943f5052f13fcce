"""Secrets never reach the logs (issue 10 item 6): the main flows run over real HTTP with every
logger at DEBUG written to a file (our modules, requests/urllib3, werkzeug, huey, the sandbox
peer), and the file is searched for each secret the run handled: the tool's private key, the
LMS access tokens, any JWT (client assertions, id_tokens, deep-linking responses), the Moodle
token, an API token secret, the secret key and the encryption key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.persistence.secret_box import SecretBox
from tests.conftest import make_test_app
from tests.e2e.harness import seed_resources
from tests.e2e.passback_world import PassbackWorld, seed_unit
from tests.e2e.peer import ThreadedServer, serve_peer, submit_autopost
from tests.e2e.test_deep_link_round_trip import RoundTrip
from tests.e2e.test_moodle_completion_badge import running_tool  # noqa: F401  (fixture)
from tests.support.fake_moodle import TOKEN as MOODLE_TOKEN
from tests.support.fake_moodle import FakeMoodle, serve
from tests.support.moodle_world import COURSE_ID, build_world

pytestmark = pytest.mark.e2e
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def _secrets_of(container: Any) -> list[str]:
    """Every secret the tool holds: its keys' PEM lines, cached access tokens, its settings."""
    settings = container.settings
    box = SecretBox(settings.encryption_keys)
    found = [settings.secret_key, *settings.encryption_keys]
    with container.database.engine.connect() as connection:
        for stored in connection.execute(text("SELECT private_pem FROM tool_keys")).scalars():
            pem = box.open_stored(stored)
            found += [line for line in pem.splitlines() if "-----" not in line and len(line) > 20]
        rows = connection.execute(text("SELECT key, value FROM kv_cache")).all()
    for key, value in rows:
        if str(key).startswith("lti-access-token:"):
            plain = box.decrypt_bytes(bytes(value))
            assert plain is not None
            found.append(plain.decode())
    return found


def _assert_clean(log: Path, secrets: list[str], *, expect: str) -> None:
    content = log.read_text(encoding="utf-8")
    assert expect in content  # the capture did see the flow (DEBUG lines of the HTTP calls)
    assert content.count("DEBUG ") >= 3
    leaked = [s[:6] + "…" for s in secrets if s and s in content]
    assert leaked == []
    assert JWT.findall(content) == []
    assert "PRIVATE KEY" not in content


def test_launch_passback_roster_sync_and_api_log_no_secret(
    app_sqlite_url: str, tmp_path: Path, debug_log: Path
) -> None:
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(
            app_sqlite_url,
            tmp_path,
            BASE_URL=tool.base_url,
            QUEUE="embedded",
            QUEUE_PATH=str(tmp_path / "queue.sqlite"),
        )
        tool.start(app)
        container = app.extensions["etwin"]
        with serve_peer(tool.base_url) as peer:
            platform = peer.register_with(container.registrations)
            # The distance course runs in a teacher-training LMS (its learners are teachers).
            container.role_policies.set_audience(platform.id, Audience.TRAINING)
            world = PassbackWorld(app, peer, *seed_unit(container.hub))
            try:
                pupil = world.learner("91")  # launch
                world.start_worker()
                world.finish_unit(pupil)  # passback: token request, client assertion, score
                assert len(world.wait_final(1)) == 1
                assert container.roster_sync.sync_all() is not None  # NRPS
                _, secret = container.api_tokens.create(
                    ApiTokenRole.ADMIN, now=_now(), label="log check"
                )
                listed = requests.get(
                    tool.base_url + "/api/v1/twinspaces",
                    headers={"Authorization": f"Bearer {secret}"},
                    timeout=10,
                )
                assert listed.status_code == 200
                secrets = [*_secrets_of(container), secret]
            finally:
                world.stop_workers()
        container.database.dispose()
    assert len(secrets) > 10
    _assert_clean(debug_log, secrets, expect="POST /token")


def test_deep_linking_logs_no_secret(app_sqlite_url: str, tmp_path: Path, debug_log: Path) -> None:
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(app_sqlite_url, tmp_path, BASE_URL=tool.base_url)
        container = app.extensions["etwin"]
        resources = seed_resources(container.hub)
        tool.start(app)
        with serve_peer(tool.base_url) as peer, requests.Session() as browser:
            peer.register_with(container.registrations)
            # The peer's teacher (sub "2") is the TwinSpace's founder: the picker offers a
            # TwinSpace to its teachers only (issue 9 item 4).
            founder = next(
                m
                for m in container.hub.list_members(resources.twinspace_id)
                if m.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
            )
            container.identities.link(
                LtiIdentity(peer.issuer, "2"),
                founder.person_id,
                deployment_id=peer.deployment_id,
                kind=PersonKind.TEACHER,
            )
            trip = RoundTrip(tool.base_url, app, peer, resources)
            picker = trip.open_picker(browser)
            answer = trip.choose(browser, picker, [f"twinspace:{resources.twinspace_id}"], "embed")
            assert submit_autopost(browser, answer).status_code == 200
            assert peer.platform.deep_link_returns
            secrets = _secrets_of(container)
        container.database.dispose()
    _assert_clean(debug_log, secrets, expect="/lti/deep-link")


def test_moodle_poll_logs_no_secret(
    running_tool: tuple[str, Any],  # noqa: F811
    debug_log: Path,
) -> None:
    container = running_tool[1]
    with serve(FakeMoodle()) as moodle:
        world = build_world(container, moodle)
        world.map()
        world.learner(21)
        world.moodle.complete(COURSE_ID, 21)
        world.poll()
        assert len(world.acknowledgements()) == 1
        secrets = [*_secrets_of(container), MOODLE_TOKEN]
    _assert_clean(debug_log, secrets, expect="webservice/rest/server.php")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
