"""Security headers on every answer (docs/decisions/0014-security-headers-and-rate-limits.md).

- ``Content-Security-Policy``: scripts and styles from the tool itself, inline scripts only with
  this answer's nonce (``csp_nonce()`` in templates); ``frame-ancestors`` lists 'self' and the
  registered platforms' origins (``etwin_lti.services.frame_ancestors``), so an LMS can embed the
  tool and no other site can frame it. No ``X-Frame-Options``: it cannot name several origins
  and the tool must live in iframes; ``frame-ancestors`` supersedes it.
- ``X-Content-Type-Options: nosniff``.
- ``Referrer-Policy: strict-origin-when-cross-origin``: links from the tool to other sites carry
  the tool's origin only, never a page path (``/embed/twinspace/12``); ``no-referrer`` would also
  make browsers send ``Origin: null`` on the tool's own form posts inside the iframe.
- ``Strict-Transport-Security`` when the base URL is https (decided by the settings, not the
  request, like the cookies' ``Secure``).

The sandbox LMS (``--demo``, under ``/sandbox``) is another system served by the same process:
its own pages keep their inline styles and scripts, so they get the frame and sniffing rules
without the script policy.
"""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from werkzeug.wrappers import Response

from etwin_lti.container import Container
from etwin_lti.services.frame_ancestors import FrameAncestors

EXTENSION = "etwin_frame_ancestors"
HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
SANDBOX_PREFIX = "/sandbox/"


def csp_nonce() -> str:
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return str(nonce)


def content_security_policy(nonce: str | None, frame_ancestors: tuple[str, ...]) -> str:
    ancestors = " ".join(("'self'", *frame_ancestors))
    directives = [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        f"frame-ancestors {ancestors}",
    ]
    if nonce is not None:
        directives[1:1] = [f"script-src 'self' 'nonce-{nonce}'", "style-src 'self'"]
    else:  # the sandbox's own pages
        directives[0] = "default-src 'self' 'unsafe-inline'"
    return "; ".join(directives)


def frame_ancestors_of(app: Flask) -> FrameAncestors:
    ancestors: FrameAncestors = app.extensions[EXTENSION]
    return ancestors


def install_headers(app: Flask, container: Container) -> None:
    app.extensions[EXTENSION] = FrameAncestors(container.registrations)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    https = container.settings.base_url.startswith("https://")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        sandbox = request.path.startswith(SANDBOX_PREFIX) and "sandbox" in app.extensions
        nonce = None if sandbox else csp_nonce()
        # Only documents are framed: other answers (JSON, PDF, images) need no store read.
        html = response.mimetype == "text/html"
        origins = frame_ancestors_of(app).origins() if html else ()
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(nonce, origins)
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
