"""The printable PDF certificate of an acknowledgement (fpdf2 + segno; no I/O, returns bytes).

One A4 landscape page: who issued it, the heading, the recipient's name, what it is for and its
dates, the issue date in words, and at the bottom a QR code of the human verify page beside
that link and the recipient identity (ADR 0031). Every text is fitted into its box: shrunk down
to a floor size, then wrapped onto a bounded number of lines, then cut with an ellipsis, so a
long name can never push the issue date off the page.

Fonts: DejaVu Sans, shipped in ``etwin_lti/data/fonts`` (Latin with every accent, Greek,
Cyrillic, Armenian, Georgian, Hebrew and Arabic), with HarfBuzz shaping (uharfbuzz) for
right-to-left and joined scripts. A character the font cannot draw (emoji, CJK) is dropped
rather than printed as an empty box of unknown width.

Language: the certificate's texts come in the downloader's language (``badges.certificate``
with their ``Wording``); the labels printed around them here follow the same locale.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode

from etwin_lti.services.badges import Certificate
from etwin_lti.services.wording import wording_for

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, millimetres
FRAME = 10.0  # the outer border, from the page edge
LEFT = 25.0  # text margin
TEXT_WIDTH = PAGE_WIDTH - 2 * LEFT
QR_TOP, QR_SIZE = 150.0, 40.0  # the QR code, quiet zone included, bottom left
CONTENT_BOTTOM = QR_TOP - 2  # the centred texts stay above the verification band
BLUE = (31, 95, 168)  # 6.4:1 on white
INK = (26, 26, 26)
RED = (160, 0, 0)
PT = 25.4 / 72  # millimetres per point
# Three dots, not U+2026: fpdf2 2.8.9 with shaping then mis-maps the subset glyphs (an en dash
# printed as a dot and a dash, the ellipsis itself missing).
ELLIPSIS = "..."


def _font_path(style: str) -> Path:
    return Path(str(files("etwin_lti") / "data" / "fonts" / FONT_FILES[style]))


@cache
def _drawable() -> frozenset[int]:
    """The code points both styles draw (the regular and bold cmaps)."""
    points: set[int] | None = None
    for style in FONT_FILES:
        font = TTFont(_font_path(style), lazy=True)
        cmap = set(font.getBestCmap())
        font.close()
        points = cmap if points is None else points & cmap
    return frozenset(points or ())


def printable(text: str) -> str:
    """``text`` without what the font cannot draw, whitespace collapsed."""
    drawable = _drawable()
    kept = "".join(ch for ch in text if ord(ch) in drawable or ch in " \n")
    return " ".join(kept.split())


class _Page:
    """An ``FPDF`` page and the fitting of texts into boxes."""

    def __init__(self, title: str) -> None:
        pdf = FPDF(orientation="landscape", format="A4")
        for style in FONT_FILES:
            pdf.add_font(FONT, style, str(_font_path(style)))
        pdf.set_text_shaping(True)
        pdf.set_title(title)
        pdf.set_creator("etwin-lti")
        pdf.set_auto_page_break(False)  # one page, whatever the texts
        pdf.set_margins(LEFT, FRAME, LEFT)
        pdf.add_page()
        self.pdf = pdf

    def text(
        self,
        text: str,
        *,
        y: float,
        size: float,
        floor: float | None = None,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        max_lines: int = 1,
        x: float = LEFT,
        width: float = TEXT_WIDTH,
        align: str = "C",
        link: str = "",
        wrap_chars: bool = False,
    ) -> float:
        """Write ``text`` in the box, shrinking from ``size`` to ``floor`` before wrapping onto
        at most ``max_lines`` lines (the last one cut with an ellipsis); the y below it."""
        pdf = self.pdf
        clean = printable(text)
        if not clean:
            return y
        style = "B" if bold else ""
        current = size
        pdf.set_font(FONT, style, current)
        while pdf.get_string_width(clean) > width and current > (floor or size):
            current = max(floor or size, current - 1)
            pdf.set_font(FONT, style, current)
        line_height = current * PT * 1.35
        wrapmode = WrapMode.CHAR if wrap_chars else WrapMode.WORD
        wrapped = pdf.multi_cell(
            width, line_height, clean, dry_run=True, output="LINES", wrapmode=wrapmode
        )
        assert isinstance(wrapped, list)  # output="LINES" alone: the lines, nothing else
        lines = [str(line) for line in wrapped]
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1].rstrip()
            while last and pdf.get_string_width(last + ELLIPSIS) > width:
                last = last[:-1].rstrip()
            lines[-1] = last + ELLIPSIS
        pdf.set_text_color(*colour)
        pdf.set_xy(x, y)
        pdf.multi_cell(
            width,
            line_height,
            "\n".join(line.strip() for line in lines),
            align=align,
            link=link,
            wrapmode=wrapmode,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return y + line_height * len(lines)

    def qr(self, url: str, *, x: float, y: float, size: float) -> None:
        """The QR code as filled squares (vector: sharp at any zoom or print size)."""
        code = segno.make(url, error="m", micro=False)
        rows = [list(row) for row in code.matrix_iter(border=4)]
        module = size / len(rows)
        pdf = self.pdf
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x, y, size, size, style="F")
        pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(rows):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")


def certificate_pdf(certificate: Certificate) -> bytes:
    words = wording_for(certificate.locale)
    _ = words._
    page = _Page(printable(certificate.badge_name))
    pdf = page.pdf
    pdf.set_lang(words.locale)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(1.5)
    pdf.rect(FRAME, FRAME, PAGE_WIDTH - 2 * FRAME, PAGE_HEIGHT - 2 * FRAME)
    pdf.set_line_width(0.3)
    pdf.rect(FRAME + 3, FRAME + 3, PAGE_WIDTH - 2 * FRAME - 6, PAGE_HEIGHT - 2 * FRAME - 6)

    y = page.text("eTwinning", y=20, size=16, bold=True, colour=BLUE)
    y = page.text(certificate.heading, y=y + 3, size=30, floor=18, bold=True)
    y = page.text(_("awarded to"), y=y + 3, size=13)
    y = page.text(certificate.recipient_name, y=y + 1, size=26, floor=14, bold=True, max_lines=2)
    y = page.text(_("for"), y=y + 2, size=12)
    y = page.text(certificate.badge_name, y=y + 1, size=17, floor=11, max_lines=3)
    if certificate.period:
        y = page.text(certificate.period, y=y + 1, size=12)
    y = page.text(
        _(
            "Issued by %(issuer)s on %(date)s",
            issuer=certificate.issuer,
            date=certificate.issued_on_text,
        ),
        y=y + 4,
        size=12,
        floor=9,
        max_lines=2,
    )
    if certificate.revoked:
        page.text(
            _("REVOKED: %(reason)s", reason=certificate.revocation_reason or ""),
            y=min(y + 3, CONTENT_BOTTOM - 14),
            size=15,
            floor=10,
            bold=True,
            colour=RED,
            max_lines=2,
        )

    page.qr(certificate.verification_url, x=LEFT - 4, y=QR_TOP, size=QR_SIZE)
    right = LEFT + QR_SIZE + 2
    width = PAGE_WIDTH - LEFT - right
    y = page.text(
        _("Check this certificate: scan the code or open"),
        y=QR_TOP + 6,
        size=10,
        x=right,
        width=width,
        align="L",
    )
    y = page.text(
        certificate.verification_url,
        y=y,
        size=10,
        floor=7,
        colour=BLUE,
        x=right,
        width=width,
        align="L",
        link=certificate.verification_url,
        max_lines=2,
        wrap_chars=True,
    )
    page.text(
        _(
            "Recipient identity (give it to a verifier): %(identity)s",
            identity=certificate.recipient_identity,
        ),
        y=y + 3,
        size=8,
        floor=7,
        x=right,
        width=width,
        align="L",
        max_lines=2,
        wrap_chars=True,
    )
    return bytes(pdf.output())
