"""End to end: a (fake) Moodle reports a course completion → exactly one certificate whose Open
Badge verifies, fetched over real HTTP from a running tool, as a badge verifier would."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from etwin_lti.services.badges import BadgeUrls, certificate_key, recipient_key
from tests.conftest import TEST_SECRET, make_test_app
from tests.support.fake_moodle import FakeMoodle, serve
from tests.support.moodle_world import COURSE_ID, MoodleWorld, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def running_tool(app_database_url: str, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    holder: dict[str, Any] = {}

    def dispatch(environ: Any, start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = make_test_app(app_database_url, tmp_path, BASE_URL=base_url)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    container = holder["app"].extensions["etwin"]
    try:
        yield base_url, container
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        container.moodle._session.close()
        container.database.dispose()


@pytest.fixture
def world(running_tool: tuple[str, Any]) -> Iterator[MoodleWorld]:
    with serve(FakeMoodle()) as moodle:
        yield build_world(running_tool[1], moodle)


def test_completion_becomes_one_verifiable_badge(
    running_tool: tuple[str, Any], world: MoodleWorld
) -> None:
    base_url, _container = running_tool
    world.map()
    world.learner(21)
    world.learner(22)
    world.moodle.complete(COURSE_ID, 21)
    assert world.poll().count("issued") == 1
    assert world.poll().count("issued") == 0
    [ack] = world.acknowledgements()

    with requests.Session() as http:
        assertion = http.get(f"{base_url}/badges/assertions/{ack.id}", timeout=5)
        assert assertion.status_code == 200
        document = assertion.json()
        # Hosted verification: the id is the URL it was fetched from.
        assert document["id"] == assertion.url
        assert document["@context"] == "https://w3id.org/openbadges/v2"
        assert document["type"] == "Assertion"
        assert document["verification"] == {"type": "hosted"}

        badge = http.get(document["badge"], timeout=5)
        assert badge.status_code == 200
        badge_class = badge.json()
        assert badge_class["id"] == document["badge"] and badge_class["type"] == "BadgeClass"
        assert "Distance course 2026" in badge_class["name"]
        assert (
            http.get(badge_class["image"], timeout=5)
            .headers["Content-Type"]
            .startswith("image/svg+xml")
        )
        issuer = http.get(badge_class["issuer"], timeout=5).json()
        assert issuer["id"] == badge_class["issuer"] and issuer["type"] == "Issuer"
        assert issuer["url"] == base_url

        # The holder's identity (printed on their certificate) verifies against the hash.
        recipient = document["recipient"]
        assert recipient["hashed"] is True and recipient["type"] == "url"
        identity = BadgeUrls(base_url).recipient(recipient_key(TEST_SECRET), ack.person_id)
        digest = hashlib.sha256((identity + recipient["salt"]).encode()).hexdigest()
        assert recipient["identity"] == "sha256$" + digest
        other = BadgeUrls(base_url).recipient(recipient_key(TEST_SECRET), ack.person_id + 1)
        assert hashlib.sha256((other + recipient["salt"]).encode()).hexdigest() != digest

        key = certificate_key(recipient_key(TEST_SECRET), ack.id)
        page = http.get(f"{base_url}/badges/assertions/{ack.id}/certificate?k={key}", timeout=5)
        assert page.status_code == 200
        assert "Learner 21" in page.text and document["id"] in page.text and identity in page.text
        pdf = http.get(f"{base_url}/badges/assertions/{ack.id}/certificate.pdf?k={key}", timeout=5)
        assert pdf.content.startswith(b"%PDF")

        world.container.hub.revoke_acknowledgement(ack.id, "Issued by mistake")
        revoked = http.get(f"{base_url}/badges/assertions/{ack.id}", timeout=5)
        assert revoked.status_code == 410
        assert revoked.json()["revoked"] is True
        assert revoked.json()["revocationReason"] == "Issued by mistake"
        assert http.get(f"{base_url}/badges/assertions/{ack.id + 99}", timeout=5).status_code == 404
