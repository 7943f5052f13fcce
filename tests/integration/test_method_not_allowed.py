"""Every route of the URL map answers a method it does not serve with a 405 that names the
methods it does (RFC 9110 section 15.5.6), as JSON for the API and as a page elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import AnyConverter, Rule

from etwin_lti.web.input_guard import IdConverter
from tests.conftest import make_test_app

PROBES = ("PATCH", "DELETE", "PUT", "POST")


def _value(converter: object) -> object:
    if isinstance(converter, IdConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]  # one of the words the route allows
    return "x"


def path_of(rule: Rule) -> str:
    values = {name: _value(converter) for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


@pytest.fixture(params=[False, True], ids=["embedded", "demo"])
def any_app(request: pytest.FixtureRequest, app_sqlite_url: str, tmp_path: Path) -> Flask:
    return make_test_app(app_sqlite_url, tmp_path, DEMO=request.param)


def test_every_route_names_its_methods_on_a_405(any_app: Flask) -> None:
    client = any_app.test_client()
    adapter = any_app.url_map.bind("tool.test")
    checked = 0
    for rule in any_app.url_map.iter_rules():
        path = path_of(rule)
        for probe in (m for m in PROBES if m not in (rule.methods or set())):
            try:
                adapter.match(path, method=probe)
            except MethodNotAllowed as routing:
                response = client.open(path, method=probe)
                assert response.status_code == 405, (probe, path)
                allowed = {m.strip() for m in response.headers["Allow"].split(",")}
                assert allowed == set(routing.valid_methods or ()), (probe, path)
                assert (rule.methods or set()) <= allowed, (probe, path)
                # Badge documents are JSON; the certificates and the verify view are pages.
                page = "/certificate" in path or path.endswith("/verify")
                json = path.startswith("/api/") or (path.startswith("/badges/") and not page)
                assert response.mimetype == ("application/json" if json else "text/html"), path
                checked += 1
                break
            except Exception:  # noqa: BLE001, S112 - another rule serves this probe: try the next
                continue
    assert checked >= 60
