"""The outbox: pending scores are written in the completion's own transaction (the progress use
case over the local hub), exactly once per line item, with strictly increasing timestamps; claims
are atomic; dead letters retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.local_hub import LocalHub
from connectors.local_hub.progress import LocalProgressStore
from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.passback import ScoreStatus
from etwin_lti.domain.ports.progress import ProgressUnitOfWork
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.models.hub import ActivityCompletionRow
from etwin_lti.persistence.models.passback import ScoreOutboxRow
from etwin_lti.services.progress import ProgressService, unit_completion
from tests.integration.passback.conftest import Scene, event_with_link


def count(scene: Scene, model: Any) -> int:
    with scene.container.database.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_finishing_a_unit_writes_one_pending_score_even_with_the_queue_down(scene: Scene) -> None:
    scene.finish_unit()
    [entry] = scene.container.passback.list()
    assert entry.status is ScoreStatus.PENDING and entry.attempts == 0
    assert (entry.platform_id, entry.resource_link_id) == (scene.platform_id, "rl-1")
    assert (entry.user_id, entry.resource) == ("lms-user-9", f"unit:{scene.unit_id}")
    assert (entry.score_given, entry.score_maximum) == (1.0, 1.0)
    # Doing an activity again is no new completion.
    scene.finish_unit()
    assert count(scene, ScoreOutboxRow) == 1
    # The queue was down at commit time: the sweep finds the row (and fails to queue it too).
    assert scene.container.passback.sweep() == 0
    assert scene.container.passback.list()[0].status is ScoreStatus.PENDING


def test_half_a_unit_is_no_completion(scene: Scene) -> None:
    scene.container.progress.mark_activity_done(scene.person_id, scene.activity_ids[0])
    assert count(scene, ScoreOutboxRow) == 0


class StepFailed(Exception):
    pass


def test_a_failure_after_the_completion_rolls_back_completion_and_scores(scene: Scene) -> None:
    c = scene.container
    store = LocalProgressStore(c.hub, c.database)

    def fails_after_the_outbox(work: ProgressUnitOfWork) -> None:
        completion = unit_completion(work.mark_activity_done(scene.person_id, second))
        assert completion is not None and work.add_pending_scores(completion)
        raise StepFailed()

    first, second = scene.activity_ids
    c.progress.mark_activity_done(scene.person_id, first)
    with pytest.raises(StepFailed):
        store.run(fails_after_the_outbox)
    assert count(scene, ScoreOutboxRow) == 0
    assert count(scene, ActivityCompletionRow) == 1  # only the first activity


def test_event_completion_writes_a_score_for_the_event_link(scene: Scene) -> None:
    event = event_with_link(scene)
    scene.container.progress.complete_event(event.expert_id, event.event_id, scene.person_id)
    [entry] = scene.container.passback.list()
    assert (entry.resource, entry.resource_link_id) == (f"event:{event.event_id}", "rl-event")


def test_timestamps_strictly_increase_per_link_and_user(scene: Scene) -> None:
    c = scene.container
    fixed = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    hub = LocalHub(c.database, clock=lambda: fixed)
    progress = ProgressService(LocalProgressStore(hub, c.database), queue=c.task_queue)
    for activity_id in scene.activity_ids:
        progress.mark_activity_done(scene.person_id, activity_id)
    # The teacher re-points the same activity at another unit; the pupil finishes it too.
    edition_id = c.hub.get_unit(scene.unit_id).edition_id
    second = c.hub.add_unit(edition_id, "Unit 2", "More", activities=[("C", "c")])
    scene.link(Resource(ResourceKind.UNIT, second.id), ServiceEndpoints(), None)
    progress.mark_activity_done(scene.person_id, second.activities[0].id)
    first, later = sorted(c.passback.list(), key=lambda e: e.id)
    assert first.timestamp == fixed
    assert later.timestamp == fixed + timedelta(microseconds=1)


def test_claims_are_exclusive_and_leases_expire(scene: Scene) -> None:
    scene.finish_unit()
    outbox = scene.container.passback._outbox  # noqa: SLF001
    [entry] = scene.container.passback.list()
    now = datetime.now(UTC) + timedelta(seconds=1)
    claimed = outbox.claim(entry.id, now=now, lease_seconds=60)
    assert claimed is not None and claimed.attempts == 1
    assert outbox.claim(entry.id, now=now, lease_seconds=60) is None
    assert outbox.due(now=now, limit=10) == []
    later = now + timedelta(seconds=61)
    assert outbox.due(now=later, limit=10) == [entry.id]  # the worker died: retaken
    assert outbox.claim(entry.id, now=later, lease_seconds=60) is not None


def test_dead_letters_go_back_to_pending(scene: Scene) -> None:
    entry_id = scene.dead_letter("gave up: token refused")
    service = scene.container.passback
    assert [e.id for e in service.list(dead_only=True)] == [entry_id]
    with pytest.raises(NotFoundError):
        service.retry([entry_id, 999])
    assert service.list()[0].status is ScoreStatus.DEAD  # a refused retry changed nothing
    assert service.retry(None) == [entry_id]
    retried = service.list()[0]
    assert (retried.status, retried.attempts) == (ScoreStatus.PENDING, 0)
    assert service.retry(None) == []
