"""``/embed/acknowledgements`` and the trainers' CSV (``services.pages.acknowledgements``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response

from etwin_lti.web.i18n import page_wording
from etwin_lti.web.pages import bp, pages, render_page
from etwin_lti.web.session import current_launch


@bp.get("/embed/acknowledgements")
def acknowledgements() -> Any:
    view = pages().acknowledgements.view(
        current_launch(), today=datetime.now(UTC).date(), words=page_wording()
    )
    return render_page("pages/acknowledgements.html", view, {})


@bp.get("/embed/edition/<int:edition_id>/progress.csv")
def progress_csv(edition_id: int) -> Response:
    text = pages().acknowledgements.progress_csv(current_launch(), edition_id)
    disposition = f'attachment; filename="edition-{edition_id}-progress.csv"'
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": disposition})
