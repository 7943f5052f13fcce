"""``/healthz``: answers ok only when the database is reachable."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if not current_app.extensions["etwin"].database.ping():
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})
