"""The public project pages: ``/projects/<id>/public`` and the gallery ``/projects/public``.

No login, no LMS, no cookie: these views never read a launch session, so the answer is the
same for everyone and may be cached by browsers and shared caches for ``PUBLIC_MAX_AGE``
seconds (the same for the 404 of a project without a public page, so that its headers do not
tell an unapproved project from an unknown id either). Content is what
``etwin_lti.domain.public_pages`` lets out; the security headers are the app's usual ones.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from etwin_lti.web.container import services

PUBLIC_MAX_AGE = 60  # short: a page made private disappears from caches within a minute
CACHEABLE = (200, 404)

bp = Blueprint("public", __name__)


@bp.get("/projects/public")
def gallery() -> Any:
    view = services().pages.public.gallery(request.args.get("page"))
    return render_template("public/gallery.html", view=view)


@bp.get("/projects/<int:project_id>/public")
def project(project_id: int) -> Any:
    view = services().pages.public.project(project_id)
    return render_template("public/project.html", view=view)


@bp.after_request
def _cache_headers(response: Response) -> Response:
    if response.status_code in CACHEABLE:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    else:  # a refusal or a failure is never kept
        response.cache_control.no_store = True
    response.vary.add("Accept")  # the 404 is a page or JSON, by the Accept header
    return response
