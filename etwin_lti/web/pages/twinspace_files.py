"""Uploading files into TwinSpace materials and opening them from the embedded page
(``etwin_lti.services.pages.twinspace_files``)."""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.errors import InvalidInputError, QuotaExceededError
from etwin_lti.web.files import accepts_upload, file_response, uploaded_file
from etwin_lti.web.limits import UPLOAD, rate_limited
from etwin_lti.web.pages import bp, done, pages, posting_session, refused_form
from etwin_lti.web.pages.twinspace import _page
from etwin_lti.web.session import current_launch


@bp.post("/embed/twinspace/<int:twinspace_id>/materials/upload")
@rate_limited(UPLOAD)
@accepts_upload
def twinspace_upload(twinspace_id: int) -> Any:
    session = posting_session()
    part = uploaded_file()
    try:
        code = pages().twinspace_files.upload(
            session,
            twinspace_id,
            request.form,
            part.stream if part else None,
            part.filename if part else None,
        )
    except (InvalidInputError, QuotaExceededError) as error:
        return _page(twinspace_id, error.status_code, refused_form("files", None, error.errors))
    return done(code, "pages.twinspace", twinspace_id=twinspace_id)


@bp.get("/embed/twinspace/<int:twinspace_id>/materials/<int:material_id>/file")
def twinspace_file(twinspace_id: int, material_id: int) -> Any:
    return _serve(twinspace_id, material_id, thumbnail=False)


@bp.get("/embed/twinspace/<int:twinspace_id>/materials/<int:material_id>/thumbnail")
def twinspace_thumbnail(twinspace_id: int, material_id: int) -> Any:
    return _serve(twinspace_id, material_id, thumbnail=True)


def _serve(twinspace_id: int, material_id: int, *, thumbnail: bool) -> Any:
    opened = pages().twinspace_files.open(
        current_launch(), twinspace_id, material_id, thumbnail=thumbnail
    )
    return file_response(opened, f"m{material_id}-{'t' if thumbnail else 'f'}-{opened.size}")
