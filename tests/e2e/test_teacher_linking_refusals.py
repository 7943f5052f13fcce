"""Teacher linking refused, one row per rule, over real HTTP (issue 9 item 3, bad input).

Each row sets a situation up, then makes one request that must be refused: the page carries the
error code and names who can fix it, and no person, identity, account, membership, enrolment or
completion changed, and no invitation or code was consumed (row counts before and after).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.model import PersonKind
from etwin_lti.sandbox.model import LEARNER, SandboxUser
from tests.e2e.linking_world import (
    LinkWorld,
    counts,
    founder_makes_invitation,
    last_code,
    link_world,
    linking_page,
)

pytestmark = pytest.mark.e2e

CARLA = "carla@school.example"
Act = Callable[[], requests.Response]
Row = Callable[[LinkWorld, requests.Session], Act]


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[LinkWorld]:
    yield from link_world(sqlite_url, tmp_path)


def _carla(world: LinkWorld) -> int:
    return int(
        world.hub.create_person("Carla", PersonKind.TEACHER, country_code="IT", email=CARLA).id
    )


def _accept(world: LinkWorld, browser: requests.Session, user: str, url: str) -> Act:
    page = linking_page(world, browser, user)
    return lambda: world.post_form(browser, page, "invitation", invitation=url)


def invitation_expired(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world)
    with world.container.database.session() as s:
        s.execute(text("UPDATE teacher_invitations SET expires_at = created_at"))
    world.add_teacher("t1", "Teacher One")
    return _accept(world, browser, "t1", url)


def invitation_used(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world)
    world.add_teacher("t0", "First Teacher")
    with requests.Session() as first:
        assert _accept(world, first, "t0", url)().status_code == 200
    world.add_teacher("t1", "Teacher One")
    return _accept(world, browser, "t1", url)


def invitation_revoked(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world, note="revoke me")
    ts = world.resources.twinspace_id
    with requests.Session() as anna:
        linking_page(world, anna, "anna", etwin_resource=f"twinspace:{ts}")
        listing = world.get(anna, f"/embed/twinspace/{ts}/invitations")
        revoked = world.post_form_action(anna, listing, "/revoke")
        assert (
            'data-invitation-revoked="' in revoked.text and 'data-state="revoked"' in revoked.text
        )
    world.add_teacher("t1", "Teacher One")
    return _accept(world, browser, "t1", url)


def invitation_other_twinspace(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world)
    carla = _carla(world)
    project = world.hub.create_project(carla, world.anna_id, "Rivers")
    world.hub.validate_project("IT", project.id)
    other = world.hub.validate_project("FR", project.id).twinspace_id
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1", etwin_resource=f"twinspace:{other}")
    return lambda: world.post_form(browser, page, "invitation", invitation=url)


def invitation_unknown(world: LinkWorld, browser: requests.Session) -> Act:
    world.add_teacher("t1", "Teacher One")
    return _accept(world, browser, "t1", world.tool_url + "/lti/link/invitation/not-a-token")


def invitation_for_someone_else_once_linked(world: LinkWorld, browser: requests.Session) -> Act:
    bernd = world.anna_id + 1
    url = founder_makes_invitation(world, invitee=str(bernd))
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1")
    registered = world.post_form(
        browser, page, "registration", display_name="T One", school="S", country_code="FR"
    )
    assert registered.status_code == 200
    again = world.get(browser, "/lti/link")
    return lambda: world.post_form(browser, again, "invitation", invitation=url)


def _code_requested(world: LinkWorld, browser: requests.Session, user: str) -> requests.Response:
    world.add_teacher(user, "Teacher " + user)
    page = linking_page(world, browser, user)
    sent = world.post_form(browser, page, "code-request", email=CARLA)
    assert sent.status_code == 200 and 'data-code-sent="true"' in sent.text
    return sent


def code_guessed_too_often(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    sent = _code_requested(world, browser, "t1")
    right = last_code(world)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        answer = world.post_form(browser, sent, "code-verify", code=wrong)
        assert answer.status_code == 422 and f"{left} attempt" in answer.text
    last_wrong = world.post_form(browser, sent, "code-verify", code=wrong)
    assert (
        last_wrong.status_code == 429 and 'data-error="code_attempts_exhausted"' in last_wrong.text
    )
    return lambda: world.post_form(browser, sent, "code-verify", code=right)


def code_expired(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    sent = _code_requested(world, browser, "t1")
    with world.container.database.session() as s:
        s.execute(text("UPDATE teacher_login_codes SET expires_at = created_at"))
    return lambda: world.post_form(browser, sent, "code-verify", code=last_code(world))


def code_replayed(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    sent = _code_requested(world, browser, "t1")
    code = last_code(world)
    linked = world.post_form(browser, sent, "code-verify", code=code)
    assert linked.status_code == 200, linked.text[:800]
    again = world.get(browser, "/lti/link")  # the new session's page: already connected
    assert 'data-linked="validated"' in again.text
    return lambda: world.post_hidden(browser, linked, "/lti/link/code/verify", code=code)


def code_of_another_teacher(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    with requests.Session() as first:
        _code_requested(world, first, "t0")
    stolen = last_code(world)
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1")
    sent = world.post_form(browser, page, "code-request", email="nobody@school.example")
    assert sent.status_code == 200 and 'data-code-sent="true"' in sent.text  # same answer
    return lambda: world.post_form(browser, sent, "code-verify", code=stolen)


def code_never_requested(world: LinkWorld, browser: requests.Session) -> Act:
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1")
    return lambda: world.post_form(browser, page, "code-verify", code="123456")


def _pupil(world: LinkWorld, browser: requests.Session) -> requests.Response:
    world.peer.platform.add_user(SandboxUser("p1", "Paul Pupil", (LEARNER,), None, "p1", "FR"))
    ts = world.resources.twinspace_id
    page = linking_page(world, browser, "p1", etwin_resource=f"twinspace:{ts}")
    assert 'data-linking-refused="true"' in page.text and 'data-form="' not in page.text
    # The pupil's TwinSpace page carries their session's tokens, as any form of theirs would.
    return world.get(browser, f"/embed/twinspace/{ts}")


def pupil_accepts_invitation(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world)
    page = _pupil(world, browser)
    return lambda: world.post_hidden(browser, page, "/lti/link/invitation", invitation=url)


def pupil_asks_for_a_code(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    page = _pupil(world, browser)
    return lambda: world.post_hidden(browser, page, "/lti/link/code", email=CARLA)


def pupil_registers(world: LinkWorld, browser: requests.Session) -> Act:
    page = _pupil(world, browser)
    fields = {"display_name": "Paul", "school": "S", "country_code": "FR"}
    return lambda: world.post_hidden(browser, page, "/lti/link/register", **fields)


def _registration(fields: dict[str, str]) -> Row:
    def row(world: LinkWorld, browser: requests.Session) -> Act:
        world.add_teacher("t1", "Teacher One")
        page = linking_page(world, browser, "t1")
        return lambda: world.post_form(browser, page, "registration", **fields)

    return row


def duplicate_registration(world: LinkWorld, browser: requests.Session) -> Act:
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1")
    fields = {"display_name": "T One", "school": "S", "country_code": "FR"}
    assert world.post_form(browser, page, "registration", **fields).status_code == 200
    again = world.get(browser, "/lti/deep-link")
    return lambda: world.post_hidden(browser, again, "/lti/link/register", **fields)


def malformed_email(world: LinkWorld, browser: requests.Session) -> Act:
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1")
    return lambda: world.post_form(browser, page, "code-request", email="not an address")


def malformed_code(world: LinkWorld, browser: requests.Session) -> Act:
    _carla(world)
    sent = _code_requested(world, browser, "t1")
    return lambda: world.post_form(browser, sent, "code-verify", code="12ab56")


def csrf_missing(world: LinkWorld, browser: requests.Session) -> Act:
    url = founder_makes_invitation(world)
    world.add_teacher("t1", "Teacher One")
    linking_page(world, browser, "t1")
    return lambda: browser.post(
        world.tool_url + "/lti/link/invitation", data={"invitation": url}, timeout=10
    )


def teacher_not_administrator_invites(world: LinkWorld, browser: requests.Session) -> Act:
    ts = world.resources.twinspace_id
    world.add_teacher("t1", "Teacher One")
    page = linking_page(world, browser, "t1", etwin_resource=f"twinspace:{ts}")
    return lambda: world.post_hidden(
        browser, page, f"/embed/twinspace/{ts}/invitations", role="teacher", note=""
    )


def invitation_for_a_pupil_profile(world: LinkWorld, browser: requests.Session) -> Act:
    ts = world.resources.twinspace_id
    pupil = world.hub.create_person("Pupil 1A2B", PersonKind.PUPIL)
    page = linking_page(world, browser, "anna", etwin_resource=f"twinspace:{ts}")
    return lambda: world.post_hidden(
        browser, page, f"/embed/twinspace/{ts}/invitations", role="teacher", invitee=str(pupil.id)
    )


ROWS: list[tuple[Row, int, str, str]] = [
    (invitation_expired, 409, "invitation_expired", "the teacher administrator who invited you"),
    (invitation_used, 409, "invitation_used", "the teacher administrator who invited you"),
    (invitation_revoked, 409, "invitation_revoked", "the teacher administrator who invited you"),
    (invitation_other_twinspace, 409, "invitation_other_twinspace", "you, or the teacher"),
    (invitation_unknown, 404, "invitation_unknown", "the teacher administrator who invited you"),
    (invitation_for_someone_else_once_linked, 409, "invitation_someone_else", "the teacher"),
    (code_guessed_too_often, 429, "code_attempts_exhausted", "you: ask for a new code"),
    (code_expired, 409, "code_expired", "you: ask for a new code"),
    (code_replayed, 409, "already_linked", "nobody needs to"),
    (code_of_another_teacher, 422, "code_wrong", "you: check the code"),
    (code_never_requested, 409, "no_code_requested", "you: enter your eTwinning e-mail"),
    (pupil_accepts_invitation, 403, "not_a_teacher", "your teacher"),
    (pupil_asks_for_a_code, 403, "not_a_teacher", "your teacher"),
    (pupil_registers, 403, "not_a_teacher", "your teacher"),
    (duplicate_registration, 409, "already_linked", "nobody needs to"),
    (
        _registration({"display_name": "", "school": "S", "country_code": "FR"}),
        422,
        "invalid_input",
        "you",
    ),
    (
        _registration({"display_name": "T", "school": "", "country_code": "FR"}),
        422,
        "invalid_input",
        "you",
    ),
    (
        _registration({"display_name": "T", "school": "S", "country_code": "ZZ"}),
        422,
        "invalid_input",
        "you",
    ),
    (
        _registration({"display_name": "T" * 121, "school": "S", "country_code": "FR"}),
        422,
        "invalid_input",
        "you",
    ),
    (malformed_email, 422, "invalid_input", "you"),
    (malformed_code, 422, "invalid_input", "you"),
    (csrf_missing, 403, "csrf_failed", "you: reload the activity"),
    (teacher_not_administrator_invites, 403, "forbidden", "a teacher administrator"),
    (invitation_for_a_pupil_profile, 422, "invalid_input", "you"),
]


@pytest.mark.parametrize(
    ("row", "status", "error", "who"),
    ROWS,
    ids=[
        "invitation expired",
        "invitation used",
        "invitation revoked",
        "invitation for another TwinSpace",
        "invitation unknown",
        "invitation naming someone else, once linked",
        "code guessed: attempts exhausted",
        "code expired",
        "code replayed",
        "code of another teacher",
        "code never requested",
        "pupil accepts an invitation",
        "pupil asks for a code",
        "pupil registers",
        "duplicate registration",
        "registration without a name",
        "registration without a school",
        "registration with an unknown country",
        "registration with a name too long",
        "malformed e-mail",
        "malformed code",
        "CSRF token missing",
        "a plain teacher creates an invitation",
        "an invitation naming a pupil",
    ],
)
def test_refused(world: LinkWorld, row: Row, status: int, error: str, who: str) -> None:
    with requests.Session() as browser:
        act = row(world, browser)
        before, invitations = counts(world), world.count("teacher_invitations")
        answer = act()
    assert answer.status_code == status, answer.text[:1500]
    assert f'data-error="{error}"' in answer.text
    assert f"Who can fix this: <strong>{who}" in answer.text
    assert counts(world) == before
    assert world.count("teacher_invitations") == invitations
