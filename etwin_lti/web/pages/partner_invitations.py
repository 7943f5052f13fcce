"""``POST /embed/partner-invitations/<id>/accept|decline``: the invited teacher answers from
the notice every page shows them (``services.pages.partner_invitations``), then goes back to
the activity they launched."""

from __future__ import annotations

from typing import Any

from etwin_lti.web.pages import bp, done, partner_invitation_pages, posting_session


@bp.post("/embed/partner-invitations/<int:invitation_id>/<any(accept, decline):answer>")
def answer_partner_invitation(invitation_id: int, answer: str) -> Any:
    session = posting_session()
    code = partner_invitation_pages().answer(session, invitation_id, answer == "accept")
    resource = session.resource
    if resource is None:
        return done(code, "pages.acknowledgements")
    values: dict[str, Any] = {f"{resource.kind.value}_id": resource.id}
    return done(code, f"pages.{resource.kind.value}", **values)
