"""A new person's first visit when the database goes away between creating the person and
recording their LMS identity (the soak's PostgreSQL restart found this window): the launch
waits for the database instead of leaving a person linked to no identity, and gives up
cleanly, naming only ids in the log, when it does not come back.

The real identity store and hub of a test app; only the store's settlement is made to fail,
as a lost connection does (``DependencyUnavailableError``, what ``Database.session`` raises).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.services.provisioning import Newcomer, Provisioner

ISSUER = "https://lms.example"


class SettlesAfter:
    """The container's identity store, whose first ``failures`` settlements meet a lost
    database."""

    def __init__(self, store: Any, failures: int) -> None:
        self._store = store
        self.failures = failures
        self.attempts = 0

    def settle_many(self, people: Any) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise DependencyUnavailableError("The database is unavailable.")
        self._store.settle_many(people)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def provisioner(store: SettlesAfter, pauses: list[float], retry_seconds: float) -> Provisioner:
    return Provisioner(
        store,
        store_pupil_names=False,
        settle_retry_seconds=retry_seconds,
        sleep=pauses.append,
    )


def test_a_database_back_within_the_retry_links_the_new_person(container: Any) -> None:
    store = SettlesAfter(container.identities, failures=3)
    pauses: list[float] = []
    identity = LtiIdentity(ISSUER, "pupil-outage")
    newcomer = Newcomer(identity, deployment_id="1")

    known = provisioner(store, pauses, 15.0).person(container.hub, newcomer, PersonKind.PUPIL)

    assert store.attempts == 4
    assert pauses == [0.1, 0.2, 0.4]  # growing pauses between tries
    assert container.identities.find(identity) == known  # linked: the next launch finds them
    assert container.hub.get_person(known.person_id).display_name == identity.pseudonym("Pupil")


def test_a_database_that_stays_away_fails_the_launch_and_logs_only_ids(
    container: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = SettlesAfter(container.identities, failures=10_000)
    identity = LtiIdentity(ISSUER, "teacher-secret-subject")
    newcomer = Newcomer(identity, deployment_id="1", name="Ana Secret", email="ana@school.example")

    with caplog.at_level(logging.WARNING), pytest.raises(DependencyUnavailableError):
        provisioner(store, [], 0.0).person(container.hub, newcomer, PersonKind.TEACHER)

    assert store.attempts == 1  # no time to wait: one try
    warning = "\n".join(r.getMessage() for r in caplog.records)
    assert "linked to no identity" in warning
    assert "Ana" not in warning and "secret" not in warning.lower() and "@" not in warning
