"""Launches without cookies (issue 13 item 2), through the test client and the Mini LMS.

The browser's half (the postMessage exchange with the LMS's storage frame) is in
``tests/browser/test_cookieless_launch.py``; here, what the tool answers at each step: the login
page that puts the sealed state in the storage, the launch page that reads it back, the post
that completes the launch (from the tool's own origin only), the fallback page with its
new-window link, the replay page, the plain-http page and the cookie attributes per base URL.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.lti.client_storage import state_key
from etwin_lti.services.demo import DemoResources
from tests.conftest import make_test_app, settle
from tests.integration.pages.conftest import PagesWorld
from tests.support.databases import sqlite_copy
from tests.support.launching import Launcher
from tests.support.lti_tokens import ROLE_INSTRUCTOR

HTTPS = "https://tool.test"
TARGET = "lti_storage"


@pytest.fixture
def tool_at(
    _pages_sqlite: tuple[Path, DemoResources], tmp_path: Path, launcher: Launcher
) -> Iterator[Callable[[str], PagesWorld]]:
    """The pages' world with the tool at another base URL (https, loopback or plain http)."""
    template, demo = _pages_sqlite
    apps: list[Flask] = []

    def build(base_url: str) -> PagesWorld:
        folder = tmp_path / str(len(apps))
        folder.mkdir()
        app = make_test_app(sqlite_copy(template, folder), folder, BASE_URL=base_url)
        apps.append(app)
        return PagesWorld(app, demo, launcher)

    yield build
    for app in apps:
        settle(app)


def data_attributes(page: str) -> dict[str, str]:
    main = re.search(r"<main ([^>]*)>", page, re.S)
    assert main, page[:800]
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', main.group(1))}


def set_cookies(response: object) -> str:
    return " | ".join(response.headers.getlist("Set-Cookie"))  # type: ignore[attr-defined]


def storage_login(world: PagesWorld, client: FlaskClient, target: str = TARGET) -> object:
    return world.launcher.login(
        client,
        sub="founder-fr",
        roles=[ROLE_INSTRUCTOR],
        resource=world.ts,
        login_params={"lti_storage_target": target},
    )


def test_the_login_page_puts_the_sealed_state_in_the_platforms_storage(
    tool_at: Callable[[str], PagesWorld],
) -> None:
    world = tool_at(HTTPS)
    login = storage_login(world, world.client())
    assert login.status_code == 200  # type: ignore[attr-defined]
    attributes = data_attributes(login.get_data(as_text=True))  # type: ignore[attr-defined]
    auth = world.launcher.platform.url + "/auth"
    assert attributes["lti-storage"] == "put"
    assert "no-store" in login.headers["Cache-Control"]  # type: ignore[attr-defined]
    assert attributes["target"] == TARGET
    assert attributes["origin"] == world.launcher.platform.url  # the registered auth origin
    assert attributes["next"].startswith(auth + "?")
    query = parse_qs(urlsplit(attributes["next"]).query)
    assert query["lti_storage_target"] == [TARGET]
    assert attributes["key"] == state_key(query["state"][0])
    assert attributes["wait"] == "2000"
    assert attributes["value"]  # the sealed state: the same as the cookie, which stays the default
    assert "etwin_lti_state=" + attributes["value"] in set_cookies(login)


@pytest.mark.parametrize("target", ["", "a b", "<script>", "x" * 65, "frame\u00e9"])
def test_a_storage_target_that_is_not_a_frame_name_means_no_storage(
    tool_at: Callable[[str], PagesWorld], target: str
) -> None:
    world = tool_at(HTTPS)
    login = storage_login(world, world.client(), target)
    assert login.status_code == 302  # type: ignore[attr-defined]
    assert "lti_storage_target" not in login.headers["Location"]  # type: ignore[attr-defined]


def launch_form(world: PagesWorld, client: FlaskClient) -> tuple[dict[str, str], str]:
    """The platform's post of a storage login, and the sealed state the login page stored."""
    login = storage_login(world, client)
    attributes = data_attributes(login.get_data(as_text=True))  # type: ignore[attr-defined]
    fields = world.launcher.authorize(attributes["next"])
    fields["lti_storage_target"] = TARGET  # the platform echoes it (OIDC with postMessages)
    return fields, attributes["value"]


def test_without_the_cookie_the_launch_reads_the_state_back_and_opens_the_page(
    tool_at: Callable[[str], PagesWorld],
) -> None:
    world = tool_at(HTTPS)
    fields, sealed = launch_form(world, world.client())
    cookieless = world.client()
    page = cookieless.post("/lti/launch", data=fields)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    attributes = data_attributes(page.get_data(as_text=True))
    assert attributes["lti-storage"] == "get"
    assert attributes["origin"] == world.launcher.platform.url
    assert attributes["key"] == state_key(fields["state"])
    assert "etwin_launch=" not in set_cookies(page)
    done = cookieless.post(
        "/lti/launch", data={**fields, "etwin_login_state": sealed}, headers={"Origin": HTTPS}
    )
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    text = done.get_data(as_text=True)
    assert 'data-etwin-role="teacher_administrator"' in text  # the page itself, no redirect
    assert 'name="etwin_launch_token"' in text  # its forms carry the session
    assert "etwin_launch=" in set_cookies(done)  # still offered: it works when allowed
    again = world.client().post(
        "/lti/launch", data={**fields, "etwin_login_state": sealed}, headers={"Origin": HTTPS}
    )
    assert again.status_code == 401
    assert 'data-error="launch_replayed"' in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "origin", [None, "null", "https://evil.test", "http://tool.test", HTTPS + ":444"]
)
def test_the_state_from_storage_is_accepted_only_from_the_tools_own_page(
    tool_at: Callable[[str], PagesWorld], origin: str | None
) -> None:
    world = tool_at(HTTPS)
    fields, sealed = launch_form(world, world.client())
    headers = {} if origin is None else {"Origin": origin}
    before = world.hub.list_members(world.demo.twinspace_id)
    refused = world.client().post(
        "/lti/launch", data={**fields, "etwin_login_state": sealed}, headers=headers
    )
    assert refused.status_code == 401
    assert 'data-error="foreign_login_state"' in refused.get_data(as_text=True)
    assert "etwin_launch=" not in set_cookies(refused)
    assert world.hub.list_members(world.demo.twinspace_id) == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"etwin_login_state": "not-sealed"}, "state_mismatch"),
        ({"etwin_login_state": "x" * 5000}, "state_mismatch"),
        ({"state": "another-state"}, "state_mismatch"),
    ],
)
def test_a_forged_state_from_storage_is_refused(
    tool_at: Callable[[str], PagesWorld], change: dict[str, str], code: str
) -> None:
    world = tool_at(HTTPS)
    fields, sealed = launch_form(world, world.client())
    data = {**fields, "etwin_login_state": sealed, **change}
    refused = world.client().post("/lti/launch", data=data, headers={"Origin": HTTPS})
    assert refused.status_code == 401
    assert f'data-error="{code}"' in refused.get_data(as_text=True)


