"""API test helpers: tokens are created through the real token store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask

from etwin_lti.domain.api_tokens import ApiTokenRole

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
