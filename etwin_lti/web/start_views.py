"""``/``: the start page a person sees when they open the address the server prints.

It says what the tool is and where to go next: the sandbox LMS (when the demo is on), the
addresses an LMS administrator registers, the API document and the health check. Nothing on it
depends on who asks, so it needs no session and shows no data.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from etwin_lti.web.container import services

bp = Blueprint("start", __name__)


@bp.get("/")
def start():
    settings = services().settings
    return render_template("start.html", demo=settings.demo, base_url=settings.base_url)
