"""The TwinSpace chat page (``/embed/twinspace/<id>/chat``), its poll and its forms, on SQLite
and PostgreSQL: who reads and posts, every hostile input, moderation, the flood limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from etwin_lti.domain.chat import MESSAGE_MAX
from tests.conftest import make_test_app, settle
from tests.integration.pages.conftest import PagesWorld, hidden_fields
from tests.support.databases import sqlite_copy
from tests.support.lti_tokens import ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR

JSON = {"Accept": "application/json"}


@pytest.fixture(params=["world", pytest.param("pg_world", marks=pytest.mark.postgres)])
def w(request: pytest.FixtureRequest) -> PagesWorld:
    """The pages world on each database."""
    world: PagesWorld = request.getfixturevalue(request.param)
    return world


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def room(w: PagesWorld, twinspace_id: int | None = None) -> str:
    return f"/embed/twinspace/{twinspace_id or w.demo.twinspace_id}/chat"


def fields_of(client: FlaskClient, w: PagesWorld) -> dict[str, str]:
    page = client.get(room(w))
    assert page.status_code == 200, text(page)[:600]
    return hidden_fields(text(page))


def post(client: FlaskClient, w: PagesWorld, body: Any, **kw: Any) -> Any:
    data = {**fields_of(client, w), "body": body} if body is not None else fields_of(client, w)
    return client.post(room(w) + "/messages", data=data, **kw)


def stored(w: PagesWorld) -> Any:
    """Every message of the demo TwinSpace as its founder reads them (for "nothing written")."""
    return w.hub.chat_changes(w.demo.people["founder_fr"], w.demo.twinspace_id)


def other_twinspace(w: PagesWorld) -> int:
    hub, people = w.hub, w.demo.people
    project = hub.create_project(people["national_founder_1"], people["partner_pl"], "Elsewhere")
    hub.validate_project("ES", project.id)
    twinspace_id = hub.validate_project("PL", project.id).twinspace_id
    assert twinspace_id is not None
    return int(twinspace_id)


# --- reading and posting ---------------------------------------------------------------------


def test_members_post_without_javascript_and_see_each_other(w: PagesWorld) -> None:
    founder, pupil = w.as_founder(), w.as_pupil()
    assert 'data-action="open-chat"' in text(founder.get(w.ts_url))
    response = post(founder, w, "  Welcome to our river project!  ")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(room(w) + "?msg=chat_posted")
    assert "Your message was sent." in text(founder.get(response.headers["Location"]))
    assert post(pupil, w, "Hello from class 4B").status_code == 303
    page = text(founder.get(room(w)))
    assert 'data-etwin-role="teacher_administrator"' in page
    assert "Welcome to our river project!" in page and "Hello from class 4B" in page
    # The pupil appears under the pseudonym the TwinSpace page shows, never a real name.
    assert "Pupil B. (FR)" in page
    assert page.index("Welcome to our river") < page.index("Hello from class 4B")
    pupil_page = text(pupil.get(room(w)))
    assert 'data-etwin-role="pupil"' in pupil_page and 'id="chat-form"' in pupil_page
    assert '<script src="/assets/chat.js"' in pupil_page


def test_the_poll_answers_json_changes_after_the_cursor(w: PagesWorld) -> None:
    founder, pupil = w.as_founder(), w.as_pupil()
    start = json.loads(pupil.get(room(w) + "/messages").data)
    post(founder, w, "First")
    post(founder, w, "Second")
    answer = pupil.get(room(w) + "/messages", query_string={"after": start["cursor"]})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert [m["body"] for m in body["messages"]] == ["First", "Second"]
    founder_name = w.hub.get_member(w.demo.twinspace_id, w.demo.people["founder_fr"]).display_name
    assert {(m["author"], m["mine"]) for m in body["messages"]} == {(founder_name, False)}
    assert not body["more"] and body["cursor"] > start["cursor"]
    again = pupil.get(room(w) + "/messages", query_string={"after": body["cursor"]}).get_json()
    assert again["messages"] == [] and again["cursor"] == body["cursor"]


def test_the_script_posts_and_gets_the_line_back_as_json(w: PagesWorld) -> None:
    pupil = w.as_pupil()
    response = post(pupil, w, "Sent by the script", headers=JSON)
    assert response.status_code == 201
    line = response.get_json()["message"]
    assert line["body"] == "Sent by the script" and line["mine"] and line["can_delete"]
    assert not line["can_hide"]  # pupils do not moderate


def test_html_in_a_message_is_shown_as_text(w: PagesWorld) -> None:
    founder, pupil = w.as_founder(), w.as_pupil()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert post(pupil, w, hostile).status_code == 303
    page = text(founder.get(room(w)))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x" in page
    # JSON carries the text as typed; the page's script sets it with textContent.
    polled = founder.get(room(w) + "/messages").get_json()["messages"]
    assert polled[-1]["body"] == hostile


BAD_BODIES = [
    ("empty", "", "cannot be empty"),
    ("blank", " \n\t ", "cannot be empty"),
    ("too long", "x" * (MESSAGE_MAX + 1), f"At most {MESSAGE_MAX}"),
    ("control characters", "ding\x07dong", "Control characters"),
    ("escape sequence", "\x1b[31mred", "Control characters"),
    ("missing field", None, "cannot be empty"),
]


@pytest.mark.parametrize(
    ("body", "why"), [r[1:] for r in BAD_BODIES], ids=[r[0] for r in BAD_BODIES]
)
def test_bad_messages_are_refused_and_write_nothing(w: PagesWorld, body: Any, why: str) -> None:
    client = w.as_pupil()
    before = stored(w)
    page = post(client, w, body)
    assert page.status_code == 422 and 'data-field="body"' in text(page)
    assert why in text(page) and 'id="chat-form"' in text(page)
    answer = post(client, w, body, headers=JSON)
    assert answer.status_code == 422 and why in answer.get_json()["errors"]["body"][0]
    assert stored(w) == before


def test_exactly_the_longest_message_is_accepted(w: PagesWorld) -> None:
    assert post(w.as_pupil(), w, "é" * MESSAGE_MAX).status_code == 303


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "9" * 13, "٣", "1 OR 1=1", "0x10"])
def test_a_bad_cursor_is_a_json_422(w: PagesWorld, cursor: str) -> None:
    answer = w.as_pupil().get(room(w) + "/messages", query_string={"after": cursor})
    assert answer.status_code == 422 and answer.mimetype == "application/json"
    assert "after" in answer.get_json()["errors"]


def test_a_forged_cursor_past_the_room_is_brought_back(w: PagesWorld) -> None:
    client = w.as_founder()
    post(client, w, "One")
    real = client.get(room(w) + "/messages").get_json()["cursor"]
    far = client.get(room(w) + "/messages", query_string={"after": "999999999"}).get_json()
    assert far == {"cursor": real, "more": False, "messages": []}


# --- who may not ---------------------------------------------------------------------------


def test_another_twinspaces_chat_is_refused_whatever_the_url(w: PagesWorld) -> None:
    other = other_twinspace(w)
    w.hub.post_chat_message(w.demo.people["national_founder_1"], other, "Private to them")
    pupil = w.as_pupil()
    fields = fields_of(pupil, w)
    page = pupil.get(room(w, other))
    assert page.status_code == 403 and 'data-error="not_your_resource"' in text(page)
    poll = pupil.get(room(w, other) + "/messages")
    assert poll.status_code == 403 and poll.mimetype == "application/json"
    assert "Private to them" not in text(poll)
    before = w.hub.chat_changes(w.demo.people["national_founder_1"], other)
    sent = pupil.post(room(w, other) + "/messages", data={**fields, "body": "Hi"})
    assert sent.status_code == 403
    assert w.hub.chat_changes(w.demo.people["national_founder_1"], other) == before


def test_a_member_of_both_reads_both_but_messages_do_not_cross(w: PagesWorld) -> None:
    other = other_twinspace(w)  # partner_pl founded it
    partner = w.launched("partner-pl", [ROLE_INSTRUCTOR], w.ts)
    other_line = w.hub.post_chat_message(w.demo.people["partner_pl"], other, "Only there")
    assert partner.get(room(w, other)).status_code == 200
    fields = fields_of(partner, w)
    # A message of the other TwinSpace moderated through this TwinSpace's URL: not found.
    response = partner.post(room(w) + f"/messages/{other_line.id}/delete", data=fields)
    assert response.status_code == 404
    assert "Only there" not in text(partner.get(room(w)))


def test_a_suspended_member_neither_reads_nor_posts(w: PagesWorld) -> None:
    pupil = w.as_pupil()
    fields = fields_of(pupil, w)
    w.hub.suspend_member(w.demo.people["founder_fr"], w.demo.twinspace_id, w.demo.people["pupil_b"])
    before = stored(w)
    assert pupil.get(room(w)).status_code == 403
    poll = pupil.get(room(w) + "/messages")
    assert poll.status_code == 403 and poll.get_json()["code"] == "forbidden"
    sent = pupil.post(room(w) + "/messages", data={**fields, "body": "Let me in"})
    assert sent.status_code == 403
    assert stored(w) == before


def test_a_tool_administrator_without_membership_cannot_chat(w: PagesWorld) -> None:
    admin = w.launched("new-admin", [ROLE_INSTITUTION_ADMIN], w.ts)
    assert admin.get(w.ts_url).status_code == 200  # the public TwinSpace page, no chat link
    assert 'data-action="open-chat"' not in text(admin.get(w.ts_url))
    assert admin.get(room(w)).status_code == 403
    assert admin.get(room(w) + "/messages").status_code == 403


def test_without_a_session_401_and_nothing_written(w: PagesWorld) -> None:
    before = stored(w)
    anonymous = w.client()
    assert anonymous.get(room(w)).status_code == 401
    poll = anonymous.get(room(w) + "/messages")
    assert poll.status_code == 401 and poll.mimetype == "application/json"
    assert anonymous.post(room(w) + "/messages", data={"body": "Hi"}).status_code == 401
    assert stored(w) == before


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_missing_or_forged_csrf_token_is_refused(w: PagesWorld, token: str | None) -> None:
    client = w.as_pupil()
    fields = fields_of(client, w)
    fields.pop("csrf_token")
    if token is not None:
        fields["csrf_token"] = token
    before = stored(w)
    response = client.post(room(w) + "/messages", data={**fields, "body": "Sneaky"})
    assert response.status_code == 403 and 'data-error="csrf_failed"' in text(response)
    assert stored(w) == before


def test_the_launch_token_header_stands_in_for_a_blocked_cookie(w: PagesWorld) -> None:
    pupil = w.as_pupil()
    fields = fields_of(pupil, w)
    cookieless = w.client()
    poll = cookieless.get(
        room(w) + "/messages", headers={"X-Etwin-Launch": fields["etwin_launch_token"]}
    )
    assert poll.status_code == 200
    sent = cookieless.post(room(w) + "/messages", data={**fields, "body": "No cookie"})
    assert sent.status_code == 200 and "No cookie" in text(sent)  # the page in the answer


def test_an_archived_twinspace_chat_is_read_only(w: PagesWorld) -> None:
    founder = w.as_founder()
    post(founder, w, "Last message before closing")
    fields = fields_of(founder, w)
    [line] = stored(w).messages
    w.hub.close_project(w.demo.people["founder_fr"], w.demo.project_id)
    page = text(founder.get(room(w)))
    assert 'data-archived="true"' in page and "Last message before closing" in page
    assert 'id="chat-form"' not in page and 'data-action="chat-delete"' not in page
    before = stored(w)
    response = founder.post(room(w) + "/messages", data={**fields, "body": "Too late"})
    assert response.status_code == 409 and 'data-error="twinspace_archived"' in text(response)
    hide = founder.post(room(w) + f"/messages/{line.id}/hide", data=fields, headers=JSON)
    assert hide.status_code == 409 and hide.get_json()["code"] == "twinspace_archived"
    assert founder.get(room(w) + "/messages").status_code == 200
    assert stored(w) == before


# --- moderation ------------------------------------------------------------------------------


def test_teacher_administrators_hide_and_delete_and_it_is_audited(w: PagesWorld) -> None:
    founder, pupil = w.as_founder(), w.as_pupil()
    post(pupil, w, "Something unkind")
    [line] = stored(w).messages
    seen = pupil.get(room(w) + "/messages").get_json()["cursor"]
    fields = fields_of(founder, w)
    assert 'data-action="chat-hide"' in text(founder.get(room(w)))
    hidden = founder.post(room(w) + f"/messages/{line.id}/hide", data=fields)
    assert hidden.status_code == 303 and "msg=chat_hidden" in hidden.headers["Location"]
    change = pupil.get(room(w) + "/messages", query_string={"after": seen}).get_json()
    assert [(m["id"], m["hidden"], m["body"]) for m in change["messages"]] == [(line.id, True, "")]
    assert "Something unkind" not in text(pupil.get(room(w)))
    assert "Something unkind" in text(founder.get(room(w)))  # kept for the teachers
    shown = founder.post(room(w) + f"/messages/{line.id}/show", data=fields, headers=JSON)
    assert shown.status_code == 200 and not shown.get_json()["message"]["hidden"]
    gone = founder.post(room(w) + f"/messages/{line.id}/delete", data=fields)
    assert gone.status_code == 303
    assert "Something unkind" not in text(founder.get(room(w)))
    entries = w.app.extensions["etwin"].audit.list_entries().entries
    actions = [(e.action, e.subject_id) for e in entries if e.subject_kind == "chat_message"]
    assert actions == [
        ("chat.message_deleted", str(line.id)),
        ("chat.message_shown", str(line.id)),
        ("chat.message_hidden", str(line.id)),
    ]
    founder_id = str(w.demo.people["founder_fr"])
    assert all(e.actor == f"person:{founder_id}" for e in entries[:3])
    assert all("unkind" not in json.dumps(e.details) for e in entries)


def test_authors_delete_their_own_but_no_one_elses(w: PagesWorld) -> None:
    founder, pupil = w.as_founder(), w.as_pupil()
    post(founder, w, "The teacher's line")
    post(pupil, w, "The pupil's line")
    teacher_line, pupil_line = stored(w).messages
    fields = fields_of(pupil, w)
    before = stored(w)
    for action in ("delete", "hide", "show"):
        refused = pupil.post(room(w) + f"/messages/{teacher_line.id}/{action}", data=fields)
        assert refused.status_code == 403
    assert pupil.post(room(w) + f"/messages/{pupil_line.id}/hide", data=fields).status_code == 403
    assert stored(w) == before
    own = pupil.post(room(w) + f"/messages/{pupil_line.id}/delete", data=fields, headers=JSON)
    assert own.status_code == 200 and own.get_json()["message"]["deleted"]
    assert [
        m.body for m in w.hub.recent_chat(w.demo.people["founder_fr"], w.demo.twinspace_id).messages
    ] == ["The teacher's line"]
    again = pupil.post(room(w) + f"/messages/{pupil_line.id}/delete", data=fields)
    assert again.status_code == 404


@pytest.mark.parametrize("path", ["/messages/1/erase", "/messages/999999/delete"])
def test_unknown_actions_and_messages_are_404(w: PagesWorld, path: str) -> None:
    founder = w.as_founder()
    response = founder.post(room(w) + path, data=fields_of(founder, w))
    assert response.status_code == 404


def test_unknown_twinspace_is_404(w: PagesWorld) -> None:
    client = w.as_founder()
    assert client.get(room(w, 999999)).status_code == 404
    assert client.get(room(w, 999999) + "/messages").status_code == 404


# --- flooding --------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def limited(request: pytest.FixtureRequest, tmp_path: Path, launcher: Any) -> Iterator[PagesWorld]:
    """The pages world with the chat limit on: 3 messages per 30 seconds."""
    limits = {"RATE_LIMITS_ENABLED": True, "RATE_LIMIT_CHAT": "3 per 30 seconds"}
    if request.param == "sqlite":
        template, demo = request.getfixturevalue("_pages_sqlite")
        url = sqlite_copy(template, tmp_path)
    else:
        postgres = request.getfixturevalue("_postgres")
        snapshot, demo = request.getfixturevalue("_pages_postgres")
        url = postgres.restore(snapshot)
    world = PagesWorld(make_test_app(url, tmp_path, **limits), demo, launcher)
    yield world
    settle(world.app)


def test_flooding_the_chat_is_429_per_person_and_twinspace(limited: PagesWorld) -> None:
    w = limited
    pupil, founder = w.as_pupil(), w.as_founder()
    fields = fields_of(pupil, w)
    # Refused messages are no flood: they do not count.
    assert pupil.post(room(w) + "/messages", data={**fields, "body": ""}).status_code == 422
    for n in range(3):
        sent = pupil.post(room(w) + "/messages", data={**fields, "body": f"spam {n}"})
        assert sent.status_code == 303
    flood = pupil.post(room(w) + "/messages", data={**fields, "body": "spam 3"})
    assert flood.status_code == 429 and "Retry-After" in flood.headers
    assert "sending messages too fast" in text(flood)
    as_json = pupil.post(room(w) + "/messages", data={**fields, "body": "spam 4"}, headers=JSON)
    assert as_json.status_code == 429
    assert "sending messages too fast" in as_json.get_json()["message"]
    assert [m.body for m in stored(w).messages] == ["spam 0", "spam 1", "spam 2"]
    # Another person of the same class (same address) is not held back, nor is polling.
    assert post(founder, w, "Please slow down").status_code == 303
    assert pupil.get(room(w) + "/messages").status_code == 200
