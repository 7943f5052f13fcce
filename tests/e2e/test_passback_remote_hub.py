"""Progress passback with a remote hub (ETWIN_HUB_URL): the unit lives on a second instance of the
tool, a learner launched from the sandbox LMS finishes it on the embedded page, and the score
reaches the LMS's gradebook exactly once, over real HTTP and a real huey consumer.

Before the progress use case, nothing wrote pending scores in this configuration: only the local
hub's completion listener did, and bootstrap registered it on the local hub alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.sandbox import SandboxUser
from etwin_lti.sandbox.model import LEARNER
from tests.conftest import make_test_app
from tests.e2e.passback_world import PassbackWorld, seed_unit
from tests.e2e.peer import ThreadedServer, launch_through, serve_peer
from tests.support.databases import sqlite_copy

pytestmark = pytest.mark.e2e

FORM = re.compile(r'<form method="post"[^>]*action="([^"]*/done)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path, _sqlite_template: Path) -> Iterator[PassbackWorld]:
    hub_folder = tmp_path / "hub-instance"
    hub_folder.mkdir()
    with ThreadedServer("127.0.0.1") as hub_server, ThreadedServer("127.0.0.1") as tool:
        hub_app = make_test_app(sqlite_copy(_sqlite_template, hub_folder), hub_folder)
        _, token = hub_app.extensions["etwin"].api_tokens.create(
            ApiTokenRole.ADMIN, now=datetime.now(UTC), label="the tool"
        )
        hub_server.start(hub_app)
        app = make_test_app(
            sqlite_url,
            tmp_path,
            BASE_URL=tool.base_url,
            HUB_URL=hub_server.base_url,
            HUB_TOKEN=token,
            QUEUE="embedded",
            QUEUE_PATH=str(tmp_path / "queue.sqlite"),
        )
        tool.start(app)
        container = app.extensions["etwin"]
        with serve_peer(tool.base_url) as peer:
            platform = peer.register_with(container.registrations)
            # The distance course runs in a teacher-training LMS: its learners are teachers.
            container.role_policies.set_audience(platform.id, Audience.TRAINING)
            unit_id, edition_id, activities = seed_unit(container.hub)  # on the remote hub
            running = PassbackWorld(app, peer, unit_id, edition_id, activities)
            try:
                yield running
            finally:
                running.stop_workers()
                container.access_tokens._session.close()  # noqa: SLF001
                container.database.dispose()
                hub_app.extensions["etwin"].database.dispose()


def finish_on_the_page(world: PassbackWorld, lms_id: str) -> int:
    """Launch a learner into the unit and press every "Mark done" of its embedded page; the hub
    person id the tool linked them to."""
    world.peer.platform.add_user(SandboxUser(lms_id, f"Trainee {lms_id}", (LEARNER,)))
    with requests.Session() as browser:
        answer = launch_through(
            browser, world.peer.launch_url(user=lms_id, resource=world.unit_resource.id)
        )
        assert answer.status_code == 200, answer.text[:300]
        page = browser.get(urljoin(answer.url, answer.headers["Content-Location"]), timeout=10)
        forms = FORM.findall(page.text)
        assert len(forms) == len(world.activity_ids), page.text[:500]
        for action, fields in forms:
            data = {name: html.unescape(value) for name, value in HIDDEN.findall(fields)}
            done = browser.post(urljoin(page.url, html.unescape(action)), data=data, timeout=10)
            assert done.status_code == 200 and "Well done" in done.text, done.text[:300]
    known = world.container.identities.find(LtiIdentity(world.peer.issuer, lms_id))
    assert known is not None
    return int(known.person_id)


def test_a_unit_finished_on_the_remote_hub_scores_once_in_the_lms(world: PassbackWorld) -> None:
    world.start_worker()
    person_id = finish_on_the_page(world, "61")

    [entry] = world.wait_final(1)
    assert entry.status is ScoreStatus.SENT and entry.attempts == 1
    [score] = world.scores_of("61")
    assert (score.score_given, score.score_maximum) == (1.0, 1.0)
    assert (score.activity_progress, score.grading_progress) == ("Completed", "FullyGraded")
    # The progress is the remote hub's: the tool asks it over /api/v1.
    assert world.container.hub.unit_progress(person_id, world.unit_id).completed_at is not None
    # An activity done again (idempotent on the remote hub) sends nothing more.
    world.container.progress.mark_activity_done(person_id, world.activity_ids[-1])
    world.wait_final(1)
    assert len(world.outbox()) == 1 and len(world.scores_of("61")) == 1
