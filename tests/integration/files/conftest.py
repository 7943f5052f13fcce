"""Apps for the file tests: SQLite and PostgreSQL with the local file store, and SQLite with the
S3 store (boto3 against moto's real S3 server, tests/support/s3_server.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.domain.api_tokens import ApiTokenRole
from tests.conftest import make_test_app, settle
from tests.integration.api.world import World, build_world, snapshot
from tests.support.s3_server import S3Server, s3_server  # noqa: F401  (session fixture)

Headers = dict[str, str]


@dataclass
class FilesWorld:
    app: Flask
    world: World
    stored: Callable[[], list[str]]  # every object in the file store

    @property
    def hub(self) -> Any:
        return self.app.extensions["etwin"].hub

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def token(self, role: str = "admin", country: str | None = None) -> Headers:
        store = self.app.extensions["etwin"].api_tokens
        _, secret = store.create(ApiTokenRole(role), now=datetime.now(UTC), country_code=country)
        return {"Authorization": f"Bearer {secret}"}

    def state(self) -> tuple[dict[str, list[tuple[Any, ...]]], list[str]]:
        """Every table and every stored object: a refused upload changes neither."""
        return snapshot(self.app.extensions["etwin"].database), self.stored()


def _local_objects(instance: Path) -> Callable[[], list[str]]:
    root = instance / "files"
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def build(request: pytest.FixtureRequest, tmp_path: Path, **config: Any) -> Iterator[FilesWorld]:
    database, store = request.param
    url = request.getfixturevalue(f"app_{database}_url")
    if store == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        bucket = server.new_bucket()
        monkeypatch = request.getfixturevalue("monkeypatch")
        # boto3 reads credentials from the usual AWS variables, as in production.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        config |= {
            "FILE_STORE": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": server.endpoint_url,
            "S3_REGION": "eu-west-1",
        }
        client = server.client()

        def stored() -> list[str]:
            listing = client.list_objects_v2(Bucket=bucket)
            return sorted(o["Key"] for o in listing.get("Contents", []))
    else:
        stored = _local_objects(tmp_path)
    app = make_test_app(url, tmp_path, **config)
    yield FilesWorld(app, build_world(app.extensions["etwin"].hub), stored)
    settle(app)


STORES = [
    pytest.param(("sqlite", "local"), id="sqlite-local"),
    pytest.param(("postgres", "local"), id="postgres-local", marks=pytest.mark.postgres),
    pytest.param(("sqlite", "s3"), id="sqlite-s3"),
]


@pytest.fixture(params=STORES)
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FilesWorld]:
    yield from build(request, tmp_path)


@pytest.fixture(params=STORES[:2])
def small_quota(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FilesWorld]:
    yield from build(request, tmp_path, TWINSPACE_QUOTA_MB=1)
