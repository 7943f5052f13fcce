"""The deep-linking picker through the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from etwin_lti.domain.model import ProjectStatus
from etwin_lti.errors import PermissionDeniedError
from etwin_lti.lti import claims as c
from etwin_lti.lti.resource_reference import ResourceReference, read_reference
from etwin_lti.lti.resources import parse_resource
from tests.conftest import TEST_SECRET, make_test_app
from tests.integration.deep_linking.world import (
    CLIENT_ID,
    ISSUER,
    RETURN_URL,
    DeepLinkWorld,
    autopost,
    build_world,
    form_fields,
    verify,
)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Any:
    app = make_test_app(database_url, tmp_path)
    yield build_world(app)
    app.extensions["etwin"].database.dispose()


@pytest.fixture
def sqlite_world(sqlite_url: str, tmp_path: Path) -> Any:
    app = make_test_app(sqlite_url, tmp_path)
    yield build_world(app)
    app.extensions["etwin"].database.dispose()


def offered(page: str) -> set[str]:
    return set(re.findall(r'data-item="([^"]+)"', page))


# --- what each person may embed ----------------------------------------------------------------


def test_picker_per_person(world: DeepLinkWorld) -> None:
    u1, u2 = world.unit_ids
    units = {f"unit:{u1}", f"unit:{u2}"}
    event = f"event:{world.open_event_id}"
    space = f"twinspace:{world.twinspace_id}"
    cases: list[tuple[int | None, set[str], bool]] = [
        # Events only to their expert, units only to the edition's trainers (issue 9 item 4).
        (world.anna, {space}, False),
        (world.tina, {space} | units, False),  # a trainer teaching in the TwinSpace
        (world.expert, {event}, True),
        (world.olga, set(), True),  # an observer cannot bring a class in
        (world.nina, set(), True),
        (None, units | {event}, False),  # a tool administrator: no TwinSpace, no project
    ]
    for person_id, expected, can_create in cases:
        session = world.session(person_id)
        page = world.client_for(session).get("/lti/deep-link")
        assert page.status_code == 200, page.text[:500]
        text = page.text
        assert offered(text) == expected, person_id
        assert f'data-etwin-role="{session.role}"' in text
        assert ("Start an eTwinning project" in text) is can_create
    anna_page = world.client_for(world.session(world.anna)).get("/lti/deep-link").text
    assert "Water of Europe" in anna_page  # TwinSpaces grouped under their project
    assert "Birds without borders" not in anna_page
    tina_page = world.client_for(world.session(world.tina)).get("/lti/deep-link").text
    assert f"unit:{world.old_unit_id}" not in tina_page  # last year's course, though she trains it
    expert_page = world.client_for(world.session(world.expert)).get("/lti/deep-link").text
    assert f"event:{world.finished_event_id}" not in expert_page  # enrolment closed


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [("tina", "twinspace", {"unit:U2"}), ("tina", "WATER", {"twinspace:T"}),
     ("expert", "climate", {"event:E"}), ("tina", "zzz", set())],
)  # fmt: skip
def test_search(sqlite_world: DeepLinkWorld, who: str, query: str, expected: set[str]) -> None:
    world = sqlite_world
    names = {
        "U2": str(world.unit_ids[1]),
        "T": str(world.twinspace_id),
        "E": str(world.open_event_id),
    }
    want = {v.split(":")[0] + ":" + names[v.split(":")[1]] for v in expected}
    client = world.client_for(world.session(getattr(world, who)))
    assert offered(client.get("/lti/deep-link", query_string={"q": query}).text) == want
    # The search form posts (it works without the cookie too).
    fields = form_fields(client.get("/lti/deep-link").text)
    posted = client.post("/lti/deep-link", data={**fields, "action": "search", "q": query})
    assert offered(posted.text) == want


def test_single_choice_shows_radio_buttons(sqlite_world: DeepLinkWorld) -> None:
    page = sqlite_world.client_for(sqlite_world.session(sqlite_world.anna, accept_multiple=False))
    text = page.get("/lti/deep-link").text
    assert 'type="radio" name="item"' in text and 'type="checkbox"' not in text
    assert 'data-accept-multiple="false"' in text


# --- answering ---------------------------------------------------------------------------------


def embed(world: DeepLinkWorld, session: Any, items: list[str], **extra: str) -> Any:
    client = world.client_for(session)
    fields = form_fields(client.get("/lti/deep-link").text)
    return client.post("/lti/deep-link", data={**fields, "action": "embed", "item": items, **extra})


def test_embedding_units_and_a_twinspace_signs_the_response(world: DeepLinkWorld) -> None:
    u1 = world.unit_ids[0]
    session = world.session(world.tina)  # she trains the edition and teaches in the TwinSpace
    response = embed(world, session, [f"unit:{u1}", f"twinspace:{world.twinspace_id}"])
    assert response.status_code == 200, response.text[:500]
    sent = autopost(response.text)
    assert sent is not None
    action, token = html.unescape(sent[0]), sent[1]
    assert action == RETURN_URL  # the session's return URL, query string intact
    claims = verify(world.app, token)
    assert claims["iss"] == CLIENT_ID
    assert claims[c.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert claims[c.DEPLOYMENT_ID] == "1"
    assert claims[c.DL_DATA] == "echo-me"
    unit_item, space_item = claims[c.DL_CONTENT_ITEMS]
    # Each item carries the tool-signed choice, in custom and in its URL (bound resources).
    for item, chosen in (
        (unit_item, f"unit:{u1}"),
        (space_item, f"twinspace:{world.twinspace_id}"),
    ):
        token = item["custom"]["etwin_ref"]
        assert item["url"] == "http://tool.test/lti/launch?etwin_ref=" + token
        assert item["custom"] == {"etwin_resource": chosen, "etwin_ref": token}
        reference = read_reference(token, TEST_SECRET)
        assert str(reference.resource) == chosen and reference.chosen_by == world.tina
        assert (reference.issuer, reference.deployment_id) == (ISSUER, "1")
        assert reference.context_id == session.context_id
    assert unit_item["lineItem"]["resourceId"] == f"unit:{u1}"
    assert "lineItem" not in space_item
    assert "2 eTwinning activities added" in claims[c.DL_MSG]


def test_cancel_sends_no_items_and_a_msg(sqlite_world: DeepLinkWorld) -> None:
    world = sqlite_world
    response = embed(world, world.session(world.nina), [], action="cancel")
    sent = autopost(response.text)
    assert sent is not None
    claims = verify(world.app, sent[1])
    assert claims[c.DL_CONTENT_ITEMS] == []
    assert claims[c.DL_MSG] == "No eTwinning activity was added."


def test_cookie_blocked_browser_uses_the_launch_token_field(sqlite_world: DeepLinkWorld) -> None:
    world = sqlite_world
    session = world.session(world.tina)
    fields = form_fields(world.client_for(session).get("/lti/deep-link").text)
    no_cookie = world.app.test_client()
    data = {**fields, "item": [f"unit:{world.unit_ids[0]}"]}
    response = no_cookie.post("/lti/deep-link", data=data)
    assert response.status_code == 200 and autopost(response.text) is not None
    # Without the token nothing works: the friendly "open it again" page.
    del data["etwin_launch_token"]
    assert no_cookie.post("/lti/deep-link", data=data).status_code == 401


Case = Callable[[DeepLinkWorld], tuple[Any, dict[str, Any]]]


def _post(world: DeepLinkWorld, session: Any, **data: Any) -> tuple[Any, dict[str, Any]]:
    client = world.client_for(session)
    fields = form_fields(client.get("/lti/deep-link").text)
    fields.update(data)
    return client, {k: v for k, v in fields.items() if v is not None}


BAD_SELECTIONS: list[tuple[str, Case, int, str]] = [
    ("forged csrf", lambda w: _post(w, w.session(w.anna), csrf_token="x" * 64,
                                     item=[f"unit:{w.unit_ids[0]}"]), 403, "csrf"),
    ("missing csrf", lambda w: _post(w, w.session(w.anna), csrf_token=None,
                                      item=[f"unit:{w.unit_ids[0]}"]), 403, "csrf"),
    ("csrf of another session", lambda w: (
        w.client_for(w.session(w.anna)),
        {**form_fields(w.client_for(w.session(w.anna)).get("/lti/deep-link").text),
         "etwin_launch_token": "", "item": [f"unit:{w.unit_ids[0]}"]},
    ), 403, "csrf"),
    ("empty selection", lambda w: _post(w, w.session(w.anna)), 422, "invalid_input"),
    ("blank item", lambda w: _post(w, w.session(w.anna), item=["  "]), 422, "invalid_input"),
    ("unknown unit", lambda w: _post(w, w.session(w.anna), item=["unit:999999"]), 422,
     "invalid_input"),
    ("malformed item", lambda w: _post(w, w.session(w.anna), item=["unit:abc"]), 422,
     "invalid_input"),
    ("url as item", lambda w: _post(w, w.session(w.anna), item=["https://evil.example/x"]), 422,
     "invalid_input"),
    ("TwinSpace of others", lambda w: _post(w, w.session(w.anna),
                                             item=[f"twinspace:{w.other_twinspace_id}"]), 403,
     "forbidden"),
    ("observer's TwinSpace", lambda w: _post(w, w.session(w.olga),
                                              item=[f"twinspace:{w.twinspace_id}"]), 403,
     "forbidden"),
    ("finished event", lambda w: _post(w, w.session(w.expert),
                                        item=[f"event:{w.finished_event_id}"]), 403, "forbidden"),
    ("last year's unit", lambda w: _post(w, w.session(w.tina), item=[f"unit:{w.old_unit_id}"]),
     403, "forbidden"),
    ("event of another expert", lambda w: _post(w, w.session(w.anna),
                                                 item=[f"event:{w.open_event_id}"]), 403,
     "forbidden"),
    ("unit of a course not trained", lambda w: _post(w, w.session(w.anna),
                                                      item=[f"unit:{w.unit_ids[0]}"]), 403,
     "forbidden"),
    ("one allowed, one not", lambda w: _post(w, w.session(w.tina), item=[
        f"unit:{w.unit_ids[0]}", f"twinspace:{w.other_twinspace_id}"]), 403, "forbidden"),
    ("two when one is accepted", lambda w: _post(w, w.session(w.tina, accept_multiple=False),
                                                  item=[f"unit:{i}" for i in w.unit_ids]), 422,
     "invalid_input"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [pytest.param(case, status, error, id=name) for name, case, status, error in BAD_SELECTIONS],
)
def test_bad_selections_send_nothing(
    sqlite_world: DeepLinkWorld, case: Case, status: int, error: str
) -> None:
    client, data = case(sqlite_world)
    response = client.post("/lti/deep-link", data=data)
    assert response.status_code == status, response.text[:500]
    assert f'data-error="{error}"' in response.text
    assert autopost(response.text) is None and "JWT" not in response.text


def test_references_are_signed_only_for_what_the_chooser_may_embed(
    sqlite_world: DeepLinkWorld,
) -> None:
    w = sqlite_world
    signer = w.container.resource_bindings

    def sign(value: str, chosen_by: int | None) -> str:
        place = (ISSUER, "1", "course-2")
        return str(signer.reference(ResourceReference(parse_resource(value), *place, chosen_by)))

    event, unit = f"event:{w.open_event_id}", f"unit:{w.unit_ids[0]}"
    space = f"twinspace:{w.twinspace_id}"
    allowed = [(event, w.expert), (unit, w.tina), (space, w.anna), (space, w.tina), (unit, None)]
    for value, person in allowed:
        assert str(read_reference(sign(value, person), TEST_SECRET).resource) == value
    refused = [(event, w.anna), (event, w.tina), (unit, w.anna), (unit, w.expert),
               (space, w.olga), (space, w.nina), ("unit:999999", w.tina)]  # fmt: skip
    for value, person in refused:
        with pytest.raises(PermissionDeniedError):
            sign(value, person)


# --- sessions the picker refuses ---------------------------------------------------------------


def _no_return_url(w: DeepLinkWorld) -> Any:
    return w.session(w.anna, deep_linking={"accept_types": ["ltiResourceLink"]})


def _javascript_return_url(w: DeepLinkWorld) -> Any:
    settings = {"deep_link_return_url": "javascript:alert(1)", "accept_types": ["ltiResourceLink"]}
    return w.session(w.anna, deep_linking=settings)


def _resource_launch(w: DeepLinkWorld) -> Any:
    return w.session(w.anna, message_type=c.RESOURCE_LINK_REQUEST, deep_linking=None)


@pytest.mark.parametrize(
    ("make_session", "status", "error"),
    [
        (_no_return_url, 400, "deep_link_return_url"),
        (_javascript_return_url, 400, "deep_link_return_url"),
        (_resource_launch, 400, "not_deep_linking"),
    ],
    ids=["no return url", "javascript return url", "not a deep-linking session"],
)
def test_sessions_the_picker_refuses(
    sqlite_world: DeepLinkWorld,
    make_session: Callable[[DeepLinkWorld], Any],
    status: int,
    error: str,
) -> None:
    world = sqlite_world
    client = world.client_for(make_session(world))
    page = client.get("/lti/deep-link")
    assert page.status_code == status and f'data-error="{error}"' in page.text
    assert "JWT" not in page.text
    assert world.app.test_client().get("/lti/deep-link").status_code == 401  # no session at all


def test_unsupported_accept_types_tell_the_lms_with_errormsg(sqlite_world: DeepLinkWorld) -> None:
    world = sqlite_world
    settings = {"deep_link_return_url": RETURN_URL, "accept_types": ["link", "file"], "data": "d"}
    page = world.client_for(world.session(world.anna, deep_linking=settings)).get("/lti/deep-link")
    assert page.status_code == 400 and 'data-error="unsupported_accept_types"' in page.text
    token = page.text.split('name="JWT" value="')[1].split('"')[0]
    claims = verify(world.app, token)
    assert claims[c.DL_CONTENT_ITEMS] == [] and claims[c.DL_DATA] == "d"
    assert "ltiResourceLink" in claims[c.DL_ERRORMSG]
    assert autopost(page.text) is None  # the teacher reads the page, then chooses to go back


# --- a first project ---------------------------------------------------------------------------


def test_teacher_in_no_twinspace_starts_a_project(world: DeepLinkWorld) -> None:
    client, data = _post(world, world.session(world.nina))
    data.update(title="Seas and rivers", description="Pupils map rivers.",
                partner_founder_id=str(world.bernd))  # fmt: skip
    response = client.post("/lti/deep-link/project", data=data)
    assert response.status_code == 200, response.text[:500]
    project = next(p for p in world.container.hub.list_projects() if p.title == "Seas and rivers")
    assert project.status is ProjectStatus.PENDING and project.twinspace_id is None
    assert set(project.founder_ids) == {world.nina, world.bernd}
    assert f'data-project="{project.id}"' in response.text
    assert f'data-pending-project="{project.id}"' in response.text
    assert "cannot be embedded" in response.text
    assert "twinspace:" not in " ".join(offered(response.text))


BAD_DRAFTS: list[tuple[str, dict[str, str], int]] = [
    ("no partner", {"title": "T", "partner_founder_id": ""}, 422),
    ("partner not a number", {"title": "T", "partner_founder_id": "bernd"}, 422),
    ("unknown partner", {"title": "T", "partner_founder_id": "999999"}, 422),
    ("oneself as partner", {"title": "T", "partner_founder_id": "SELF"}, 422),
    ("empty title", {"title": " ", "partner_founder_id": "BERND"}, 422),
    ("forged csrf", {"title": "T", "partner_founder_id": "BERND", "csrf_token": "x"}, 403),
]


@pytest.mark.parametrize(("data", "status"), [pytest.param(d, s, id=n) for n, d, s in BAD_DRAFTS])
def test_bad_project_drafts_create_nothing(
    sqlite_world: DeepLinkWorld, data: dict[str, str], status: int
) -> None:
    world = sqlite_world
    before = world.project_count()
    client, fields = _post(world, world.session(world.nina))
    ids = {"SELF": str(world.nina), "BERND": str(world.bernd)}
    sent = {**fields, **{k: ids.get(v, v) for k, v in data.items()}}
    response = client.post("/lti/deep-link/project", data=sent)
    assert response.status_code == status, response.text[:500]
    assert world.project_count() == before


def test_tool_admin_cannot_start_a_project(sqlite_world: DeepLinkWorld) -> None:
    world = sqlite_world
    client, data = _post(world, world.session(None))
    data.update(title="T", partner_founder_id=str(world.bernd))
    assert client.post("/lti/deep-link/project", data=data).status_code == 403
    assert world.project_count() == 2


def test_a_refused_selection_is_the_same_picker_saying_what_to_do(
    sqlite_world: DeepLinkWorld,
) -> None:
    """Nothing ticked, or two where the LMS takes one (issue 13 item 3): the picker again, the
    ticks and the search kept, the reason above the choices; nothing sent to the LMS."""
    world = sqlite_world
    client, data = _post(world, world.session(world.anna))
    response = client.post("/lti/deep-link", data={**data, "action": "embed", "q": "water"})
    assert response.status_code == 422 and autopost(response.text) is None
    page = response.text
    assert 'class="deep-link" data-error="invalid_input"' in page
    assert 'id="dl-refused"' in page and "Choose at least one eTwinning resource" in page
    assert 'name="q" value="water"' in page  # the search stays
    assert 'data-action="cancel"' in page or 'value="cancel"' in page  # a way out remains
    units = [f"unit:{i}" for i in world.unit_ids]
    session = world.session(world.tina, accept_multiple=False)
    client, data = _post(world, session, item=units)
    page = client.post("/lti/deep-link", data={**data, "action": "embed"}).text
    assert "accepts only one activity here" in page
    for unit in units:  # her ticks are still there, to untick one
        assert re.search(rf'value="{unit}"[^>]*data-item="{unit}" checked', page), unit
