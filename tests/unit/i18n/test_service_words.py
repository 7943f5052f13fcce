"""What the services write outside a page (the code mail, the PDF certificate, badge pages,
charts) reads in Spanish and French: the texts are in the catalogs, and a mail, a certificate
and a chart rendered in es and fr carry translated words and localised dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from etwin_lti.domain.model import AcknowledgementKind as Kind
from etwin_lti.domain.model import Person, PersonKind
from etwin_lti.domain.teacher_linking import CODE_MINUTES
from etwin_lti.services import badges, charts
from etwin_lti.services.certificates import certificate_pdf
from etwin_lti.services.pages.twinspace import ROLE_PLURALS
from etwin_lti.services.teacher_linking import CODE_SENT, _code_mail
from etwin_lti.services.wording import ENGLISH, Wording, wording_for

TRANSLATIONS = Path(__file__).parents[3] / "etwin_lti" / "translations"
LANGUAGES = ("es", "fr")
# The services' constant texts (``N_``): every one needs its es and fr translation.
CONSTANTS = sorted(
    {
        *badges.KIND_NAMES.values(),
        *badges.KIND_LABELS.values(),
        *badges.KIND_HEADINGS.values(),
        *badges.KIND_CRITERIA.values(),
        *badges._DECIDED_BY.values(),
        *ROLE_PLURALS.values(),
        badges.UNAPPROVED_PROJECT_TITLE,
        badges.REVOKED_BY_ISSUER,
        badges.BadgeNotFoundError.description,
        badges.BadgeNotFoundError.who_can_fix,
        CODE_SENT,
    }
)
PROFILE = Person(7, "Dora Dupont", PersonKind.TEACHER, "FR", email="dora@school.example")
CLAIMANT = Person(8, "D. Dupont (Moodle)", PersonKind.TEACHER)


def _catalog(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_service_constant_has_its_translation(language: str) -> None:
    catalog = _catalog(language)
    missing = [text for text in CONSTANTS if not (catalog.get(text) and catalog[text].string)]
    assert missing == [], f"translate these in {language} (make catalogs)"


def test_an_unsupported_or_missing_locale_writes_english() -> None:
    for tag in (None, "", "de-DE", "xx", "<b>", 42, "es" * 40):
        assert wording_for(tag).locale == "en"
    assert wording_for("es-419").locale == "es" and wording_for("fr_CA").locale == "fr"


@pytest.mark.parametrize(
    ("language", "subject", "words", "foreign"),
    [
        (
            "es",
            "Tu código de conexión a eTwinning",
            ("Hola, Dora Dupont:", "introduce este código", f"{CODE_MINUTES} minutos"),
            "Si fuiste tú",
        ),
        (
            "fr",
            "Votre code de connexion eTwinning",
            ("Bonjour Dora Dupont,", "saisissez ce code", f"{CODE_MINUTES} minutes"),
            "Si c'était vous",
        ),
    ],
)
def test_the_code_mail_reads_in_the_language_of_the_launch(
    language: str, subject: str, words: tuple[str, ...], foreign: str
) -> None:
    mail = _code_mail(PROFILE.email or "", PROFILE, CLAIMANT, "123456", wording_for(language))
    assert mail.subject == subject and mail.to == "dora@school.example"
    for phrase in (*words, foreign, "123456", "D. Dupont (Moodle)"):
        assert phrase in mail.body, phrase
    english = _code_mail(PROFILE.email or "", PROFILE, CLAIMANT, "123456", ENGLISH)
    assert "Hello" not in mail.body and "Hello Dora Dupont," in english.body
    assert english.subject == "Your eTwinning connection code"


def _certificate(words: Wording, *, revoked: bool = False) -> badges.Certificate:
    """A course certificate as ``badges.certificate`` words it, without a hub."""
    details = badges.SubjectDetails(
        "Aprendizaje basado en proyectos", date(2026, 1, 12), date(2026, 6, 30)
    )
    kind = Kind.COURSE_CERTIFICATE
    return badges.Certificate(
        acknowledgement_id=4711,
        heading=words.translate(badges.KIND_HEADINGS[kind]),
        badge_name=badges._badge_name(kind, details, words),
        subject_title=details.title,
        period=badges.period_text(details, words),
        issuer=badges.issuing_body(Kind.NATIONAL_QUALITY_LABEL, "eTwinning NSO", words),
        recipient_name="Zoë Ødegård",
        recipient_identity="https://tool.test/badges/recipients/" + "0a" * 16,
        issued_on="2026-12-04",
        issued_on_text=words.long_date(date(2026, 12, 4)),
        verification_url="https://tool.test/badges/assertions/4711/verify",
        assertion_url="https://tool.test/badges/assertions/4711",
        badge_class_url="https://tool.test/badges/classes/course_certificate/edition:1",
        revoked=revoked,
        revocation_reason=badges.REVOKED_BY_ISSUER if revoked else None,
        locale=words.locale,
    )


def _pdf_text(certificate: badges.Certificate) -> str:
    page = pdfium.PdfDocument(certificate_pdf(certificate))[0]
    return " ".join(page.get_textpage().get_text_range().split())


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "es",
            (
                "Certificado de finalización",
                "otorgado a",
                "Certificado del curso de formación a distancia de eTwinning",
                "12 de enero de 2026 – 30 de junio de 2026",
                "Emitido por el Servicio Nacional de Apoyo de eTwinning, registrado por "
                "eTwinning NSO el 4 de diciembre de 2026",
                "Comprueba este certificado: escanea el código o abre",
                "Identidad del destinatario",
                "REVOCADO",
            ),
        ),
        (
            "fr",
            (
                "Certificat de réussite",
                "décerné à",
                "Certificat de la formation à distance eTwinning",
                "12 janvier 2026 – 30 juin 2026",
                "Délivré par le Bureau national d'assistance eTwinning, enregistré par "
                "eTwinning NSO le 4 décembre 2026",
                "Vérifiez ce certificat : scannez le code ou ouvrez",
                "Identité du destinataire",
                "RÉVOQUÉ",
            ),
        ),
    ],
)
def test_the_pdf_certificate_prints_the_downloaders_language(
    language: str, phrases: tuple[str, ...]
) -> None:
    text = _pdf_text(_certificate(wording_for(language), revoked=True))
    for phrase in phrases:
        assert phrase in text, phrase
    for english in ("awarded to", "Issued by", "December", "Check this certificate", "REVOKED"):
        assert english not in text, english


def test_the_english_certificate_keeps_its_words() -> None:
    text = _pdf_text(_certificate(ENGLISH))
    assert "Certificate of completion" in text and "awarded to" in text
    assert "12 January 2026 – 30 June 2026" in text and "4 December 2026" in text


@pytest.mark.parametrize(
    ("language", "unit_title", "desc", "nothing", "week"),
    [
        (
            "es",
            "Unidad 1",
            "Unidad 1: 3 de 4 formandos",
            "Todavía no hay nada que mostrar.",
            "12 ene 2026",
        ),
        (
            "fr",
            "Unité 1",
            "Unité 1: 3 sur 4 stagiaires",
            "Rien à afficher pour le moment.",
            "12 janv. 2026",
        ),
    ],
)
def test_a_chart_and_its_text_alternative_read_in_the_page_language(
    language: str, unit_title: str, desc: str, nothing: str, week: str
) -> None:
    words = wording_for(language)
    _ = words._
    data = charts.bar_chart(
        "u",
        _("Active members by role"),
        [charts.Bar(unit_title, 3, 4)],
        unit=_("trainees"),
        heading=_("Unit"),
        words=words,
    )
    assert f'<desc id="u-desc">{desc}</desc>' in data.svg
    assert data.columns == (_("Unit"), _("trainees").capitalize(), "Total")
    assert nothing in charts.bar_chart("e", "t", [], unit=_("members"), words=words).svg
    line = charts.line_chart(
        "l",
        "t",
        [charts.Point(words.short_date(date(2026, 1, 12)), 1), charts.Point("b", 3)],
        y_max=4,
        unit=_("units completed"),
        words=words,
    )
    assert week in line.svg and _("units completed") in line.svg
    assert " of " not in data.svg + line.svg and "From " not in line.svg
    assert _("No data yet.") in charts.line_chart("n", "t", [], y_max=0, unit="u", words=words).svg


@pytest.mark.parametrize(
    ("language", "listed"),
    [
        ("en", "Francia, Italia and Polonia"),
        ("es", "Francia, Italia y Polonia"),
        ("fr", "Francia, Italia et Polonia"),
    ],
)
def test_a_list_of_countries_is_said_the_way_the_language_says_it(
    language: str, listed: str
) -> None:
    words = wording_for(language)
    assert words.spoken_list(["Francia", "Italia", "Polonia"]) == listed
    assert words.spoken_list(["Francia"]) == "Francia" and words.spoken_list([]) == ""