def test_when_storage_fails_too_the_page_offers_a_new_window_that_restarts_the_login(
    tool_at: Callable[[str], PagesWorld],
) -> None:
    world = tool_at(HTTPS)
    fields, _sealed = launch_form(world, world.client())
    del fields["lti_storage_target"]  # what the launch page posts when the storage is silent
    page = world.client().post("/lti/launch", data=fields)
    assert page.status_code == 401
    text = page.get_data(as_text=True)
    assert 'data-error="missing_state_cookie"' in text
    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" data-new-window>', text)
    assert link, text
    url = html.unescape(link.group(1))
    assert url.startswith(HTTPS + "/lti/login?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["iss"] == world.launcher.platform.url
    assert params["login_hint"] == "founder-fr"
    assert "lti_storage_target" not in params  # a top-level window keeps first-party cookies
    new_window = world.client()  # a top-level window: its first-party cookies work
    restarted = new_window.get("/lti/login?" + urlsplit(url).query)
    assert restarted.status_code == 302  # a real login again...
    fields = world.launcher.authorize(restarted.headers["Location"])
    assert new_window.post("/lti/launch", data=fields).status_code == 200  # ...which completes


def test_the_new_window_link_only_restarts_a_login_of_this_tool(
    tool_at: Callable[[str], PagesWorld],
) -> None:
    world = tool_at(HTTPS)
    fields, _sealed = launch_form(world, world.client())
    del fields["lti_storage_target"]
    foreign = {
        "iss": world.launcher.platform.url,
        "login_hint": "x",
        "target_link_uri": "https://evil.test/lti/launch",
    }
    packed = base64.urlsafe_b64encode(json.dumps(foreign).encode()).decode().rstrip("=")
    for state in ("plain-random-state", "r." + packed, "r.!!!", "r." + "A" * 2000):
        page = world.client().post("/lti/launch", data={**fields, "state": state})
        text = page.get_data(as_text=True)
        assert 'data-error="missing_state_cookie"' in text
        assert "data-new-window" not in text


def test_a_replayed_launch_says_so_not_cookies(tool_at: Callable[[str], PagesWorld]) -> None:
    """Back pressed twice inside the frame posts the same launch again; the first one had
    cleared the state cookie."""
    world = tool_at(HTTPS)
    client = world.client()
    login = world.launcher.login(
        client, sub="founder-fr", roles=[ROLE_INSTRUCTOR], resource=world.ts
    )
    fields = world.launcher.authorize(login.headers["Location"])
    assert client.post("/lti/launch", data=fields).status_code == 200
    replay = client.post("/lti/launch", data=fields)
    assert replay.status_code == 401
    text = replay.get_data(as_text=True)
    assert 'data-error="launch_replayed"' in text
    assert "This launch was already used" in text
    assert "open the activity again from your course" in text
    assert "cookie" not in text.lower()


@pytest.mark.parametrize("base", ["http://127.0.0.1:5000", "http://localhost:5000"])
def test_loopback_http_cookies_are_secure_samesite_none_partitioned(
    tool_at: Callable[[str], PagesWorld], base: str
) -> None:
    world = tool_at(base)
    client = world.client()
    login = world.launcher.login(
        client, sub="founder-fr", roles=[ROLE_INSTRUCTOR], resource=world.ts
    )
    launched = client.post("/lti/launch", data=world.launcher.authorize(login.headers["Location"]))
    assert launched.status_code == 200
    for answer, name in ((login, "etwin_lti_state"), (launched, "etwin_launch")):
        header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith(name))
        for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
            assert attribute in header


def test_a_plain_http_tool_on_another_host_says_it_needs_https(
    tool_at: Callable[[str], PagesWorld],
) -> None:
    world = tool_at("http://tool.test")
    login = world.launcher.login(
        world.client(), sub="founder-fr", roles=[ROLE_INSTRUCTOR], resource=world.ts
    )
    header = login.headers["Set-Cookie"]
    assert "SameSite=Lax" in header and "Secure" not in header
    fields = world.launcher.authorize(login.headers["Location"])
    page = world.client().post("/lti/launch", data=fields)  # the Lax cookie stayed behind
    assert page.status_code == 401
    text = page.get_data(as_text=True)
    assert 'data-error="tool_needs_https"' in text
    assert "The tool needs https" in text
    assert "the tool administrator" in text
    assert "cookies may be blocked" not in text and "data-new-window" not in text
