"""/badges/...: documents, bad and unknown ids, revocation, certificate access, CLI revoke."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from etwin_lti.cli import CliState, main
from etwin_lti.domain.model import AcknowledgementKind, PersonKind
from etwin_lti.services.badges import certificate_key, recipient_key
from tests.conftest import TEST_SECRET


@pytest.fixture
def issued(app: Flask):  # type: ignore[no-untyped-def]
    hub = app.extensions["etwin"].hub
    person = hub.create_person("Pia Pupil", PersonKind.PUPIL)
    from datetime import date

    edition = hub.create_edition("Course 2026", 2026, date(2026, 1, 1), date(2026, 6, 30))
    return hub.complete_course(None, edition.id, person.id)


def test_issuer_profile(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/badges/issuer").get_json()
    assert body["id"] == "http://tool.test/badges/issuer" and body["name"]


@pytest.mark.parametrize(
    "path",
    [
        "/badges/assertions/999",
        "/badges/classes/no_such_kind/edition:1",
        "/badges/classes/course_certificate/edition:999",
        "/badges/classes/course_certificate/unknown:1",
        "/badges/classes/course_certificate/edition:x",
        "/badges/images/no_such_kind.svg",
    ],
)
def test_unknown_answers_404_json(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_certificate_needs_its_key(client, issued) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/badges/assertions/{issued.id}/certificate").status_code == 404
    assert client.get(f"/badges/assertions/{issued.id}/certificate?k=wrong").status_code == 404
    key = certificate_key(recipient_key(TEST_SECRET), issued.id)
    page = client.get(f"/badges/assertions/{issued.id}/certificate?k={key}")
    assert page.status_code == 200 and b"Pia Pupil" in page.data


def test_assertion_has_no_personal_data(client, issued) -> None:  # type: ignore[no-untyped-def]
    text = client.get(f"/badges/assertions/{issued.id}").get_data(as_text=True)
    assert "Pia" not in text and "sha256$" in text


def test_cli_revoke_then_410_everywhere(app: Flask, client, issued) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    empty = runner.invoke(
        main, ["badge", "revoke", str(issued.id), "--reason", " "], obj=CliState(app)
    )
    assert empty.exit_code == 1
    assert client.get(f"/badges/assertions/{issued.id}").status_code == 200
    result = runner.invoke(
        main, ["badge", "revoke", str(issued.id), "--reason", "Duplicate person"], obj=CliState(app)
    )
    assert result.exit_code == 0, result.output
    gone = client.get(f"/badges/assertions/{issued.id}")
    assert gone.status_code == 410
    assert gone.get_json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"http://tool.test/badges/assertions/{issued.id}",
        "revoked": True,
        "revocationReason": "Duplicate person",
    }
    key = certificate_key(recipient_key(TEST_SECRET), issued.id)
    page = client.get(f"/badges/assertions/{issued.id}/certificate?k={key}")
    assert page.status_code == 410 and b"revoked" in page.data
    listing = runner.invoke(main, ["badge", "list"], obj=CliState(app))
    assert f"{issued.id}\t{AcknowledgementKind.COURSE_CERTIFICATE.value}" in listing.output
    assert "revoked" in listing.output
