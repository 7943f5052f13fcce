"""A tool app, a fake Moodle and a hub with an edition and an event, wired for the bridge tests.

Moodle users become hub people the way launches make them: an LTI identity
(issuer = the fake Moodle's URL, sub = the Moodle user id) linked to a hub person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.moodle import AcknowledgementTarget, CourseMapping, MoodleSite, TargetKind
from tests.support.fake_moodle import TOKEN, FakeMoodle

COURSE_ID = 7
EVENT_COURSE_ID = 9
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def identities(container: Any) -> Any:
    """The identity store of the container."""
    return container.identities


def fast_bridge(container: Any) -> Any:
    """The container's bridge, with retries that do not wait."""
    bridge = container.moodle
    bridge._client_options.update(backoff_seconds=0.0, timeout=5.0)
    return bridge


@dataclass
class MoodleWorld:
    container: Any
    moodle: FakeMoodle
    site: MoodleSite
    edition_id: int
    event_id: int
    people: dict[int, int]  # Moodle user id → hub person id

    @property
    def bridge(self) -> Any:
        return self.container.moodle

    def learner(self, moodle_user_id: int, *, link: bool = True) -> int:
        """Enrol a Moodle student in the mapped course and (with ``link``) give them a hub
        person linked through their LTI identity, as their first launch would."""
        self.moodle.enrol(COURSE_ID, moodle_user_id, f"Learner {moodle_user_id}")
        if not link:
            return 0
        person = self.container.hub.create_person(
            f"Learner {moodle_user_id}", PersonKind.TEACHER, country_code="FR"
        )
        identities(self.container).link(
            LtiIdentity(self.site.issuer, str(moodle_user_id)),
            person.id,
            deployment_id="1",
            kind=person.kind,
        )
        self.people[moodle_user_id] = person.id
        return person.id

    def map(
        self, course_id: int = COURSE_ID, *, event: bool = False, cmid: int | None = None
    ) -> CourseMapping:
        target = (
            AcknowledgementTarget(TargetKind.EVENT, self.event_id)
            if event
            else AcknowledgementTarget(TargetKind.EDITION, self.edition_id)
        )
        return self.bridge.map_course(self.site.id, course_id, target, now=NOW, cmid=cmid)

    def poll(self, site_id: int | None = None) -> Any:
        return self.bridge.poll(now=lambda: NOW, site_id=site_id)

    def acknowledgements(self, subject: str | None = None) -> list[Any]:
        return self.container.hub.list_acknowledgements(subject=subject)


def build_world(container: Any, moodle: FakeMoodle) -> MoodleWorld:
    hub = container.hub
    trainer = hub.create_person("Tina Trainer", PersonKind.TRAINER, country_code="PT")
    edition = hub.create_edition(
        "Distance course 2026", 2026, date(2026, 1, 10), date(2026, 6, 30), trainer_ids=[trainer.id]
    )
    hub.add_unit(edition.id, "Unit 1: eTwinning", "What eTwinning is", activities=[("Read", "...")])
    hub.add_unit(edition.id, "Unit 2: Projects", "Founding a project")
    expert = hub.create_person("Erik Expert", PersonKind.EXPERT, country_code="SE")
    event = hub.create_event(
        "Media literacy", "A Learning Event", expert.id, date(2026, 4, 1), date(2026, 4, 14), 30
    )
    moodle.add_course(COURSE_ID, "Distance course 2026 (Moodle)")
    moodle.add_course(EVENT_COURSE_ID, "Media literacy (Moodle)")
    identities(container)
    bridge = fast_bridge(container)
    site, _info = bridge.add_site(moodle.url, TOKEN, now=NOW, label="school")
    return MoodleWorld(container, moodle, site, edition.id, event.id, {})
