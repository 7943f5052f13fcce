"""A tool and the sandbox LMS peer over HTTP, with a real huey queue (SQLite file or Redis db
14), for the passback tests: launch learners into a unit, finish it, watch the gradebook.

    world = PassbackWorld(...)            # see the ``passback`` fixture in test_passback.py
    pupil = world.learner("31")           # a Learner in the peer, launched into the unit
    world.finish_unit(pupil)              # every activity done -> a completion -> a score
    world.wait_final()                    # every outbox row sent/skipped/dead
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import requests

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.passback import OutboxEntry, ScoreStatus
from etwin_lti.sandbox import SandboxUser
from etwin_lti.sandbox.model import INSTRUCTOR, LEARNER
from tests.e2e.peer import RunningPeer, launch_through

WAIT_SECONDS = 60


def wait_for(predicate: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll until true (not a timing assertion: the deadline only stops a hung test)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Learner:
    lms_id: str
    person_id: int


@dataclass
class PassbackWorld:
    app: Any
    peer: RunningPeer
    unit_id: int
    edition_id: int
    activity_ids: tuple[int, ...]
    workers: list[Any] = field(default_factory=list)

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def gradebook(self) -> Any:
        return self.peer.platform.gradebook

    @property
    def unit_resource(self) -> Any:
        return self.peer.platform.resource_for(f"unit:{self.unit_id}")

    def start_worker(self, threads: int = 2) -> Any:
        worker = self.container.task_queue.start_worker(workers=threads)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        while self.workers:
            self.workers.pop().stop()

    def launch(self, lms_id: str, *, name: str, roles: tuple[str, ...]) -> Learner:
        self.peer.platform.add_user(SandboxUser(lms_id, name, roles))
        with requests.Session() as browser:
            answer = launch_through(
                browser, self.peer.launch_url(user=lms_id, resource=self.unit_resource.id)
            )
        assert answer.status_code == 200, answer.text[:300]
        known = self.container.identities.find(LtiIdentity(self.peer.issuer, lms_id))
        assert known is not None
        return Learner(lms_id, known.person_id)

    def learner(self, lms_id: str) -> Learner:
        return self.launch(lms_id, name=f"Pupil {lms_id}", roles=(LEARNER,))

    def teacher(self, lms_id: str) -> Learner:
        teacher = self.launch(lms_id, name=f"Teacher {lms_id}", roles=(INSTRUCTOR,))
        # The tool lets teachers take the course too; the LMS still cannot grade them.
        self.container.hub.enrol_trainee(self.edition_id, teacher.person_id)
        return teacher

    def finish_unit(self, who: Learner) -> None:
        for activity_id in self.activity_ids:
            self.container.progress.mark_activity_done(who.person_id, activity_id)

    def outbox(self) -> list[OutboxEntry]:
        return sorted(self.container.passback.list(), key=lambda e: e.id)

    def wait_final(self, count: int | None = None) -> list[OutboxEntry]:
        def settled() -> bool:
            entries = self.outbox()
            return (count is None or len(entries) == count) and all(
                e.status is not ScoreStatus.PENDING for e in entries
            )

        wait_for(settled, "every score to be sent, skipped or dead")
        return self.outbox()

    def scores_of(self, lms_id: str) -> list[Any]:
        column = self.gradebook.lineitem_url(self.gradebook.column_for(self.unit_resource))
        return [s for url, s in self.gradebook.accepted_scores(column) if s.user_id == lms_id]


def seed_unit(hub: Any) -> tuple[int, int, tuple[int, ...]]:
    edition = hub.create_edition(
        "Distance course", date.today().year, date.today(), date.today() + timedelta(days=60)
    )
    unit = hub.add_unit(
        edition.id,
        "Unit 1: eTwinning",
        "What eTwinning is.",
        activities=[("Read", "Read the unit."), ("Post", "Post in the forum.")],
    )
    return unit.id, edition.id, tuple(a.id for a in unit.activities)
