"""Deep Linking 2.0 round trip over real HTTP with the sandbox LMS peer (lti1p3platform).

Teacher starts a deep-linking request on the peer → tool login → launch → picker → selection →
signed response auto-posted to the peer, which verifies it (signature with the tool's JWKS
fetched over HTTP, aud, deployment, ``data`` echoed) and places the items → launching a placed
item lands on the embedded page of the chosen resource.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.lti import claims as c
from tests.conftest import make_test_app
from tests.e2e.harness import Resources, seed_resources
from tests.e2e.peer import RunningPeer, ThreadedServer, launch_through, serve_peer, submit_autopost

pytestmark = pytest.mark.e2e


@dataclass
class RoundTrip:
    tool_url: str
    app: Any
    peer: RunningPeer
    resources: TrainedResources

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def alter_settings(self, change: Callable[[dict[str, Any]], None]) -> None:
        def hook(claims: dict[str, Any], pending: Any) -> dict[str, Any]:
            if c.DEEP_LINKING_SETTINGS in claims:
                change(claims[c.DEEP_LINKING_SETTINGS])
            return claims

        self.peer.platform.hooks.alter_claims = hook

    def open_picker(self, browser: requests.Session, user: str = "teacher") -> requests.Response:
        launched = launch_through(browser, self.peer.launch_url(user=user, message="deeplink"))
        assert launched.status_code == 303, launched.text[:800]
        assert launched.headers["Location"] == "/lti/deep-link"
        picker = browser.get(self.tool_url + "/lti/deep-link", timeout=10)
        assert picker.status_code == 200, picker.text[:800]
        return picker

    def choose(
        self, browser: requests.Session, picker: requests.Response, items: list[str], action: str
    ) -> requests.Response:
        fields = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text
            )
            if name != "action"
        }
        data = {**fields, "action": action, "item": items}
        return browser.post(self.tool_url + "/lti/deep-link", data=data, timeout=10)


@pytest.fixture
def trip(app_sqlite_url: str, tmp_path: Path) -> Iterator[RoundTrip]:
    yield from _trip(app_sqlite_url, tmp_path)


@pytest.fixture
def any_db_trip(app_database_url: str, tmp_path: Path) -> Iterator[RoundTrip]:
    yield from _trip(app_database_url, tmp_path)


@dataclass(frozen=True)
class TrainedResources(Resources):
    trainer: int = 0
    second_unit_id: int = 0


def trained_units(hub: Any, seeded: Resources) -> TrainedResources:
    """A current edition with two units, trained by Tina, in place of the seeded one."""
    tina = hub.create_person("Tina Trainer", PersonKind.TRAINER, country_code="FR")
    today = date.today()
    edition = hub.create_edition(
        "Trained course", today.year, today, today + timedelta(days=60), trainer_ids=[tina.id]
    )
    unit = hub.add_unit(edition.id, "Unit 1: eTwinning", "What eTwinning is.")
    second = hub.add_unit(edition.id, "Unit 2: TwinSpace", "Working together safely.")
    return TrainedResources(
        seeded.twinspace_id, seeded.event_id, unit.id, edition.id, tina.id, second.id
    )


def _trip(app_database_url: str, tmp_path: Path) -> Iterator[RoundTrip]:
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(app_database_url, tmp_path, BASE_URL=tool.base_url)
        container = app.extensions["etwin"]
        resources = trained_units(container.hub, seed_resources(container.hub))
        tool.start(app)
        try:
            with serve_peer(tool.base_url) as peer:
                peer.register_with(container.registrations)
                # The peer's teacher (Ada, sub "2") is the course's trainer: the picker offers
                # units only to the edition's trainers (issue 9 item 4).
                container.identities.link(
                    LtiIdentity(peer.issuer, "2"),
                    resources.trainer,
                    deployment_id=peer.deployment_id,
                    kind=PersonKind.TEACHER,
                )
                yield RoundTrip(tool.base_url, app, peer, resources)
        finally:
            container.database.dispose()


def test_deep_link_round_trip(any_db_trip: RoundTrip) -> None:
    trip, unit = any_db_trip, any_db_trip.resources.unit_id
    with requests.Session() as browser:
        picker = trip.open_picker(browser)
        assert 'data-etwin-role="teacher"' in picker.text
        assert f'data-item="unit:{unit}"' in picker.text
        answer = trip.choose(browser, picker, [f"unit:{unit}"], "embed")
        shown = submit_autopost(browser, answer)
        assert shown.status_code == 200, shown.text[:800]
        assert f"etwin_resource=unit:{unit}" in shown.text
        assert "1 eTwinning activity added" in shown.text
        (returned,) = trip.peer.platform.deep_link_returns
        (item,) = returned.items
        # The launch URL plus only the tool-signed reference (the redirect URI stays plain).
        url, _, query = item["url"].partition("?")
        assert url == trip.tool_url + "/lti/launch"
        assert query == "etwin_ref=" + item["custom"]["etwin_ref"]
        assert item["lineItem"]["resourceId"] == f"unit:{unit}"
        placed = next(
            r
            for r in trip.peer.platform.resources()
            if r.custom.get("etwin_resource") == f"unit:{unit}"
        )
        launched = launch_through(browser, trip.peer.launch_url(user="teacher", resource=placed.id))
    assert launched.status_code == 200, launched.text[:800]
    assert launched.headers["Content-Location"] == f"/embed/unit/{unit}"
    session = trip.container.launches.load_session(launched.cookies["etwin_launch"])
    assert str(session.resource) == f"unit:{unit}"


def test_several_items_when_the_platform_accepts_multiple(trip: RoundTrip) -> None:
    r = trip.resources
    chosen = [f"unit:{r.unit_id}", f"unit:{r.second_unit_id}"]
    with requests.Session() as browser:
        picker = trip.open_picker(browser)
        assert 'data-accept-multiple="true"' in picker.text
        shown = submit_autopost(browser, trip.choose(browser, picker, chosen, "embed"))
    assert shown.status_code == 200, shown.text[:800]
    (returned,) = trip.peer.platform.deep_link_returns
    assert [i["custom"]["etwin_resource"] for i in returned.items] == chosen
    assert all("lineItem" in i for i in returned.items)
    assert "2 eTwinning activities added" in str(returned.msg)


def test_one_item_only_when_accept_multiple_is_false(trip: RoundTrip) -> None:
    r = trip.resources
    trip.alter_settings(lambda settings: settings.update(accept_multiple=False))
    with requests.Session() as browser:
        picker = trip.open_picker(browser)
        both = [f"unit:{r.unit_id}", f"unit:{r.second_unit_id}"]
        two = trip.choose(browser, picker, both, "embed")
        assert two.status_code == 422 and 'name="JWT"' not in two.text
        shown = submit_autopost(
            browser, trip.choose(browser, picker, [f"unit:{r.second_unit_id}"], "embed")
        )
    assert shown.status_code == 200, shown.text[:800]
    (returned,) = trip.peer.platform.deep_link_returns
    assert len(returned.items) == 1


def test_cancel_returns_no_items_with_a_msg(trip: RoundTrip) -> None:
    with requests.Session() as browser:
        picker = trip.open_picker(browser)
        shown = submit_autopost(browser, trip.choose(browser, picker, [], "cancel"))
    assert shown.status_code == 200, shown.text[:800]
    assert "No eTwinning activity was added." in shown.text
    (returned,) = trip.peer.platform.deep_link_returns
    assert returned.items == () and returned.msg == "No eTwinning activity was added."


def test_unsupported_accept_types_page_returns_an_errormsg(trip: RoundTrip) -> None:
    trip.alter_settings(lambda settings: settings.update(accept_types=["link", "file"]))
    with requests.Session() as browser:
        launched = launch_through(browser, trip.peer.launch_url(user="teacher", message="deeplink"))
        assert launched.status_code == 303, launched.text[:800]
        page = browser.get(trip.tool_url + "/lti/deep-link", timeout=10)
        assert page.status_code == 400 and 'data-error="unsupported_accept_types"' in page.text
        action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        token = re.search(r'name="JWT" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        shown = browser.post(action, data={"JWT": token}, timeout=10)
    assert shown.status_code == 200, shown.text[:800]
    (returned,) = trip.peer.platform.deep_link_returns
    assert returned.items == () and "ltiResourceLink" in str(returned.errormsg)
    assert 'class="refused"' in shown.text  # the LMS shows the errormsg


def _count(trip: RoundTrip) -> tuple[int, int]:
    engine = trip.container.database.engine
    with engine.connect() as connection:
        from sqlalchemy import text

        people = connection.execute(text("SELECT count(*) FROM people")).scalar_one()
        sessions = connection.execute(text("SELECT count(*) FROM launch_sessions")).scalar_one()
    return int(people), int(sessions)


@pytest.mark.parametrize(
    ("user", "change", "status", "error"),
    [
        ("pupil", None, 403, "forbidden"),
        ("teacher", lambda s: s.pop("deep_link_return_url"), 401, "missing_claim"),
        ("teacher", lambda s: s.pop("accept_types"), 401, "missing_claim"),
    ],
    ids=["learner", "no deep_link_return_url", "no accept_types"],
)
def test_refused_deep_linking_launches(
    trip: RoundTrip,
    user: str,
    change: Callable[[dict[str, Any]], None] | None,
    status: int,
    error: str,
) -> None:
    if change is not None:
        trip.alter_settings(change)
    before = _count(trip)
    with requests.Session() as browser:
        launched = launch_through(browser, trip.peer.launch_url(user=user, message="deeplink"))
        assert launched.status_code == status, launched.text[:800]
        assert f'data-error="{error}"' in launched.text
        assert "etwin_launch" not in launched.cookies
        # And the picker has nothing to show this browser.
        assert browser.get(trip.tool_url + "/lti/deep-link", timeout=10).status_code == 401
    assert _count(trip) == before
    assert trip.peer.platform.deep_link_returns == []
