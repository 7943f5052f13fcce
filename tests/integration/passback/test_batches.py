"""A worker's task delivers a batch of due scores (docs/decisions/0038): one claim for several
rows, each row once whoever claims, the task's own score first, what a batch has no time for
given back, and every score run under the request id that owed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.passback import AgsAnswer, RetryPolicy, ScoreStatus
from etwin_lti.lti import ags
from etwin_lti.observability.instrumented import counted_passback
from etwin_lti.observability.metrics import Metrics
from etwin_lti.observability.request_ids import bound_request_id, current_request_id
from etwin_lti.services.passback import PassbackConfig, PassbackService
from tests.integration.passback.conftest import LINEITEM, Scene


def learners_finish(scene: Scene, count: int, *, request_ids: list[str] | None = None) -> list[int]:
    """``count`` more trainees launch through ``rl-1`` (which now grants the score scope) and
    finish the unit, each under its own request id when given; their scores' ids, oldest first."""
    c = scene.container
    edition_id = c.hub.get_unit(scene.unit_id).edition_id
    for n in range(count):
        person = c.hub.create_person(f"Trainee {n}", PersonKind.TEACHER, country_code="FR")
        c.hub.enrol_trainee(edition_id, person.id)
        c.identities.link(
            LtiIdentity("https://lms.example", f"lms-batch-{n}"),
            person.id,
            deployment_id="1",
            kind=person.kind,
        )
        scene.link(
            Resource(ResourceKind.UNIT, scene.unit_id),
            ServiceEndpoints(lineitem_url=LINEITEM, ags_scopes=(ags.SCOPE_SCORE,)),
            person.id,
        )
        with bound_request_id(request_ids[n] if request_ids else None):
            for activity_id in scene.activity_ids:
                c.progress.mark_activity_done(person.id, activity_id)
    return sorted(e.id for e in c.passback.list())


@dataclass
class RecordingAgs:
    """The LMS accepts every score; each POST is recorded with the request id it ran under."""

    posts: list[tuple[str, str | None]] = field(default_factory=list)
    then: list[Any] = field(default_factory=list)  # called after each POST (a clock to move)

    def post_score(
        self, platform_id: int, lineitem_url: str, payload: Mapping[str, Any]
    ) -> AgsAnswer:
        self.posts.append((str(payload["userId"]), current_request_id()))
        for step in self.then:
            step()
        return AgsAnswer(status=200)

    def find_lineitem(self, *args: Any, **kwargs: Any) -> str | None:
        raise AssertionError("the link has its own line item")

    def create_lineitem(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("the link has its own line item")


@dataclass
class RecordingQueue:
    queued: list[int] = field(default_factory=list)

    def enqueue_post_score(self, entry_id: int, *, eta: datetime | None = None) -> bool:
        self.queued.append(entry_id)
        return True


def service(scene: Scene, lms: RecordingAgs, queue: RecordingQueue, **kwargs: Any) -> Any:
    c = scene.container
    return PassbackService(
        PassbackConfig(RetryPolicy(), lease_seconds=60, batch_size=kwargs.pop("batch_size", 20)),
        outbox=c.passback._outbox,  # noqa: SLF001
        resource_links=c.resource_links,
        ags_client=lms,
        line_items=c.passback._line_items,  # noqa: SLF001
        queue=queue,
        **kwargs,
    )


def test_batch_claims_take_each_due_row_once_and_the_tasks_own_first(scene: Scene) -> None:
    ids = learners_finish(scene, 5)
    outbox = scene.container.passback._outbox  # noqa: SLF001
    now = datetime.now(UTC) + timedelta(seconds=1)
    first = outbox.claim_due(ids[3], now=now, lease_seconds=60, limit=3)
    assert [e.id for e in first] == [ids[3], ids[0], ids[1]]
    assert all(e.attempts == 1 for e in first)
    # Another worker: its own row is taken already, it gets the rest, never one twice.
    second = outbox.claim_due(ids[0], now=now, lease_seconds=60, limit=10)
    assert [e.id for e in second] == [ids[2], ids[4]]
    assert outbox.claim_due(ids[4], now=now, lease_seconds=60, limit=10) == []
    # Given back unattempted: free again at once, its attempt not counted.
    outbox.release([ids[2]], now=now)
    [again] = outbox.claim_due(ids[2], now=now, lease_seconds=60, limit=10)
    assert (again.id, again.attempts) == (ids[2], 1)


def test_one_task_delivers_the_batch_and_the_other_tasks_find_nothing(scene: Scene) -> None:
    ids = learners_finish(scene, 3)
    lms, queue = RecordingAgs(), RecordingQueue()
    passback = service(scene, lms, queue)
    delivered = passback.deliver(ids[1])
    assert [e.id for e in delivered] == [ids[1], ids[0], ids[2]]
    assert {e.status for e in delivered} == {ScoreStatus.SENT}
    assert len(lms.posts) == 3 and queue.queued == []
    for entry_id in ids:  # their own tasks come later: nothing left to do, nothing posted
        assert passback.deliver(entry_id) == []
    assert len(lms.posts) == 3
    assert {e.status for e in scene.container.passback.list()} == {ScoreStatus.SENT}


def test_a_batch_gives_back_what_it_has_no_time_for(scene: Scene) -> None:
    ids = learners_finish(scene, 3)
    now = [datetime.now(UTC) + timedelta(seconds=1)]
    lms, queue = RecordingAgs(), RecordingQueue()
    # Each POST takes 40 s of the 60 s lease: after the first, half the lease is gone.
    lms.then.append(lambda: now.__setitem__(0, now[0] + timedelta(seconds=40)))
    passback = service(scene, lms, queue, clock=lambda: now[0])
    [sent] = passback.deliver(ids[0])
    assert sent.id == ids[0] and sent.status is ScoreStatus.SENT
    assert queue.queued == ids[1:]  # queued again for another task
    left = {e.id: e for e in scene.container.passback.list() if e.id != ids[0]}
    assert {(e.status, e.attempts) for e in left.values()} == {(ScoreStatus.PENDING, 0)}
    # Free at once (no lease to wait for): the next task takes them, POSTs quick again.
    lms.then.clear()
    assert [e.id for e in passback.deliver(ids[1])] == ids[1:]


def test_each_score_of_a_batch_runs_under_the_request_that_owed_it(scene: Scene) -> None:
    ids = learners_finish(scene, 3, request_ids=["req-a", "req-b", "req-c"])
    lms, queue = RecordingAgs(), RecordingQueue()
    task = counted_passback(service(scene, lms, queue).deliver, Metrics.from_environment())
    with bound_request_id("the-task"):
        assert len(task(ids[2])) == 3
    assert [request_id for _, request_id in lms.posts] == ["req-c", "req-a", "req-b"]
