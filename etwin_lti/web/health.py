"""``/healthz``: one entry per dependency (database, cache, queue) and an overall status.

200 when every dependency answers, 503 otherwise, so a load balancer takes the instance out
while its database or Redis is down and puts it back after. Never a detail beyond up/down.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from etwin_lti.web.container import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {name: "ok" if check() else "unreachable" for name, check in _checks().items()}
    healthy = all(state == "ok" for state in checks.values())
    return jsonify({"status": "ok" if healthy else "error", **checks}), 200 if healthy else 503


def _checks():
    return services().health_checks
