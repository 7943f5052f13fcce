"""What officers' tokens are for: an NSO decides its own country's NQL applications (the EQL
follows by rule), the CSS withdraws the EQL. Everything else they may only read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from etwin_lti.domain.model import NqlCriterion, NqlSubCriterion
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]
SCORES = {c.value: 4 for c in NqlCriterion}
SUB_SCORES = {s.value: 4 for s in NqlSubCriterion}


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def apply(app: Flask, admin: Headers, w: World, teacher: int) -> int:
    response = app.test_client().post(
        f"/api/v1/projects/{w.project}/nql-applications",
        headers=admin,
        json={"actor_id": teacher},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def decide(app: Flask, headers: Headers, application: int, **extra: object):  # type: ignore[no-untyped-def]
    body = {"scores": SCORES, "sub_scores": SUB_SCORES, **extra}
    return app.test_client().post(
        f"/api/v1/nql-applications/{application}/decision", headers=headers, json=body
    )


def test_nso_decides_its_country_and_css_awards_the_eql(
    app: Flask, admin: Headers, make_token: Callable[..., Headers], world: World
) -> None:
    fr_application = apply(app, admin, world, world.fr)
    de_application = apply(app, admin, world, world.de)
    nso_fr, nso_de = make_token("nso_officer", "FR"), make_token("nso_officer", "DE")

    before = snapshot(app.extensions["etwin"].database)
    refused = decide(app, nso_fr, de_application)  # the German teacher's NSO decides
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert snapshot(app.extensions["etwin"].database) == before

    for headers, application in ((nso_fr, fr_application), (nso_de, de_application)):
        granted = decide(app, headers, application)
        assert granted.status_code == 200, granted.get_json()
        assert granted.get_json()["decision"] == "granted"

    # The second country's NQL awarded the EQL by rule; the CSS reads it, cannot award it
    # twice, and may withdraw it with a reason.
    css = make_token("css_officer")
    labels = app.test_client().get(
        f"/api/v1/acknowledgements?subject=project:{world.project}", headers=css
    )
    awarded = [a for a in labels.get_json() if a["kind"] == "european_quality_label"]
    assert sorted(a["person_id"] for a in awarded) == sorted([world.fr, world.de])
    assert {a["evidence"]["awarded_by"] for a in awarded} == {"rule"}
    again = app.test_client().post(f"/api/v1/projects/{world.project}/eql", headers=css)
    assert (again.status_code, again.get_json()["code"]) == (409, "eql_already_awarded")

    before = snapshot(app.extensions["etwin"].database)
    for role, country in (("nso_officer", "FR"), ("nso_officer", "DE")):
        refused = app.test_client().post(
            f"/api/v1/projects/{world.project}/eql/withdrawal",
            headers=make_token(role, country),
            json={"reason": "An NSO tries"},
        )
        assert refused.status_code == 403
    assert snapshot(app.extensions["etwin"].database) == before
    withdrawn = app.test_client().post(
        f"/api/v1/projects/{world.project}/eql/withdrawal",
        headers=css,
        json={"reason": "The evidence was copied."},
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert sorted(a["person_id"] for a in withdrawn.get_json()) == sorted([world.fr, world.de])
    assert all(a["revoked_at"] for a in withdrawn.get_json())
    again = app.test_client().post(f"/api/v1/projects/{world.project}/eql", headers=css)
    assert (again.status_code, again.get_json()["code"]) == (409, "eql_withdrawn")


@pytest.mark.parametrize("role", ["nso_officer", "css_officer"])
def test_officers_read_the_hub(
    app: Flask, make_token: Callable[..., Headers], world: World, role: str
) -> None:
    headers = make_token(role, "FR" if role == "nso_officer" else None)
    client = app.test_client()
    project = client.get(f"/api/v1/projects/{world.project}", headers=headers)
    members = client.get(f"/api/v1/twinspaces/{world.twinspace}/members", headers=headers)
    assert (project.status_code, project.get_json()["status"]) == (200, "approved")
    assert {m["person_id"] for m in members.get_json()} >= {world.fr, world.de, world.pupil}
