"""``POST /lti/roster/sync``: "Sync roster now" for a teacher administrator of the TwinSpace.

Form fields: ``twinspace_id``, the pages' ``csrf_token`` (and launch token). Needs the launch
session of that TwinSpace (401 without one, 403 for another activity); the service checks the
launcher is its active teacher administrator (403). Answers a redirect back to the TwinSpace
page (post/redirect/get, ``?msg=roster_synced`` and the signed counts, which the page shows:
added, updated, suspended), or the counts as JSON when asked for JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, PermissionDeniedError
from etwin_lti.web.container import services
from etwin_lti.web.pages import done, posting_session

bp = Blueprint("roster", __name__)


@bp.post("/lti/roster/sync")
def sync_now() -> Response:
    session = posting_session()
    raw = request.form.get("twinspace_id", "")
    if not raw.isdigit():
        raise InvalidInputError(errors={"twinspace_id": ["must be a TwinSpace id"]})
    twinspace_id = int(raw)
    resource = session.resource
    if resource is None or str(resource) != f"twinspace:{twinspace_id}" or not session.person_id:
        raise PermissionDeniedError(N_("Open this TwinSpace from your course to sync its roster."))
    service = services().roster_sync
    results = service.sync_twinspace(twinspace_id, actor_id=session.person_id)
    if request.accept_mimetypes.best == "application/json":
        body = [{**asdict(r), "resource": str(r.resource)} for r in results]
        return jsonify({"results": body})
    totals: Counter[str] = Counter()
    for result in results:  # one per issuer whose courses feed the TwinSpace
        totals.update(result.counts())  # (update keeps the zeros: "0 suspended" is news too)
    return done("roster_synced", "pages.twinspace", details=dict(totals), twinspace_id=twinspace_id)
