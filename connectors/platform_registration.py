"""``HttpPlatformRegistrationClient``: the outbound HTTP of LTI Dynamic Registration 1.0.

One injected ``requests.Session``, explicit timeouts, no redirects (a redirect would let the
configuration come from another host than the one its issuer was checked against), and a cap
on the size of what a platform may send back. requests' errors become ours here.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from connectors.outbound_guard import OutboundAddressRefusedError
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError, RemoteTimeoutError
from etwin_lti.lti.dynamic_registration import PlatformConfigurationError, RegistrationRefusedError

MAX_BODY_BYTES = 512 * 1024


class HttpPlatformRegistrationClient:
    def __init__(self, session: requests.Session, *, timeout: float) -> None:
        self._session = session
        self._timeout = timeout

    def fetch_configuration(self, url: str) -> object:
        response = self._send("GET", url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise RemoteServiceError(
                f"The LMS's configuration address answered HTTP {response.status_code}.",
                who_can_fix="your LMS administrator",
            )
        try:
            return _json(response)
        except ValueError as error:
            raise PlatformConfigurationError(N_("The LMS's configuration is not JSON.")) from error

    def register(self, endpoint: str, registration_token: str | None, request: object) -> object:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if registration_token:
            headers["Authorization"] = f"Bearer {registration_token}"
        response = self._send("POST", endpoint, headers=headers, data=json.dumps(request))
        if not 200 <= response.status_code < 300:
            raise RegistrationRefusedError(
                f"The LMS refused the registration (HTTP {response.status_code}"
                f"{_error_code(response)})."
            )
        try:
            return _json(response)
        except ValueError as error:
            raise RegistrationRefusedError(
                "The LMS's answer to the registration is not JSON."
            ) from error

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self._session.request(
                method, url, timeout=self._timeout, allow_redirects=False, stream=True, **kwargs
            )
            body = response.raw.read(MAX_BODY_BYTES + 1, decode_content=True)
        except OutboundAddressRefusedError as error:
            raise RemoteServiceError(
                "The LMS's address is not a public Internet address; the tool does not contact "
                "internal networks.",
                who_can_fix="the tool administrator (ETWIN_ALLOW_PRIVATE_URLS, for a lab only)",
            ) from error
        except requests.Timeout as error:
            raise RemoteTimeoutError(
                "The LMS did not answer in time.", who_can_fix="your LMS administrator"
            ) from error
        except (requests.RequestException, OSError) as error:
            raise RemoteServiceError(
                "The LMS could not be reached.", who_can_fix="your LMS administrator"
            ) from error
        if len(body) > MAX_BODY_BYTES:
            response.close()
            raise RemoteServiceError(N_("The LMS's answer is too large."))
        response._content = body  # the capped body, read once
        return response


def _json(response: requests.Response) -> object:
    return json.loads(response.content.decode("utf-8"))


def _error_code(response: requests.Response) -> str:
    """The OAuth/DCR ``error`` code of a refusal, when it is a short plain word."""
    try:
        code = _json(response).get("error")  # type: ignore[attr-defined]
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ""
    if isinstance(code, str) and code.replace("_", "").isalnum() and len(code) <= 64:
        return f": {code}"
    return ""
