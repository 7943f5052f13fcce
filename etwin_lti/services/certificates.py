"""The printable PDF certificate of an acknowledgement (fpdf2; no I/O, returns bytes)."""

from __future__ import annotations

from fpdf import FPDF

from etwin_lti.services.badges import Certificate


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot draw rather than fail.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(certificate.badge_name))
    pdf.set_creator("etwin-lti")
    pdf.add_page()
    pdf.set_draw_color(31, 95, 168)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font("helvetica", "B", 30)
    pdf.cell(0, 16, "Certificate", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 16)
    pdf.cell(0, 12, "awarded to", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 24)
    pdf.cell(0, 16, _latin1(certificate.recipient_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 16)
    pdf.multi_cell(0, 10, _latin1(certificate.badge_name), align="C")
    pdf.cell(0, 12, f"Issued on {certificate.issued_on}", align="C", new_x="LMARGIN", new_y="NEXT")
    if certificate.revoked:
        pdf.set_text_color(180, 0, 0)
        pdf.set_font("helvetica", "B", 18)
        reason = certificate.revocation_reason or ""
        pdf.multi_cell(0, 10, _latin1(f"REVOKED: {reason}"), align="C")
        pdf.set_text_color(0, 0, 0)
    pdf.set_y(160)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, "Verify this Open Badge at:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(31, 95, 168)
    pdf.cell(
        0,
        6,
        certificate.verification_url,
        align="C",
        link=certificate.verification_url,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.cell(
        0,
        6,
        f"Recipient identity: {certificate.recipient_identity}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
