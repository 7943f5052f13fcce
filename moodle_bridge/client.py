"""A small, strict client for Moodle's REST web-service endpoint.

Protocol (Moodle developer docs, "Web services" / ``webservice/rest/server.php``): every call is
a POST of form fields ``wstoken``, ``wsfunction``, ``moodlewsrestformat=json`` and the function's
parameters in PHP array notation (``options[0][name]=onlyactive``). Failures usually come back
with HTTP 200 and a JSON error body ``{"exception", "errorcode", "message"}``; a misconfigured
URL or disabled web services gives an HTML page instead. Both are translated here
(``moodle_bridge.errors``) with ``raise ... from`` so nothing from ``requests`` leaks upward.

The token is sent in the POST body (never in the URL, so it does not reach access logs) and is
never logged or put in an error message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import requests

from etwin_lti.errors import RemoteServiceError, RemoteTimeoutError
from moodle_bridge.errors import MoodleProtocolError, error_from_body

log = logging.getLogger(__name__)

REST_PATH = "/webservice/rest/server.php"
RETRY_STATUSES = frozenset({500, 502, 503, 504})


def encode_params(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten nested dicts and lists into PHP array notation, as Moodle's REST server reads
    them: ``{"options": [{"name": "a", "value": 1}]}`` → ``options[0][name]=a``,
    ``options[0][value]=1``. Booleans become ``1``/``0`` (PARAM_BOOL)."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), item)
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((prefix, "1" if value else "0"))
        elif value is None:
            return
        else:
            pairs.append((prefix, str(value)))

    walk("", params)
    return pairs


class MoodleClient:
    """Calls one Moodle site's REST web services with one token.

    ``session`` is injected (one per adapter, shared connection pool); ``retries`` applies to
    connection errors and 5xx answers only, with exponential backoff (``sleep`` is a parameter
    so tests do not wait). Every function we call is a read, so a retry is always safe.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        session: requests.Session,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session
        self.timeout = timeout
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"MoodleClient({self.base_url!r})"

    @property
    def endpoint(self) -> str:
        return self.base_url + REST_PATH

    def call(self, wsfunction: str, params: Mapping[str, Any] | None = None) -> Any:
        """POST one web-service function and return its decoded JSON result."""
        form = [
            ("wstoken", self._token),
            ("wsfunction", wsfunction),
            ("moodlewsrestformat", "json"),
            *encode_params(params or {}),
        ]
        response = self._post_with_retries(wsfunction, form)
        return self._decode(wsfunction, response)

    def _post_with_retries(self, wsfunction: str, form: list[tuple[str, str]]) -> requests.Response:
        attempt = 0
        while True:
            try:
                response = self._session.post(
                    self.endpoint,
                    data=form,
                    timeout=self.timeout,
                    headers={"Accept": "application/json"},
                    allow_redirects=False,
                )
            except requests.Timeout as error:
                raise RemoteTimeoutError(
                    f"Moodle at {self.base_url} did not answer {wsfunction} within "
                    f"{self.timeout:g} s."
                ) from error
            except requests.ConnectionError as error:
                if attempt >= self.retries:
                    raise RemoteServiceError(
                        f"Could not connect to Moodle at {self.base_url}."
                    ) from error
            except requests.RequestException as error:
                raise RemoteServiceError(
                    f"The request to Moodle at {self.base_url} failed."
                ) from error
            else:
                if response.status_code not in RETRY_STATUSES or attempt >= self.retries:
                    return response
            attempt += 1
            delay = self.backoff_seconds * (2 ** (attempt - 1))
            log.info("retrying %s on %s (attempt %d)", wsfunction, self.base_url, attempt + 1)
            self._sleep(delay)

    def _decode(self, wsfunction: str, response: requests.Response) -> Any:
        if response.status_code in RETRY_STATUSES:
            raise RemoteServiceError(
                f"Moodle at {self.base_url} answered HTTP {response.status_code} to {wsfunction}."
            )
        if 300 <= response.status_code < 400:
            # A redirect is Moodle sending us to its login page (web services disabled, or a
            # wrong URL such as http:// for an https:// site).
            raise MoodleProtocolError(
                f"Moodle at {self.base_url} redirected the web-service call "
                f"(HTTP {response.status_code}); check the site URL and that web services are on."
            )
        content_type = response.headers.get("Content-Type", "")
        text = response.text
        if "html" in content_type or text.lstrip().startswith("<"):
            raise MoodleProtocolError()
        try:
            body = json.loads(text)
        except ValueError as error:
            raise MoodleProtocolError(
                f"Moodle at {self.base_url} answered {wsfunction} with invalid JSON."
            ) from error
        if isinstance(body, dict) and "exception" in body and "errorcode" in body:
            raise error_from_body(body)
        if response.status_code >= 400:
            raise MoodleProtocolError(
                f"Moodle at {self.base_url} answered HTTP {response.status_code} to {wsfunction}."
            )
        return body
