"""The test suite's own database fixtures keep each test isolated: the PostgreSQL database is
emptied like ``TRUNCATE ... RESTART IDENTITY`` and a template snapshot reloads exactly."""

from __future__ import annotations

import pytest

from connectors.local_hub import LocalHub
from etwin_lti.domain.model import PersonKind
from etwin_lti.persistence.db import Database
from tests.support.databases import PostgresDatabase
from tests.support.hub_tables import dump


@pytest.mark.postgres
def test_emptied_database_restarts_ids_and_a_snapshot_reloads_exactly(
    _postgres: PostgresDatabase,
) -> None:
    _postgres.truncate()
    database = Database(_postgres.url)
    hub = LocalHub(database)
    try:
        hub.seed_countries()
        first = hub.create_person("Anna", PersonKind.TEACHER, country_code="FR")
        snapshot, before = _postgres.snapshot(), dump(database)

        _postgres.truncate()
        assert not any(dump(database).values())
        hub.seed_countries()
        assert hub.create_person("Anna", PersonKind.TEACHER, country_code="FR").id == first.id

        _postgres.restore(snapshot)
        assert dump(database) == before
        # Ids continue after the snapshot's, as in the database it was taken from.
        assert hub.create_person("Bernd", PersonKind.TEACHER, country_code="DE").id > first.id
    finally:
        database.dispose()
