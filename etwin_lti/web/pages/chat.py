"""``/embed/twinspace/<id>/chat``: the TwinSpace chat page, its poll and its forms
(``etwin_lti.services.pages.chat``).

- ``GET  …/chat``                          the page (recent messages, the post form)
- ``GET  …/chat/messages?after=<cursor>``  the poll: JSON, always (errors too)
- ``POST …/chat/messages``                 post; ``…/chat/messages/<id>/delete|hide|show``

The forms work without JavaScript (Post/Redirect/Get like every page form). The page's script
sends the same forms with ``fetch`` and ``Accept: application/json`` and gets JSON back (the
new line, or the error body). Posting is rate-limited per person and TwinSpace (``CHAT``).
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from etwin_lti.errors import InvalidInputError
from etwin_lti.services.pages.chat import MESSAGES
from etwin_lti.web.errors import wants_json
from etwin_lti.web.limits import CHAT, rate_limited
from etwin_lti.web.pages import (
    FormErrors,
    bp,
    done,
    pages,
    posting_session,
    refused_form,
    render_page,
)
from etwin_lti.web.session import current_launch

ROOM = "/embed/twinspace/<int:twinspace_id>/chat"


def _page(twinspace_id: int, status: int = 200, errors: FormErrors | None = None) -> Any:
    view = pages().chat.room(current_launch(), twinspace_id)
    return render_page("pages/chat.html", view, MESSAGES, status=status, form_errors=errors)


@bp.get(ROOM)
def chat(twinspace_id: int) -> Any:
    return _page(twinspace_id)


@bp.get(ROOM + "/messages")
def chat_poll(twinspace_id: int) -> Any:
    g.json_errors = True  # a script reads this answer, whatever it asked for
    view = pages().chat.poll(current_launch(), twinspace_id, request.args.get("after"))
    response = jsonify(view)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(ROOM + "/messages")
@rate_limited(CHAT)
def chat_post(twinspace_id: int) -> Any:
    session = posting_session()
    try:
        line = pages().chat.post(session, twinspace_id, request.form)
    except InvalidInputError as error:
        if wants_json():
            raise
        return _page(twinspace_id, 422, refused_form("chat", None, error.errors))
    if wants_json():
        return jsonify({"message": line.as_json()}), 201
    return done("chat_posted", "pages.chat", twinspace_id=twinspace_id)


@bp.post(ROOM + "/messages/<int:message_id>/<action>")
def chat_moderate(twinspace_id: int, message_id: int, action: str) -> Any:
    """delete (its author or a teacher administrator), hide and show (teacher administrators)."""
    session = posting_session()
    code, line = pages().chat.moderate(session, twinspace_id, message_id, action)
    if wants_json():
        return jsonify({"message": line.as_json()})
    return done(code, "pages.chat", twinspace_id=twinspace_id)
