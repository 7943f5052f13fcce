"""``/badges/...``: Open Badges 2.0 hosted documents and printable certificates.

The JSON-LD is built by ``etwin_lti.services.badges``; these views only look up, call and render.
Revoked assertions answer 410 Gone with ``{"revoked": true, "revocationReason"}`` (OB 2.0,
hosted verification); unknown ones 404 with the JSON error body.

An assertion's URL is also what a person opens (from the certificate, a CV, an e-mail): content
negotiation (RFC 9110 section 12.5.1) gives a browser, which ranks ``text/html`` first, a page
in words; verifiers asking for ``application/json`` or ``application/ld+json``, or for nothing
in particular, keep the JSON-LD. Both answers say ``Vary: Accept`` so no cache mixes them up.
``/verify`` is the human check of an assertion (ADR 0031).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError
from etwin_lti.services import badges
from etwin_lti.web.container import services
from etwin_lti.web.i18n import page_wording
from etwin_lti.web.negotiation import prefers_html

bp = Blueprint("badges", __name__, url_prefix="/badges")


def _context() -> tuple[Any, badges.BadgeUrls, bytes]:
    container = services()
    settings = container.settings
    return container, badges.BadgeUrls(settings.base_url), badges.recipient_key(settings.secret_key)


def _issuer_name() -> str:
    return str(services().settings.badge_issuer_name)


def _json_ld(document: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(document)
    response.status_code = status
    # Verifiers fetch these from anywhere (Badgr, browser-based validators).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/issuer")
def issuer() -> Response:
    container, urls, _key = _context()
    settings = container.settings
    return _json_ld(
        badges.issuer_profile(
            urls, name=settings.badge_issuer_name, email=settings.badge_issuer_email
        )
    )


@bp.get("/classes/<kind>/<subject>")
def badge_class(kind: str, subject: str) -> Response:
    container, urls, _key = _context()
    parsed = badges.parse_kind(kind)
    title = badges.subject_title(container.hub, subject)
    return _json_ld(badges.badge_class(urls, parsed, subject, title))


@bp.get("/images/<kind>.svg")
def image(kind: str) -> Response:
    svg = badges.badge_image_svg(badges.parse_kind(kind))
    return Response(svg, mimetype="image/svg+xml", headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/assertions/<int:acknowledgement_id>")
def assertion(acknowledgement_id: int) -> Response:
    container, urls, key = _context()
    if prefers_html():
        page = badges.assertion_page(
            container.hub,
            urls,
            acknowledgement_id,
            issuer_name=_issuer_name(),
            words=page_wording(),
        )
        body = render_template("badges/assertion.html", page=page)
        response = Response(body, status=410 if page.revoked else 200, mimetype="text/html")
    else:
        acknowledgement = container.hub.get_acknowledgement(acknowledgement_id)
        if acknowledgement.revoked_at is not None:
            reason = badges.revocation_reason(acknowledgement)
            response = _json_ld(badges.revoked_assertion(urls, acknowledgement, reason), 410)
        else:
            response = _json_ld(badges.assertion(urls, key, acknowledgement))
    response.vary.add("Accept")
    return response


@bp.get("/assertions/<int:acknowledgement_id>/verify")
def verify(acknowledgement_id: int) -> str:
    """``?identity=`` (the recipient identity printed on the certificate) checks the holder."""
    container, urls, key = _context()
    result = badges.verify(
        container.hub,
        urls,
        key,
        acknowledgement_id,
        issuer_name=_issuer_name(),
        identity=request.args.get("identity"),
        words=page_wording(),
    )
    return render_template("badges/verify.html", result=result)


def _certificate(acknowledgement_id: int) -> badges.Certificate:
    container, urls, key = _context()
    if not badges.check_certificate_key(key, acknowledgement_id, request.args.get("k")):
        raise NotFoundError(N_("No such certificate."))
    # In the language of whoever opens or downloads it (their launch, else their browser).
    return badges.certificate(
        container.hub,
        urls,
        key,
        acknowledgement_id,
        issuer_name=_issuer_name(),
        words=page_wording(),
    )


@bp.get("/assertions/<int:acknowledgement_id>/certificate")
def certificate_page(acknowledgement_id: int) -> tuple[str, int]:
    certificate = _certificate(acknowledgement_id)
    page = render_template(
        "badges/certificate.html", certificate=certificate, key=request.args["k"]
    )
    return page, 410 if certificate.revoked else 200


@bp.get("/assertions/<int:acknowledgement_id>/certificate.pdf")
def certificate_download(acknowledgement_id: int) -> Response:
    # Imported here: fpdf2 and its font shaping (fontTools...) cost a web worker ~30 MiB, and
    # only this download draws a PDF; a launch never does (issue 11, RSS per worker).
    from etwin_lti.services.certificates import certificate_pdf

    certificate = _certificate(acknowledgement_id)
    return Response(
        certificate_pdf(certificate),
        status=410 if certificate.revoked else 200,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{acknowledgement_id}.pdf"'},
    )
