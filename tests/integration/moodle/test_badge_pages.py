"""An assertion's URL for people and programs (content negotiation), and its verify view:
valid, revoked, wrong or hostile recipient identities, unknown and forged ids."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.model import PersonKind
from etwin_lti.services.badges import BadgeUrls, recipient_key
from tests.conftest import TEST_SECRET

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def issued(app: Flask) -> Any:
    hub = app.extensions["etwin"].hub
    person = hub.create_person("Pia Pupil", PersonKind.PUPIL)
    edition = hub.create_edition("Course 2026", 2026, date(2026, 1, 12), date(2026, 6, 30))
    return hub.complete_course(None, edition.id, person.id)


def identity_of(acknowledgement: Any) -> str:
    return BadgeUrls("http://tool.test").recipient(
        recipient_key(TEST_SECRET), acknowledgement.person_id
    )


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_a_browser_reads_a_page_in_words(client, issued) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/badges/assertions/{issued.id}", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = text(response)
    for fact in ("what", "who", "issuer", "issued", "criteria"):
        assert f'data-fact="{fact}"' in page
    assert "eTwinning distance training course certificate: Course 2026" in page
    assert "12 January 2026 – 30 June 2026" in page
    assert "Completed every unit" in page  # the criteria
    assert f"/badges/assertions/{issued.id}/verify" in page
    assert "Pia" not in page  # public like the JSON: no name


@pytest.mark.parametrize(
    "accept", [None, "application/json", "application/ld+json", "*/*", "text/html;q=0.5, */*"]
)
def test_programs_keep_the_json_ld(client, issued, accept: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/badges/assertions/{issued.id}", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["type"] == "Assertion"
    assert "Accept" in response.headers["Vary"]


def test_revoked_page_and_json_both_410(app: Flask, client, issued) -> None:  # type: ignore[no-untyped-def]
    app.extensions["etwin"].hub.revoke_acknowledgement(issued.id, "Issued to the wrong person")
    page = client.get(f"/badges/assertions/{issued.id}", headers={"Accept": BROWSER})
    assert page.status_code == 410 and "Issued to the wrong person" in text(page)
    assert 'data-revoked="true"' in text(page)
    machine = client.get(f"/badges/assertions/{issued.id}")
    assert machine.status_code == 410 and machine.get_json()["revoked"] is True
    verdict = text(client.get(f"/badges/assertions/{issued.id}/verify"))
    assert 'data-verdict="invalid"' in verdict
    assert 'data-check="revocation" data-passed="no"' in verdict
    assert "Revoked by the issuer: Issued to the wrong person" in verdict


def test_verify_without_identity_says_what_it_checked(client, issued) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/badges/assertions/{issued.id}/verify")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = text(response)
    assert 'data-verdict="valid"' in page
    assert 'data-check="issuer" data-passed="yes"' in page
    assert 'data-check="revocation" data-passed="yes"' in page
    assert 'data-check="recipient" data-passed="unchecked"' in page
    assert "Not revoked: valid since" in page and "Pia" not in page


def test_verify_the_recipient_identity(client, issued) -> None:  # type: ignore[no-untyped-def]
    url = f"/badges/assertions/{issued.id}/verify"
    right = text(client.get(url, query_string={"identity": f"  {identity_of(issued)} "}))
    assert 'data-check="recipient" data-passed="yes"' in right
    assert "is this badge&#39;s recipient" in right and 'data-verdict="valid"' in right
    wrong = text(client.get(url, query_string={"identity": identity_of(issued) + "0"}))
    assert 'data-check="recipient" data-passed="no"' in wrong
    assert 'data-verdict="invalid"' in wrong


@pytest.mark.parametrize(
    "identity",
    [
        "<script>alert(1)</script>",
        "x" * 100_000,  # far past any identity URL: not hashed, refused in words
        "http://tool.test/badges/recipients/\u202e",
        "😀 محمد",
    ],
)
def test_hostile_identities_fail_in_words(client, issued, identity: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/badges/assertions/{issued.id}/verify", query_string={"identity": identity}
    )
    assert response.status_code == 200
    page = text(response)
    assert 'data-check="recipient" data-passed="no"' in page
    assert "<script>alert" not in page and len(page) < 20_000


def test_a_nul_in_the_identity_is_refused_by_the_input_guard(client, issued) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/badges/assertions/{issued.id}/verify",
        query_string={"identity": "http://tool.test/\u0000"},
        headers={"Accept": BROWSER},
    )
    assert response.status_code == 422 and response.mimetype == "text/html"


@pytest.mark.parametrize(
    "path",
    [
        "/badges/assertions/999",
        "/badges/assertions/999/verify",
        "/badges/assertions/abc",
        "/badges/assertions/abc/verify",
        "/badges/assertions/-1/verify",
        "/badges/assertions/99999999999999999999999/verify",
        "/badges/assertions/1%27%20OR%201=1/verify",
    ],
)
def test_unknown_and_forged_ids_are_a_404_page_for_people(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<main" in text(response) and 'data-error="not_found"' in text(response)


@pytest.mark.parametrize("path", ["/badges/assertions/999", "/badges/assertions/999/verify"])
def test_an_unknown_badge_says_who_can_help(client, path: str) -> None:  # type: ignore[no-untyped-def]
    page = text(client.get(path, headers={"Accept": BROWSER}))
    assert "No badge has this address" in page and "the badge&#39;s holder" in page


@pytest.mark.parametrize(
    "path", ["/badges/assertions/999", "/badges/assertions/99999999999999999999999"]
)
def test_unknown_ids_stay_json_for_programs(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "application/ld+json"})
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_the_pdf_download_carries_a_qr_code_of_the_verify_page(client, issued) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium
    import zxingcpp

    from etwin_lti.services.badges import certificate_key

    key = certificate_key(recipient_key(TEST_SECRET), issued.id)
    response = client.get(f"/badges/assertions/{issued.id}/certificate.pdf?k={key}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    page = pdfium.PdfDocument(response.data)[0]
    text = page.get_textpage().get_text_range()
    assert "Pia Pupil" in text and "Course 2026" in text and "eTwinning LTI tool" in text
    codes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    assert [c.text for c in codes] == [f"http://tool.test/badges/assertions/{issued.id}/verify"]


def test_a_learning_event_certificate_names_the_event_and_its_dates(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    from etwin_lti.services.badges import certificate_key, long_date

    hub = app.extensions["etwin"].hub
    expert = hub.create_person("Erik Expert", PersonKind.EXPERT)
    teacher = hub.create_person("Ανδρέας Νικολάου", PersonKind.TEACHER)
    # Running today: the hub (on its own clock) completes participants of running events only.
    starts, ends = date.today() - timedelta(days=3), date.today() + timedelta(days=10)
    event = hub.create_event(
        "Stories across borders",
        "Digital storytelling.",
        expert.id,
        starts,
        ends,
        20,
    )
    hub.enrol(event.id, teacher.id)
    issued = hub.complete_event(expert.id, event.id, teacher.id)
    key = certificate_key(recipient_key(TEST_SECRET), issued.id)
    page = text(client.get(f"/badges/assertions/{issued.id}/certificate?k={key}"))
    assert "<h1>Certificate of participation</h1>" in page
    assert "Ανδρέας Νικολάου" in page and "Stories across borders" in page
    assert f"{long_date(starts)} – {long_date(ends)}" in page
    assert f"/badges/assertions/{issued.id}/verify" in page
