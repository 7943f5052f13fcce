"""The certificate, its PDF, the assertion page and the verify view in the reader's language
(the browser's here: nobody launched), with the dates as that language writes them."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pypdfium2 as pdfium
import pytest
from babel.dates import format_date
from flask import Flask

from etwin_lti.domain.model import PersonKind
from etwin_lti.services.badges import certificate_key, recipient_key
from tests.conftest import TEST_SECRET

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WORDS = {
    "es": {
        "heading": "Certificado de finalización",
        "badge": "Certificado del curso de formación a distancia de eTwinning: Course 2026",
        "period": "12 de enero de 2026 – 30 de junio de 2026",
        "criteria": "Completó todas las unidades",
        "valid": "No revocado: válido desde el",
        "unchecked": "Sin comprobar: introduce la identidad",
    },
    "fr": {
        "heading": "Certificat de réussite",
        "badge": "Certificat de la formation à distance eTwinning : Course 2026",
        "period": "12 janvier 2026 – 30 juin 2026",
        "criteria": "A terminé toutes les unités",
        "valid": "Non révoqué : valable depuis le",
        "unchecked": "Non vérifié : saisissez l'identité",
    },
}


@pytest.fixture
def issued(app: Flask) -> Any:
    hub = app.extensions["etwin"].hub
    person = hub.create_person("Pia Pupil", PersonKind.PUPIL)
    edition = hub.create_edition("Course 2026", 2026, date(2026, 1, 12), date(2026, 6, 30))
    return hub.complete_course(None, edition.id, person.id)


def _get(client: Any, path: str, language: str, accept: str = BROWSER) -> Any:
    return client.get(path, headers={"Accept": accept, "Accept-Language": language})


@pytest.mark.parametrize("language", sorted(WORDS))
def test_certificate_page_and_pdf_in_the_readers_language(
    client: Any, issued: Any, language: str
) -> None:
    words = WORDS[language]
    key = certificate_key(recipient_key(TEST_SECRET), issued.id)
    base = f"/badges/assertions/{issued.id}/certificate"
    page = _get(client, f"{base}?k={key}", language).get_data(as_text=True)
    assert f'lang="{language}"' in page
    assert words["heading"] in page and words["period"] in page
    pdf = _get(client, f"{base}.pdf?k={key}", language, accept="application/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(pdfium.PdfDocument(pdf.data)[0].get_textpage().get_text_range().split())
    issued_on = format_date(issued.issued_at.date(), "long", locale=language)
    for phrase in (words["heading"], words["badge"], words["period"], issued_on, "Pia Pupil"):
        assert phrase in text, phrase
    assert "awarded to" not in text and "Certificate of completion" not in text


@pytest.mark.parametrize("language", sorted(WORDS))
def test_assertion_page_and_verify_view_in_the_readers_language(
    client: Any, issued: Any, language: str
) -> None:
    words = WORDS[language]
    page = _get(client, f"/badges/assertions/{issued.id}", language).get_data(as_text=True)
    assert words["badge"] in page and words["criteria"] in page and words["period"] in page
    verdict = _get(client, f"/badges/assertions/{issued.id}/verify", language)
    text = html.unescape(verdict.get_data(as_text=True))  # the apostrophes are escaped
    assert 'data-verdict="valid"' in text
    assert words["valid"] in text and words["unchecked"] in text
    # The machines' JSON-LD stays as it is, whatever the browser's language.
    machine = client.get(f"/badges/assertions/{issued.id}", headers={"Accept-Language": language})
    assert machine.get_json()["type"] == "Assertion"
