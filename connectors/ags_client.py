"""``HttpAgsClient``: AGS 2.0 calls over the shared access-token provider.

Spec: https://www.imsglobal.org/spec/lti-ags/v2p0/ (3.2 line items, 3.4 scores). Each call asks
for the one scope it needs (score for posting, lineitem for finding/creating a column); the token
provider caches tokens for every worker and refreshes once on 401. URLs are used as the platform
sent them, with ``/scores`` inserted before Moodle's ``?type_id=`` (``etwin_lti.lti.ags``).

The score POST returns the platform's status for the passback rules to judge
(``etwin_lti.domain.passback.decide_answer``); line item calls raise: ``RemoteServiceError``
for what may pass (429, 5xx, network) and ``LineItemUnavailableError`` for what will not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Protocol

import requests

from etwin_lti.domain.passback import AgsAnswer, LineItemUnavailableError
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError
from etwin_lti.lti import ags

EXCERPT_CHARS = 200
MAX_BODY_BYTES = 1024 * 1024


class AuthorizedRequests(Protocol):
    """``connectors.lti_access_tokens.AccessTokenProvider``."""

    def authorized_request(
        self,
        platform_id: int,
        scopes: list[str],
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response: ...


class HttpAgsClient:
    def __init__(self, tokens: AuthorizedRequests) -> None:
        self._tokens = tokens

    def post_score(
        self, platform_id: int, lineitem_url: str, payload: Mapping[str, Any]
    ) -> AgsAnswer:
        response = self._tokens.authorized_request(
            platform_id,
            [ags.SCOPE_SCORE],
            "POST",
            ags.scores_url(lineitem_url),
            headers={"Content-Type": ags.SCORE_MEDIA_TYPE, "Accept": "application/json"},
            data=json.dumps(payload),
        )
        return AgsAnswer(
            status=response.status_code,
            retry_after=response.headers.get("Retry-After"),
            body_excerpt=_excerpt(response),
        )

    def find_lineitem(
        self, platform_id: int, lineitems_url: str, *, resource_link_id: str, tag: str
    ) -> str | None:
        url = ags.lineitems_query_url(lineitems_url, resource_link_id=resource_link_id, tag=tag)
        response = self._tokens.authorized_request(
            platform_id,
            [ags.SCOPE_LINEITEM],
            "GET",
            url,
            headers={"Accept": ags.LINEITEM_CONTAINER_MEDIA_TYPE},
        )
        _check(response, "list the grade columns")
        try:
            items = ags.parse_lineitems(_json(response))
        except ValueError as error:
            raise RemoteServiceError(
                N_("The LMS sent an unreadable list of grade columns.")
            ) from error
        found = ags.pick_lineitem(items, resource_link_id=resource_link_id, tag=tag)
        return found.id if found else None

    def create_lineitem(
        self, platform_id: int, lineitems_url: str, payload: Mapping[str, Any]
    ) -> str:
        response = self._tokens.authorized_request(
            platform_id,
            [ags.SCOPE_LINEITEM],
            "POST",
            lineitems_url,
            headers={"Content-Type": ags.LINEITEM_MEDIA_TYPE, "Accept": ags.LINEITEM_MEDIA_TYPE},
            data=json.dumps(payload),
        )
        _check(response, "create a grade column")
        try:
            return ags.parse_lineitem(_json(response)).id
        except ValueError as error:
            raise RemoteServiceError(N_("The LMS sent an unreadable grade column.")) from error


def _check(response: requests.Response, doing: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429 or status >= 500:
        raise RemoteServiceError(f"The LMS answered {status} when asked to {doing}.")
    raise LineItemUnavailableError(
        f"The LMS refused ({status}) to {doing} for the tool: {_excerpt(response) or 'no detail'}."
    )


def _json(response: requests.Response) -> object:
    if len(response.content) > MAX_BODY_BYTES:
        raise ValueError(N_("too large"))
    return json.loads(response.content or b"null")


def _excerpt(response: requests.Response) -> str:
    """The start of the platform's answer, as one line, for the outbox's reason column.
    Platform error bodies carry messages, not secrets; tokens never come back in them."""
    text = response.content[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    return re.sub(r"\s+", " ", text).strip()[:EXCERPT_CHARS]
