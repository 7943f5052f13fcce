"""Partner invitations on the REST API (issue 12 item 7): teachers invite, answer and withdraw
with their own token under the project page's rules; the old ``POST .../partners`` (no asking)
is for admin tokens only. On both databases; every refusal is JSON and writes nothing.

World (``tests.integration.api.world``): ``fr`` and ``de`` founded the approved project (both
teacher administrators of its TwinSpace); ``it`` and ``fr2`` are teachers outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.api_tokens import ApiTokenRole
from tests.integration.api.world import World, snapshot

Headers = dict[str, str]


@pytest.fixture
def admin(api_app: Flask) -> Headers:
    store = api_app.extensions["etwin"].api_tokens
    _, secret = store.create(ApiTokenRole.ADMIN, now=datetime.now(UTC), label="admin")
    return {"Authorization": f"Bearer {secret}"}


def call(app: Flask, method: str, path: str, headers: Headers, body: Any = None) -> Any:
    return app.test_client().open(path, method=method, headers=headers, json=body)


def invitations(w: World) -> str:
    return f"/api/v1/projects/{w.project}/partner-invitations"


def stored(app: Flask) -> Any:
    return snapshot(app.extensions["etwin"].database)


def test_a_founder_invites_and_the_teacher_accepts_with_their_tokens(
    api_app: Flask, w: World, teacher: Callable[[int], Headers]
) -> None:
    fr, it = teacher(w.fr), teacher(w.it)
    made = call(api_app, "POST", invitations(w), fr, {"invitee_id": w.it})
    assert made.status_code == 201, made.get_json()
    invitation = made.get_json()
    assert (invitation["inviter_id"], invitation["state"]) == (w.fr, "pending")

    mine = call(api_app, "GET", f"/api/v1/people/{w.it}/partner-invitations", it)
    assert [i["id"] for i in mine.get_json()] == [invitation["id"]]
    accepted = call(api_app, "POST", f"/api/v1/partner-invitations/{invitation['id']}/accept", it)
    assert accepted.status_code == 200 and accepted.get_json()["state"] == "accepted"
    project = call(api_app, "GET", f"/api/v1/projects/{w.project}", it).get_json()
    assert w.it in project["partner_ids"]
    listed = call(api_app, "GET", invitations(w), teacher(w.de)).get_json()
    assert [(i["id"], i["state"]) for i in listed] == [(invitation["id"], "accepted")]


def test_declining_and_withdrawing(
    api_app: Flask, w: World, teacher: Callable[[int], Headers]
) -> None:
    fr = teacher(w.fr)
    first = call(api_app, "POST", invitations(w), fr, {"invitee_id": w.it}).get_json()
    declined = call(
        api_app, "POST", f"/api/v1/partner-invitations/{first['id']}/decline", teacher(w.it)
    )
    assert declined.get_json()["state"] == "declined"
    second = call(api_app, "POST", invitations(w), fr, {"invitee_id": w.fr2}).get_json()
    withdrawn = call(
        api_app, "POST", f"/api/v1/partner-invitations/{second['id']}/withdraw", teacher(w.de)
    )
    assert withdrawn.get_json()["state"] == "withdrawn"
    assert (
        call(
            api_app, "GET", f"/api/v1/people/{w.fr2}/partner-invitations", teacher(w.fr2)
        ).get_json()
        == []
    )


def test_teachers_find_partners_by_name(
    api_app: Flask, w: World, teacher: Callable[[int], Headers]
) -> None:
    found = call(api_app, "GET", "/api/v1/teachers?name=giuli", teacher(w.fr))
    assert found.status_code == 200
    assert [p["id"] for p in found.get_json()] == [w.it]
    assert all(p.get("email") is None for p in found.get_json())
    short = call(api_app, "GET", "/api/v1/teachers?name=gi", teacher(w.fr))
    assert short.status_code == 422 and "name" in short.get_json()["errors"]
    big = call(api_app, "GET", "/api/v1/teachers?name=giu&limit=500", teacher(w.fr))
    assert big.status_code == 422 and "limit" in big.get_json()["errors"]


def _pending(api_app: Flask, w: World, teacher: Callable[[int], Headers]) -> int:
    made = call(api_app, "POST", invitations(w), teacher(w.fr), {"invitee_id": w.it})
    return int(made.get_json()["id"])


# (whose token, method, path, body, status, code); {inv} is a pending invitation for ``it``.
REFUSALS = [
    (
        "fr2",
        "POST",
        "/api/v1/partner-invitations/{inv}/accept",
        {},
        403,
        "partner_invitation_not_yours",
    ),
    (
        "fr",
        "POST",
        "/api/v1/partner-invitations/{inv}/accept",
        {},
        403,
        "partner_invitation_not_yours",
    ),
    (
        "it",
        "POST",
        "/api/v1/partner-invitations/{inv}/accept",
        {"actor_id": "{fr2}"},
        403,
        "actor_mismatch",
    ),
    ("it", "POST", "/api/v1/partner-invitations/{inv}/withdraw", {}, 403, "not_a_project_inviter"),
    (
        "it",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "{fr2}"},
        403,
        "not_a_project_inviter",
    ),
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "{it}"},
        409,
        "partner_already_invited",
    ),
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "{pupil}"},
        409,
        "rule_violation",
    ),
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "{fr}"},
        409,
        "rule_violation",
    ),
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "7"},
        422,
        "invalid_input",
    ),  # text, no id
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partner-invitations",
        {"invitee_id": "{it}", "extra": 1},
        422,
        "invalid_input",
    ),
    (
        "fr",
        "POST",
        "/api/v1/projects/{national}/partner-invitations",
        {"invitee_id": "{it}"},
        409,
        "project_not_open",
    ),
    (
        "fr",
        "POST",
        "/api/v1/partner-invitations/999999/withdraw",
        {},
        404,
        "partner_invitation_unknown",
    ),
    ("it", "GET", "/api/v1/people/{fr2}/partner-invitations", None, 403, "actor_mismatch"),
    ("it", "GET", "/api/v1/projects/{project}/partner-invitations", None, 403, "not_yours"),
    # A teacher token never adds a partner without asking them.
    (
        "fr",
        "POST",
        "/api/v1/projects/{project}/partners",
        {"teacher_id": "{it}"},
        403,
        "admin_only",
    ),
]


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "code"),
    REFUSALS,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(REFUSALS)],
)
def test_refusals_are_json_and_write_nothing(
    api_app: Flask,
    w: World,
    teacher: Callable[[int], Headers],
    who: str,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    inv = _pending(api_app, w, teacher)
    values = {**vars(w), "inv": inv}
    if body is not None:
        body = {
            k: (int(str(v).format(**values)) if str(v).startswith("{") else v)
            for k, v in body.items()
        }
    headers = teacher(getattr(w, who))
    before = stored(api_app)
    answer = call(api_app, method, path.format(**values), headers, body)
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["code"] == code
    assert stored(api_app) == before


def test_answering_twice_or_after_a_withdrawal_is_409(
    api_app: Flask, w: World, teacher: Callable[[int], Headers]
) -> None:
    inv = _pending(api_app, w, teacher)
    it = teacher(w.it)
    assert call(api_app, "POST", f"/api/v1/partner-invitations/{inv}/accept", it).status_code == 200
    before = stored(api_app)
    again = call(api_app, "POST", f"/api/v1/partner-invitations/{inv}/decline", it)
    assert again.status_code == 409 and again.get_json()["code"] == "partner_invitation_answered"
    other = call(api_app, "POST", invitations(w), teacher(w.fr), {"invitee_id": w.fr2}).get_json()
    call(api_app, "POST", f"/api/v1/partner-invitations/{other['id']}/withdraw", teacher(w.fr))
    late = call(
        api_app, "POST", f"/api/v1/partner-invitations/{other['id']}/accept", teacher(w.fr2)
    )
    assert late.status_code == 409
    assert (
        w.fr2
        not in call(api_app, "GET", f"/api/v1/projects/{w.project}", it).get_json()["partner_ids"]
    )
    assert stored(api_app) != before  # only the withdrawal above was written


def test_admin_tokens_still_add_a_partner_directly(
    api_app: Flask, w: World, admin: Headers
) -> None:
    added = call(
        api_app,
        "POST",
        f"/api/v1/projects/{w.project}/partners",
        admin,
        {"actor_id": w.fr, "teacher_id": w.it},
    )
    assert added.status_code == 200 and w.it in added.get_json()["partner_ids"]
