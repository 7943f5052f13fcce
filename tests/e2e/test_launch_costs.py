"""What one launch costs once the platform keys are cached: SQL round trips and outbound HTTP.

Counted, not timed. The numbers are printed (``-s``) for the closing note; the bounds only catch
a regression such as a per-launch key fetch or an N+1 query.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from etwin_lti.lti import claims as c
from tests.e2e.conftest import World
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

pytestmark = pytest.mark.e2e


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement.split()[0].upper())


@pytest.mark.parametrize("role", [ROLE_LEARNER, ROLE_INSTRUCTOR], ids=["pupil", "teacher"])
def test_a_launch_with_cached_keys_makes_no_http_call_and_few_sql_round_trips(
    any_db_world: World, role: str
) -> None:
    world = any_db_world
    world.platform.claims = {
        "roles": [role],
        c.CUSTOM: {
            "etwin_resource": f"twinspace:{world.resources.twinspace_id}",
            "etwin_country": "FR",
        },
    }
    assert world.browser().launch(login_hint="warm-up").status_code == 303  # caches the keys
    fetches = world.platform.jwks_fetches
    engine = world.container.database.engine
    for label, user in (("first launch of a user", "new-user"), ("returning user", "new-user")):
        browser = world.browser()
        with StatementCounter(engine) as login_sql:
            form = browser.authorize(browser.start_login(login_hint=user))
        with StatementCounter(engine) as launch_sql:
            response = browser.post(form)
        assert response.status_code == 303, response.text[:500]
        print(
            f"\n[{engine.dialect.name}] {label}: login {len(login_sql.statements)} SQL, "
            f"launch {len(launch_sql.statements)} SQL {launch_sql.statements}"
        )
        assert len(login_sql.statements) <= 3
        assert len(launch_sql.statements) <= 30
    assert world.platform.jwks_fetches == fetches  # no outbound HTTP once keys are cached
