"""The teacher's side of the REST API from inside the LMS (issue 12 item 7), on both databases:
the "API access" page (make, list, revoke; the secret shown once) and the embedded page's own
calls to ``/api/v1`` with the launch session and its CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.pages.conftest import PagesWorld, hidden_fields
from tests.support.lti_tokens import ROLE_INSTRUCTOR

PAGE = "/embed/api-access"


@pytest.fixture(params=["world", pytest.param("pg_world", marks=pytest.mark.postgres)])
def pw(request: pytest.FixtureRequest) -> PagesWorld:
    world: PagesWorld = request.getfixturevalue(request.param)
    return world


def page_fields(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    return hidden_fields(page.get_data(as_text=True))


def api_headers(fields: dict[str, str], *, cookie_blocked: bool = False) -> dict[str, str]:
    """What the page's script sends: the CSRF meta tag in X-Etwin-CSRF (and, without the
    cookie, the launch token in X-Etwin-Launch)."""
    headers = {"X-Etwin-CSRF": fields["csrf_token"]}
    if cookie_blocked:
        headers["X-Etwin-Launch"] = fields["etwin_launch_token"]
    return headers


def diary(pw: PagesWorld) -> str:
    return f"/api/v1/projects/{pw.demo.project_id}/diary"


# --- the launch session as an API credential ----------------------------------------------------


def test_the_embedded_page_posts_to_the_api_with_its_session_and_csrf(pw: PagesWorld) -> None:
    founder = pw.as_founder()
    fields = page_fields(founder, pw.ts_url)
    answer = founder.post(
        diary(pw), headers=api_headers(fields), json={"title": "From the page", "body": "Hi"}
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["author_id"] == pw.demo.people["founder_fr"]
    # With cookies blocked: the header token instead of the cookie, as the pages' forms do.
    blocked = pw.client()
    answer = blocked.post(
        diary(pw),
        headers=api_headers(fields, cookie_blocked=True),
        json={"title": "No cookie", "body": "Hi"},
    )
    assert answer.status_code == 201, answer.get_json()


def test_the_sessions_writes_follow_the_pages_rules_and_are_audited_as_the_person(
    pw: PagesWorld,
) -> None:
    founder_id, pupil = pw.demo.people["founder_fr"], pw.demo.people["pupil_b"]
    member = f"/api/v1/twinspaces/{pw.demo.twinspace_id}/members/{pupil}"
    partner = pw.launched("partner-pl", [ROLE_INSTRUCTOR], pw.ts)
    refused = partner.post(
        member + "/suspend", headers=api_headers(page_fields(partner, pw.ts_url))
    )
    assert refused.status_code == 403  # a partner teacher manages nobody (as on the page)
    founder = pw.as_founder()
    done = founder.post(member + "/suspend", headers=api_headers(page_fields(founder, pw.ts_url)))
    assert (done.status_code, done.get_json()["status"]) == (200, "suspended")
    [entry] = [
        e
        for e in pw.app.extensions["etwin"].audit.list_entries().entries
        if e.action == "twinspace.member_suspended"
    ]
    assert entry.actor == f"person:{founder_id}"


def test_without_csrf_the_session_is_no_api_credential(pw: PagesWorld) -> None:
    founder = pw.as_founder()
    page_fields(founder, pw.ts_url)
    before = len(pw.hub.list_diary(pw.demo.project_id))
    answer = founder.post(diary(pw), json={"title": "Forged", "body": "x"})
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthenticated")
    for wrong in ("", "0" * 64, "not-a-token"):
        answer = founder.post(
            diary(pw), headers={"X-Etwin-CSRF": wrong}, json={"title": "Forged", "body": "x"}
        )
        assert (answer.status_code, answer.get_json()["code"]) == (403, "csrf_failed"), wrong
    # Another session's CSRF token does not fit this session.
    partner = pw.launched("partner-pl", [ROLE_INSTRUCTOR], pw.ts)
    theirs = page_fields(partner, pw.ts_url)
    answer = founder.post(diary(pw), headers=api_headers(theirs), json={"title": "x", "body": "x"})
    assert answer.status_code == 403
    assert len(pw.hub.list_diary(pw.demo.project_id)) == before


def test_a_csrf_header_without_a_session_is_401_json(pw: PagesWorld) -> None:
    answer = pw.client().get("/api/v1/projects", headers={"X-Etwin-CSRF": "x"})
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthenticated")
    expired = pw.client().get(
        "/api/v1/projects", headers={"X-Etwin-CSRF": "x", "X-Etwin-Launch": "forged.token"}
    )
    assert (expired.status_code, expired.get_json()["code"]) == (401, "unauthenticated")


def test_a_pupils_session_is_refused_by_the_api(pw: PagesWorld) -> None:
    pupil = pw.as_pupil()
    fields = page_fields(pupil, pw.ts_url)
    answer = pupil.get("/api/v1/projects", headers=api_headers(fields))
    assert (answer.status_code, answer.get_json()["code"]) == (403, "teachers_only")


def test_the_session_acts_as_its_person_only(pw: PagesWorld) -> None:
    founder = pw.as_founder()
    fields = page_fields(founder, pw.ts_url)
    other = pw.demo.people["partner_pl"]
    answer = founder.post(
        diary(pw), headers=api_headers(fields), json={"actor_id": other, "title": "t", "body": "b"}
    )
    assert (answer.status_code, answer.get_json()["code"]) == (403, "actor_mismatch")
    audit = founder.get("/api/v1/audit", headers=api_headers(fields))
    assert audit.status_code == 403


# --- the API access page ------------------------------------------------------------------------


def make_token(client: FlaskClient, **form: str) -> Any:
    return client.post(PAGE, data={**page_fields(client, PAGE), **form})


def test_a_teacher_makes_lists_uses_and_revokes_a_token(pw: PagesWorld) -> None:
    founder = pw.as_founder()
    assert founder.get(pw.ts_url).get_data(as_text=True).count('data-action="api-access"') == 1
    made = make_token(founder, label="Gradebook script", days="30")
    assert made.status_code == 201, made.get_data(as_text=True)[:600]
    assert made.headers["Cache-Control"] == "no-store"
    text = made.get_data(as_text=True)
    secret = text.split("<code data-secret>")[1].split("</code>")[0]
    assert secret.startswith("etw_")
    listed = founder.get(PAGE).get_data(as_text=True)
    assert "Gradebook script" in listed and secret not in listed  # shown once only
    bearer = {"Authorization": f"Bearer {secret}"}
    answer = pw.client().post(diary(pw), headers=bearer, json={"title": "Script", "body": "b"})
    assert answer.status_code == 201
    assert answer.get_json()["author_id"] == pw.demo.people["founder_fr"]
    [token] = pw.app.extensions["etwin"].api_tokens.list_tokens(
        person_id=pw.demo.people["founder_fr"]
    )
    assert token.last_used_at is not None
    revoked = founder.post(f"{PAGE}/{token.id}/revoke", data=page_fields(founder, PAGE))
    assert revoked.status_code == 303
    answer = pw.client().get("/api/v1/projects", headers=bearer)
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthenticated")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"days": "0"}, "days"),
        ({"days": "366"}, "days"),
        ({"days": "-5"}, "days"),
        ({"days": "ten"}, "days"),
        ({"label": "x" * 201}, "label"),
        ({"label": "bad\x07label"}, "label"),
    ],
)
def test_bad_forms_are_shown_again_and_make_nothing(
    pw: PagesWorld, form: dict[str, str], field: str
) -> None:
    founder = pw.as_founder()
    answer = make_token(founder, **form)
    assert answer.status_code == 422
    assert f'data-field="{field}"' in answer.get_data(as_text=True)
    assert pw.app.extensions["etwin"].api_tokens.list_tokens() == []


def test_the_page_refuses_without_csrf_and_for_pupils(pw: PagesWorld) -> None:
    founder = pw.as_founder()
    # NUL never reaches the view (etwin_lti.web.input_guard): the error page, nothing made.
    assert make_token(founder, label="bad\x00label").status_code == 422
    assert founder.post(PAGE, data={"label": "x"}).status_code == 403
    pupil = pw.as_pupil()
    assert pupil.get(PAGE).status_code == 403
    fields = page_fields(pupil, pw.ts_url)
    assert pupil.post(PAGE, data={**fields, "label": "x"}).status_code == 403
    assert pw.client().get(PAGE).status_code == 401
    assert pw.app.extensions["etwin"].api_tokens.list_tokens() == []


def test_a_teacher_cannot_revoke_someone_elses_token(pw: PagesWorld) -> None:
    partner = pw.launched("partner-pl", [ROLE_INSTRUCTOR], pw.ts)
    assert make_token(partner, label="theirs").status_code == 201
    [theirs] = pw.app.extensions["etwin"].api_tokens.list_tokens()
    founder = pw.as_founder()
    answer = founder.post(f"{PAGE}/{theirs.id}/revoke", data=page_fields(founder, PAGE))
    assert answer.status_code == 404
    assert "theirs" not in founder.get(PAGE).get_data(as_text=True)
    assert pw.app.extensions["etwin"].api_tokens.list_tokens()[0].revoked_at is None
