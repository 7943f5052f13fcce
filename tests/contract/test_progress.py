"""The progress use case passes one contract with the local hub and with a remote hub.

``ProgressService`` as bootstrap wires it: over ``LocalProgressStore`` (hub and outbox in one
database, SQLite and PostgreSQL), and with ``ETWIN_HUB_URL`` over ``RemoteProgressStore`` (the
hub is a second instance served over real HTTP, as in ``test_http_hub.py``; the outbox is the
tool's own database). The tool's queue is unreachable on purpose: nothing may depend on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from connectors.http_hub.progress import RemoteProgressStore
from connectors.local_hub.progress import LocalProgressStore
from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.model import AcknowledgementKind, PersonKind
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.domain.ports.progress import ProgressStore, ProgressUnitOfWork
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from etwin_lti.services.progress import unit_completion
from tests.conftest import make_test_app
from tests.contract.hub_contract.builders import UNKNOWN_ID
from tests.integration.passback.conftest import EventScene, Scene, build_scene, event_with_link
from tests.support.databases import sqlite_copy


def pending(scene: Scene) -> list[tuple[str, str, str]]:
    entries = scene.container.passback.list()
    assert all(e.status is ScoreStatus.PENDING and e.attempts == 0 for e in entries)
    return sorted((e.resource, e.resource_link_id, e.user_id) for e in entries)


def _unknown_activity(scene: Scene, _event: EventScene) -> object:
    return scene.container.progress.mark_activity_done(scene.person_id, UNKNOWN_ID)


def _not_a_trainee(scene: Scene, _event: EventScene) -> object:
    other = scene.container.hub.create_person("Not enrolled", PersonKind.TEACHER)
    return scene.container.progress.mark_activity_done(other.id, scene.activity_ids[0])


def _unknown_event(scene: Scene, event: EventScene) -> object:
    return scene.container.progress.complete_event(event.expert_id, UNKNOWN_ID, scene.person_id)


def _not_the_expert(scene: Scene, event: EventScene) -> object:
    return scene.container.progress.complete_event(scene.person_id, event.event_id, scene.person_id)


REFUSALS: list[tuple[str, type[Exception], Callable[[Scene, EventScene], object]]] = [
    ("unknown activity", NotFoundError, _unknown_activity),
    ("not a trainee of the edition", RuleViolationError, _not_a_trainee),
    ("unknown Learning Event", NotFoundError, _unknown_event),
    ("completed by someone other than the expert", PermissionDeniedError, _not_the_expert),
]


class ProgressContract:
    """Subclasses provide ``scene`` (tests.integration.passback) and ``store`` (its store)."""

    def test_a_finished_unit_owes_one_score_per_link_once(self, scene: Scene) -> None:
        progress = scene.container.progress
        first, second = scene.activity_ids
        assert progress.mark_activity_done(scene.person_id, first).completed_at is None
        assert pending(scene) == []
        assert progress.mark_activity_done(scene.person_id, second).completed_at is not None
        expected = [(f"unit:{scene.unit_id}", "rl-1", "lms-user-9")]
        assert pending(scene) == expected
        progress.mark_activity_done(scene.person_id, second)  # done again: nothing more
        assert pending(scene) == expected
        # The queue was down at commit time: the sweep finds the row (and fails to queue it).
        assert scene.container.passback.sweep() == 0

    def test_a_completed_participant_owes_the_event_score_once(self, scene: Scene) -> None:
        event = event_with_link(scene)
        progress = scene.container.progress
        certificate = progress.complete_event(event.expert_id, event.event_id, scene.person_id)
        assert certificate.kind is AcknowledgementKind.EVENT_CERTIFICATE
        with pytest.raises(DuplicateAcknowledgementError):
            progress.complete_event(event.expert_id, event.event_id, scene.person_id)
        assert pending(scene) == [(f"event:{event.event_id}", "rl-event", "lms-user-9")]

    def test_the_next_attempt_repairs_a_completion_whose_scores_were_lost(
        self, scene: Scene
    ) -> None:
        """The hub recorded the completions, the outbox never heard of them (with a remote hub:
        the tool's database failed right after the remote call)."""
        c = scene.container
        event = event_with_link(scene)
        for activity_id in scene.activity_ids:
            c.hub.mark_activity_done(scene.person_id, activity_id)
        c.hub.complete_event(event.expert_id, event.event_id, scene.person_id)
        assert pending(scene) == []
        c.progress.mark_activity_done(scene.person_id, scene.activity_ids[0])
        with pytest.raises(DuplicateAcknowledgementError):
            c.progress.complete_event(event.expert_id, event.event_id, scene.person_id)
        assert pending(scene) == [
            (f"event:{event.event_id}", "rl-event", "lms-user-9"),
            (f"unit:{scene.unit_id}", "rl-1", "lms-user-9"),
        ]

    def test_a_step_that_fails_after_the_outbox_leaves_no_score(
        self, scene: Scene, store: ProgressStore
    ) -> None:
        first, second = scene.activity_ids
        scene.container.progress.mark_activity_done(scene.person_id, first)

        def fails_after_the_outbox(work: ProgressUnitOfWork) -> None:
            completion = unit_completion(work.mark_activity_done(scene.person_id, second))
            assert completion is not None and work.add_pending_scores(completion)
            raise RuntimeError("the step fails after writing its scores")

        with pytest.raises(RuntimeError):
            store.run(fails_after_the_outbox)
        assert pending(scene) == []
        # Whatever the hub kept of the failed step, the next attempt owes the score once.
        scene.container.progress.mark_activity_done(scene.person_id, second)
        assert pending(scene) == [(f"unit:{scene.unit_id}", "rl-1", "lms-user-9")]

    @pytest.mark.parametrize(("name", "error", "act"), REFUSALS, ids=[r[0] for r in REFUSALS])
    def test_refused_steps_write_no_score(
        self,
        scene: Scene,
        name: str,
        error: type[Exception],
        act: Callable[[Scene, EventScene], object],
    ) -> None:
        event = event_with_link(scene)
        scene.container.progress.mark_activity_done(scene.person_id, scene.activity_ids[0])
        with pytest.raises(error):
            act(scene, event)
        assert pending(scene) == []


def _unreachable_queue(tmp_path: Path) -> dict[str, Any]:
    return {"QUEUE_PATH": str(tmp_path / "no-such-folder" / "queue.sqlite")}


class TestLocalProgress(ProgressContract):
    @pytest.fixture
    def scene(self, database_url: str, tmp_path: Path) -> Iterator[Scene]:
        app = make_test_app(database_url, tmp_path, **_unreachable_queue(tmp_path))
        yield build_scene(app)
        app.extensions["etwin"].database.dispose()

    @pytest.fixture
    def store(self, scene: Scene) -> ProgressStore:
        c = scene.container
        return LocalProgressStore(c.hub, c.database)


@pytest.fixture(scope="module")
def remote_hub(
    _sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A second instance serving its hub over HTTP, and an admin token of it."""
    instance = tmp_path_factory.mktemp("remote-hub")
    app: Flask = make_test_app(sqlite_copy(_sqlite_template, instance), instance)
    _, secret = app.extensions["etwin"].api_tokens.create(
        ApiTokenRole.ADMIN, now=datetime.now(UTC), label="progress contract"
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", secret
    server.shutdown()
    server.server_close()
    thread.join()
    app.extensions["etwin"].database.dispose()


class TestRemoteProgress(ProgressContract):
    @pytest.fixture
    def scene(
        self, remote_hub: tuple[str, str], database_url: str, tmp_path: Path
    ) -> Iterator[Scene]:
        url, token = remote_hub
        app = make_test_app(
            database_url, tmp_path, HUB_URL=url, HUB_TOKEN=token, **_unreachable_queue(tmp_path)
        )
        yield build_scene(app)
        app.extensions["etwin"].database.dispose()

    @pytest.fixture
    def store(self, scene: Scene) -> ProgressStore:
        c = scene.container
        return RemoteProgressStore(c.hub, c.database)
