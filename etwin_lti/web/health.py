"""``/healthz``: answers ok only when the database is reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify

from etwin_lti.web.container import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if not services().database.ping():
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})
