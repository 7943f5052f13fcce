"""The local database hub passes the hub contract on SQLite and on PostgreSQL.

Here the suite can also see the storage: every refused call must leave every hub table exactly
as it was (a full dump before and after), not only what the port re-reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

import etwin_lti.persistence.models.hub as hub_models
from connectors.local_hub import LocalHub
from etwin_lti.domain.model import (
    AcknowledgementKind,
    EventStatus,
    PersonKind,
    Project,
    TwinSpaceRole,
)
from etwin_lti.errors import DuplicateAcknowledgementError, RuleViolationError
from etwin_lti.persistence.db import Database
from tests.contract.hub_contract import HubContract, running_event, space, teacher
from tests.support.hub_tables import dump


class TestLocalHub(HubContract):
    @pytest.fixture
    def database(self, database_url: str) -> Iterator[Database]:
        database = Database(database_url)
        yield database
        database.dispose()

    @pytest.fixture
    def hub(self, database: Database) -> LocalHub:
        hub = LocalHub(database)
        hub.seed_countries()
        self._database = database
        return hub

    def stored_state(self, hub: object) -> object:
        return dump(self._database)


# --- what only the local implementation can show ------------------------------------------------


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_country_seed_is_idempotent_and_versioned(database: Database) -> None:
    hub = LocalHub(database)
    assert hub.seed_countries() == hub.seed_countries()
    first = hub.list_countries()
    assert len(first) == 46
    # A new list version that drops a country keeps it stored (old projects refer to it) but
    # no longer lists it and makes it ineligible.
    newer = {
        "version": "2099.1",
        "countries": [
            {"code": c.code, "name": c.name, "nso": c.nso, "programme": c.programme}
            for c in first
            if c.code not in {"XK", "GB", "CH"}
        ],
    }
    marie = hub.create_person("Marie", PersonKind.TEACHER, country_code="XK")
    assert LocalHub(database, country_list=newer).seed_countries() == "2099.1"
    assert "XK" not in {c.code for c in hub.list_countries()}
    assert hub.get_person(marie.id).country_code == "XK"
    rows = dump(database)
    assert {r[0] for r in rows["country_lists"]} == {"2025.1", "2099.1"}


def test_injected_clock_decides_event_status(database: Database) -> None:
    moment = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
    hub = LocalHub(database, clock=lambda: moment)
    hub.seed_countries()
    expert = hub.create_person("Expert", PersonKind.EXPERT)
    event = hub.create_event("E", "", expert.id, date(2030, 3, 1), date(2030, 3, 14), 5)
    assert event.status is EventStatus.RUNNING
    assert hub.get_person(expert.id) == expert
    certificate = hub.issue_acknowledgement(
        AcknowledgementKind.EVENT_CERTIFICATE, expert.id, "event:1", "Certificate"
    )
    assert certificate.issued_at == moment
    later = LocalHub(database, clock=lambda: moment + timedelta(days=10))
    assert later.get_event(event.id).status is EventStatus.FINISHED


def test_the_constraint_not_only_the_check_refuses_duplicates(database: Database) -> None:
    """Two requests that both passed the check: the unique constraint stops the second."""
    hub = LocalHub(database)
    hub.seed_countries()
    person = teacher(hub)
    hub.issue_acknowledgement(AcknowledgementKind.EVENT_CERTIFICATE, person.id, "event:1", "C")
    with database.session() as session:
        session.add(
            hub_models.AcknowledgementRow(
                kind="event_certificate",
                person_id=person.id,
                subject="event:1",
                title="C",
                issued_at=datetime.now(UTC),
                evidence={},
            )
        )
        with pytest.raises(Exception) as caught:
            session.flush()
        assert "unique" in str(caught.value).lower()
        session.rollback()
    with pytest.raises(DuplicateAcknowledgementError):
        hub.issue_acknowledgement(AcknowledgementKind.EVENT_CERTIFICATE, person.id, "event:1", "C")


@pytest.mark.postgres
def test_concurrent_enrolments_never_overbook(postgres_url: str) -> None:
    database = Database(postgres_url, pool_size=8)
    try:
        hub = LocalHub(database)
        hub.seed_countries()
        event = running_event(hub, capacity=3)
        teachers = [teacher(hub).id for _ in range(8)]
        barrier = threading.Barrier(len(teachers))
        outcomes: list[str] = []

        def enrol(person_id: int) -> None:
            barrier.wait()
            try:
                hub.enrol(event.id, person_id)
                outcomes.append("in")
            except RuleViolationError:
                outcomes.append("full")

        threads = [threading.Thread(target=enrol, args=(t,)) for t in teachers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["full"] * 5 + ["in"] * 3
        assert hub.get_event(event.id).enrolled == 3
        assert len(hub.list_enrolments(event.id)) == 3
    finally:
        database.dispose()


@pytest.mark.postgres
def test_concurrent_launches_of_one_pupil_make_one_member(postgres_url: str) -> None:
    """Two first launches at once: one member, no IntegrityError reaching the caller."""
    database = Database(postgres_url, pool_size=4)
    try:
        hub = LocalHub(database)
        hub.seed_countries()
        s = space(hub, pupils=False)
        pupil = hub.create_person("Pupil Q.", PersonKind.PUPIL, country_code="FR")
        barrier = threading.Barrier(4)
        roles: list[str] = []

        def launch() -> None:
            barrier.wait()
            roles.append(hub.sync_member(s.id, pupil.id, TwinSpaceRole.PUPIL).role.value)

        threads = [threading.Thread(target=launch) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert roles == ["pupil"] * 4
        assert [m.person_id for m in hub.list_members(s.id)].count(pupil.id) == 1
    finally:
        database.dispose()


def _found_while_moving(hub: LocalHub, founder: int, partner: int) -> tuple[object, object]:
    """Found a project and move the founder to Germany at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def found() -> None:
        barrier.wait()
        outcomes["project"] = hub.create_project(founder, partner, "Rivers")

    def move() -> None:
        barrier.wait()
        try:
            outcomes["country"] = hub.set_person_country(founder, founder, "DE")
        except RuleViolationError as error:
            outcomes["country"] = error

    threads = [threading.Thread(target=found), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes["project"], outcomes["country"]


@pytest.mark.postgres
def test_a_country_never_changes_under_a_concurrent_founding(postgres_url: str) -> None:
    """Whichever call wins, the project's recorded country is the founder's country: both
    lock the person's row."""
    database = Database(postgres_url, pool_size=4)
    try:
        hub = LocalHub(database)
        hub.seed_countries()
        for _ in range(5):
            founder, partner = teacher(hub, "FR"), teacher(hub, "IT")
            project, moved = _found_while_moving(hub, founder.id, partner.id)
            assert isinstance(project, Project)
            final = hub.get_person(founder.id).country_code
            assert project.founder_countries[0] == final
            assert (final == "FR") is isinstance(moved, RuleViolationError)
    finally:
        database.dispose()
