"""The PDF certificate rendered and read back: PDFium (pypdfium2) rasterises the page and
reports where every character landed, zxing-cpp decodes the QR code from the picture."""

from __future__ import annotations

from dataclasses import replace

import pypdfium2 as pdfium
import pytest
import zxingcpp

from etwin_lti.services.badges import Certificate
from etwin_lti.services.certificates import FRAME, PT, certificate_pdf, printable

VERIFY = "https://etwinning.example.org/badges/assertions/4711/verify"
CERTIFICATE = Certificate(
    acknowledgement_id=4711,
    heading="Certificate of completion",
    badge_name="eTwinning distance training course certificate: Project-based learning 2026",
    subject_title="Project-based learning 2026",
    period="12 January 2026 – 30 June 2026",
    issuer="eTwinning NSO Österreich",
    recipient_name="Zoë Ødegård",
    recipient_identity="https://etwinning.example.org/badges/recipients/" + "0a" * 16,
    issued_on="2026-12-04",
    issued_on_text="4 December 2026",
    verification_url=VERIFY,
    assertion_url="https://etwinning.example.org/badges/assertions/4711",
    badge_class_url="https://etwinning.example.org/badges/classes/course_certificate/edition:1",
    revoked=False,
    revocation_reason=None,
)


class Rendered:
    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-")
        document = pdfium.PdfDocument(data)
        assert len(document) == 1  # one page, whatever the texts
        page = document[0]
        self.width, self.height = page.get_size()  # points
        textpage = page.get_textpage()
        count = textpage.count_chars()
        self.text = textpage.get_text_range()
        self.boxes = [
            (textpage.get_text_range(i, 1), textpage.get_charbox(i)) for i in range(count)
        ]
        self.image = page.render(scale=3).to_pil()

    def qr_texts(self) -> list[str]:
        return [code.text for code in zxingcpp.read_barcodes(self.image)]

    def outside_the_frame(self) -> list[str]:
        inset = FRAME / PT  # the border, in points
        return [
            ch
            for ch, (left, bottom, right, top) in self.boxes
            if ch.strip()
            and not (
                inset <= left <= right <= self.width - inset
                and inset <= bottom <= top <= self.height - inset
            )
        ]


def render(certificate: Certificate) -> Rendered:
    return Rendered(certificate_pdf(certificate))


def test_a4_landscape_with_every_fact_and_a_qr_of_the_verify_page() -> None:
    page = render(CERTIFICATE)
    assert (round(page.width), round(page.height)) == (842, 595)  # A4 landscape in points
    flat = " ".join(page.text.split())
    for fact in (
        "eTwinning",
        "Certificate of completion",
        "Zoë Ødegård",
        "Project-based learning 2026",
        "12 January 2026 – 30 June 2026",
        "Issued by eTwinning NSO Österreich on 4 December 2026",  # the whole date, on the page
        VERIFY,
        CERTIFICATE.recipient_identity,
    ):
        assert fact in flat, fact
    assert page.outside_the_frame() == []
    assert page.qr_texts() == [VERIFY]


HOSTILE_NAMES = [
    "Maximiliana Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff " * 4,
    "محمد عبد الله الهاشمي",  # right to left, joined letters
    "שרה לוי and Анна-Мария Петрова-Водкина",
    "Ελένη 😀🎉👩‍👩‍👧 Παπαδοπούλου",
    "W" * 400,  # no space to break at
    "<b>Bobby</b> '); DROP TABLE people;--",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_long_rtl_and_emoji_names_stay_inside_the_frame(name: str) -> None:
    long_title = "A Learning Event about stories told in many languages " * 6
    certificate = replace(
        CERTIFICATE,
        recipient_name=name,
        badge_name=f"eTwinning Learning Event certificate of participation: {long_title}",
        issuer="the eTwinning Central Support Service, recorded by " + "Organisation " * 12,
        revoked=True,
        revocation_reason="Issued twice " * 20,
    )
    page = render(certificate)
    assert page.outside_the_frame() == []
    assert "4 December 2026" in page.text  # never pushed off the page
    assert "REVOKED" in page.text
    assert page.qr_texts() == [VERIFY]  # nothing drawn over the code


def test_a_long_verification_url_still_decodes() -> None:
    url = "https://" + "sub." * 30 + "example.org/badges/assertions/98765432/verify"
    page = render(replace(CERTIFICATE, verification_url=url))
    assert page.outside_the_frame() == []
    assert page.qr_texts() == [url]


def test_printable_drops_only_what_the_font_cannot_draw() -> None:
    assert printable("Zoë  Ødegård\n") == "Zoë Ødegård"
    assert printable("Ελένη 李小龍") == "Ελένη"  # no CJK in DejaVu Sans: dropped, not boxes
    assert printable("محمد") == "محمد"


def test_the_frame_check_sees_text_past_the_page_edge() -> None:
    """The check above can fail: the old layout's date, written from near the right edge."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", "", 16)
    pdf.text(x=270, y=100, text="Issued on 2026-12-04")
    assert "2" in "".join(Rendered(bytes(pdf.output())).outside_the_frame())
