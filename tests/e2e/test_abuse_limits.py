"""Abuse limits over real HTTP: anonymous logins write nothing, and each limited path answers
429 with Retry-After (a page inside the LMS iframe, the JSON body for the API), counted in
memory on the embedded default and in Redis when ETWIN_REDIS_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import func, select

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.lti import claims as c
from etwin_lti.persistence.models import Base
from tests.e2e.conftest import World, build_world
from tests.e2e.harness import LateApp, ServerThread
from tests.support.redis_dbs import REDIS_LIMITS_URL

pytestmark = pytest.mark.e2e
LIMITS_DB = REDIS_LIMITS_URL  # no other test uses this database


def all_rows(world: World) -> dict[str, int]:
    with world.container.database.engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in Base.metadata.sorted_tables
        }


def test_a_hundred_anonymous_logins_write_no_row(any_db_world: World) -> None:
    before = all_rows(any_db_world)
    browser = any_db_world.browser()
    for number in range(100):
        response = browser.start_login(login_hint=f"stranger-{number}")
        assert response.status_code == 302
    assert all_rows(any_db_world) == before
    # ... and the state those logins carried still opens exactly one launch.
    form = browser.authorize(browser.start_login())
    assert browser.post(form).status_code == 200


@pytest.fixture
def limited_world(
    app_sqlite_url: str,
    tmp_path: Path,
    platform_server: tuple[ServerThread, LateApp],
    request: pytest.FixtureRequest,
) -> Iterator[World]:
    config: dict[str, Any] = {
        "RATE_LIMITS_ENABLED": True,
        "RATE_LIMIT_LOGIN": "3 per minute",
        "RATE_LIMIT_LAUNCH": "3 per minute",
        "RATE_LIMIT_REGISTRATION": "2 per minute",
        "RATE_LIMIT_API_TOKEN": "4 per minute",
        "RATE_LIMIT_API_FAILURES": "2 per minute",
    }
    if getattr(request, "param", None) == "redis":
        redis.Redis.from_url(LIMITS_DB).flushdb()
        config["REDIS_URL"] = LIMITS_DB
    yield from build_world(app_sqlite_url, tmp_path, platform_server, **config)


def _assert_429(response: requests.Response, *, json: bool) -> None:
    assert response.status_code == 429, response.text[:300]
    assert int(response.headers["Retry-After"]) > 0
    if json:
        assert response.json()["code"] == "too_many_requests"
    else:
        assert 'data-error="too_many_requests"' in response.text
        assert "Traceback" not in response.text


@pytest.mark.parametrize("limited_world", ["memory", "redis"], indirect=True)
def test_login_initiation_is_limited_with_a_page(limited_world: World) -> None:
    browser = limited_world.browser()
    for _ in range(3):
        assert browser.start_login().status_code == 302
    _assert_429(browser.start_login(), json=False)
    _assert_429(browser.start_login(method="POST"), json=False)  # one limit for GET and POST


def test_launch_is_limited(limited_world: World) -> None:
    limited_world.platform.claims = {
        c.CUSTOM: {"etwin_resource": f"twinspace:{limited_world.resources.twinspace_id}"}
    }
    browser = limited_world.browser()
    forms = []
    for _ in range(3):  # the login limit is 3 too: every login first, then the launches
        forms.append(browser.authorize(browser.start_login()))
    for form in forms:
        assert browser.post(form).status_code != 429
    _assert_429(browser.post(forms[0]), json=False)


def test_dynamic_registration_is_limited(limited_world: World) -> None:
    url = limited_world.tool.url + "/lti/register"
    for _ in range(2):
        assert requests.get(url, params={"invite": "nope"}, timeout=10).status_code == 403
    _assert_429(requests.get(url, params={"invite": "nope"}, timeout=10), json=False)


def test_refused_api_tokens_are_limited_per_address(limited_world: World) -> None:
    url = limited_world.tool.url + "/api/v1/people/1"
    for guess in ("a", "b"):
        response = requests.get(url, headers={"Authorization": f"Bearer {guess}"}, timeout=10)
        assert response.status_code == 401
    response = requests.get(url, headers={"Authorization": "Bearer c"}, timeout=10)
    _assert_429(response, json=True)


def test_each_api_token_has_its_own_budget(limited_world: World) -> None:
    store = limited_world.container.api_tokens
    _token, first = store.create(ApiTokenRole.ADMIN, now=datetime.now(UTC), label="first")
    _token, second = store.create(ApiTokenRole.ADMIN, now=datetime.now(UTC), label="second")
    url = limited_world.tool.url + "/api/v1/people/1"

    def get(secret: str) -> requests.Response:
        return requests.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=10)

    for _ in range(4):
        assert get(first).status_code in (200, 404)
    _assert_429(get(first), json=True)
    assert get(second).status_code in (200, 404)  # not throttled by the other token
