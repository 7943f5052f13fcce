"""``SqlIdentityStore`` on both databases: one link per (issuer, sub), a first link claimed
before its person exists, a dead request's claim taken over, nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.sql_identities import STALE_CLAIM_SECONDS, SqlIdentityStore
from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.errors import RuleViolationError
from etwin_lti.persistence.db import Database

MOODLE = "https://moodle.school.example"
ANA = LtiIdentity(MOODLE, "17")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url: str, clock: Clock) -> Iterator[SqlIdentityStore]:
    database = Database(database_url)
    yield SqlIdentityStore(database, clock=clock, sleep=lambda _seconds: None)
    database.engine.dispose()


def test_a_claim_is_won_once_then_settled(store: SqlIdentityStore) -> None:
    assert store.claim(ANA, deployment_id="d-1", kind=PersonKind.PUPIL)
    # A concurrent first launch of the same user, through another deployment: it loses.
    assert not store.claim(ANA, deployment_id="d-2", kind=PersonKind.PUPIL)
    assert store.find(ANA) is None  # claimed, not settled: nobody to use yet
    assert store.wait(ANA, timeout_seconds=0) is None
    store.settle(ANA, 5)
    assert store.find(ANA) == KnownPerson(5, PersonKind.PUPIL)
    assert store.wait(ANA, timeout_seconds=0) == KnownPerson(5, PersonKind.PUPIL)
    assert store.known(MOODLE) == {"17": KnownPerson(5, PersonKind.PUPIL)}
    assert store.known(MOODLE, ["17", "99"]) == {"17": KnownPerson(5, PersonKind.PUPIL)}
    assert store.known(MOODLE, []) == {}
    assert store.known("https://another.example") == {}
    assert store.count() == 1


def test_a_released_claim_can_be_claimed_again(store: SqlIdentityStore) -> None:
    assert store.claim(ANA, deployment_id="d-1", kind=PersonKind.TEACHER)
    store.release(ANA)  # the hub refused to create the person
    assert store.count() == 0
    assert store.claim(ANA, deployment_id="d-1", kind=PersonKind.TEACHER)


def test_a_dead_requests_claim_is_taken_over_only_when_stale(
    store: SqlIdentityStore, clock: Clock
) -> None:
    assert store.claim(ANA, deployment_id="d-1", kind=PersonKind.TEACHER)
    clock.now += timedelta(seconds=STALE_CLAIM_SECONDS - 1)
    assert not store.claim(ANA, deployment_id="d-1", kind=PersonKind.TEACHER)
    clock.now += timedelta(seconds=2)
    assert store.claim(ANA, deployment_id="d-2", kind=PersonKind.TEACHER)
    assert not store.claim(ANA, deployment_id="d-2", kind=PersonKind.TEACHER)  # once
    store.settle(ANA, 8)
    clock.now += timedelta(hours=1)
    assert not store.claim(ANA, deployment_id="d-3", kind=PersonKind.TEACHER)  # settled: never
    assert store.find(ANA) == KnownPerson(8, PersonKind.TEACHER)


def test_a_direct_link_is_unique_per_issuer_and_sub(store: SqlIdentityStore) -> None:
    store.link(ANA, 3, deployment_id="d-1", kind=PersonKind.TEACHER)
    with pytest.raises(RuleViolationError):
        store.link(ANA, 4, deployment_id="d-2", kind=PersonKind.TEACHER)  # another deployment
    other = LtiIdentity("https://another.example", "17")
    store.link(other, 4, deployment_id="d-1", kind=PersonKind.TEACHER)  # another LMS: fine
    assert store.find(ANA) == KnownPerson(3, PersonKind.TEACHER)
    assert store.unlink_person(3) == 1 and store.find(ANA) is None


def test_a_roster_claims_and_settles_in_bulk(store: SqlIdentityStore) -> None:
    """A roster's newcomers: one claim of them all, the ones held elsewhere left out, one
    settlement; a release gives back only unsettled claims."""
    assert store.claim(ANA, deployment_id="d-1", kind=PersonKind.PUPIL)  # a launch holds Ana
    batch = [LtiIdentity(MOODLE, str(n)) for n in range(100, 110)]
    claims = [(ANA, PersonKind.PUPIL)] + [(i, PersonKind.PUPIL) for i in batch]
    won = store.claim_many(claims, deployment_id="d-1")
    assert won == set(batch)
    assert store.claim_many(claims, deployment_id="d-1") == set()  # nobody wins twice
    assert store.known(MOODLE) == {}  # claimed, not settled
    store.settle_many({i: 1000 + n for n, i in enumerate(batch[:8])})
    store.release_many([batch[0], batch[8], batch[9]])  # the settled one stays
    assert store.known(MOODLE) == {
        i.subject: KnownPerson(1000 + n, PersonKind.PUPIL) for n, i in enumerate(batch[:8])
    }
    assert store.claim_many([(batch[9], PersonKind.GUEST)], deployment_id="d-2") == {batch[9]}
    assert store.find(ANA) is None  # the launch's claim was not touched
