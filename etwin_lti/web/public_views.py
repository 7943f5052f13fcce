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
from etwin_lti.web.files import file_response

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


@bp.get(
    "/projects/<int:project_id>/public/materials/<int:material_id>/<any(file, thumbnail):which>"
)
def material_file(project_id: int, material_id: int, which: str) -> Any:
    """A file the public page lists; anything else is the same 404 (``NoPublicFileError``)."""
    thumbnail = which == "thumbnail"
    opened = services().hub.open_public_file(project_id, material_id, thumbnail=thumbnail)
    return file_response(
        opened,
        f"p{material_id}-{'t' if thumbnail else 'f'}-{opened.size}",
        cache_control=f"public, max-age={PUBLIC_MAX_AGE}",
    )


@bp.after_request
def _cache_headers(response: Response) -> Response:
    if response.headers.get("Content-Disposition"):  # a file: ``file_response`` decided
        return response
    if response.status_code in CACHEABLE:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    else:  # a refusal or a failure is never kept
        response.cache_control.no_store = True
    response.vary.add("Accept")  # the 404 is a page or JSON, by the Accept header
    return response
