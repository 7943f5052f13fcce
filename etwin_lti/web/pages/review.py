"""``/lti/review``: where a submission review launch lands (``services.pages.review``)."""

from __future__ import annotations

from typing import Any

from etwin_lti.web.pages import bp, pages, render_page
from etwin_lti.web.session import current_launch


@bp.get("/lti/review")
def review() -> Any:
    view = pages().review.view(current_launch())
    return render_page("pages/review.html", view, {})
