"""Officers judge projects and labels: they read the evidence, never pupils' work nor other
countries' teachers' contact data (``etwin_lti.domain.api_access``). On both databases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.model import PersonKind
from tests.conftest import make_test_app, settle
from tests.integration.api.world import World, build_world

Headers = dict[str, str]


@dataclass(frozen=True)
class Content:
    w: World
    post: int
    teacher_comment: int
    pupil_comment: int
    fr_mail: int  # a French teacher with an e-mail
    de_mail: int  # a German teacher with an e-mail


@pytest.fixture
def both_app(app_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_database_url, tmp_path)
    yield app
    settle(app)


@pytest.fixture
def content(both_app: Flask) -> Content:
    hub = both_app.extensions["etwin"].hub
    w = build_world(hub)
    post = hub.post_diary(w.fr, w.project, "Week 1", "We met our partners.").id
    teacher_comment = hub.comment_diary(w.de, post, "Great start!").id
    pupil_comment = hub.comment_diary(w.pupil, post, "I liked the video call").id
    thread = hub.create_thread(w.fr, w.twinspace, "Our favourite river", "Which is yours?").id
    hub.reply_thread(w.pupil, thread, "Mine is the Loire.")
    fr_mail = hub.create_person(
        "Anne", PersonKind.TEACHER, country_code="FR", email="anne@school.fr"
    ).id
    de_mail = hub.create_person(
        "Klaus", PersonKind.TEACHER, country_code="DE", email="klaus@schule.de"
    ).id
    return Content(w, post, teacher_comment, pupil_comment, fr_mail, de_mail)


def token(app: Flask, role: str, country: str | None = None) -> Headers:
    store = app.extensions["etwin"].api_tokens
    _, secret = store.create(ApiTokenRole(role), now=datetime.now(UTC), country_code=country)
    return {"Authorization": f"Bearer {secret}"}


OFFICERS: list[tuple[str, str | None]] = [
    ("nso_officer", "FR"),  # a founder's NSO
    ("nso_officer", "ES"),  # an NSO with no partner in the project
    ("css_officer", None),
]


@pytest.mark.parametrize(("role", "country"), OFFICERS)
def test_officers_read_the_evidence_but_no_pupils_content(
    both_app: Flask, content: Content, role: str, country: str | None
) -> None:
    headers = token(both_app, role, country)
    client = both_app.test_client()
    w = content.w

    project = client.get(f"/api/v1/projects/{w.project}", headers=headers)
    assert project.status_code == 200

    diary = client.get(f"/api/v1/projects/{w.project}/diary", headers=headers)
    assert diary.status_code == 200
    [post] = diary.get_json()
    assert post["id"] == content.post  # partners' posts are the evidence
    assert [c["id"] for c in post["comments"]] == [content.teacher_comment]

    threads = client.get(f"/api/v1/twinspaces/{w.twinspace}/threads", headers=headers)
    assert (threads.status_code, threads.get_json()["code"]) == (403, "forbidden")

    snapshot = client.get(f"/api/v1/twinspaces/{w.twinspace}/snapshot", headers=headers)
    assert snapshot.status_code == 200
    body = snapshot.get_json()
    assert body["threads"] == []
    # The authors shown are those of what is left: the commenting pupil is not named.
    assert w.pupil not in [a["person_id"] for a in body["authors"]]
    assert {c["role"] for c in body["role_counts"]} >= {"teacher_administrator", "pupil"}
    assert [c["id"] for p in body["diary"] for c in p["comments"]] == [content.teacher_comment]
    assert "I liked the video call" not in snapshot.get_data(as_text=True)
    assert "Mine is the Loire" not in snapshot.get_data(as_text=True)

    for path in (f"/twinspaces/{w.twinspace}/snapshot", f"/twinspaces/{w.twinspace}/pages"):
        as_pupil = client.get(f"/api/v1{path}?viewer_id={w.pupil}", headers=headers)
        assert as_pupil.status_code == 403, path  # no reading as a member


def test_an_admin_token_reads_everything(both_app: Flask, content: Content) -> None:
    """The remote-hub client and LMS bridges use admin tokens: nothing is filtered for them."""
    headers = token(both_app, "admin")
    client = both_app.test_client()
    w = content.w
    diary = client.get(f"/api/v1/projects/{w.project}/diary", headers=headers).get_json()
    assert {c["id"] for c in diary[0]["comments"]} == {
        content.teacher_comment,
        content.pupil_comment,
    }
    threads = client.get(f"/api/v1/twinspaces/{w.twinspace}/threads", headers=headers)
    assert [t["title"] for t in threads.get_json()] == ["Our favourite river"]
    person = client.get(f"/api/v1/people/{content.de_mail}", headers=headers).get_json()
    assert person["email"] == "klaus@schule.de"


@pytest.mark.parametrize(
    ("role", "country", "sees_fr", "sees_de"),
    [
        ("nso_officer", "FR", True, False),  # its own country's teachers only
        ("nso_officer", "DE", False, True),
        ("nso_officer", "ES", False, False),
        ("css_officer", None, False, False),
    ],
)
def test_officers_see_contact_data_of_their_own_country_only(
    both_app: Flask,
    content: Content,
    role: str,
    country: str | None,
    sees_fr: bool,
    sees_de: bool,
) -> None:
    headers = token(both_app, role, country)
    client = both_app.test_client()
    for person_id, name, email, sees in (
        (content.fr_mail, "Anne", "anne@school.fr", sees_fr),
        (content.de_mail, "Klaus", "klaus@schule.de", sees_de),
    ):
        response = client.get(f"/api/v1/people/{person_id}", headers=headers)
        assert response.status_code == 200
        person = response.get_json()
        assert person["display_name"] == name  # the person is shown, without the e-mail
        assert person["email"] == (email if sees else None)
        assert (email in response.get_data(as_text=True)) is sees


@pytest.mark.parametrize("country", ["CH", "GB", "ZZ"])
def test_an_nso_token_of_a_country_outside_etwinning_is_refused_at_use(
    both_app: Flask, content: Content, country: str
) -> None:
    """CH and GB are in the country list as no longer eligible; ZZ is not in it at all. The
    CLI refuses to create such tokens; one stored before its country left is refused here."""
    headers = token(both_app, "nso_officer", country)
    client = both_app.test_client()
    for path in ("/countries", f"/projects/{content.w.project}", f"/people/{content.fr_mail}"):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert (response.status_code, response.get_json()["code"]) == (403, "forbidden"), path


def test_the_officer_rules_apply_to_every_officer_role() -> None:
    """A new token role must be placed in the policy on purpose (teachers: a person-bound role
    whose reads ``etwin_lti.web.api.auth`` scopes, test_teacher_tokens.py)."""
    assert {r.value for r in ApiTokenRole} == {"admin", "nso_officer", "css_officer", "teacher"}
