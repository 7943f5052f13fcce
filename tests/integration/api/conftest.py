"""API test helpers: tokens are created through the real token store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.services.api_tokens import create_teacher_token
from tests.conftest import make_test_app, settle
from tests.integration.api.world import World, build_world

Headers = dict[str, str]


@pytest.fixture
def make_token(app: Flask) -> Callable[..., Headers]:
    def make(role: str = "admin", country: str | None = None) -> Headers:
        store = app.extensions["etwin"].api_tokens
        _, secret = store.create(ApiTokenRole(role), now=datetime.now(UTC), country_code=country)
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def admin(make_token: Callable[..., Headers]) -> Headers:
    return make_token("admin")


# An app of its own per test (no demo data) and the API world built in it, with teacher tokens
# made the way the CLI and the page make them.
@pytest.fixture
def api_app(app_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_database_url, tmp_path)
    yield app
    settle(app)


@pytest.fixture
def w(api_app: Flask) -> World:
    return build_world(api_app.extensions["etwin"].hub)


@pytest.fixture
def teacher(api_app: Flask) -> Callable[..., Headers]:
    """A teacher token for a person, made the way the CLI and the page make it."""

    def make(person_id: int, **kwargs: Any) -> Headers:
        etwin = api_app.extensions["etwin"]
        now = kwargs.pop("now", datetime.now(UTC))
        _, secret = create_teacher_token(
            etwin.hub, etwin.api_tokens, person_id, label="script", now=now, **kwargs
        )
        return {"Authorization": f"Bearer {secret}"}

    return make
