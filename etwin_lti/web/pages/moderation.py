"""The TwinSpace page's edit, delete, hide, restore and public/private controls
(``etwin_lti.services.pages.moderation``): one form post each, CSRF-checked like every form."""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.errors import InvalidInputError
from etwin_lti.services.pages.moderation import form_key
from etwin_lti.web.pages import bp, done, pages, posting_session, refused_form
from etwin_lti.web.pages.twinspace import _page


@bp.post("/embed/twinspace/<int:twinspace_id>/content/<kind>/<int:content_id>/<action>")
def twinspace_content(twinspace_id: int, kind: str, content_id: int, action: str) -> Any:
    """kind: page, material, diary_post, diary_comment, thread, forum_post; action: edit,
    delete, hide, restore, visibility. Refusals are the error page (who can fix it)."""
    session = posting_session()
    try:
        code = pages().twinspace.moderate_content(
            session, twinspace_id, kind, content_id, action, request.form
        )
    except InvalidInputError as error:  # shown again beside the form it came from
        return _page(twinspace_id, 422, refused_form(form_key(kind), content_id, error.errors))
    return done(code, "pages.twinspace", twinspace_id=twinspace_id)
