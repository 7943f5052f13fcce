"""The route x actor table (``table.py``) against the app: every route has a row, every row
holds for every actor, and no answer shows someone pupils' work or contact data they may not
read."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.integration.authz.conftest import AuthzWorld
from tests.integration.authz.table import ACTORS, ROWS, Row

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Werkzeug for every rule


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_of_the_url_map_has_a_row(authz_world: AuthzWorld) -> None:
    """A new route fails here until someone decides, in the table, who may call it."""
    found = routes(authz_world.app)
    assert sorted(found - ROWS.keys()) == [], "routes without a row in table.py"
    assert sorted(ROWS.keys() - found) == [], "rows in table.py for no route"


def test_every_row_names_every_actor() -> None:
    for key, row in ROWS.items():
        assert set(row.expect) == set(ACTORS), key


def call(world: AuthzWorld, actor: str, method: str, row: Row) -> Any:
    who = world.actors[actor]
    path = row.path.format(**world.ids)
    body = {k: str(v).format(**world.ids) for k, v in row.body.items()}
    if path.startswith("/api/"):
        kwargs: dict[str, Any] = {"json": body} if method != "GET" else {}
    else:
        kwargs = {"data": {**who.hidden, **body}} if method != "GET" else {}
    return who.client.open(path, method=method, headers=who.headers, **kwargs)


@pytest.mark.parametrize(("method", "rule"), sorted(ROWS), ids=lambda v: str(v))
def test_each_actor_gets_the_tables_answer(authz_world: AuthzWorld, method: str, rule: str) -> None:
    row = ROWS[(method, rule)]
    got, leaks = {}, []
    for actor in ACTORS:
        response = call(authz_world, actor, method, row)
        got[actor] = response.status_code
        # Uploaded files are binary: searched for leaks all the same.
        text = response.get_data().decode("utf-8", "replace")
        response.close()  # static files are streamed from an open file
        leaks += [
            (actor, secret)
            for secret, readers in authz_world.private.items()
            if actor not in readers and secret in text
        ]
    wrong = {a: (row.expect[a], got[a]) for a in ACTORS if got[a] != row.expect[a]}
    assert wrong == {}, "actor: (expected, got)"
    assert leaks == []
    assert max(got.values()) < 500
