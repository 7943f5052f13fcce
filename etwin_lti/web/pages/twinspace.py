"""``/embed/twinspace/<id>``, its member list and the forms they post
(``etwin_lti.services.pages.twinspace``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request

from etwin_lti.errors import InvalidInputError
from etwin_lti.services.pages.twinspace import MESSAGES
from etwin_lti.web.i18n import page_wording
from etwin_lti.web.pages import (
    FormErrors,
    back_page,
    bp,
    done,
    pages,
    posting_session,
    refused_form,
    render_page,
)
from etwin_lti.web.session import current_launch


def _page(twinspace_id: int, status: int = 200, errors: FormErrors | None = None) -> Any:
    today = datetime.now(UTC).date()
    view = pages().twinspace.view(current_launch(), twinspace_id, today=today, words=page_wording())
    return render_page("pages/twinspace.html", view, MESSAGES, status=status, form_errors=errors)


def _members(twinspace_id: int, status: int = 200, errors: FormErrors | None = None) -> Any:
    view = pages().twinspace.members(current_launch(), twinspace_id, request.args.get("page"))
    return render_page(
        "pages/twinspace_members.html", view, MESSAGES, status=status, form_errors=errors
    )


@bp.get("/embed/twinspace/<int:twinspace_id>")
def twinspace(twinspace_id: int) -> Any:
    return _page(twinspace_id)


@bp.get("/embed/twinspace/<int:twinspace_id>/members")
def twinspace_members(twinspace_id: int, page: str | None = None) -> Any:
    """``?page=N``, 50 members a page (``page``: only from ``done`` after a cookieless post,
    whose own query string carries the same number)."""
    return _members(twinspace_id)


@bp.post("/embed/twinspace/<int:twinspace_id>/<action>")
@bp.post("/embed/twinspace/<int:twinspace_id>/<collection>/<int:target>/<action>")
def twinspace_action(
    twinspace_id: int, action: str, collection: str | None = None, target: int | None = None
) -> Any:
    """pages, materials, diary, threads; diary/<post>/comments, threads/<thread>/replies;
    members/<person>/role|suspend|reactivate|pseudonym (from the member list, whose page
    number rides in the form's action URL and brings the browser back to the same page)."""
    session = posting_session()
    on_members = collection == "members"
    try:
        code = pages().twinspace.act(
            session, twinspace_id, action, request.form, collection, target
        )
    except InvalidInputError as error:
        refused = refused_form(action, target, error.errors)
        return (_members if on_members else _page)(twinspace_id, 422, refused)
    if not on_members:
        return done(code, "pages.twinspace", twinspace_id=twinspace_id)
    return done(code, "pages.twinspace_members", twinspace_id=twinspace_id, page=back_page())
