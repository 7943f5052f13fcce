"""The hub contract suite, run through ``HttpHubConnector`` against a SECOND instance of the tool
served over real HTTP (werkzeug in a thread), on SQLite and on PostgreSQL.

The remote instance has its own database and an admin API token created through its token
store; the connector under test knows only the URL and that token. Like a real second
instance, it keeps running for the whole module (once per database): the contract never
assumes an empty hub, and starting a Flask app per test would triple the suite's run time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from connectors.http_hub import HttpHubConnector, hub_session
from etwin_lti.domain.api_tokens import ApiTokenRole
from tests.conftest import make_test_app
from tests.contract.hub_contract import HubContract
from tests.integration.api.world import snapshot
from tests.support.databases import PostgresDatabase, sqlite_copy


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def remote_app(
    request: pytest.FixtureRequest,
    _sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("remote-instance")
    if request.param == "sqlite":
        url = sqlite_copy(_sqlite_template, instance)
    else:
        postgres: PostgresDatabase = request.getfixturevalue("_postgres")
        postgres.truncate()
        url = postgres.url
    app = make_test_app(url, instance)
    yield app
    app.extensions["etwin"].database.dispose()


@pytest.fixture(scope="module")
def remote(remote_app: Flask) -> Iterator[tuple[str, str]]:
    """The running instance's URL and an admin token made through its token store."""
    store = remote_app.extensions["etwin"].api_tokens
    _, secret = store.create(ApiTokenRole.ADMIN, now=datetime.now(UTC), label="contract")
    server = make_server("127.0.0.1", 0, remote_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", secret
    server.shutdown()
    server.server_close()
    thread.join()


class TestHttpHub(HubContract):
    @pytest.fixture
    def hub(self, remote_app: Flask, remote: tuple[str, str]) -> Iterator[HttpHubConnector]:
        url, secret = remote
        self._remote_database = remote_app.extensions["etwin"].database
        with hub_session(retries=1, backoff_factor=0, allow_private=True) as session:
            yield HttpHubConnector(url, secret, session=session)

    def stored_state(self, hub: object) -> object:
        """The remote instance's tables: a refused HTTP call leaves them untouched too."""
        return snapshot(self._remote_database)
