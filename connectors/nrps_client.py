"""``RosterSource`` over HTTP: every page of an NRPS 2.0 membership container.

NRPS 2.0 sections 2.3 (paging with ``Link: rel="next"``) and 2.4 (``rel="differences"``),
https://www.imsglobal.org/spec/lti-nrps/v2p0/. Each page is one ``GET`` with a bearer token for
``contextmembership.readonly`` only (``AccessTokenProvider.authorized_request``: cached token,
one refresh on 401). URLs are followed exactly as the platform wrote them.

The roster is read completely or not at all: a failed page, a page that is not a membership
container, a ``next`` link seen before (a paging loop), more than ``max_pages`` pages or
``max_members`` members all raise, and the caller changes nothing.
"""

from __future__ import annotations

import contextvars
import json
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urljoin

import requests

from connectors.lti_access_tokens import AccessTokenProvider
from etwin_lti.domain.rosters import FetchedRoster, RosterMember
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError
from etwin_lti.lti import claims as c
from etwin_lti.lti.link_header import find_link
from etwin_lti.lti.nrps import MEDIA_TYPE, MalformedRosterPageError, parse_page

MAX_PAGE_BYTES = 16 * 1024 * 1024


class RosterFetchError(RemoteServiceError):
    error = "roster_fetch_failed"
    description = N_("The LMS did not deliver the whole course roster; nothing was changed.")
    who_can_fix = N_("the tool administrator (try again later; check the LMS's NRPS service)")


class RosterPagingLoopError(MalformedRosterPageError):
    error = "roster_paging_loop"
    description = N_(
        "The LMS's roster pages point back to a page already read; nothing was changed."
    )


class RosterTooLargeError(RemoteServiceError):
    error = "roster_too_large"
    description = N_("The course roster is larger than the tool accepts; nothing was changed.")


class HttpNrpsClient:
    def __init__(
        self,
        tokens: AccessTokenProvider,
        *,
        max_pages: int = 500,
        max_members: int = 50_000,
    ) -> None:
        self._tokens = tokens
        self._max_pages = max_pages
        self._max_members = max_members

    def fetch(
        self, platform_id: int, url: str, *, differences_url: str | None = None
    ) -> FetchedRoster:
        # One page ahead: the next page's GET runs while this one is decoded and checked, so a
        # long roster costs about its download time (issue 11: sync <= 1.5x the download).
        # One request at a time is in flight, as before; the platform sees the same GETs.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nrps-page") as ahead:
            return self._fetch(ahead, platform_id, url, differences_url)

    def _fetch(
        self,
        ahead: ThreadPoolExecutor,
        platform_id: int,
        url: str,
        differences_url: str | None,
    ) -> FetchedRoster:
        next_url: str | None = differences_url or url
        seen: set[str] = set()
        members: dict[str, RosterMember] = {}
        context_id: str | None = None
        new_differences: str | None = None
        pages = 0
        coming: Future[requests.Response] | None = None
        while next_url is not None:
            if next_url in seen:
                raise RosterPagingLoopError(
                    f"Roster page {pages + 1} would be a page already read (a paging loop)."
                )
            if pages >= self._max_pages:
                raise RosterTooLargeError(f"The roster has more than {self._max_pages} pages.")
            seen.add(next_url)
            pages += 1
            response = coming.result() if coming else self._get(platform_id, next_url, pages)
            coming = None
            link = response.headers.get("Link")
            found = find_link(link, "next")
            next_url = urljoin(next_url, found) if found else None
            if next_url is not None and next_url not in seen and pages < self._max_pages:
                # In this request's context: its logs keep the request id (observability).
                context = contextvars.copy_context()
                coming = ahead.submit(context.run, self._get, platform_id, next_url, pages + 1)
            page = parse_page(_decode(response, pages), page=pages)
            if page.context_id is not None:
                if context_id is not None and page.context_id != context_id:
                    raise MalformedRosterPageError(
                        f"Roster page {pages} belongs to another course than page 1."
                    )
                context_id = page.context_id
            for member in page.members:
                members[member.user_id] = member  # a later page wins (the roster moved)
            if len(members) > self._max_members:
                raise RosterTooLargeError(f"The roster has more than {self._max_members} members.")
            differences = find_link(link, "differences")
            if differences:
                new_differences = urljoin(response.url or url, differences)
        return FetchedRoster(
            context_id=context_id,
            members=tuple(members.values()),
            differences_url=new_differences,
            is_delta=differences_url is not None,
            pages=pages,
        )

    def _get(self, platform_id: int, url: str, page: int) -> requests.Response:
        response = self._tokens.authorized_request(
            platform_id, [c.SCOPE_NRPS], "GET", url, headers={"Accept": MEDIA_TYPE}
        )
        if response.status_code != 200:
            raise RosterFetchError(
                f"Roster page {page} answered HTTP {response.status_code}; nothing was changed."
            )
        return response


def _decode(response: requests.Response, page: int) -> object:
    if len(response.content) > MAX_PAGE_BYTES:
        raise RosterTooLargeError(f"Roster page {page} is larger than the tool accepts.")
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise MalformedRosterPageError(f"Roster page {page} is not JSON.") from error
