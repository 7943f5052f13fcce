"""The pages people see inside the LMS iframe (issue 3 item 7; issue 5 item 3).

Blueprint ``pages``: ``/embed/twinspace/<id>`` (and its ``/chat``), ``/embed/event/<id>``,
``/embed/unit/<id>``, ``/lti/review``, ``/embed/acknowledgements``, ``/embed/connections`` and
``/embed/edition/<id>/progress.csv``, plus the forms they post. View models come from
``etwin_lti.services.pages``; views extract, call one service and render.

Forms carry two hidden fields: ``csrf_token`` (bound to the launch session, checked on every
POST) and ``etwin_launch_token`` (the short signed launch token, read by
``etwin_lti.web.session`` when the browser blocked the cookie). After a successful post the
browser is sent back to the page (303, with a message code in the query string: words, never
anything that grants access); a browser without the cookie gets the page in the answer itself,
since a redirect would lose the token, which never goes into a URL. A message that reports
numbers (``done(..., details=...)``) finds them in ``MESSAGES[code + ":details"]``, filled from
the signed ``about`` field (``web.pages.message_details``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.paging import page_number
from etwin_lti.domain.teacher_linking import is_validated_teacher
from etwin_lti.errors import EtwinLtiError
from etwin_lti.services.pages import PageServices
from etwin_lti.services.pages.common import CSRF_FIELD
from etwin_lti.services.pages.partner_invitations import MESSAGES as PARTNER_MESSAGES
from etwin_lti.services.pages.partner_invitations import PartnerInvitationPages
from etwin_lti.web.container import services
from etwin_lti.web.csrf import check_form_csrf, form_csrf_token
from etwin_lti.web.pages import message_details
from etwin_lti.web.session import SESSION_COOKIE, TOKEN_FIELD, current_launch, launch_token

bp = Blueprint("pages", __name__)


@dataclass(frozen=True)
class FormErrors:
    """A refused form, shown again beside the form it came from (422)."""

    form: str  # the action key, e.g. "pages", "comments"
    target: int | None
    errors: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)

    def of(self, form: str, target: int | None = None) -> Mapping[str, Any]:
        return self.errors if (form, target) == (self.form, self.target) else {}

    def value(self, form: str, name: str, target: int | None = None) -> str:
        return self.values.get(name, "") if (form, target) == (self.form, self.target) else ""


def pages() -> PageServices:
    """The page services, built once by bootstrap."""
    return services().pages


def posting_session() -> LaunchSession:
    """The launch session of a form post (401 without one), with its CSRF token checked (403)."""
    session = current_launch()
    check_form_csrf(session)
    return session


def render_page(
    template: str,
    view: Any,
    messages: Mapping[str, str],
    *,
    status: int = 200,
    form_errors: FormErrors | None = None,
) -> tuple[str, int]:
    session = current_launch()
    code = g.get("page_message") or request.args.get("msg", "")
    page = render_template(
        template,
        view=view,
        session=session,
        message=_message(messages, code) or PARTNER_MESSAGES.get(code),
        partner_invitations=partner_invitation_pages().notices(session),
        form_errors=form_errors or FormErrors("", None, {}),
        hidden={CSRF_FIELD: form_csrf_token(session), TOKEN_FIELD: launch_token()},
        resource_url=_resource_url(session),
    )
    return page, status


def partner_invitation_pages() -> PartnerInvitationPages:
    """Composed per request (it keeps no state): the hub, and the tool's teacher accounts when
    this instance keeps them (a pending registration is not offered as a partner)."""
    c = services()
    accounts = c.teacher_accounts
    if accounts is None:
        return PartnerInvitationPages(c.hub)
    return PartnerInvitationPages(
        c.hub, is_validated=lambda person_id: is_validated_teacher(accounts.get_account(person_id))
    )


def refused_form(form: str, target: int | None, errors: Mapping[str, Any]) -> FormErrors:
    values = {k: v for k, v in request.form.items() if k not in (CSRF_FIELD, TOKEN_FIELD)}
    return FormErrors(form, target, errors, values)


def done(
    code: str, endpoint: str, *, details: Mapping[str, int] | None = None, **values: Any
) -> Any:
    """Post/Redirect/Get; without the cookie, the page itself (see the module docstring)."""
    if request.cookies.get(SESSION_COOKIE):
        if details is not None:
            values[message_details.QUERY_FIELD] = message_details.sign(details)
        return redirect(url_for(endpoint, msg=code, **values), 303)
    g.page_message, g.page_message_details = code, details
    return current_app.view_functions[endpoint](**values)


def _message(messages: Mapping[str, str], code: str) -> str | None:
    """The message of a code; with its numbers when they came signed (or from this request)."""
    details = g.get("page_message_details") or message_details.read(
        request.args.get(message_details.QUERY_FIELD)
    )
    detailed = messages.get(code + ":details")
    if detailed and details is not None:
        try:  # the translation keeps the {name} fields (tests/unit/i18n checks them)
            return str(gettext(detailed)).format_map(details)
        except KeyError:  # numbers signed for another wording: the plain message
            pass
    return messages.get(code)


def back_page() -> str:
    """After a form on a paged list: the page number of the form's action URL, checked (a bad
    one only means going back to page 1; ADR 0016)."""
    try:
        return str(page_number(request.args.get("page")))
    except EtwinLtiError:
        return "1"


def _resource_url(session: LaunchSession) -> str | None:
    resource = session.resource
    if resource is None:
        return None
    values: dict[str, Any] = {f"{resource.kind.value}_id": resource.id}
    return url_for(f"pages.{resource.kind.value}", **values)


from etwin_lti.web.pages import (  # noqa: E402  (the views register themselves on bp)
    acknowledgements,
    api_access,
    chat,
    connections,
    event,
    moderation,
    partner_invitations,
    project,
    review,
    twinspace,
    twinspace_files,
    unit,
)

__all__ = [
    "acknowledgements",
    "api_access",
    "bp",
    "chat",
    "connections",
    "event",
    "moderation",
    "partner_invitations",
    "project",
    "review",
    "twinspace",
    "twinspace_files",
    "unit",
]
