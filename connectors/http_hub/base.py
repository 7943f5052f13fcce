"""What every area of ``HttpHubConnector`` shares: the session, the token, one ``_call``
that sends a request and maps the answer (or the error body) back to our types."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import requests
from marshmallow import Schema, ValidationError
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.retry import Retry

from connectors.outbound_guard import guarded_session
from etwin_lti.errors import (
    EtwinLtiError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RemoteServiceError,
    RemoteTimeoutError,
    RuleViolationError,
)

API_PREFIX = "/api/v1"
RETRY_STATUSES = (502, 503, 504)
_BY_STATUS: dict[int, type[EtwinLtiError]] = {
    403: PermissionDeniedError,
    404: NotFoundError,
    409: RuleViolationError,
    422: InvalidInputError,
}


def hub_session(
    *, retries: int = 3, backoff_factor: float = 0.5, allow_private: bool = False
) -> requests.Session:
    """A session whose adapter retries as described in the module docstring; the hub's URL is
    an administrator's: checked by the outbound guard unless ``allow_private`` (a lab)."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=1,  # a slow hub: one more try, not ``retries`` more read timeouts
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "PUT", "HEAD", "OPTIONS"}),
        raise_on_status=False,  # the last answer is mapped like any other
        # A remote asking us to wait minutes must not hold a web request that long.
        respect_retry_after_header=False,
    )
    return guarded_session(allow_private=allow_private, max_retries=retry)


class HttpHubBase:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
    ) -> None:
        self._base = base_url.rstrip("/") + API_PREFIX
        self._token = token  # sent in a header only; never logged
        self._session = session
        self._timeout = (connect_timeout, read_timeout)

    def __repr__(self) -> str:  # no token in tracebacks or logs
        return f"HttpHubConnector({self._base!r})"

    def _call(
        self,
        method: str,
        path: str,
        schema: Schema | None,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        try:
            response = self._session.request(
                method,
                self._base + path,
                json=_jsonable(body) if body is not None else None,
                params=params or None,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            if _timed_out(error):
                raise RemoteTimeoutError(
                    f"The hub at {self._base} did not answer in time."
                ) from error
            raise RemoteServiceError(f"The hub at {self._base} could not be reached.") from error
        if response.status_code == 204 and schema is None:
            return None
        payload = self._json(response)
        if response.status_code >= 400:
            raise remote_error(response.status_code, payload)
        if schema is None:
            return None
        try:
            return schema.load(payload)
        except ValidationError as error:
            raise RemoteServiceError(
                f"The hub at {self._base} sent an unexpected answer."
            ) from error

    def _json(self, response: requests.Response) -> Any:
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("application/json"):
            raise RemoteServiceError(
                f"The hub at {self._base} answered {response.status_code} without JSON."
            )
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError) as error:
            raise RemoteServiceError(f"The hub at {self._base} sent broken JSON.") from error


def _timed_out(error: requests.RequestException) -> bool:
    # Once retries are exhausted, requests reports a read timeout as a ConnectionError
    # wrapping urllib3's MaxRetryError; look at its reason.
    if isinstance(error, requests.Timeout):
        return True
    cause = error.args[0] if error.args else None
    if not isinstance(cause, MaxRetryError):
        return False
    # urllib3 makes "connection refused" a subclass of its connect-timeout error.
    reason = cause.reason
    return isinstance(reason, Urllib3TimeoutError) and not isinstance(reason, NewConnectionError)


def _jsonable(body: Mapping[str, Any]) -> dict[str, Any]:
    """Dates as ISO 8601; enums are ``StrEnum`` and serialise as their value."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}


def _subclasses(cls: type[EtwinLtiError]) -> Iterator[type[EtwinLtiError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _error_class(code: object, status: int) -> type[EtwinLtiError]:
    """The class that owns ``code`` with that status (leaf classes included), else by status."""
    for cls in _subclasses(EtwinLtiError):
        if cls.__dict__.get("error") == code and cls.status_code == status:
            return cls
    return _BY_STATUS.get(status, RemoteServiceError)


def remote_error(status: int, payload: Any) -> EtwinLtiError:
    """The error the hub answered (its status and JSON body), as our own class."""
    if not isinstance(payload, dict):
        return RemoteServiceError(f"The hub answered {status} with an unexpected body.")
    if status == 401:
        # Our own token was refused: a configuration problem here, not the caller's.
        return RemoteServiceError(
            "The remote hub refused this tool's API token (ETWIN_HUB_TOKEN).",
            who_can_fix="the tool administrator",
        )
    if status >= 500:
        cls: type[EtwinLtiError] = RemoteTimeoutError if status == 504 else RemoteServiceError
        return cls()
    cls = _error_class(payload.get("code"), status)
    errors = payload.get("errors")
    message = payload.get("message")
    # Leaf classes may define their own __init__; build through the root's.
    error = cls.__new__(cls)
    EtwinLtiError.__init__(
        error,
        message if isinstance(message, str) else None,
        errors=errors if isinstance(errors, dict) else None,
    )
    return error
