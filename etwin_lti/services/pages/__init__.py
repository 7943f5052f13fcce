"""View models of the pages people see inside the LMS iframe (issue 3 item 7, issue 5 item 3).

One module per page: ``twinspace``, ``event``, ``unit``, ``review``, ``acknowledgements``;
``common`` holds what they share (the CSRF token, form parsing, access errors). Everything goes
through ``HubPort``; the web layer (``etwin_lti.web.pages``) only extracts, calls and renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from etwin_lti.domain.ports import HubPort
from etwin_lti.services.pages.acknowledgements import AcknowledgementLinks, AcknowledgementPages
from etwin_lti.services.pages.chat import ChatPages
from etwin_lti.services.pages.event import EventPages
from etwin_lti.services.pages.review import ReviewPages
from etwin_lti.services.pages.twinspace import TwinSpacePages
from etwin_lti.services.pages.twinspace_files import TwinSpaceFilePages
from etwin_lti.services.pages.unit import UnitPages
from etwin_lti.services.progress import ProgressService
from etwin_lti.services.public_pages import PublicPages


@dataclass(frozen=True)
class PageServices:
    """One service per page, built once by bootstrap over the hub (they keep no request state)."""

    twinspace: TwinSpacePages
    event: EventPages
    unit: UnitPages
    review: ReviewPages
    acknowledgements: AcknowledgementPages
    twinspace_files: TwinSpaceFilePages
    chat: ChatPages
    public: PublicPages  # the public project page and the gallery (no launch session)

    @classmethod
    def over(
        cls, hub: HubPort, links: AcknowledgementLinks, progress: ProgressService
    ) -> PageServices:
        return cls(
            twinspace=TwinSpacePages(hub),
            event=EventPages(hub, links, progress),
            unit=UnitPages(hub, links, progress),
            review=ReviewPages(hub),
            acknowledgements=AcknowledgementPages(hub, links),
            twinspace_files=TwinSpaceFilePages(hub),
            chat=ChatPages(hub),
            public=PublicPages(hub),
        )
