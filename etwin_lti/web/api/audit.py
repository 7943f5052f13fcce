"""``/api/v1/audit``: the audit log, newest first, for admin tokens only."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import requires
from etwin_lti.web.api.parsing import ApiBlueprint
from etwin_lti.web.container import services
from schemas.api.audit import AuditPageSchema, AuditQuery

bp = ApiBlueprint("api_audit", __name__, url_prefix="/api/v1", description="Audit log")


@bp.get("/audit")
@requires(ApiPermission.READ_AUDIT)
@bp.arguments(AuditQuery, location="query")
@bp.response(200, AuditPageSchema)
def list_audit(query: dict[str, Any]) -> Any:
    """Role and permit changes, label decisions, erasures and registration changes."""
    page = services().audit.list_entries(offset=query["offset"], limit=query["limit"])
    return {
        "entries": page.entries,
        "total": page.total,
        "offset": query["offset"],
        "limit": query["limit"],
    }
