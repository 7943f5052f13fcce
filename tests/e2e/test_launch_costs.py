"""What one launch costs once the platform keys are cached: SQL round trips and outbound HTTP.

Counted, not timed. The numbers are printed (``-s``) for the closing note; the bounds are the
counts measured when the launch was last slimmed down (docs/benchmarks.md), so that any extra
round trip (a per-launch key fetch, an N+1 query, a write where nothing changed) shows.
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


# (launch POST statements, its page included: first launch, returning user). The launch POST
# answers with the activity's page (ADR 0036): what was the POST and the page's GET is one
# request, which no longer reads back the session it has just written.
# A teacher's launch reads the person once more (``LaunchService._adopt_country``) and a first
# one sets the country. A first launch claims the identity before creating the person and
# settles it after (one person, no orphan, under concurrent first launches); the hub reads no
# country list for a person without one. Two are bound resources (issue 9): the activity's
# binding (one read) and the launcher of the resource link, which scores are sent through (one
# insert in the session's transaction). A first launch makes a new member: after its commit
# the TwinSpace page's cache token is renewed (ADR 0016), one write in the shared cache (here
# the database's; Redis in production), and its page reads the snapshot once (counts, never
# members) and stores it.
# A returning user (issue 11, ADR 0033, ADR 0036): the platform, deployment, role policy,
# binding, identity and membership come from the worker's memos, the resource link and launcher
# were written moments ago; left are the state and replay marks (here the database's cache: two
# INSERTs), the identity once more (its first launch renewed that memo), the session insert
# and the page's two cache tokens: 7 for a pupil, 8 for a teacher (the country) plus the
# teacher's invitations read. Up to three more are the memos' token checks (one read per memo
# and second) when the machine is slow.
LAUNCH_BOUNDS = {ROLE_LEARNER: (34, 10), ROLE_INSTRUCTOR: (41, 11)}
# A reload (the page by its address): the session and the two cache tokens (each read here is
# SQL: the database cache); the membership from the memo, the decoded snapshot kept by its key;
# one more for a memo's token check.
WARM_PAGE_BOUND = 4
# Every page a teacher opens asks for their pending partner invitations (one SELECT, ADR 0028);
# pupils' pages skip it.
TEACHER_PAGE_EXTRA = {ROLE_LEARNER: 0, ROLE_INSTRUCTOR: 1}


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
    assert world.browser().launch(login_hint="warm-up").status_code == 200  # caches the keys
    fetches = world.platform.jwks_fetches
    engine = world.container.database.engine
    labels = ("first launch of a user", "returning user")
    for label, bound in zip(labels, LAUNCH_BOUNDS[role], strict=True):
        browser = world.browser()
        with StatementCounter(engine) as login_sql:
            form = browser.authorize(browser.start_login(login_hint="new-user"))
        with StatementCounter(engine) as launch_sql:
            response = browser.post(form)  # the launch and its page: one answer (ADR 0036)
        assert response.status_code == 200, response.text[:500]
        print(
            f"\n[{engine.dialect.name}] {label}: login {len(login_sql.statements)} SQL, "
            f"launch and page {len(launch_sql.statements)} SQL {launch_sql.statements}"
        )
        assert len(login_sql.statements) <= 2  # the platform; the login state (SQL cache)
        assert len(launch_sql.statements) <= bound + TEACHER_PAGE_EXTRA[role]
        if label == "returning user":  # nothing changed: the membership is not rewritten
            assert "UPDATE" not in launch_sql.statements
        with StatementCounter(engine) as warm_sql:  # a reload: the page by its own address
            assert browser.get(response.headers["Content-Location"]).status_code == 200
        warm_bound = WARM_PAGE_BOUND + TEACHER_PAGE_EXTRA[role]
        assert len(warm_sql.statements) <= warm_bound, warm_sql.statements
    assert world.platform.jwks_fetches == fetches  # no outbound HTTP once keys are cached
