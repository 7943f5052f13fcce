"""Teachers on the REST API (issue 12 item 7): a teacher token, or the embedded page's launch
session with its CSRF token, acts AS that teacher under the pages' rules, on both databases.

The hub world is ``world.build_world``: ``fr`` and ``de`` founded the approved European project
(``fr`` is a teacher administrator of its TwinSpace, where ``pupil`` works); ``it`` takes part
in nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from connectors.sql_person_merge import merge_person
from etwin_lti.errors import AuthenticationError, InvalidInputError
from etwin_lti.persistence.models.api_tokens import ApiTokenRow
from etwin_lti.persistence.models.audit import AuditRow
from etwin_lti.services.api_tokens import create_teacher_token
from tests.conftest import make_test_app, settle
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]


def database(app: Flask) -> Any:
    return app.extensions["etwin"].database


def post(app: Flask, path: str, headers: Headers, body: Any = None) -> Any:
    return app.test_client().post(path, headers=headers, json=body)


# --- writes act as the token's person -----------------------------------------------------------


def test_a_teacher_token_posts_to_the_diary_of_its_own_project(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    headers = teacher(w.fr)
    path = f"/api/v1/projects/{w.project}/diary"
    left_out = post(api_app, path, headers, {"title": "Week 1", "body": "We met."})
    assert left_out.status_code == 201, left_out.get_json()
    assert left_out.get_json()["author_id"] == w.fr  # the token's person, not a parameter
    named = post(api_app, path, headers, {"actor_id": w.fr, "title": "Week 2", "body": "More."})
    assert named.status_code == 201
    listed = api_app.test_client().get(path, headers=headers).get_json()
    assert [p["title"] for p in listed] == ["Week 2", "Week 1"]


def test_a_teacher_token_adds_materials_as_a_link_and_as_an_uploaded_file(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    headers = teacher(w.fr)
    path = f"/api/v1/twinspaces/{w.twinspace}/materials"
    link = {"title": "Map", "kind": "link", "url": "https://maps.example/eu"}
    added = post(api_app, path, headers, link)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["author_id"] == w.fr
    upload = api_app.test_client().post(
        path,
        headers=headers,
        data={"title": "Notes", "file": (io.BytesIO(b"Minutes of our first call."), "n.txt")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["author_id"] == w.fr
    spoofed = post(api_app, path, headers, {**link, "actor_id": w.it})
    assert (spoofed.status_code, spoofed.get_json()["code"]) == (403, "actor_mismatch")


def test_another_project_refuses_the_teacher(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    headers = teacher(w.it)
    before = snapshot(database(api_app))
    diary = f"/api/v1/projects/{w.project}/diary"
    assert post(api_app, diary, headers, {"title": "Hi", "body": "x"}).status_code == 403
    client = api_app.test_client()
    for path in (
        diary,
        f"/api/v1/projects/{w.project}",
        f"/api/v1/twinspaces/{w.twinspace}",
        f"/api/v1/twinspaces/{w.twinspace}/members",
        f"/api/v1/twinspaces/{w.twinspace}/pages",
        f"/api/v1/twinspaces/{w.twinspace}/threads",
        f"/api/v1/twinspaces/{w.twinspace}/snapshot",
        f"/api/v1/people/{w.pupil}",  # a pupil of a TwinSpace they do not teach in
        f"/api/v1/acknowledgements/{w.certificate}",  # fr's certificate
    ):
        answer = client.get(path, headers=headers)
        assert (answer.status_code, answer.get_json()["code"]) == (403, "not_yours"), path
    assert snapshot(database(api_app)) == before
    # Lists hold only what the teacher takes part in.
    assert client.get("/api/v1/projects", headers=headers).get_json() == []
    assert client.get("/api/v1/twinspaces", headers=headers).get_json() == []


def test_reads_are_what_the_teacher_may_see(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    headers = teacher(w.fr)
    client = api_app.test_client()
    projects = client.get("/api/v1/projects", headers=headers).get_json()
    assert {p["id"] for p in projects} == {w.project, w.national}
    pupil = client.get(f"/api/v1/people/{w.pupil}", headers=headers)
    assert pupil.status_code == 200  # a pupil of their own TwinSpace, as the page shows them
    assert (
        client.get(f"/api/v1/twinspaces/{w.twinspace}/threads", headers=headers).status_code == 200
    )
    mine = client.get("/api/v1/acknowledgements", headers=headers).get_json()
    assert w.certificate in {a["id"] for a in mine}
    assert {a["person_id"] for a in mine} == {w.fr}  # de's label of the same project: not theirs


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/audit", None),  # READ_AUDIT
        ("POST", "/api/v1/projects/{project}/validations", {"nso_country_code": "FR"}),
        ("POST", "/api/v1/nql-applications/1/decision", {}),
        ("POST", "/api/v1/projects/{project}/eql", None),
        # WRITE endpoints that name no acting person: no teacher does these
        ("POST", "/api/v1/people", {"display_name": "X", "kind": "teacher"}),
        ("POST", "/api/v1/acknowledgements", {}),
        ("PUT", "/api/v1/twinspaces/{twinspace}/members/{pupil}/sync", {}),
    ],
)
def test_admin_only_endpoints_refuse_the_teacher(
    api_app: Flask, w: World, teacher: Callable[..., Headers], method: str, path: str, body: Any
) -> None:
    headers = teacher(w.fr)
    before = snapshot(database(api_app))
    url = path.format(project=w.project, twinspace=w.twinspace, pupil=w.pupil)
    answer = api_app.test_client().open(url, method=method, headers=headers, json=body)
    assert answer.status_code == 403, answer.get_json()
    assert snapshot(database(api_app)) == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/projects/{project}/diary", {"actor_id": "{de}", "title": "t", "body": "b"}),
        ("/api/v1/projects/{project}/diary", {"actor_id": None, "title": "t", "body": "b"}),
        ("/api/v1/projects/{project}/diary", {"actor_id": True, "title": "t", "body": "b"}),
        ("/api/v1/projects/{project}/diary", {"actor_id": "fr-as-text", "title": "t", "body": "b"}),
        ("/api/v1/projects/{project}/close", {"actor_id": "{de}"}),
        ("/api/v1/twinspaces/{twinspace}/members/{pupil}/suspend", {"actor_id": "{de}"}),
        ("/api/v1/projects", {"founder_id": "{de}", "partner_founder_id": "{it}", "title": "t"}),
        ("/api/v1/events/{event}/enrolments", {"person_id": "{it}"}),
    ],
)
def test_spoofing_another_actor_is_refused(
    api_app: Flask, w: World, teacher: Callable[..., Headers], path: str, body: dict[str, Any]
) -> None:
    ids = {"de": w.de, "it": w.it}
    sent = {
        k: ids[v[1:-1]] if isinstance(v, str) and v[1:-1] in ids else v for k, v in body.items()
    }
    if sent.get("actor_id") == "fr-as-text":
        sent["actor_id"] = str(w.fr) + ".0"
    headers = teacher(w.fr)
    before = snapshot(database(api_app))
    url = path.format(project=w.project, twinspace=w.twinspace, pupil=w.pupil, event=w.event)
    answer = post(api_app, url, headers, sent)
    assert (answer.status_code, answer.get_json()["code"]) == (403, "actor_mismatch")
    assert snapshot(database(api_app)) == before


def test_query_fields_naming_another_person_are_refused(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    client = api_app.test_client()
    headers = teacher(w.fr)
    for path in (
        f"/api/v1/twinspaces/{w.twinspace}/pages?viewer_id={w.de}",
        f"/api/v1/projects?member_id={w.it}",
        f"/api/v1/projects?member_id={w.fr}&member_id={w.it}",
        f"/api/v1/acknowledgements?person_id={w.de}",
    ):
        answer = client.get(path, headers=headers)
        assert (answer.status_code, answer.get_json()["code"]) == (403, "actor_mismatch"), path
    assert client.get(f"/api/v1/projects?member_id={w.fr}", headers=headers).status_code == 200


def test_a_path_naming_the_actor_takes_only_the_teachers_own_id(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    answer = api_app.test_client().put(f"/api/v1/activities/1/done/{w.de}", headers=teacher(w.fr))
    assert (answer.status_code, answer.get_json()["code"]) == (403, "actor_mismatch")


# --- which tokens exist, and which work ---------------------------------------------------------


def test_no_token_for_a_pupil_or_an_unknown_person(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    for person in (w.pupil, w.expert, 999_999):
        with pytest.raises(InvalidInputError) as refused:
            create_teacher_token(
                etwin.hub, etwin.api_tokens, person, label="", now=datetime.now(UTC)
            )
        assert "person_id" in refused.value.errors
    assert etwin.api_tokens.list_tokens() == []


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer etw_",
        "Bearer etw_x y",
        "Bearer \u00e9t\u00e9",
        "Token etw_abc",
        "Bearer " + "a" * 5000,
    ],
)
def test_malformed_tokens_are_401_json(api_app: Flask, w: World, authorization: str) -> None:
    answer = api_app.test_client().get("/api/v1/projects", headers={"Authorization": authorization})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "unauthenticated"


def test_revoked_and_expired_teacher_tokens_are_401(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    client = api_app.test_client()
    expired = teacher(w.fr, now=datetime.now(UTC) - timedelta(days=3), days=2)
    answer = client.get("/api/v1/projects", headers=expired)
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthenticated")
    live = teacher(w.fr)
    assert client.get("/api/v1/projects", headers=live).status_code == 200
    store = api_app.extensions["etwin"].api_tokens
    newest = store.list_tokens(person_id=w.fr)[-1]
    store.revoke(newest.id, now=datetime.now(UTC), person_id=w.fr)
    answer = client.get("/api/v1/projects", headers=live)
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthenticated")


def test_last_used_is_written_at_most_once_a_minute(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    t0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    token, secret = create_teacher_token(etwin.hub, etwin.api_tokens, w.fr, label="", now=t0)
    for seconds, expected in ((0, 0), (30, 0), (59, 0), (60, 60), (90, 60), (125, 125)):
        etwin.api_tokens.authenticate(secret, now=t0 + timedelta(seconds=seconds))
        [stored] = etwin.api_tokens.list_tokens(person_id=w.fr)
        assert stored.last_used_at == t0 + timedelta(seconds=expected), seconds


def test_a_teacher_holds_a_bounded_number_of_tokens(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    now = datetime.now(UTC)
    for _ in range(10):
        create_teacher_token(etwin.hub, etwin.api_tokens, w.fr, label="", now=now)
    with pytest.raises(Exception) as refused:
        create_teacher_token(etwin.hub, etwin.api_tokens, w.fr, label="", now=now)
    assert getattr(refused.value, "error", None) == "too_many_tokens"
    first = etwin.api_tokens.list_tokens(person_id=w.fr)[0]
    etwin.api_tokens.revoke(first.id, now=now, person_id=w.fr)
    create_teacher_token(etwin.hub, etwin.api_tokens, w.fr, label="", now=now)  # room again


def test_creation_and_revocation_are_audited_without_the_secret(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    now = datetime.now(UTC)
    token, secret = create_teacher_token(
        etwin.hub, etwin.api_tokens, w.fr, label="Marie's", now=now
    )
    etwin.api_tokens.revoke(token.id, now=now, person_id=w.fr)
    etwin.api_tokens.revoke(token.id, now=now, person_id=w.fr)  # idempotent: one entry
    rows = [r for r in _audit(api_app) if r.subject_kind == "api_token"]
    assert [(r.action, r.subject_id) for r in rows] == [
        ("api_token.created", str(token.id)),
        ("api_token.revoked", str(token.id)),
    ]
    assert rows[0].details == {"role": "teacher", "person": str(w.fr)}
    assert all(secret not in str(r.details) and "Marie" not in str(r.details) for r in rows)


def test_someone_elses_token_cannot_be_revoked(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    token, _ = create_teacher_token(
        etwin.hub, etwin.api_tokens, w.de, label="", now=datetime.now(UTC)
    )
    with pytest.raises(Exception) as refused:
        etwin.api_tokens.revoke(token.id, now=datetime.now(UTC), person_id=w.fr)
    assert getattr(refused.value, "status_code", None) == 404
    assert etwin.api_tokens.list_tokens()[0].revoked_at is None


def test_a_merge_moves_the_tokens_and_an_erasure_deletes_them(api_app: Flask, w: World) -> None:
    etwin = api_app.extensions["etwin"]
    now = datetime.now(UTC)
    _, secret = create_teacher_token(etwin.hub, etwin.api_tokens, w.it, label="", now=now)
    with database(api_app).session() as s:
        merge_person(s, w.it, w.fr)
    assert etwin.api_tokens.authenticate(secret, now=now).person_id == w.fr
    exported = etwin.privacy.export(w.fr, now=now)
    [record] = exported["api_tokens"]
    assert record["role"] == "teacher" and "token_hash" not in record
    etwin.privacy.erase(w.fr, now=now, force=True)
    with pytest.raises(AuthenticationError):
        etwin.api_tokens.authenticate(secret, now=now)
    with database(api_app).session() as s:
        assert s.scalars(select(ApiTokenRow).where(ApiTokenRow.person_id == w.fr)).all() == []


def test_the_openapi_document_lists_the_launch_session_and_teacher_roles(api_app: Flask) -> None:
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["launchSession"]["in"] == "cookie"
    assert schemes["launchCsrf"] == {
        **schemes["launchCsrf"],
        "in": "header",
        "name": "X-Etwin-CSRF",
    }
    assert {"launchSession": [], "launchCsrf": []} in document["security"]
    paths = document["paths"]
    assert "teacher" in paths["/api/v1/projects/{project_id}/diary"]["post"]["x-token-roles"]
    assert "teacher" not in paths["/api/v1/people"]["post"]["x-token-roles"]
    assert "teacher" not in paths["/api/v1/audit"]["get"]["x-token-roles"]


def _audit(app: Flask) -> list[AuditRow]:
    with database(app).session() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        s.expunge_all()
        return list(rows)


def test_every_endpoint_holds_for_a_teacher_outside_everything(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    """The URL map walked with the token of a teacher who takes part in nothing: endpoints not
    documented for teachers are 403, reads of TwinSpaces and projects are 403, nothing is 5xx
    and nothing is written. A new endpoint is covered without editing this test."""
    headers = teacher(w.it)
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    before = snapshot(database(api_app))
    client = api_app.test_client()
    for rule in api_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(
            r"<int:(\w+)>", lambda m: str(w.twinspace if "twinspace" in m[1] else 1), rule.rule
        )
        path = re.sub(r"<any\((\w+)[^>]*>", r"\1", path)  # the first choice of an any()
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        doc_path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) == ENROL:
                continue  # an empty body is a whole request there: below
            answer = client.open(path, method=method, headers=headers, json={})
            roles = document["paths"][doc_path][method.lower()]["x-token-roles"]
            assert answer.status_code < 500, (method, path)
            if "teacher" not in roles:
                assert answer.status_code == 403, (method, path, answer.get_json())
            elif method == "GET" and {"twinspace_id", "project_id"} & set(rule.arguments):
                assert answer.status_code == 403, (method, path)
    assert snapshot(database(api_app)) == before
    # The one endpoint an empty body completes: the teacher enrols themself (the page's button).
    enrolled = client.post(f"/api/v1/events/{w.event}/enrolments", headers=headers, json={})
    assert (enrolled.status_code, enrolled.get_json()["person_id"]) == (201, w.it)


ENROL = ("POST", "/api/v1/events/<int:event_id>/enrolments")


def test_a_view_parsing_its_own_body_binds_the_person_when_it_says_so(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    """``requires(..., acting_body=True)``: e.g. a multipart upload parsed inside the view; the
    parser binds the actor there too. Without the flag such a WRITE stays admin-only."""
    from flask import request

    from etwin_lti.domain.api_tokens import ApiPermission
    from etwin_lti.web.api.auth import requires
    from etwin_lti.web.api.parsing import ApiBlueprint
    from schemas.api.common import ActorSchema

    app = make_test_app(app_sqlite_url, tmp_path)
    bp = ApiBlueprint("api_probe", __name__, url_prefix="/api/v1/probe")

    @bp.post("/declared")
    @requires(ApiPermission.WRITE, acting_body=True)
    def declared() -> Any:
        return bp.ARGUMENTS_PARSER.parse(ActorSchema(), request, location="json")

    @bp.post("/undeclared")
    @requires(ApiPermission.WRITE)
    def undeclared() -> Any:
        return bp.ARGUMENTS_PARSER.parse(ActorSchema(), request, location="json")

    app.register_blueprint(bp)
    w = build_world(app.extensions["etwin"].hub)
    etwin = app.extensions["etwin"]
    _, secret = create_teacher_token(
        etwin.hub, etwin.api_tokens, w.fr, label="", now=datetime.now(UTC)
    )
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert client.post("/api/v1/probe/declared", headers=headers, json={}).get_json() == {
        "actor_id": w.fr
    }
    spoofed = client.post("/api/v1/probe/declared", headers=headers, json={"actor_id": w.de})
    assert (spoofed.status_code, spoofed.get_json()["code"]) == (403, "actor_mismatch")
    refused = client.post("/api/v1/probe/undeclared", headers=headers, json={})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "admin_only")
    settle(app)


def test_a_guest_teacher_reads_what_the_page_shows_a_guest_and_no_forum(
    api_app: Flask, w: World, teacher: Callable[..., Headers]
) -> None:
    """A read-only guest of the TwinSpace (a visiting teacher): the pages and materials the hub
    shows that member (the page's own answer), but neither the forum nor the Diary through the
    API (the project's work, not the guest's)."""
    from etwin_lti.domain.model import TwinSpaceRole

    hub = api_app.extensions["etwin"].hub
    hub.add_page(w.fr, w.twinspace, "Public plan", "For all.", visibility="public")
    hub.add_page(w.fr, w.twinspace, "Private plan", "Members.", visibility="private")
    hub.add_member(w.fr, w.twinspace, w.it, TwinSpaceRole.GUEST)
    headers = teacher(w.it)
    client = api_app.test_client()
    pages = client.get(f"/api/v1/twinspaces/{w.twinspace}/pages", headers=headers)
    as_on_the_page = hub.list_pages(w.twinspace, viewer_id=w.it)
    assert [p["title"] for p in pages.get_json()] == [p.title for p in as_on_the_page]
    for path in (
        f"/api/v1/twinspaces/{w.twinspace}/threads",
        f"/api/v1/projects/{w.project}/diary",
    ):
        answer = client.get(path, headers=headers)
        assert (answer.status_code, answer.get_json()["code"]) == (403, "not_yours"), path
    founder = client.get(f"/api/v1/twinspaces/{w.twinspace}/pages", headers=teacher(w.de))
    assert {p["title"] for p in founder.get_json()} == {"Public plan", "Private plan"}
    hub.suspend_member(w.fr, w.twinspace, w.it)  # a suspended guest reads nothing any more
    gone = client.get(f"/api/v1/twinspaces/{w.twinspace}/pages", headers=headers)
    assert (gone.status_code, gone.get_json()["code"]) == (403, "not_yours")
