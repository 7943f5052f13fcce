"""The label rules hold whoever asks, an admin token included, and every accepted decision
leaves one audit entry that tool admins read from ``GET /api/v1/audit`` (SQLite and
PostgreSQL). A refused call changes no table, the audit log included."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.model import NqlCriterion, NqlSubCriterion
from tests.conftest import make_test_app, settle
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]
SCORES = {c.value: 4 for c in NqlCriterion}
ZERO = {c.value: 0 for c in NqlCriterion}
MET = {s.value: 4 for s in NqlSubCriterion}


@pytest.fixture
def app(app_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_database_url, tmp_path)
    yield app
    settle(app)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def call(app: Flask, headers: Headers, method: str, path: str, body: Any = None) -> Any:
    return app.test_client().open(f"/api/v1{path}", method=method, headers=headers, json=body)


def label_body(kind: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {
        "kind": kind,
        "person_id": w.fr,
        "subject": f"project:{w.project}",
        "title": "A label",
    }


# role, country, method, path, body, status, code. The same refusal for every role that may
# call the endpoint at all: an admin token gets no way around the rules.
REFUSALS = {
    "admin issues an NQL directly": (
        "admin", None, "POST", "/acknowledgements", label_body("national_quality_label"),
        409, "label_procedure",
    ),
    "admin issues an EQL directly": (
        "admin", None, "POST", "/acknowledgements", label_body("european_quality_label"),
        409, "label_procedure",
    ),
    "admin issues an eTwinning Label directly": (
        "admin", None, "POST", "/acknowledgements", label_body("etwinning_label"),
        409, "label_procedure",
    ),
    "NSO issues an NQL directly": (
        "nso_officer", "FR", "POST", "/acknowledgements", label_body("national_quality_label"),
        403, "forbidden",
    ),
    "CSS issues an EQL directly": (
        "css_officer", None, "POST", "/acknowledgements", label_body("european_quality_label"),
        403, "forbidden",
    ),
    "admin awards the EQL to a national project": (
        "admin", None, "POST", "/projects/{national}/eql", lambda w: None, 409, "national_project",
    ),
    "CSS awards the EQL to a national project": (
        "css_officer", None, "POST", "/projects/{national}/eql", lambda w: None,
        409, "national_project",
    ),
    "admin awards the EQL to a project with no labels": (
        "admin", None, "POST", "/projects/{project}/eql", lambda w: None, 409, "eql_not_earned",
    ),
    "CSS awards the EQL to a project with no labels": (
        "css_officer", None, "POST", "/projects/{project}/eql", lambda w: None,
        409, "eql_not_earned",
    ),
    "admin chooses the NQL school year": (
        "admin", None, "POST", "/projects/{project}/nql-applications",
        lambda w: {"actor_id": w.fr, "school_year": "1999-2000"}, 422, "invalid_input",
    ),
    "admin applies for an NQL for a national project": (
        "admin", None, "POST", "/projects/{national}/nql-applications",
        lambda w: {"actor_id": w.fr}, 409, "national_project",
    ),
    "course certificate naming a project": (
        "admin", None, "POST", "/acknowledgements",
        lambda w: {"kind": "course_certificate", "person_id": w.fr,
                   "subject": f"project:{w.project}", "title": "Certificate"},
        422, "invalid_input",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("role", "country", "method", "path", "body", "status", "code"),
    REFUSALS.values(),
    ids=REFUSALS.keys(),
)
def test_the_same_rules_for_every_token(
    app: Flask,
    make_token: Callable[..., Headers],
    world: World,
    role: str,
    country: str | None,
    method: str,
    path: str,
    body: Callable[[World], Any],
    status: int,
    code: str,
) -> None:
    headers = make_token(role, country)
    database = app.extensions["etwin"].database
    before = snapshot(database)
    url = path.format(project=world.project, national=world.national)
    response = call(app, headers, method, url, body(world))
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert snapshot(database) == before  # nothing written, no audit entry either


def apply(app: Flask, admin: Headers, w: World, teacher: int) -> int:
    response = call(
        app, admin, "POST", f"/projects/{w.project}/nql-applications", {"actor_id": teacher}
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


@pytest.mark.parametrize(("role", "country"), [("admin", None), ("nso_officer", "FR")])
def test_nql_with_no_points_is_refused_for_every_decider(
    app: Flask,
    admin: Headers,
    make_token: Callable[..., Headers],
    world: World,
    role: str,
    country: str | None,
) -> None:
    application = apply(app, admin, world, world.fr)
    body = {"scores": ZERO, "sub_scores": MET}
    if role == "admin":
        body["nso_country_code"] = "FR"
    response = call(
        app, make_token(role, country), "POST", f"/nql-applications/{application}/decision", body
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["decision"] == "refused"
    labels = call(app, admin, "GET", f"/acknowledgements?person_id={world.fr}").get_json()
    assert "national_quality_label" not in {a["kind"] for a in labels}


def test_decisions_are_audited_and_only_admins_read_the_log(
    app: Flask, admin: Headers, make_token: Callable[..., Headers], world: World
) -> None:
    nso_fr, nso_de, css = (
        make_token("nso_officer", "FR"),
        make_token("nso_officer", "DE"),
        make_token("css_officer"),
    )
    start = call(app, admin, "GET", "/audit").get_json()["total"]
    fr_app, de_app = apply(app, admin, world, world.fr), apply(app, admin, world, world.de)
    assert (
        call(
            app,
            nso_fr,
            "POST",
            f"/nql-applications/{fr_app}/decision",
            {"scores": SCORES, "sub_scores": MET},
        ).status_code
        == 200
    )
    assert (
        call(
            app,
            nso_de,
            "POST",
            f"/nql-applications/{de_app}/decision",
            {"scores": SCORES, "sub_scores": MET},
        ).status_code
        == 200
    )
    # The German NQL made two countries: the rule awarded the EQL in that decision, so the
    # CSS's award call has nothing left to do (409, nothing written) and the CSS withdraws.
    again = call(app, css, "POST", f"/projects/{world.project}/eql")
    assert (again.status_code, again.get_json()["code"]) == (409, "eql_already_awarded")
    withdrawn = call(
        app, css, "POST", f"/projects/{world.project}/eql/withdrawal", {"reason": "Copied work"}
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()

    page = call(app, admin, "GET", "/audit?limit=4").get_json()
    # The two applications (label.nql_applied), the two decisions, the award and the withdrawal.
    assert page["total"] == start + 6 and page["limit"] == 4 and page["offset"] == 0
    withdrawal, eql, de_nql, fr_nql = page["entries"]  # newest first
    assert (eql["action"], eql["subject_kind"], eql["subject_id"]) == (
        "label.eql_awarded",
        "project",
        str(world.project),
    )
    assert eql["actor"] == de_nql["actor"] and eql["actor"].endswith("/nso_officer")
    assert eql["details"]["awarded_by"] == "rule"
    assert eql["details"]["nql_countries"] == "DE,FR"
    assert fr_nql["action"] == de_nql["action"] == "label.nql_granted"
    assert fr_nql["details"]["nso"] == "FR" and fr_nql["actor"].endswith("/nso_officer")
    assert sorted(eql["details"]["recipient_ids"].split(",")) == sorted(
        [str(world.fr), str(world.de)]
    )
    assert (withdrawal["action"], withdrawal["details"]["reason"]) == (
        "label.eql_withdrawn",
        "Copied work",
    )
    assert withdrawal["actor"].startswith("token:") and withdrawal["actor"].endswith("/css_officer")

    older = call(app, admin, "GET", "/audit?limit=1&offset=4").get_json()
    assert older["entries"][0]["id"] < fr_nql["id"]

    for headers, status in ((nso_fr, 403), (css, 403), ({}, 401)):
        assert call(app, headers, "GET", "/audit").status_code == status
    for query in ("limit=0", "limit=201", "offset=-1", "limit=x", "page=2"):
        assert call(app, admin, "GET", f"/audit?{query}").status_code == 422, query
