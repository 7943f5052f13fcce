"""Registration endpoints: ``/lti/register`` (LTI Dynamic Registration 1.0) and
``/lti/config.json`` (the values for a manual registration). Thin views; the work is in
``etwin_lti.services.registrations`` and ``etwin_lti.lti``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from etwin_lti.lti.dynamic_registration import CLOSE_MESSAGE
from etwin_lti.lti.tool_configuration import manual_configuration
from etwin_lti.web.container import services

bp = Blueprint("registration", __name__)


@bp.get("/lti/register")
def register() -> str:
    container = services()
    result = container.dynamic_registration.register(
        invite_token=request.args.get("invite"),
        openid_configuration=request.args.get("openid_configuration"),
        registration_token=request.args.get("registration_token"),
    )
    return render_template(
        "registration/done.html",
        platform=result.platform,
        deployment=result.deployment,
        close_message=CLOSE_MESSAGE,
    )


@bp.get("/lti/config.json")
def config_json() -> Response:
    settings = services().settings
    return jsonify(
        manual_configuration(settings.base_url, store_pupil_names=settings.store_pupil_names)
    )
